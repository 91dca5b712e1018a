"""Runs of the return to running (issue 4), and their weekly totals judged against the runner's week before the
injury.

Every refused request is a problem-details answer naming the field at fault, and leaves nothing stored."""
from __future__ import annotations

import pytest

from tests.factories import RUN, UNKNOWN_ID, assert_problem, days_ahead, listed, read, resolved, without


def test_a_run_is_recorded_and_read_back(as_therapist, ep, episode):
    response = as_therapist.post(f"{ep}/runs", json=RUN)

    assert response.status_code == 201, response.get_json()
    run = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/runs/{run['id']}")
    assert {key: run[key] for key in RUN} == RUN
    assert run["episode_id"] == episode["id"] and run["recorded_by"] == str(as_therapist.user.id)
    assert as_therapist.get(f"/api/v1/runs/{run['id']}").get_json() == run
    assert [r["id"] for r in listed(as_therapist, f"{ep}/runs")] == [run["id"]]


@pytest.mark.parametrize("changes", [
    # Distance above 0, pace 2:30 to 20:00 min/km (duration_min / distance_km from 2.5 to 20, inclusive).
    {"distance_km": 0.01, "duration_min": 0.1}, {"distance_km": 300, "duration_min": 1800},
    {"distance_km": 0.04, "duration_min": 0.1}, {"distance_km": 4, "duration_min": 10},
    {"distance_km": 4, "duration_min": 80}, {"run_walk": None}, {"run_walk": "1.5:1"},
    {"run_walk": "10:2"}, {"surface": None}, {"surface": "track"}, {"surface": "trail"}, {"surface": "treadmill"},
    {"surface": "grass"}, {"surface": "mixed"}, {"surface": "other"}, {"pain_during": None, "pain_after": None},
    {"pain_during": 0, "pain_after": 10}, {"notes": None}, {"run_date": "2026-09-01"},
    {"run_date": lambda: days_ahead(0)},
], ids=lambda changes: "-".join(f"{k}={v() if callable(v) else v}" for k, v in changes.items()))
def test_a_run_at_the_bounds_is_accepted(as_therapist, ep, changes):
    body = resolved({**RUN, **changes})

    response = as_therapist.post(f"{ep}/runs", json=body)

    assert response.status_code == 201, response.get_json()
    assert {key: response.get_json()[key] for key in changes} == {key: body[key] for key in changes}


INVALID_RUNS = [
    ("run_date-missing", {"run_date": ...}, "run_date"),
    ("run_date-not-a-date", {"run_date": "2026-09-31"}, "run_date"),
    ("run_date-before-episode-start", {"run_date": "2026-08-31"}, "run_date"),
    ("run_date-two-days-ahead", {"run_date": lambda: days_ahead(2)}, "run_date"),
    ("distance_km-negative", {"distance_km": -0.5}, "distance_km"),
    ("distance_km-above-300", {"distance_km": 300.5}, "distance_km"),
    ("distance_km-text", {"distance_km": "five"}, "distance_km"),
    ("distance_km-boolean", {"distance_km": True}, "distance_km"),
    ("distance_km-missing", {"distance_km": ...}, "distance_km"),
    ("duration_min-zero", {"duration_min": 0}, "duration_min"),
    ("duration_min-negative", {"duration_min": -10}, "duration_min"),
    ("duration_min-missing", {"duration_min": ...}, "duration_min"),
    ("run_walk-dash", {"run_walk": "4-1"}, "run_walk"),
    ("run_walk-letters", {"run_walk": "abc"}, "run_walk"),
    ("run_walk-half-pair", {"run_walk": "4:"}, "run_walk"),
    ("run_walk-three-parts", {"run_walk": "4:1:1"}, "run_walk"),
    ("surface-unknown", {"surface": "sand"}, "surface"),
    ("pain_during-11", {"pain_during": 11}, "pain_during"),
    ("pain_during-negative", {"pain_during": -1}, "pain_during"),
    ("pain_during-fraction", {"pain_during": 2.5}, "pain_during"),
    ("pain_during-string", {"pain_during": "2"}, "pain_during"),
    ("pain_during-missing", {"pain_during": ...}, "pain_during"),
    ("pain_after-boolean", {"pain_after": True}, "pain_after"),
    ("pain_after-missing", {"pain_after": ...}, "pain_after"),
    ("notes-nul", {"notes": "\u0000"}, "notes"),
    ("notes-too-long", {"notes": "n" * 2001}, "notes"),
    ("unknown-field", {"heart_rate": 150}, "heart_rate"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_RUNS],
                         ids=[case[0] for case in INVALID_RUNS])
