"""One measure over an episode: baseline, latest, change, percent, the MCID and when it was reached.

Hand-worked from the Outcome rules: change = latest − baseline, turned for lower-is-better instruments;
MCID reached when the improvement is at least its points, or at least its percent of a non-zero baseline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic_api.outcomes.arithmetic import Mcid, MeasureSpec, Point, measure_outcome
from clinic_api.outcomes.specs import definition_spec, psfs_activity_specs
from tests.outcomes.scores import (
    GROC,
    KUJALA,
    NO_MCID,
    STAIRS,
    START,
    WEEKLY_VISITS,
    D,
    at,
    outcome,
    points,
)
from tests.questionnaires.instruments import BUILTINS


def test_pain_down_stairs_from_7_to_1_over_six_weekly_visits():
    result = outcome(STAIRS, [7, 5, 4, 3, 2, 1])

    assert (result.baseline.value, result.latest.value) == (D(7), D(1))
    assert result.change == D(6)  # 7 − 1: lower is better, so a fall is an improvement
    assert result.percent_change == D("85.7")  # 6 / 7 = 85.71 %
    assert result.mcid == Mcid(D(2), D(30), BUILTINS["nprs"]["mcid"]["source"])
    assert result.mcid_reached is True
    # 7 → 5 at the second visit is the first change of 2 points (and 28.6 %, below 30 %, but points suffice).
    assert result.first_mcid.source_id == "s1"
    assert (result.days_to_mcid, result.visits_to_mcid) == (7, 2)
    assert result.mcid_sustained is True and result.mcid_lost is None
    assert (result.days_to_latest, result.visits_to_latest) == (35, 6)
    assert result.direction == "lower_is_better"
    assert [p.source_id for p in result.series] == ["s0", "s1", "s2", "s3", "s4", "s5"]


def test_nprs_mcid_reached_by_30_percent_of_a_low_baseline():
    result = outcome(STAIRS, [3, 2])  # 1 point, but 33.3 % of 3 ≥ 30 %

    assert (result.change, result.percent_change, result.mcid_reached) == (D(1), D("33.3"), True)


def test_kujala_from_56_to_88_is_32_points():
    result = outcome(KUJALA, [56, 64, 88], [0, 14, 35])

    assert result.change == D(32)
    assert result.percent_change == D("57.1")  # 32 / 56 = 57.14 %
    assert result.mcid_reached is True
    assert result.first_mcid.value == D(88)  # 64 is only 8 points up, below Kujala's 10
    assert (result.days_to_mcid, result.visits_to_mcid) == (35, 6)
    assert result.direction == "higher_is_better"


def test_a_score_that_falls_back_below_the_mcid_keeps_its_first_mcid():
    result = outcome(STAIRS, [6, 3, 5])  # 3 points, then 1 point (16.7 %)

    assert result.mcid_reached is False
    assert result.first_mcid.source_id == "s1"
    assert (result.days_to_mcid, result.visits_to_mcid) == (7, 2)
    assert result.mcid_sustained is False
    assert result.mcid_lost.source_id == "s2"


def test_a_dip_below_the_mcid_is_not_sustained_even_when_the_latest_reaches_it_again():
    result = outcome(STAIRS, [6, 3, 5, 2])

    assert result.mcid_reached is True
    assert (result.first_mcid.source_id, result.mcid_lost.source_id, result.mcid_sustained) == ("s1", "s2", False)


def test_a_worse_trajectory_has_a_negative_change_and_no_mcid():
    result = outcome(STAIRS, [3, 4, 5])

    assert result.change == D(-2)
    assert result.percent_change == D("-66.7")
    assert (result.mcid_reached, result.first_mcid, result.mcid_sustained) == (False, None, None)
    assert (result.days_to_mcid, result.visits_to_mcid) == (None, None)


def test_percent_change_is_null_when_the_baseline_is_0():
    psfs_mean = MeasureSpec(key="psfs", label="the PSFS", higher_is_better=True, mcid_points=D(2),
                            mcid_percent=D(30), min=D(0), max=D(10))
    result = outcome(psfs_mean, [0, 6])

    assert (result.change, result.percent_change, result.mcid_reached) == (D(6), None, True)
    assert outcome(STAIRS, [0, 0]).percent_change is None


def test_percent_only_mcid_counts_from_a_non_zero_baseline():
    spec = MeasureSpec(key="x", label="x", higher_is_better=False, mcid_percent=D(30))

    assert outcome(spec, [10, 7]).mcid_reached is True
    assert outcome(spec, [10, 8]).mcid_reached is False
    assert outcome(spec, [0, 0]).mcid_reached is False


def test_a_measure_with_one_score_has_a_baseline_and_no_change():
    result = outcome(KUJALA, [56])

    assert result.baseline.value == D(56)
    assert result.latest is None
    assert result.change is None and result.change != 0
    assert (result.percent_change, result.mcid_reached, result.first_mcid, result.mcid_sustained) == (
        None, None, None, None)
    assert (result.days_to_latest, result.visits_to_latest) == (None, None)
    assert result.mcid_threshold() == D(66)


def test_no_scores_at_all():
    result = outcome(KUJALA, [])

    assert (result.baseline, result.latest, result.change, result.series) == (None, None, None, ())
    assert result.mcid_threshold() is None


def test_a_measure_without_an_mcid_is_not_judged():
    result = outcome(NO_MCID, [40, 70])

    assert result.change == D(30)
    assert (result.mcid, result.mcid_reached, result.first_mcid, result.mcid_sustained) == (None, None, None, None)
    assert result.mcid_threshold() is None


def test_groc_is_a_change_score_judged_against_its_mcid_directly():
    result = outcome(GROC, [2, 5], [21, 35])  # rated +2 at week 3, +5 at week 5

    assert result.baseline is None and result.percent_change is None
    assert result.latest.value == D(5)
    assert result.change == D(5)  # compared with a baseline of 0
    assert result.mcid_reached is True  # +5 ≥ +3 (Wang 2011)
    assert result.first_mcid.value == D(5)
    assert (result.days_to_mcid, result.visits_to_mcid) == (35, 6)  # days from the first visit
    assert result.mcid_threshold() == D(3)


@pytest.mark.parametrize(("rating", "change", "reached"), [(2, D(2), False), (3, D(3), True), (-3, D(-3), False),
                                                           (0, D(0), False)])
def test_a_single_groc_rating_is_already_a_change(rating, change, reached):
    result = outcome(GROC, [rating], [35])

    assert (result.latest.value, result.change, result.mcid_reached) == (D(rating), change, reached)


def test_a_change_score_without_visits_has_no_days_to_mcid():
    result = outcome(GROC, [5], [35], visits=())

    assert (result.mcid_reached, result.days_to_mcid, result.visits_to_mcid) == (True, None, 0)


def test_psfs_is_compared_activity_by_activity_and_by_its_mean():
    first, second = psfs_activity_specs(BUILTINS["psfs"], {"activity_1": "running downhill",
                                                            "activity_2": "squatting"})
    downhill = outcome(first, [2, 5], prefix="a")  # 3 points: the single-activity MCID
    squatting = outcome(second, [4, 6], prefix="b")  # 2 points: below 3 for one activity
    mean = outcome(definition_spec(BUILTINS["psfs"]), ["3.0", "5.5"])  # the mean of the activities

    assert (downhill.key, downhill.change, downhill.mcid_reached) == ("psfs.activity_1", D(3), True)
    assert (squatting.key, squatting.change, squatting.mcid_reached) == ("psfs.activity_2", D(2), False)
    assert (mean.change, mean.mcid_reached) == (D("2.5"), True)  # 2 points for the mean (Stratford 1995)


def test_follow_ups_are_kept_beside_the_series_and_never_latest():
    later = [Point(at(date(2027, 1, 18)), D(0), "fu1")]
    result = outcome(STAIRS, [7, 2], follow_ups=later)

    assert result.latest.source_id == "s1"
    assert result.change == D(5)
    assert result.follow_ups == tuple(later)
    assert result.change_at(later[0]) == D(7)


def test_scores_are_ordered_by_time_and_ties_by_source_id():
    same = at(START)
    given = [Point(same + timedelta(days=7), D(2), "c"), Point(same, D(6), "b"), Point(same, D(7), "a")]
    result = measure_outcome(STAIRS, given, [], WEEKLY_VISITS, UTC)

    assert [p.source_id for p in result.series] == ["a", "b", "c"]
    assert (result.baseline.source_id, result.latest.source_id, result.change) == ("a", "c", D(5))


def test_days_and_visits_are_counted_in_the_clinics_time_zone():
    new_york = ZoneInfo("America/New_York")
    # 23:30 UTC on 7 September is 19:30 that day in New York; 02:00 UTC on 14 September is 22:00 on the 13th.
    scores = [Point(datetime(2026, 9, 7, 23, 30, tzinfo=UTC), D(7), "a"),
              Point(datetime(2026, 9, 14, 2, 0, tzinfo=UTC), D(4), "b")]
    visits = [date(2026, 9, 7), date(2026, 9, 14)]

    in_new_york = measure_outcome(STAIRS, scores, [], visits, new_york)
    in_utc = measure_outcome(STAIRS, scores, [], visits, UTC)

    assert (in_new_york.days_to_mcid, in_new_york.visits_to_mcid) == (6, 1)
    assert (in_utc.days_to_mcid, in_utc.visits_to_mcid) == (7, 2)


def test_two_visits_on_one_day_count_twice():
    result = outcome(STAIRS, [7, 4], visits=[START, START, START + timedelta(days=7)])

    assert result.visits_to_mcid == 3


@pytest.mark.parametrize(("spec", "baseline", "threshold"), [
    (STAIRS, 7, D(5)),  # 2 points (30 % of 7 would be 2.1)
    (STAIRS, 3, D("2.1")),  # 30 % of 3 is 0.9, less than 2 points
    (KUJALA, 56, D(66)),
])
def test_the_mcid_threshold_is_the_score_at_which_the_smaller_criterion_is_met(spec, baseline, threshold):
    assert outcome(spec, [baseline, baseline]).mcid_threshold() == threshold


def test_a_point_needs_an_aware_time_and_a_decimal_value():
    with pytest.raises(ValueError, match="timezone-aware"):
        Point(datetime(2026, 9, 7, 10), D(1), "naive")
    with pytest.raises(TypeError, match="Decimal"):
        Point(at(START), 1, "int")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Decimal"):
        Point(at(START), D("NaN"), "nan")
    assert Point(datetime(2026, 9, 7, 12, tzinfo=ZoneInfo("Europe/Berlin")), D(1), "x").time == at(START)


def test_a_score_outside_the_measures_range_is_refused():
    with pytest.raises(ValueError, match="outside"):
        measure_outcome(STAIRS, points([7, 11]), [], WEEKLY_VISITS, UTC)
    with pytest.raises(ValueError, match="outside"):
        measure_outcome(KUJALA, points([56]), points([-1], prefix="f"), WEEKLY_VISITS, UTC)
