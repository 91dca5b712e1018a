"""What is due (GET /episodes/{id}/due) guides the intake and the re-measures: a baseline set per body region, a
re-measure after fourteen days or four visits, GROC at discharge."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import FOLLOW_UP, days_ahead, instant_ahead, intake, read, today


def due_codes(client, episode):
    due = read(client, f"/api/v1/episodes/{episode['id']}/due")
    return [(item["questionnaire"], item["reason"]) for item in due["items"]]


def test_a_new_knee_episode_is_due_its_baseline_set(as_front_desk, create_episode):
    episode = create_episode()

    assert due_codes(as_front_desk, episode) == [("runner_intake", "baseline"), ("nprs", "baseline"),
                                                 ("kujala", "baseline"), ("lefs", "baseline")]


def test_other_regions_use_the_default_set_with_their_own_intake(as_front_desk, create_episode):
    episode = create_episode(body_region="ankle", diagnosis_code="M76.60", diagnosis_text="Achilles tendinitis")

    assert [code for code, _ in due_codes(as_front_desk, episode)] == ["running_injury_intake", "nprs", "lefs",
                                                                        "psfs"]


def test_measures_come_due_again_after_fourteen_days(as_therapist, create_episode, create_response):
    episode = create_episode(start_date=days_ahead(-30))
    long_ago = instant_ahead(days=-15)
    recently = instant_ahead(days=-2)
    create_response(episode["id"], **intake(taken_at=long_ago))
    create_response(episode["id"], answers={"pain": 6}, taken_at=long_ago)
    create_response(episode["id"], questionnaire="lefs", taken_at=recently, answers={
        item["id"]: "no_difficulty" for item in as_therapist.get("/api/v1/questionnaires/lefs").get_json()["items"]})

    due = due_codes(as_therapist, episode)

    assert due == [("nprs", "remeasure"), ("kujala", "baseline")]


def test_groc_is_due_at_discharge(as_therapist, episode, create_response):
    as_therapist.post(f"/api/v1/episodes/{episode['id']}/discharge", json={"reason": "goals_met"})

    assert ("groc", "discharge") in due_codes(as_therapist, episode)
    create_response(episode["id"], questionnaire="groc", answers={"global_change": 5},
                    taken_at=datetime.now(UTC).isoformat())
    assert ("groc", "discharge") not in due_codes(as_therapist, episode)


def test_measures_come_due_again_after_four_visits_since_last_taken(as_therapist, create_episode, create_response,
                                                                    create_visit):
    start = today() - timedelta(days=10)
    episode = create_episode(start_date=start.isoformat())
    taken = datetime.combine(start, datetime.min.time(), UTC).replace(hour=9).isoformat()
    create_response(episode["id"], **intake(taken_at=taken))
    create_response(episode["id"], answers={"pain": 6}, taken_at=taken)
    create_visit(episode["id"], visit_date=start.isoformat(), pain_scores=[])
    for day in (2, 4, 6):
        create_visit(episode["id"], **FOLLOW_UP, visit_date=str(start + timedelta(days=day)), pain_scores=[])
    assert ("nprs", "remeasure") not in due_codes(as_therapist, episode)  # three visits since, ten days

    create_visit(episode["id"], **FOLLOW_UP, visit_date=str(start + timedelta(days=8)), pain_scores=[])

    assert ("nprs", "remeasure") in due_codes(as_therapist, episode)
    assert ("runner_intake", "remeasure") not in due_codes(as_therapist, episode)  # the intake is taken once


def test_groc_is_due_once_a_discharge_visit_is_logged(as_therapist, episode, create_visit):
    create_visit(episode["id"], pain_scores=[])
    assert ("groc", "discharge") not in due_codes(as_therapist, episode)

    create_visit(episode["id"], visit_type="discharge", visit_date="2026-10-01", pain_scores=[])

    assert ("groc", "discharge") in due_codes(as_therapist, episode)
