"""Correcting an episode the clinical way: a discharge undone within its window, an episode opened by
mistake marked and kept, no goal left active on a closed episode, the running baseline kept on the episode,
and red flags that stay readable once reviewed."""
from __future__ import annotations

import pytest

from tests.factories import API, AUDIT, assert_problem, days_ahead, intake, listed, read, today


def discharge(client, episode_id: str, **body):
    return client.post(f"{API}/episodes/{episode_id}/discharge", json={"reason": "goals_met", **body})


@pytest.fixture
def recent_episode(create_episode, create_signed_visit):
    """An episode started a week ago with its signed initial evaluation."""
    episode = create_episode(start_date=days_ahead(-7), onset_date=days_ahead(-20))
    create_signed_visit(episode["id"], visit_date=days_ahead(-7), pain_scores=[])
    return episode


def test_a_discharge_with_an_active_goal_lists_it(as_therapist, recent_episode, create_goal):
    goal = create_goal(recent_episode["id"])

    body = assert_problem(discharge(as_therapist, recent_episode["id"]), 409)

    assert body["active_goals"] == [{"id": goal["id"], "text": goal["text"]}]
    assert read(as_therapist, f"{API}/episodes/{recent_episode['id']}")["status"] == "active"


def test_a_discharge_settles_each_active_goal_dated_the_discharge(as_therapist, recent_episode, create_goal):
    met, dropped = create_goal(recent_episode["id"]), create_goal(recent_episode["id"], text="Hop 20 times")

    answer = discharge(as_therapist, recent_episode["id"], discharge_date=today().isoformat(),
                       goals=[{"id": met["id"], "status": "met"}, {"id": dropped["id"], "status": "discontinued"}])

    assert answer.status_code == 200, answer.get_json()
    goals = {goal["id"]: goal for goal in listed(as_therapist, f"{API}/episodes/{recent_episode['id']}/goals")}
    assert (goals[met["id"]]["status"], goals[dropped["id"]]["status"]) == ("met", "discontinued")
    assert {goal["status_date"] for goal in goals.values()} == {today().isoformat()}


@pytest.mark.parametrize(("settled", "field"), [({"status": "active"}, "goals.0.status"),
                                                ({"status": "met", "id": "00000000-0000-4000-8000-000000000000"},
                                                 "goals.0.id")])
def test_a_discharge_refuses_a_goal_it_cannot_settle(as_therapist, recent_episode, create_goal, settled, field):
    goal = create_goal(recent_episode["id"])
    assert_problem(discharge(as_therapist, recent_episode["id"], goals=[{"id": goal["id"], **settled}]), 422, field)
    assert read(as_therapist, f"{API}/goals/{goal['id']}")["status"] == "active"


def test_a_discharged_episode_is_reopened_with_a_reason(as_therapist, as_admin, recent_episode):
    assert discharge(as_therapist, recent_episode["id"], note="Back to running.").status_code == 200

    answer = as_therapist.post(f"{API}/episodes/{recent_episode['id']}/reopen", json={"reason": "Pain came back."})

    assert answer.status_code == 200, answer.get_json()
    reopened = answer.get_json()
    assert (reopened["status"], reopened["discharge_date"], reopened["discharge_reason"]) == ("active", None, None)
    event = listed(as_admin, AUDIT, action="episode.reopen")[0]
    assert event["details"] == {"reason": "Pain came back.", "discharge_date": today().isoformat(),
                                "discharge_reason": "goals_met", "discharge_note": "Back to running."}
    assert as_therapist.post(f"{API}/episodes/{recent_episode['id']}/pain-scores",
                             json={"score": 4, "context": "current"}).status_code == 201


def test_an_episode_is_reopened_only_within_the_window(as_therapist, create_episode, create_signed_visit, app):
    window = app.config["EPISODE_REOPEN_DAYS"]
    episode = create_episode(start_date=days_ahead(-window - 10), onset_date=days_ahead(-window - 20))
    create_signed_visit(episode["id"], visit_date=days_ahead(-window - 10), pain_scores=[])
    assert discharge(as_therapist, episode["id"], discharge_date=days_ahead(-window - 1)).status_code == 200

    assert_problem(as_therapist.post(f"{API}/episodes/{episode['id']}/reopen", json={"reason": "Late."}), 409)
    assert_problem(as_therapist.post(f"{API}/episodes/{create_episode()['id']}/reopen", json={"reason": "?"}), 409)


