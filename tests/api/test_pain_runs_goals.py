"""Pain scores, runs of the return to running with their weekly totals, and functional goals (issue 4).

Every refused request is a problem-details answer naming the field at fault, and leaves nothing stored."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.api.test_therapist_day import EVALUATION
from tests.conftest import assert_problem

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def today() -> date:
    return datetime.now(UTC).date()


def days_ahead(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def minutes_ahead(n: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=n)).isoformat()


def resolved(body: dict) -> dict:
    """Relative times are computed when the test runs, not when the module is imported."""
    return {key: value() if callable(value) else value for key, value in body.items()}


def listed(client, url: str, **query) -> list[dict]:
    response = client.get(url, query_string={"per_page": 100, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


@pytest.fixture
def episode(create_episode) -> dict:
    return create_episode()


@pytest.fixture
def ep(episode) -> str:
    return f"/api/v1/episodes/{episode['id']}"


@pytest.fixture
def draft_visit(as_therapist, ep) -> dict:
    response = as_therapist.post(f"{ep}/visits", json={**EVALUATION, "pain_scores": []})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# ---- pain scores ----------------------------------------------------------------------------------

def test_a_pain_score_is_recorded_in_utc_and_read_back(as_therapist, ep, episode):
    response = as_therapist.post(f"{ep}/pain-scores", json={
        "score": 3, "context": "during_running", "recorded_at": "2026-09-10T07:30:00+02:00",
        "note": "  Sharp at 3 km,\nsettled after.  "})

    assert response.status_code == 201, response.get_json()
    score = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/pain-scores/{score['id']}")
    assert (score["episode_id"], score["visit_id"], score["score"], score["context"]) == (
        episode["id"], None, 3, "during_running")
    assert datetime.fromisoformat(score["recorded_at"]) == datetime(2026, 9, 10, 5, 30, tzinfo=UTC)
    assert score["note"] == "  Sharp at 3 km,\nsettled after.  "
    assert score["recorded_by"] == str(as_therapist.user.id)
    assert as_therapist.get(f"/api/v1/pain-scores/{score['id']}").get_json() == score
    assert [s["id"] for s in listed(as_therapist, f"{ep}/pain-scores")] == [score["id"]]


def test_a_pain_score_without_a_time_is_recorded_now(as_therapist, ep):
    before = datetime.now(UTC)

    response = as_therapist.post(f"{ep}/pain-scores", json={"score": 0, "context": "current"})

    assert response.status_code == 201, response.get_json()
    recorded_at = datetime.fromisoformat(response.get_json()["recorded_at"])
    assert before - timedelta(seconds=5) <= recorded_at <= datetime.now(UTC) + timedelta(seconds=5)


@pytest.mark.parametrize("score", [0, 10])
@pytest.mark.parametrize("context", ["current", "worst_24h", "best_24h", "during_running", "after_running",
                                     "stairs_down", "stairs_up", "squatting", "sitting", "night"])
def test_every_context_takes_scores_from_0_to_10(as_therapist, ep, context, score):
    response = as_therapist.post(f"{ep}/pain-scores", json={"score": score, "context": context,
                                                            "recorded_at": "2026-09-02T10:00:00Z"})

    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["context"], response.get_json()["score"]) == (context, score)


def test_a_pain_score_may_be_a_few_minutes_ahead_of_the_clock(as_therapist, ep):
    response = as_therapist.post(f"{ep}/pain-scores", json={"score": 2, "context": "current",
                                                            "recorded_at": minutes_ahead(3)})

    assert response.status_code == 201, response.get_json()


INVALID_PAIN_SCORES = [
    ("score-fraction", {"score": 3.5}, "score"),
    ("score-string", {"score": "3"}, "score"),
    ("score-true", {"score": True}, "score"),
    ("score-false", {"score": False}, "score"),
    ("score-negative", {"score": -1}, "score"),
    ("score-11", {"score": 11}, "score"),
    ("score-null", {"score": None}, "score"),
    ("score-missing", {"score": ...}, "score"),
    ("context-unknown", {"context": "morning"}, "context"),
    ("context-wrong-case", {"context": "Current"}, "context"),
    ("context-missing", {"context": ...}, "context"),
    ("recorded_at-naive", {"recorded_at": "2026-09-10T07:30:00"}, "recorded_at"),
    ("recorded_at-not-a-time", {"recorded_at": "yesterday"}, "recorded_at"),
    ("recorded_at-future", {"recorded_at": lambda: minutes_ahead(10)}, "recorded_at"),
    ("recorded_at-tomorrow", {"recorded_at": lambda: days_ahead(1) + "T00:00:00+00:00"}, "recorded_at"),
    ("recorded_at-before-episode-start", {"recorded_at": "2026-08-31T23:59:00+00:00"}, "recorded_at"),
    ("visit_id-unknown", {"visit_id": UNKNOWN_ID}, "visit_id"),
    ("visit_id-not-a-uuid", {"visit_id": "visit-1"}, "visit_id"),
    ("note-nul", {"note": "bad\u0000note"}, "note"),
    ("note-too-long", {"note": "n" * 2001}, "note"),
    ("unknown-field", {"episode_id": UNKNOWN_ID}, "episode_id"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_PAIN_SCORES],
                         ids=[case[0] for case in INVALID_PAIN_SCORES])
def test_an_invalid_pain_score_is_refused_naming_the_field_and_nothing_is_stored(as_therapist, ep, changes, field):
    body = {key: value for key, value in resolved({"score": 3, "context": "current",
                                                   "recorded_at": "2026-09-10T07:30:00+02:00", **changes}).items()
            if value is not ...}

    response = as_therapist.post(f"{ep}/pain-scores", json=body)

    assert_problem(response, 422, field)
    assert listed(as_therapist, f"{ep}/pain-scores") == []


def test_a_pain_score_for_a_visit_of_another_episode_is_refused(as_therapist, create_episode, ep, episode):
    other = create_episode(patient_id=episode["patient_id"], start_date="2026-09-01", body_region="hip")
    other_visit = as_therapist.post(f"/api/v1/episodes/{other['id']}/visits", json=EVALUATION).get_json()

    response = as_therapist.post(f"{ep}/pain-scores", json={"score": 3, "context": "current",
                                                            "visit_id": other_visit["id"]})

    assert_problem(response, 422, "visit_id")
    assert listed(as_therapist, f"{ep}/pain-scores") == []
    assert len(as_therapist.get(f"/api/v1/visits/{other_visit['id']}").get_json()["pain_scores"]) == 2


def test_a_pain_score_attached_to_a_draft_visit_is_shown_with_it(as_therapist, ep, draft_visit):
    response = as_therapist.post(f"{ep}/pain-scores", json={
        "score": 6, "context": "squatting", "visit_id": draft_visit["id"],
        "recorded_at": "2026-09-01T10:15:00+00:00"})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visit_id"] == draft_visit["id"]
    shown = as_therapist.get(f"/api/v1/visits/{draft_visit['id']}").get_json()
    assert [(p["id"], p["score"]) for p in shown["pain_scores"]] == [(response.get_json()["id"], 6)]


def test_a_signed_visit_takes_no_more_pain_scores(as_therapist, ep, draft_visit):
    as_therapist.post(f"/api/v1/visits/{draft_visit['id']}/sign")

    response = as_therapist.post(f"{ep}/pain-scores", json={"score": 6, "context": "squatting",
                                                            "visit_id": draft_visit["id"]})

    assert_problem(response, 409)
    assert listed(as_therapist, f"{ep}/pain-scores") == []
    assert as_therapist.get(f"/api/v1/visits/{draft_visit['id']}").get_json()["pain_scores"] == []


def test_an_unknown_pain_score_is_not_found(as_therapist):
    assert_problem(as_therapist.get(f"/api/v1/pain-scores/{UNKNOWN_ID}"), 404)


def test_pain_scores_of_an_unknown_episode_are_not_found(as_therapist):
    url = f"/api/v1/episodes/{UNKNOWN_ID}/pain-scores"

    assert_problem(as_therapist.get(url), 404)
    assert_problem(as_therapist.post(url, json={"score": 3, "context": "current"}), 404)


@pytest.fixture
def pain_history(as_therapist, ep) -> dict[str, str]:
    """Four scores posted out of time order; the answer maps a short name to each id."""
    ids = {}
    for name, score, context, recorded_at in (
            ("night", 2, "night", "2026-09-05T12:00:00+00:00"),
            ("morning_run", 3, "during_running", "2026-09-03T07:30:00+02:00"),
            ("first", 4, "current", "2026-09-02T08:00:00Z"),
            ("evening", 5, "after_running", "2026-09-03T20:00:00+00:00")):
        response = as_therapist.post(f"{ep}/pain-scores", json={"score": score, "context": context,
                                                                "recorded_at": recorded_at})
        assert response.status_code == 201, response.get_json()
        ids[name] = response.get_json()["id"]
    return ids


def test_pain_scores_are_listed_in_time_order(as_therapist, ep, pain_history):
    scores = listed(as_therapist, f"{ep}/pain-scores")

    assert [s["id"] for s in scores] == [pain_history[n] for n in ("first", "morning_run", "evening", "night")]


@pytest.mark.parametrize(("query", "expected"), [
    ({"context": "during_running"}, ["morning_run"]),
    ({"context": ["after_running", "during_running"]}, ["morning_run", "evening"]),
    ({"context": "worst_24h"}, []),
    ({"from": "2026-09-03", "to": "2026-09-03"}, ["morning_run", "evening"]),
    ({"from": "2026-09-03"}, ["morning_run", "evening", "night"]),
    ({"to": "2026-09-02"}, ["first"]),
    ({"from": "2026-09-03T06:00:00+00:00"}, ["evening", "night"]),
    ({"to": "2026-09-03T05:30:00Z"}, ["first", "morning_run"]),
    ({"from": "2026-09-03T08:00:00+02:00", "to": "2026-09-03T22:00:00+02:00"}, ["evening"]),
    ({"from": "2026-09-03T12:00:00+00:00", "to": "2026-09-03"}, ["evening"]),
    ({"context": ["current", "night"], "from": "2026-09-03"}, ["night"]),
    ({"from": "0001-01-01", "to": "9999-12-31"}, ["first", "morning_run", "evening", "night"]),
], ids=["one-context", "two-contexts", "no-match", "one-day", "from-day", "to-day", "from-instant", "to-instant",
        "instant-range-with-offsets", "instant-to-end-of-day", "context-and-period", "whole-calendar"])
def test_pain_scores_are_filtered_by_context_and_period(as_therapist, ep, pain_history, query, expected):
    scores = listed(as_therapist, f"{ep}/pain-scores", **query)

    assert [s["id"] for s in scores] == [pain_history[name] for name in expected]


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2026-09-05", "to": "2026-09-03"}, "from"),
    ({"from": "2026-09-04", "to": "2026-09-03T23:00:00+00:00"}, "from"),
    ({"from": "yesterday"}, "from"),
    ({"to": "2026-09-31"}, "to"),
    ({"context": "morning"}, "context.0"),
], ids=["from-after-to", "from-day-after-to-instant", "from-not-a-date", "to-not-a-date", "unknown-context"])
def test_an_invalid_pain_score_filter_is_refused(as_therapist, ep, pain_history, query, field):
    response = as_therapist.get(f"{ep}/pain-scores", query_string=query)

    assert_problem(response, 422, field)


# ---- runs -----------------------------------------------------------------------------------------

RUN = {"run_date": "2026-09-10", "distance_km": 5.25, "duration_min": 32.5, "run_walk": "4:1", "surface": "road",
       "pain_during": 2, "pain_after": 1, "notes": "  Felt fine;\nknee quiet.  "}


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
    body = {key: value for key, value in resolved({**RUN, **changes}).items() if value is not ...}

    response = as_therapist.post(f"{ep}/runs", json=body)

    assert_problem(response, 422, field)
    assert listed(as_therapist, f"{ep}/runs") == []


def post_runs(client, ep: str, *runs: tuple) -> list[str]:
    """Posts (run_date, distance_km, duration_min, pain_during, pain_after) runs; returns their ids."""
    ids = []
    for run_date, distance, duration, pain_during, pain_after in runs:
        response = client.post(f"{ep}/runs", json={"run_date": run_date, "distance_km": distance,
                                                   "duration_min": duration, "pain_during": pain_during,
                                                   "pain_after": pain_after})
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def test_runs_are_listed_in_date_order_and_filtered_by_dates(as_therapist, ep):
    late, early, middle = post_runs(as_therapist, ep, ("2026-09-20", 5, 30, 0, 0), ("2026-09-05", 3, 20, 1, 1),
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
    response = client.get(f"{ep}/runs/weekly")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_episode_without_runs_has_no_weeks(as_therapist, ep, episode):
    assert weekly(as_therapist, ep) == {"episode_id": episode["id"], "pre_injury_weekly_km": 40, "weeks": [],
                                        "return_to_run": None}


def test_a_sunday_run_and_the_next_monday_run_fall_in_different_weeks(as_therapist, ep):
    post_runs(as_therapist, ep, ("2026-09-13", 5, 30, 0, 0), ("2026-09-14", 6, 36, 0, 0))

    weeks = weekly(as_therapist, ep)["weeks"]

    assert [(w["week_start"], w["week_end"], w["runs"], w["distance_km"]) for w in weeks] == [
        ("2026-09-07", "2026-09-13", 1, 5), ("2026-09-14", "2026-09-20", 1, 6)]


def test_a_monday_run_and_the_sunday_run_after_it_fall_in_one_week(as_therapist, ep):
    post_runs(as_therapist, ep, ("2026-09-07", 5, 30, 0, 0), ("2026-09-13", 6, 36, 0, 0))

    weeks = weekly(as_therapist, ep)["weeks"]

    assert [(w["week_start"], w["week_end"], w["runs"], w["distance_km"]) for w in weeks] == [
        ("2026-09-07", "2026-09-13", 2, 11)]


def test_weekly_totals_are_judged_against_the_pre_injury_week_with_empty_weeks_included(as_therapist, ep):
    # The patient ran 40 km a week before the injury; the episode started on Tuesday 2026-09-01.
    post_runs(as_therapist, ep,
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


def test_a_week_with_an_unrated_run_is_not_known_to_be_pain_free(as_therapist, ep):
    post_runs(as_therapist, ep, ("2026-09-07", 30, 180, 0, 0), ("2026-09-08", 12, 70, None, None))

    result = weekly(as_therapist, ep)

    assert [(w["max_pain"], w["at_pre_injury_distance"], w["pain_free"]) for w in result["weeks"]] == [
        (0, True, None)]
    assert result["return_to_run"] is None


def test_a_week_of_only_unrated_runs_has_no_max_pain(as_therapist, ep):
    post_runs(as_therapist, ep, ("2026-09-07", 5, 30, None, None))

    week = weekly(as_therapist, ep)["weeks"][0]

    assert (week["max_pain"], week["pain_free"]) == (None, None)


def test_a_pain_free_week_below_the_pre_injury_distance_is_not_a_return_to_run(as_therapist, ep):
    post_runs(as_therapist, ep, ("2026-09-07", 39.9, 240, 0, 0))

    result = weekly(as_therapist, ep)

    assert [(w["percent_of_pre_injury"], w["at_pre_injury_distance"], w["pain_free"]) for w in result["weeks"]] == [
        (99.8, False, True)]
    assert result["return_to_run"] is None


def test_a_return_to_run_in_the_episodes_first_week_is_zero_weeks_after_its_start(as_therapist, ep):
    post_runs(as_therapist, ep, ("2026-09-01", 20, 120, 0, 0), ("2026-09-06", 20, 120, 1, 1))

    result = weekly(as_therapist, ep)

    assert result["return_to_run"] == {"week_start": "2026-08-31", "weeks_since_start": 0}


def test_without_a_pre_injury_distance_weeks_are_not_judged_and_there_is_no_return_to_run(as_therapist,
                                                                                          create_patient,
                                                                                          create_episode):
    patient = create_patient(running_profile=None, email="norunner@example.org")
    episode = create_episode(patient_id=patient["id"])
    ep = f"/api/v1/episodes/{episode['id']}"
    post_runs(as_therapist, ep, ("2026-09-07", 50, 300, 0, 0), ("2026-09-08", 3, 20, 4, 4))

    result = weekly(as_therapist, ep)

    assert result["pre_injury_weekly_km"] is None
    assert [(w["distance_km"], w["percent_of_pre_injury"], w["at_pre_injury_distance"], w["max_pain"],
             w["pain_free"]) for w in result["weeks"]] == [(53, None, None, 4, False)]
    assert result["return_to_run"] is None


def test_weekly_totals_count_only_the_episodes_own_runs(as_therapist, create_episode, ep, episode):
    other = create_episode(patient_id=episode["patient_id"], body_region="hip")
    post_runs(as_therapist, f"/api/v1/episodes/{other['id']}", ("2026-09-08", 50, 300, 0, 0))
    post_runs(as_therapist, ep, ("2026-09-08", 5, 30, 0, 0))

    weeks = weekly(as_therapist, ep)["weeks"]

    assert [(w["runs"], w["distance_km"]) for w in weeks] == [(1, 5)]


# ---- goals ----------------------------------------------------------------------------------------

def goal_url(goal_id: str) -> str:
    return f"/api/v1/goals/{goal_id}"


@pytest.fixture
def goal(as_therapist, ep) -> dict:
    response = as_therapist.post(f"{ep}/goals", json={"text": "Run 10 km pain-free", "target_date": "2026-11-30",
                                                      "target": {"measure": "longest_run_km", "value": 10}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_new_goal_is_active_from_today_with_its_target(as_therapist, ep, episode):
    response = as_therapist.post(f"{ep}/goals", json={
        "text": "Back to 40 km a week", "target_date": "2026-12-15",
        "target": {"measure": "weekly_distance_km", "value": 40}})

    assert response.status_code == 201, response.get_json()
    goal = response.get_json()
    assert response.headers["Location"].endswith(goal_url(goal["id"]))
    assert (goal["episode_id"], goal["text"], goal["target_date"]) == (episode["id"], "Back to 40 km a week",
                                                                       "2026-12-15")
    assert goal["target"] == {"measure": "weekly_distance_km", "value": 40}
    assert (goal["status"], goal["status_date"]) == ("active", today().isoformat())
    assert goal["created_by"] == str(as_therapist.user.id)
    assert as_therapist.get(goal_url(goal["id"])).get_json() == goal


def test_a_goal_needs_no_target_or_target_date(as_therapist, ep):
    response = as_therapist.post(f"{ep}/goals", json={"text": "Sleep through the night without knee pain"})

    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["target"], response.get_json()["target_date"]) == (None, None)


@pytest.mark.parametrize("measure", ["weekly_distance_km", "longest_run_km", "run_pain_max", "pain_current",
                                     "pain_stairs_down", "pain_during_running", "pain_night", "kujala", "lefs",
                                     "nprs"])
def test_a_target_names_a_run_measure_a_pain_context_or_a_questionnaire(as_therapist, ep, measure):
    response = as_therapist.post(f"{ep}/goals", json={"text": "Measurable goal",
                                                      "target": {"measure": measure, "value": 2.5}})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["target"] == {"measure": measure, "value": 2.5}


def test_a_goal_created_with_a_past_status_keeps_its_date(as_therapist, ep):
    response = as_therapist.post(f"{ep}/goals", json={"text": "Walk stairs", "status": "met",
                                                      "status_date": "2026-09-20"})

    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["status"], response.get_json()["status_date"]) == ("met", "2026-09-20")


INVALID_GOALS = [
    ("text-missing", {"text": ...}, "text"),
    ("text-blank", {"text": "   "}, "text"),
    ("text-too-long", {"text": "g" * 1001}, "text"),
    ("text-nul", {"text": "Run\u0000"}, "text"),
    ("target_date-not-a-date", {"target_date": "next month"}, "target_date"),
    ("target_date-before-episode-start", {"target_date": "2026-08-31"}, "target_date"),
    ("target-measure-unknown", {"target": {"measure": "vo2max", "value": 50}}, "target.measure"),
    ("target-measure-unknown-pain-context", {"target": {"measure": "pain_morning", "value": 2}}, "target.measure"),
    ("target-measure-unknown-questionnaire", {"target": {"measure": "oswestry", "value": 10}}, "target.measure"),
    ("target-measure-not-a-code", {"target": {"measure": "Weekly KM", "value": 40}}, "target.measure"),
    ("target-measure-missing", {"target": {"value": 40}}, "target.measure"),
    ("target-value-missing", {"target": {"measure": "weekly_distance_km"}}, "target.value"),
    ("target-value-text", {"target": {"measure": "weekly_distance_km", "value": "forty"}}, "target.value"),
    ("target-unknown-key", {"target": {"measure": "kujala", "value": 90, "unit": "points"}}, "target.unit"),
    ("status-unknown", {"status": "done"}, "status"),
    ("status-null", {"status": None}, "status"),
    ("status_date-future", {"status": "met", "status_date": lambda: days_ahead(1)}, "status_date"),
    ("status_date-before-episode-start", {"status": "met", "status_date": "2026-08-31"}, "status_date"),
    ("unknown-field", {"priority": "high"}, "priority"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_GOALS],
                         ids=[case[0] for case in INVALID_GOALS])
def test_an_invalid_goal_is_refused_naming_the_field_and_nothing_is_stored(as_therapist, ep, changes, field):
    body = {key: value for key, value in resolved({"text": "Run 10 km pain-free", "target_date": "2026-11-30",
                                                   **changes}).items() if value is not ...}

    response = as_therapist.post(f"{ep}/goals", json=body)

    assert_problem(response, 422, field)
    assert listed(as_therapist, f"{ep}/goals") == []


def test_a_status_change_is_dated_today_by_default(as_therapist, goal):
    response = as_therapist.patch_current(goal_url(goal["id"]), {"status": "discontinued"})

    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["status_date"]) == ("discontinued",
                                                                                   today().isoformat())


@pytest.mark.parametrize("status", ["met", "not_met", "discontinued", "active"])
def test_a_status_change_keeps_the_date_given(as_therapist, goal, status):
    if status == "active":
        as_therapist.patch_current(goal_url(goal["id"]), {"status": "not_met", "status_date": "2026-10-01"})

    response = as_therapist.patch_current(goal_url(goal["id"]), {"status": status, "status_date": "2026-10-04"})

    assert response.status_code == 200, response.get_json()
    shown = as_therapist.get(goal_url(goal["id"])).get_json()
    assert (shown["status"], shown["status_date"]) == (status, "2026-10-04")


def test_the_date_of_the_current_status_may_be_corrected(as_therapist, goal):
    as_therapist.patch_current(goal_url(goal["id"]), {"status": "met", "status_date": "2026-10-04"})

    response = as_therapist.patch_current(goal_url(goal["id"]), {"status": "met", "status_date": "2026-10-02"})

    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["status_date"]) == ("met", "2026-10-02")


def test_a_goals_text_and_target_may_change_and_the_target_be_removed(as_therapist, goal):
    url = goal_url(goal["id"])

    changed = as_therapist.patch_current(url, {"text": "Run 12 km pain-free",
                                               "target": {"measure": "pain_during_running", "value": 1}})
    removed = as_therapist.patch_current(url, {"target": None})

    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["target"] == {"measure": "pain_during_running", "value": 1}
    assert removed.status_code == 200, removed.get_json()
    shown = as_therapist.get(url).get_json()
    assert (shown["text"], shown["target"], shown["status"]) == ("Run 12 km pain-free", None, "active")


INVALID_GOAL_CHANGES = [
    ("status_date-without-status", {"status_date": "2026-10-04"}, "status_date"),
    ("status_date-future", {"status": "met", "status_date": lambda: days_ahead(1)}, "status_date"),
    ("status_date-before-episode-start", {"status": "met", "status_date": "2026-08-31"}, "status_date"),
    ("status-unknown", {"status": "achieved"}, "status"),
    ("target-measure-unknown", {"target": {"measure": "pain_morning", "value": 1}}, "target.measure"),
    ("text-null", {"text": None}, "text"),
    ("target_date-before-episode-start", {"target_date": "2026-08-01"}, "target_date"),
    ("unknown-field", {"episode_id": UNKNOWN_ID}, "episode_id"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_GOAL_CHANGES],
                         ids=[case[0] for case in INVALID_GOAL_CHANGES])
def test_an_invalid_goal_change_is_refused_and_changes_nothing(as_therapist, goal, changes, field):
    url = goal_url(goal["id"])
    before = as_therapist.get(url).get_json()

    response = as_therapist.patch_current(url, resolved(changes))

    assert_problem(response, 422, field)
    assert as_therapist.get(url).get_json() == before


@pytest.mark.parametrize(("target", "field"), [
    ({"measure": "kujala"}, "target.value"),
    ({"value": 40}, "target.measure"),
], ids=["value-missing", "measure-missing"])
def test_a_change_to_an_incomplete_target_is_refused_and_changes_nothing(as_therapist, goal, target, field):
    url = goal_url(goal["id"])
    before = as_therapist.get(url).get_json()

    response = as_therapist.patch_current(url, {"target": target})

    assert_problem(response, 422, field)
    assert as_therapist.get(url).get_json() == before


def test_changing_a_goal_needs_if_match_and_the_current_etag(as_therapist, goal):
    url = goal_url(goal["id"])
    stale = as_therapist.get(url).headers["ETag"]
    as_therapist.patch_current(url, {"text": "Run 11 km pain-free"})

    missing = as_therapist.patch(url, json={"status": "met"})
    outdated = as_therapist.patch(url, json={"status": "met"}, headers={"If-Match": stale})

    assert_problem(missing, 428)
    assert_problem(outdated, 412)
    shown = as_therapist.get(url).get_json()
    assert (shown["text"], shown["status"]) == ("Run 11 km pain-free", "active")


def test_goals_are_listed_oldest_first_and_filtered_by_status(as_therapist, ep, goal):
    second = as_therapist.post(f"{ep}/goals", json={"text": "Stairs without pain"}).get_json()
    as_therapist.patch_current(goal_url(second["id"]), {"status": "met"})

    assert [g["id"] for g in listed(as_therapist, f"{ep}/goals")] == [goal["id"], second["id"]]
    assert [g["id"] for g in listed(as_therapist, f"{ep}/goals", status="met")] == [second["id"]]
    assert [g["id"] for g in listed(as_therapist, f"{ep}/goals", status="active")] == [goal["id"]]


def test_an_unknown_goal_is_not_found(as_therapist):
    assert_problem(as_therapist.get(goal_url(UNKNOWN_ID)), 404)


# ---- a discharged episode ---------------------------------------------------------------------------

@pytest.fixture
def discharged(as_therapist, ep, draft_visit, goal) -> dict:
    as_therapist.post(f"/api/v1/visits/{draft_visit['id']}/sign")
    post_runs(as_therapist, ep, ("2026-09-05", 3, 20, 1, 1))
    response = as_therapist.post(f"{ep}/discharge", json={"discharge_date": "2026-10-01", "reason": "goals_met"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(("path", "body"), [
    ("pain-scores", {"score": 2, "context": "current", "recorded_at": "2026-09-20T10:00:00+00:00"}),
    ("runs", {"run_date": "2026-09-20", "distance_km": 5, "duration_min": 30, "pain_during": 0, "pain_after": 0}),
    ("goals", {"text": "Run a half marathon"}),
], ids=["pain-scores", "runs", "goals"])
def test_a_discharged_episode_takes_no_new_pain_scores_runs_or_goals(as_therapist, ep, discharged, path, body):
    before = listed(as_therapist, f"{ep}/{path}")

    response = as_therapist.post(f"{ep}/{path}", json=body)

    assert_problem(response, 409)
    assert listed(as_therapist, f"{ep}/{path}") == before


def test_the_goals_of_a_discharged_episode_no_longer_change(as_therapist, discharged, goal):
    url = goal_url(goal["id"])

    response = as_therapist.patch_current(url, {"status": "met", "status_date": "2026-09-30"})

    assert_problem(response, 409)
    assert as_therapist.get(url).get_json()["status"] == "active"


def test_the_record_of_a_discharged_episode_stays_readable(as_therapist, ep, discharged):
    assert len(listed(as_therapist, f"{ep}/runs")) == 1
    assert len(listed(as_therapist, f"{ep}/goals")) == 1
    assert weekly(as_therapist, ep)["weeks"][0]["runs"] == 1