def test_an_invalid_run_is_refused_naming_the_field_and_nothing_is_stored(as_therapist, ep, changes, field):
    body = without(resolved({**RUN, **changes}))

    response = as_therapist.post(f"{ep}/runs", json=body)

    assert_problem(response, 422, field)
    assert listed(as_therapist, f"{ep}/runs") == []


@pytest.fixture
def post_runs(create_run):
    """``post_runs(episode_id, *runs)``: posts (run_date, distance_km, duration_min, pain_during, pain_after)
    runs, without RUN's other fields; their ids."""
    def post(episode_id: str, *runs: tuple) -> list[str]:
        return [create_run(episode_id, run_date=run_date, distance_km=distance, duration_min=duration,
                           pain_during=pain_during, pain_after=pain_after, run_walk=..., surface=..., notes=...)["id"]
                for run_date, distance, duration, pain_during, pain_after in runs]
    return post


def test_runs_are_listed_in_date_order_and_filtered_by_dates(as_therapist, ep, post_runs, episode):
    late, early, middle = post_runs(episode["id"], ("2026-09-20", 5, 30, 0, 0), ("2026-09-05", 3, 20, 1, 1),
                                    ("2026-09-12", 4, 25, 0, 0))

    assert [r["id"] for r in listed(as_therapist, f"{ep}/runs")] == [early, middle, late]
    assert [r["id"] for r in listed(as_therapist, f"{ep}/runs", **{"from": "2026-09-12"})] == [middle, late]
    assert [r["id"] for r in listed(as_therapist, f"{ep}/runs", to="2026-09-12")] == [early, middle]
    assert_problem(as_therapist.get(f"{ep}/runs", query_string={"from": "2026-09-13", "to": "2026-09-12"}), 422,
                   "from")


def test_an_unknown_run_is_not_found(as_therapist):
    assert_problem(as_therapist.get(f"/api/v1/runs/{UNKNOWN_ID}"), 404)


# ---- weekly totals ----------------------------------------------------------------------------------

def weekly(client, ep: str) -> dict:
    return read(client, f"{ep}/runs/weekly")


def test_an_episode_without_runs_has_no_weeks(as_therapist, ep, episode):
    assert weekly(as_therapist, ep) == {"episode_id": episode["id"], "pre_injury_weekly_km": 40, "weeks": [],
                                        "return_to_run": None}


def test_a_sunday_run_and_the_next_monday_run_fall_in_different_weeks(as_therapist, ep, post_runs, episode):
    post_runs(episode["id"], ("2026-09-13", 5, 30, 0, 0), ("2026-09-14", 6, 36, 0, 0))

    weeks = weekly(as_therapist, ep)["weeks"]

    assert [(w["week_start"], w["week_end"], w["runs"], w["distance_km"]) for w in weeks] == [
        ("2026-09-07", "2026-09-13", 1, 5), ("2026-09-14", "2026-09-20", 1, 6)]


def test_a_monday_run_and_the_sunday_run_after_it_fall_in_one_week(as_therapist, ep, post_runs, episode):
    post_runs(episode["id"], ("2026-09-07", 5, 30, 0, 0), ("2026-09-13", 6, 36, 0, 0))

    weeks = weekly(as_therapist, ep)["weeks"]

    assert [(w["week_start"], w["week_end"], w["runs"], w["distance_km"]) for w in weeks] == [
        ("2026-09-07", "2026-09-13", 2, 11)]


