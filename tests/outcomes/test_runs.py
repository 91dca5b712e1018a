"""The return to running: the first Monday-to-Sunday week at the pre-injury distance with every run rated at
most 2/10, the weeks it took, and why there is none. One week rule, shared with the API's weekly totals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clinic_api.outcomes.arithmetic import WeekTotal, return_to_run
from clinic_api.visits import running, service
from tests.outcomes.scores import D

START = date(2026, 8, 31)  # a Monday


def week(n: int, km: str, *, runs: int = 3, pain: int | None = 1, rated: bool = True) -> WeekTotal:
    return WeekTotal(START + timedelta(weeks=n), D(km), runs, pain, rated, (f"run-week-{n}",))


def test_the_first_pain_free_week_at_the_pre_injury_distance_is_the_return():
    weeks = [week(0, "10"), week(1, "25"), week(2, "40", pain=3), week(3, "38"), week(4, "41", pain=2),
             week(5, "45")]

    result = return_to_run(weeks, D(40), START + timedelta(days=3))  # care began on a Thursday

    assert result.reached is True and result.reason is None
    assert (result.week_start, result.distance_km) == (date(2026, 9, 28), D(41))
    assert result.weeks_since_start == 4  # counted from Monday 31 August, the start's week
    assert result.source_ids == ("run-week-4",)
    assert result.nearest_week == weeks[4]
    assert result.pre_injury_km == D(40)


def test_a_return_in_the_first_week_of_care_is_zero_weeks_after_the_start():
    result = return_to_run([week(0, "40", pain=0)], D(40), START + timedelta(days=6))

    assert (result.week_start, result.weeks_since_start) == (START, 0)


def test_weeks_are_taken_in_date_order_whatever_order_they_come_in():
    result = return_to_run([week(3, "40"), week(1, "42"), week(2, "40")], D(40), START)

    assert result.week_start == START + timedelta(weeks=1)


def test_without_a_pre_injury_distance_there_is_no_return_not_a_guess():
    weeks = [week(0, "20"), week(1, "53"), week(2, "53")]
    for pre_injury in (None, D(0)):
        result = return_to_run(weeks, pre_injury, START)

        assert result.reached is False
        assert result.reason == "no_pre_injury_distance"
        assert (result.week_start, result.distance_km, result.weeks_since_start) == (None, None, None)
        assert result.nearest_week == weeks[1]  # the most distance, the first of equals


def test_a_week_at_the_distance_with_an_unrated_run_is_not_a_return():
    weeks = [week(0, "20"), week(1, "40", pain=1, rated=False), week(2, "30")]

    result = return_to_run(weeks, D(40), START)

    assert (result.reached, result.reason) == (False, "unrated_runs")
    assert result.nearest_week == weeks[1]
    assert result.source_ids == ()


def test_a_later_rated_week_is_the_return_even_after_an_unrated_one():
    result = return_to_run([week(1, "40", rated=False), week(2, "40")], D(40), START)

    assert (result.reason, result.week_start) == (None, START + timedelta(weeks=2))


def test_an_unrated_week_that_was_painful_is_not_yet_a_return():
    result = return_to_run([week(1, "44", pain=4, rated=False)], D(40), START)

    assert result.reason == "not_yet"


@pytest.mark.parametrize(("pain", "reached"), [(0, True), (2, True), (3, False), (10, False)])
def test_pain_free_means_at_most_2_out_of_10(pain, reached):
    assert return_to_run([week(0, "40", pain=pain)], D(40), START).reached is reached


def test_just_below_the_pre_injury_distance_is_not_yet():
    weeks = [week(0, "39.9", pain=0), week(1, "12")]

    result = return_to_run(weeks, D(40), START)

    assert (result.reason, result.nearest_week) == ("not_yet", weeks[0])


def test_no_runs_yet():
    result = return_to_run([], D(40), START)
    empty = return_to_run([week(0, "0", runs=0, pain=None)], D(40), START)

    assert (result.reason, result.nearest_week) == ("not_yet", None)
    assert (empty.reason, empty.nearest_week) == ("not_yet", None)


def test_weeks_are_checked():
    with pytest.raises(ValueError, match="not a Monday"):
        WeekTotal(date(2026, 9, 1), D(10), 1, 0, True)
    with pytest.raises(ValueError, match="negative"):
        WeekTotal(START, D(-1), 1, 0, True)
    with pytest.raises(ValueError, match="no highest pain"):
        WeekTotal(START, D(10), 2, None, True)
    with pytest.raises(ValueError, match="once"):
        return_to_run([week(0, "10"), week(0, "20")], D(40), START)


def test_the_week_rule_has_one_definition_used_by_the_weekly_totals_and_the_outcome():
    assert service.week_judgement is running.week_judgement
    assert service.is_return_week is running.is_return_week
    assert running.PAIN_FREE_MAX == 2


@pytest.mark.parametrize(("judgement", "is_return"), [
    ({"percent_of_pre_injury": D("100.0"), "at_pre_injury_distance": True, "pain_free": True}, True),
    ({"percent_of_pre_injury": D("100.0"), "at_pre_injury_distance": True, "pain_free": None}, False),
    ({"percent_of_pre_injury": D("100.0"), "at_pre_injury_distance": True, "pain_free": False}, False),
    ({"percent_of_pre_injury": D("99.0"), "at_pre_injury_distance": False, "pain_free": True}, False),
    ({"percent_of_pre_injury": None, "at_pre_injury_distance": None, "pain_free": True}, False),
])
def test_a_return_week_is_at_the_distance_and_known_to_be_pain_free(judgement, is_return):
    assert running.is_return_week(judgement) is is_return


@pytest.mark.parametrize(("day", "monday", "weeks"), [
    (date(2026, 8, 31), date(2026, 8, 31), 0), (date(2026, 9, 6), date(2026, 8, 31), 0),
    (date(2026, 9, 7), date(2026, 9, 7), 1), (date(2027, 1, 3), date(2026, 12, 28), 17),
])
def test_weeks_run_monday_to_sunday_from_the_start_week(day, monday, weeks):
    assert running.monday_of(day) == monday
    assert running.weeks_since_start(day, date(2026, 9, 3)) == weeks
