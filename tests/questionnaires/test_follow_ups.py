"""Measures after discharge are follow-ups ("3 months after discharge"), never the in-care latest: taken
within the follow-up window, asked for by the schedule, and no bound of the episode's dates. And a
correction is of the same measurement: it keeps the time it was taken."""
from __future__ import annotations

import pytest

from tests.factories import API, assert_problem, days_ahead, instant_ahead, read


@pytest.fixture
def discharged(as_therapist, create_episode, create_signed_visit, create_response):
    """An episode of 120 days ago, discharged 100 days ago, with its in-care NPRS."""
    episode = create_episode(start_date=days_ahead(-120), onset_date=days_ahead(-130))
    create_signed_visit(episode["id"], visit_date=days_ahead(-120), pain_scores=[])
    create_response(episode["id"], taken_at=instant_ahead(days=-119))
    answer = as_therapist.post(f"{API}/episodes/{episode['id']}/discharge",
                               json={"reason": "goals_met", "discharge_date": days_ahead(-100)})
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def nprs(client, episode_id: str, **body):
    return client.post(f"{API}/episodes/{episode_id}/responses",
                       json={"questionnaire": "nprs", "answers": {"pain": 1}, **body})


def test_a_follow_up_is_taken_after_discharge(as_front_desk, discharged):
    answer = nprs(as_front_desk, discharged["id"], follow_up=True)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["follow_up"] is True


def test_after_discharge_a_response_must_say_it_is_a_follow_up(as_front_desk, discharged):
    assert_problem(nprs(as_front_desk, discharged["id"]), 422, "taken_at")


def test_a_follow_up_before_discharge_is_refused(as_front_desk, episode):
    assert_problem(nprs(as_front_desk, episode["id"], follow_up=True, taken_at="2026-09-02T09:00:00+00:00"),
                   422, "follow_up")


def test_a_follow_up_is_dated_after_the_discharge_and_within_the_window(as_front_desk, discharged, app):
    assert_problem(nprs(as_front_desk, discharged["id"], follow_up=True, taken_at=instant_ahead(days=-101)),
                   422, "taken_at")
    app.config["FOLLOW_UP_WINDOW_DAYS"], window = 30, app.config["FOLLOW_UP_WINDOW_DAYS"]
    try:
        assert_problem(nprs(as_front_desk, discharged["id"], follow_up=True), 422, "taken_at")
    finally:
        app.config["FOLLOW_UP_WINDOW_DAYS"] = window


def test_pain_scores_and_runs_stay_closed_after_discharge(as_therapist, discharged):
    assert_problem(as_therapist.post(f"{API}/episodes/{discharged['id']}/pain-scores",
                                     json={"score": 1, "context": "current"}), 409)


def test_the_schedule_asks_for_the_follow_up_measures_after_discharge(as_front_desk, discharged):
    due = read(as_front_desk, f"{API}/episodes/{discharged['id']}/due")["items"]
    follow_ups = {item["questionnaire"] for item in due if item["reason"] == "follow_up"}
    assert follow_ups == {"nprs", "kujala", "lefs"}  # the knee's baseline set, less the once-only intake

    nprs(as_front_desk, discharged["id"], follow_up=True)

    due = read(as_front_desk, f"{API}/episodes/{discharged['id']}/due")["items"]
    assert {item["questionnaire"] for item in due if item["reason"] == "follow_up"} == {"kujala", "lefs"}


def test_a_follow_up_stays_one_when_the_episode_is_reopened_and_bounds_no_date(as_therapist, as_front_desk,
                                                                                create_episode, create_signed_visit,
                                                                                create_response):
    episode = create_episode(start_date=days_ahead(-20), onset_date=days_ahead(-30))
    create_signed_visit(episode["id"], visit_date=days_ahead(-20), pain_scores=[])
    as_therapist.post(f"{API}/episodes/{episode['id']}/discharge",
                      json={"reason": "goals_met", "discharge_date": days_ahead(-10)})
    follow_up = nprs(as_front_desk, episode["id"], follow_up=True).get_json()
    as_therapist.post(f"{API}/episodes/{episode['id']}/reopen", json={"reason": "Pain came back."})

    assert read(as_therapist, f"{API}/responses/{follow_up['id']}")["follow_up"] is True
    # The follow-up of today does not hold the second discharge back to today.
    answer = as_therapist.post(f"{API}/episodes/{episode['id']}/discharge",
                               json={"reason": "goals_met", "discharge_date": days_ahead(-5)})
    assert answer.status_code == 200, answer.get_json()


def test_a_correction_keeps_the_time_of_the_measure_it_corrects(as_therapist, episode, create_response):
    first = create_response(episode["id"], taken_at="2026-09-02T09:00:00+00:00")

    corrected = as_therapist.post(f"{API}/episodes/{episode['id']}/responses",
                                  json={"questionnaire": "nprs", "answers": {"pain": 5}, "replaces": first["id"]})

    assert corrected.status_code == 201, corrected.get_json()
    assert corrected.get_json()["taken_at"] == first["taken_at"]


def test_a_pain_score_added_to_a_visit_is_dated_on_the_visits_day(as_therapist, create_visit, episode):
    visit = create_visit(episode["id"], visit_date="2026-09-01", pain_scores=[])

    score = as_therapist.post(f"{API}/episodes/{episode['id']}/pain-scores",
                              json={"score": 4, "context": "stairs_down", "visit_id": visit["id"]})

    assert score.status_code == 201, score.get_json()
    sent_with_a_visit = create_visit(episode["id"], visit_type="follow_up", visit_date="2026-09-01",
                                     pain_scores=[{"score": 3, "context": "current"}])["pain_scores"][0]
    assert score.get_json()["recorded_at"][:10] == sent_with_a_visit["recorded_at"][:10] == "2026-09-01"