def test_an_episode_opened_by_mistake_is_marked_and_leaves_the_list(as_therapist, create_patient, create_episode,
                                                                      as_front_desk):
    patient = create_patient()
    mistaken, kept = create_episode(patient["id"]), create_episode(patient["id"])

    answer = as_therapist.post(f"{API}/episodes/{mistaken['id']}/entered-in-error", json={"reason": "Duplicate."})

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "entered_in_error"
    assert answer.get_json()["entered_in_error_reason"] == "Duplicate."
    episodes_url = f"{API}/patients/{patient['id']}/episodes"
    assert [e["id"] for e in listed(as_front_desk, episodes_url)] == [kept["id"]]
    assert {e["id"] for e in listed(as_front_desk, episodes_url, include_entered_in_error="true")} == {
        kept["id"], mistaken["id"]}
    assert read(as_front_desk, f"{API}/episodes/{mistaken['id']}")["status"] == "entered_in_error"
    assert_problem(as_therapist.post(f"{API}/episodes/{mistaken['id']}/visits",
                                     json={"visit_type": "initial_evaluation", "visit_date": "2026-09-01"}), 409)
    assert_problem(as_therapist.post(f"{API}/episodes/{mistaken['id']}/responses", json=intake()), 409)


def test_an_episode_with_a_signed_note_is_not_marked_in_error(as_therapist, signed_evaluation, episode):
    assert_problem(as_therapist.post(f"{API}/episodes/{episode['id']}/entered-in-error", json={"reason": "Oops"}),
                   409)


def test_the_running_baseline_is_the_episodes_not_the_profiles(as_therapist, as_front_desk, create_patient,
                                                                 create_episode, create_run):
    patient = create_patient()  # 40 km a week before the injury
    episode = create_episode(patient["id"])
    assert episode["pre_injury_weekly_km"] == 40
    create_run(episode["id"], run_date="2026-09-10", distance_km=10, duration_min=60)

    as_front_desk.patch_current(f"{API}/patients/{patient['id']}", {"running_profile": {"weekly_distance_km": 80}})

    weekly = read(as_therapist, f"{API}/episodes/{episode['id']}/runs/weekly")
    assert weekly["pre_injury_weekly_km"] == 40
    assert weekly["weeks"][0]["percent_of_pre_injury"] == 25
    changed = as_therapist.patch_current(f"{API}/episodes/{episode['id']}", {"pre_injury_weekly_km": 20})
    assert changed.get_json()["pre_injury_weekly_km"] == 20
    assert read(as_therapist, f"{API}/episodes/{episode['id']}/runs/weekly")["weeks"][0]["percent_of_pre_injury"] == 50
    assert create_episode(patient["id"])["pre_injury_weekly_km"] == 80  # the next episode takes the profile's


def test_an_acknowledged_red_flag_stays_readable(as_therapist, as_front_desk, episode):
    as_front_desk.post(f"{API}/episodes/{episode['id']}/responses", json=intake(calf_pain_swelling=True))
    flags_url = f"{API}/episodes/{episode['id']}/red-flags"
    flag = listed(as_therapist, flags_url)[0]
    assert flag["state"] == "open"

    as_therapist.post(f"{flags_url}/{flag['id']}/acknowledge", json={"note": "Calf checked: no DVT signs."})

    reviewed = listed(as_therapist, flags_url, state="acknowledged")[0]
    assert (reviewed["state"], reviewed["acknowledgement_note"]) == ("acknowledged", "Calf checked: no DVT signs.")
    assert reviewed["acknowledged_by"] == str(as_therapist.user.id)
    seen_by_desk = listed(as_front_desk, flags_url)[0]
    assert seen_by_desk["acknowledged_at"] == reviewed["acknowledged_at"]
    assert "acknowledgement_note" not in seen_by_desk
    assert listed(as_therapist, flags_url, state="open") == []
    assert read(as_therapist, f"{API}/episodes/{episode['id']}")["red_flags"] == []