def test_weekly_totals_are_judged_against_the_pre_injury_week_with_empty_weeks_included(as_therapist, ep, episode,
                                                                                         post_runs):
    # The patient ran 40 km a week before the injury; the episode started on Tuesday 2026-09-01.
    post_runs(episode["id"],
              ("2026-09-12", 2.5, 17.5, 1, 2), ("2026-09-13", 2.75, 18, 0, 1),  # Sat + Sun
              ("2026-09-14", 6, 36, 0, 0),                                      # next Monday
              # (week of 2026-09-21: no run)
              ("2026-09-29", 20, 120, 1, 2), ("2026-10-01", 21, 126, 3, 0),     # at distance, pain 3
              ("2026-10-05", 25, 150, 0, None), ("2026-10-08", 15, 90, 1, 1),   # at distance, one pain unrated
              ("2026-10-18", 40, 240, 2, 2),                                    # at distance, pain-free
              ("2026-10-20", 45, 270, 0, 0))                                    # again

    result = weekly(as_therapist, ep)

    assert result["pre_injury_weekly_km"] == 40
    fields = ("week_start", "week_end", "runs", "distance_km", "duration_min", "longest_run_km", "max_pain",
              "percent_of_pre_injury", "at_pre_injury_distance", "pain_free")
    assert [tuple(w[f] for f in fields) for w in result["weeks"]] == [
        ("2026-09-07", "2026-09-13", 2, 5.25, 35.5, 2.75, 2, 13.1, False, True),
        ("2026-09-14", "2026-09-20", 1, 6, 36, 6, 0, 15, False, True),
        ("2026-09-21", "2026-09-27", 0, 0, 0, None, None, 0, False, None),
        ("2026-09-28", "2026-10-04", 2, 41, 246, 21, 3, 102.5, True, False),
        ("2026-10-05", "2026-10-11", 2, 40, 240, 25, 1, 100, True, None),
        ("2026-10-12", "2026-10-18", 1, 40, 240, 40, 2, 100, True, True),
        ("2026-10-19", "2026-10-25", 1, 45, 270, 45, 0, 112.5, True, True),
    ]
    assert result["return_to_run"] == {"week_start": "2026-10-12", "weeks_since_start": 6}


def test_a_week_with_an_unrated_run_is_not_known_to_be_pain_free(as_therapist, ep, post_runs, episode):
    post_runs(episode["id"], ("2026-09-07", 30, 180, 0, 0), ("2026-09-08", 12, 70, None, None))

    result = weekly(as_therapist, ep)

    assert [(w["max_pain"], w["at_pre_injury_distance"], w["pain_free"]) for w in result["weeks"]] == [
        (0, True, None)]
    assert result["return_to_run"] is None


def test_a_week_of_only_unrated_runs_has_no_max_pain(as_therapist, ep, post_runs, episode):
    post_runs(episode["id"], ("2026-09-07", 5, 30, None, None))

    week = weekly(as_therapist, ep)["weeks"][0]

    assert (week["max_pain"], week["pain_free"]) == (None, None)


def test_a_pain_free_week_below_the_pre_injury_distance_is_not_a_return_to_run(as_therapist, ep, episode, post_runs):
    post_runs(episode["id"], ("2026-09-07", 39.9, 240, 0, 0))

    result = weekly(as_therapist, ep)

    assert [(w["percent_of_pre_injury"], w["at_pre_injury_distance"], w["pain_free"]) for w in result["weeks"]] == [
        (99.8, False, True)]
    assert result["return_to_run"] is None


def test_a_return_to_run_in_the_episodes_first_week_is_zero_weeks_after_its_start(as_therapist, ep, episode,
                                                                                   post_runs):
    post_runs(episode["id"], ("2026-09-01", 20, 120, 0, 0), ("2026-09-06", 20, 120, 1, 1))

    result = weekly(as_therapist, ep)

    assert result["return_to_run"] == {"week_start": "2026-08-31", "weeks_since_start": 0}


def test_without_a_pre_injury_distance_weeks_are_not_judged_and_there_is_no_return_to_run(as_therapist,
                                                                                          create_patient,
                                                                                          create_episode, post_runs):
    patient = create_patient(running_profile=None, email="norunner@example.org")
    episode = create_episode(patient_id=patient["id"])
    ep = f"/api/v1/episodes/{episode['id']}"
    post_runs(episode["id"], ("2026-09-07", 50, 300, 0, 0), ("2026-09-08", 3, 20, 4, 4))

    result = weekly(as_therapist, ep)

    assert result["pre_injury_weekly_km"] is None
    assert [(w["distance_km"], w["percent_of_pre_injury"], w["at_pre_injury_distance"], w["max_pain"],
             w["pain_free"]) for w in result["weeks"]] == [(53, None, None, 4, False)]
    assert result["return_to_run"] is None


def test_weekly_totals_count_only_the_episodes_own_runs(as_therapist, create_episode, ep, episode, post_runs):
    other = create_episode(patient_id=episode["patient_id"], body_region="hip")
    post_runs(other["id"], ("2026-09-08", 50, 300, 0, 0))
    post_runs(episode["id"], ("2026-09-08", 5, 30, 0, 0))

    weeks = weekly(as_therapist, ep)["weeks"]

    assert [(w["runs"], w["distance_km"]) for w in weeks] == [(1, 5)]
