"""Functional goals (issue 4): set with a measurable target, their status changed and dated, listed and
filtered.

Every refused request is a problem-details answer naming the field at fault, and leaves nothing stored."""
from __future__ import annotations

import pytest

from tests.factories import UNKNOWN_ID, assert_problem, days_ahead, listed, resolved, today, without


def goal_url(goal_id: str) -> str:
    return f"/api/v1/goals/{goal_id}"


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
    body = without(resolved({"text": "Run 10 km pain-free", "target_date": "2026-11-30", **changes}))

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
    ("target-value-missing", {"target": {"measure": "kujala"}}, "target.value"),
    ("target-measure-missing", {"target": {"value": 40}}, "target.measure"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_GOAL_CHANGES],
                         ids=[case[0] for case in INVALID_GOAL_CHANGES])
def test_an_invalid_goal_change_is_refused_and_changes_nothing(as_therapist, goal, changes, field):
    url = goal_url(goal["id"])
    before = as_therapist.get(url).get_json()

    response = as_therapist.patch_current(url, resolved(changes))

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


def test_goals_are_listed_oldest_first_and_filtered_by_status(as_therapist, ep, episode, goal, create_goal):
    second = create_goal(episode["id"], text="Stairs without pain")
    as_therapist.patch_current(goal_url(second["id"]), {"status": "met"})

    assert [g["id"] for g in listed(as_therapist, f"{ep}/goals")] == [goal["id"], second["id"]]
    assert [g["id"] for g in listed(as_therapist, f"{ep}/goals", status="met")] == [second["id"]]
    assert [g["id"] for g in listed(as_therapist, f"{ep}/goals", status="active")] == [goal["id"]]


def test_an_unknown_goal_is_not_found(as_therapist):
    assert_problem(as_therapist.get(goal_url(UNKNOWN_ID)), 404)
