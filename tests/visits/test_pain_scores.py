"""Pain scores (issue 4): recorded in UTC for an episode, or with a draft visit, listed in time order and
filtered by context and period.

Every refused request is a problem-details answer naming the field at fault, and leaves nothing stored."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import UNKNOWN_ID, assert_problem, days_ahead, instant_ahead, listed, resolved, sign_visit, without


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
                                                            "recorded_at": instant_ahead(minutes=3)})

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
    ("recorded_at-future", {"recorded_at": lambda: instant_ahead(minutes=10)}, "recorded_at"),
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
    body = without(resolved({"score": 3, "context": "current", "recorded_at": "2026-09-10T07:30:00+02:00", **changes}))

    response = as_therapist.post(f"{ep}/pain-scores", json=body)

    assert_problem(response, 422, field)
    assert listed(as_therapist, f"{ep}/pain-scores") == []


def test_a_pain_score_for_a_visit_of_another_episode_is_refused(as_therapist, create_episode, create_visit, ep,
                                                                 episode):
    other = create_episode(patient_id=episode["patient_id"], start_date="2026-09-01", body_region="hip")
    other_visit = create_visit(other["id"])

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
    sign_visit(as_therapist, draft_visit["id"])

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
def pain_history(create_pain_score, episode) -> dict[str, str]:
    """Four scores posted out of time order; the answer maps a short name to each id."""
    return {name: create_pain_score(episode["id"], score=score, context=context, recorded_at=recorded_at)["id"]
            for name, score, context, recorded_at in (
                ("night", 2, "night", "2026-09-05T12:00:00+00:00"),
                ("morning_run", 3, "during_running", "2026-09-03T07:30:00+02:00"),
                ("first", 4, "current", "2026-09-02T08:00:00Z"),
                ("evening", 5, "after_running", "2026-09-03T20:00:00+00:00"))}


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
