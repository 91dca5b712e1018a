"""Properties of the outcome arithmetic that hold for any scores, checked on generated series."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_api.outcomes.arithmetic import (
    MeasureSpec,
    Point,
    WeekTotal,
    improvement,
    mcid_reached,
    measure_outcome,
    return_to_run,
)
from clinic_api.visits.running import is_return_week, week_judgement
from tests.outcomes.scores import D

EPOCH = datetime(2026, 9, 7, 10, tzinfo=UTC)
scores = st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def specs(draw) -> MeasureSpec:
    points = draw(st.one_of(st.none(), st.decimals(min_value="0.5", max_value=30, places=1)))
    percent = draw(st.one_of(st.none(), st.sampled_from([D(15), D(30), D(50)])))
    return MeasureSpec(key="m", label="the measure", higher_is_better=draw(st.booleans()), mcid_points=points,
                       mcid_percent=percent, min=D(0), max=D(100))


@st.composite
def series(draw, min_size: int = 0) -> list[Point]:
    values = draw(st.lists(scores, min_size=min_size, max_size=8))
    days = draw(st.lists(st.integers(min_value=0, max_value=120), min_size=len(values), max_size=len(values)))
    return [Point(EPOCH + timedelta(days=day, minutes=n), value, f"p{n}")
            for n, (value, day) in enumerate(zip(values, days, strict=True))]


visit_days = st.lists(st.integers(min_value=0, max_value=120).map(lambda n: date(2026, 9, 7) + timedelta(days=n)),
                      max_size=12)


@given(scores, scores, st.booleans())
def test_improvement_is_antisymmetric_in_baseline_and_latest_and_in_direction(a, b, higher):
    assert improvement(a, b, higher) == -improvement(b, a, higher)
    assert improvement(a, b, higher) == -improvement(a, b, not higher)
    assert improvement(a, a, higher) == 0


@settings(max_examples=200)
@given(specs(), series(), visit_days)
def test_a_reached_mcid_has_a_first_score_reaching_it_with_days_and_visits(spec, points, visits):
    result = measure_outcome(spec, points, [], visits, UTC)

    if result.mcid_reached:
        assert result.first_mcid is not None
        assert result.first_mcid in result.series[1:]
        assert result.first_mcid.time <= result.latest.time
        assert result.days_to_mcid is not None and result.days_to_mcid >= 0
        assert 0 <= result.visits_to_mcid <= result.visits_to_latest
    if result.first_mcid is None:
        assert result.mcid_sustained is None and result.mcid_lost is None
    elif result.mcid_sustained is False:
        assert result.mcid_lost is not None and result.mcid_lost.time >= result.first_mcid.time
    else:
        assert result.mcid_sustained is True and result.mcid_reached is True


@settings(max_examples=200)
@given(specs(), series(min_size=2), visit_days)
def test_the_change_is_signed_by_direction_and_agrees_with_mcid_reached(spec, points, visits):
    result = measure_outcome(spec, points, [], visits, UTC)
    moved = result.latest.value - result.baseline.value

    assert result.change == (moved if spec.higher_is_better else -moved)
    if spec.mcid is not None:
        mcid = {"points": spec.mcid_points, "percent": spec.mcid_percent}
        assert result.mcid_reached is mcid_reached(result.baseline.value, result.latest.value, mcid,
                                                   spec.higher_is_better)
    if result.percent_change is not None:
        assert (result.percent_change > 0) == (result.change > 0) or result.percent_change == 0


@given(specs(), series(), st.randoms())
def test_the_outcome_does_not_depend_on_the_order_scores_are_given_in(spec, points, shuffle: random.Random):
    shuffled = list(points)
    shuffle.shuffle(shuffled)

    assert measure_outcome(spec, shuffled, [], [], UTC) == measure_outcome(spec, points, [], [], UTC)


@given(specs(), series(min_size=1), series())
def test_one_score_is_no_change_and_follow_ups_never_become_the_latest(spec, points, later):
    result = measure_outcome(spec, points[:1], later, [], UTC)

    assert result.latest is None and result.change is None and result.mcid_reached is None
    assert len(result.follow_ups) == len(later)


weeks = st.lists(st.tuples(st.integers(min_value=0, max_value=20),
                           st.decimals(min_value=0, max_value=80, places=1),
                           st.integers(min_value=0, max_value=7), st.integers(min_value=0, max_value=10),
                           st.booleans()),
                 max_size=12, unique_by=lambda week: week[0])


@given(weeks, st.decimals(min_value=1, max_value=80, places=1))
def test_the_return_week_is_the_first_that_qualifies(rows, pre_injury):
    start = date(2026, 8, 31)
    given_weeks = [WeekTotal(start + timedelta(weeks=n), km, runs, pain if runs else None, rated or not runs)
                   for n, km, runs, pain, rated in rows]

    result = return_to_run(given_weeks, pre_injury, start)

    def qualifies(week: WeekTotal) -> bool:
        return is_return_week(week_judgement(week.distance_km, week.runs, week.max_pain, all_rated=week.all_rated,
                                             pre_injury=pre_injury))

    qualifying = sorted((week for week in given_weeks if qualifies(week)), key=lambda week: week.week_start)
    assert result.reached is bool(qualifying)
    if qualifying:
        assert result.week_start == qualifying[0].week_start
        assert result.weeks_since_start == (qualifying[0].week_start - start).days // 7 >= 0
    else:
        assert result.reason in ("unrated_runs", "not_yet") and result.week_start is None
