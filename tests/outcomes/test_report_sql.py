"""The report's medians and quartiles: the Python reference against ``statistics``, and the SQL of the test
database (PostgreSQL's percentile_cont, SQLite's window functions) against the reference on generated values."""
from __future__ import annotations

import statistics
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Numeric, String, literal, select, union_all

from clinic_api.extensions import db
from clinic_api.outcomes.report_sql import percentile, quartiles

# Scores take few values: small integers often repeat (several values to a histogram bin in SQLite's SQL).
values = st.lists(st.one_of(st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False),
                            st.integers(min_value=-3, max_value=3).map(Decimal)), min_size=1, max_size=25)
groups = st.dictionaries(st.sampled_from(["kujala", "nprs", "pain.current", "#visits"]), values, min_size=1,
                         max_size=4)


def reference(data: list[Decimal]) -> tuple[float, float, float]:
    numbers = [float(value) for value in data]
    return percentile(numbers, 0.25), percentile(numbers, 0.5), percentile(numbers, 0.75)


@given(st.lists(st.floats(min_value=-1000, max_value=1000, allow_nan=False), min_size=2, max_size=40))
def test_the_reference_is_statistics_inclusive_quartiles_and_median(data):
    q1, _, q3 = statistics.quantiles(data, n=4, method="inclusive")
    assert percentile(data, 0.25) == pytest.approx(round(q1, 4), abs=1e-4)
    assert percentile(data, 0.5) == pytest.approx(round(statistics.median(data), 4), abs=1e-4)
    assert percentile(data, 0.75) == pytest.approx(round(q3, 4), abs=1e-4)


def test_the_reference_by_hand():
    assert [percentile([1, 2, 3, 4], p) for p in (0.25, 0.5, 0.75)] == [1.75, 2.5, 3.25]
    assert [percentile([7], p) for p in (0.25, 0.5, 0.75)] == [7, 7, 7]
    assert percentile([], 0.5) is None


def _dialect(app) -> str:
    with app.app_context():
        return db.session.get_bind().dialect.name


def _quartiles_in_sql(app, data: dict[str, list[Decimal]], method: str = "histogram",
                      ) -> dict[str, tuple[int, float, float, float]]:
    rows = [select(literal(grp, String).label("grp"), literal(value, Numeric(8, 2)).label("value"))
            for grp, found in data.items() for value in found]
    # A NULL value in every group: left out, as a measure without a change is.
    rows += [select(literal(grp, String).label("grp"), literal(None, Numeric(8, 2)).label("value")) for grp in data]
    with app.app_context():
        query = quartiles(union_all(*rows).subquery("figures"), db.session.get_bind().dialect.name, method=method)
        return {row.grp: (row.n, row.q1, row.median, row.q3) for row in db.session.execute(query)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups)
def test_the_database_quartiles_are_the_reference(app, db_session, data):
    found = _quartiles_in_sql(app, data)
    assert set(found) == set(data)
    for grp, values_ in data.items():
        n, q1, median, q3 = found[grp]
        assert n == len(values_)
        assert (q1, median, q3) == pytest.approx(reference(values_), abs=1e-6)
    if _dialect(app) == "postgresql":  # PostgreSQL's own percentile_cont agrees
        for grp, figures in _quartiles_in_sql(app, data, "percentile_cont").items():
            assert [float(x) for x in figures] == pytest.approx([float(x) for x in found[grp]], abs=1e-6)


def test_the_database_quartiles_by_hand(app, db_session):
    found = _quartiles_in_sql(app, {"a": [Decimal(v) for v in ("4", "1", "3", "2")], "b": [Decimal("-2.5")],
                                    "c": [Decimal(v) for v in ("1", "1", "1", "5", "5")]})
    assert found["a"] == (4, pytest.approx(1.75), pytest.approx(2.5), pytest.approx(3.25))
    assert found["c"] == (5, 1, 1, 5)
    assert found["b"] == (1, pytest.approx(-2.5), pytest.approx(-2.5), pytest.approx(-2.5))
