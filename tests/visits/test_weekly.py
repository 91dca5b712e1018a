"""How a week of running is judged against the runner's usual week (pure logic), and the SQL ``week_start``
that groups runs into Monday-to-Sunday weeks."""
from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, literal, select
from sqlalchemy.engine import make_url

from clinic_api.core.sql import week_start
from clinic_api.visits.service import week_judgement

D = Decimal


# ---- week_judgement ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("distance", "runs", "max_pain", "all_rated", "pre_injury", "expected"), [
    # A week without runs is not pain-free (nor painful) whatever the pre-injury week.
    (D("0"), 0, None, True, D("40"), (D("0.0"), False, None)),
    (D("0"), 0, None, True, None, (None, None, None)),
    # Every run rated at most 2/10: pain-free.
    (D("20"), 2, 0, True, D("40"), (D("50.0"), False, True)),
    (D("20"), 2, 2, True, D("40"), (D("50.0"), False, True)),
    # One rating above 2/10: not pain-free, rated or not.
    (D("20"), 2, 3, True, D("40"), (D("50.0"), False, False)),
    (D("20"), 2, 10, False, D("40"), (D("50.0"), False, False)),
    # A run without a rating: not known to be pain-free, never true.
    (D("20"), 2, 1, False, D("40"), (D("50.0"), False, None)),
    (D("20"), 1, None, False, D("40"), (D("50.0"), False, None)),
    # At the pre-injury distance from exactly that distance on.
    (D("40.00"), 3, 2, True, D("40.0"), (D("100.0"), True, True)),
    (D("39.90"), 3, 2, True, D("40.0"), (D("99.8"), False, True)),
    (D("41.00"), 2, 0, True, D("40.0"), (D("102.5"), True, True)),
    (D("5.25"), 2, 2, True, D("40.0"), (D("13.1"), False, True)),
    (D("10.00"), 1, 1, True, D("12.5"), (D("80.0"), False, True)),
    # Without a pre-injury distance (none, or zero) the week is not compared, only judged for pain.
    (D("53"), 2, 4, True, None, (None, None, False)),
    (D("53"), 2, 1, True, None, (None, None, True)),
    (D("53"), 2, 1, True, D("0"), (None, None, True)),
], ids=["no-runs", "no-runs-no-pre-injury", "pain-0", "pain-2", "pain-3", "pain-10-unrated-run", "unrated-run",
        "all-unrated", "exactly-pre-injury", "just-below", "above", "rounded-percent", "fractional-pre-injury",
        "no-pre-injury-painful", "no-pre-injury-pain-free", "zero-pre-injury"])
def test_a_week_is_judged_by_its_share_of_the_pre_injury_week_and_its_pain(distance, runs, max_pain, all_rated,
                                                                           pre_injury, expected):
    judgement = week_judgement(distance, runs, max_pain, all_rated=all_rated, pre_injury=pre_injury)

    assert set(judgement) == {"percent_of_pre_injury", "at_pre_injury_distance", "pain_free"}
    assert (judgement["percent_of_pre_injury"], judgement["at_pre_injury_distance"],
            judgement["pain_free"]) == expected


def test_the_share_of_the_pre_injury_week_has_one_decimal():
    percent = week_judgement(D("13.33"), 2, 0, all_rated=True, pre_injury=D("40"))["percent_of_pre_injury"]

    assert percent == D("33.3")
    assert percent.as_tuple().exponent == -1


# ---- week_start in SQL ------------------------------------------------------------------------------

def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


WEEK = [date(2026, 9, 7) + timedelta(days=n) for n in range(7)]            # Monday 7 to Sunday 13 September
NEW_YEAR = [date(2026, 12, 28) + timedelta(days=n) for n in range(8)]      # Monday 28 Dec 2026 to Monday 4 Jan
OTHER_DAYS = [date(2024, 2, 29), date(2024, 3, 3), date(2024, 3, 4), date(2020, 12, 31), date(2021, 1, 3),
              date(2027, 1, 1), date(1999, 12, 31), date(2000, 1, 2)]
EXPECTED_MONDAYS = {
    **{day: date(2026, 9, 7) for day in WEEK},
    **{day: date(2026, 12, 28) for day in NEW_YEAR[:7]},
    date(2027, 1, 4): date(2027, 1, 4),
    date(2024, 2, 29): date(2024, 2, 26), date(2024, 3, 3): date(2024, 2, 26), date(2024, 3, 4): date(2024, 3, 4),
    date(2020, 12, 31): date(2020, 12, 28), date(2021, 1, 3): date(2020, 12, 28), date(2027, 1, 1): date(2026, 12, 28),
    date(1999, 12, 31): date(1999, 12, 27), date(2000, 1, 2): date(1999, 12, 27),
}


@pytest.fixture(scope="module")
def sqlite():
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.mark.parametrize("day", WEEK, ids=lambda d: d.strftime("%a-%Y-%m-%d"))
def test_on_sqlite_every_day_of_a_week_starts_on_its_monday(sqlite, day):
    assert sqlite.scalar(select(week_start(literal(day)))) == date(2026, 9, 7)


@pytest.mark.parametrize("day", NEW_YEAR, ids=lambda d: d.strftime("%a-%Y-%m-%d"))
def test_on_sqlite_a_week_across_new_year_starts_on_its_monday_of_december(sqlite, day):
    assert sqlite.scalar(select(week_start(literal(day)))) == EXPECTED_MONDAYS[day]


@pytest.mark.parametrize("day", OTHER_DAYS, ids=lambda d: d.strftime("%a-%Y-%m-%d"))
def test_on_sqlite_leap_days_and_century_turns_start_on_their_monday(sqlite, day):
    assert sqlite.scalar(select(week_start(literal(day)))) == EXPECTED_MONDAYS[day]


def test_on_sqlite_a_sunday_and_the_next_monday_are_in_different_weeks(sqlite):
    sunday, monday = sqlite.execute(select(week_start(literal(date(2026, 9, 13))),
                                           week_start(literal(date(2026, 9, 14))))).one()

    assert (sunday, monday) == (date(2026, 9, 7), date(2026, 9, 14))


@pytest.fixture(scope="module")
def postgresql():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    engine = create_engine(make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)))
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.mark.parametrize("day", sorted(EXPECTED_MONDAYS), ids=lambda d: d.strftime("%a-%Y-%m-%d"))
def test_on_postgresql_every_day_starts_on_its_monday(postgresql, day):
    assert postgresql.scalar(select(week_start(literal(day)))) == EXPECTED_MONDAYS[day]
