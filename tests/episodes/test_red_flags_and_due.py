"""Red flags raised by the intake stand on the episode until a therapist acts; the due list guides intake."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.questionnaires.test_responses import INTAKE


def intake(as_client, episode, taken_at="2026-09-01T09:00:00+00:00", **answers):
    return as_client.post(f"/api/v1/episodes/{episode['id']}/responses", json={
        "questionnaire": "runner_intake", "answers": {**INTAKE, **answers}, "taken_at": taken_at,
        "source": "patient"})


@pytest.mark.parametrize(("answers", "flag"), [
    ({"fever_or_unwell_hot_swollen_knee": True}, "infection"),
    ({"night_pain_wakes": True}, "tumour"),
    ({"unexplained_weight_loss": True}, "tumour"),
    ({"locking_or_giving_way": True}, "internal_derangement"),
    ({"unable_to_bear_weight_four_steps": True}, "fracture_ottawa"),
    ({"calf_pain_swelling": True}, "dvt"),
    ({"leg_numbness_tingling": True}, "neurological"),
    ({"pain_on_hopping": True}, "bone_stress_injury"),
    ({"hip_or_groin_pain": True}, "femoral_neck_stress_fracture"),
])
def test_intake_answers_raise_their_red_flag_on_the_episode(as_front_desk, as_therapist, create_episode,
                                                           answers, flag):
    episode = create_episode()

    response = intake(as_front_desk, episode, **answers)

    assert response.status_code == 201
    assert [f["code"] for f in response.get_json()["red_flags"]] == [flag]
    shown = as_therapist.get(f"/api/v1/episodes/{episode['id']}").get_json()["red_flags"]
    assert [f["code"] for f in shown] == [flag]
    assert "review" in shown[0]["message"].lower() or "refer" in shown[0]["message"].lower()


def test_hip_pain_is_a_red_flag_only_under_eighteen(as_front_desk, create_patient, create_episode):
    adult = create_episode()
    teenager = create_episode(create_patient(date_of_birth="2010-03-01")["id"])

    assert intake(as_front_desk, adult, hip_or_thigh_pain=True).get_json()["red_flags"] == []
    flags = intake(as_front_desk, teenager, hip_or_thigh_pain=True).get_json()["red_flags"]
    assert [f["code"] for f in flags] == ["paediatric_hip"]


def test_a_therapist_acknowledges_a_flag_with_a_note(as_therapist, as_front_desk, as_admin, create_episode):
    episode = create_episode()
    intake(as_front_desk, episode, calf_pain_swelling=True, night_pain_wakes=True)
    url = f"/api/v1/episodes/{episode['id']}"

    assert as_front_desk.post(f"{url}/red-flags/dvt/acknowledge", json={"note": "x"}).status_code == 403
    assert as_therapist.post(f"{url}/red-flags/dvt/acknowledge", json={}).status_code == 422
    done = as_therapist.post(f"{url}/red-flags/dvt/acknowledge",
                             json={"note": "Wells score low; GP informed same day."})

    assert done.status_code == 200
    assert [f["code"] for f in done.get_json()["red_flags"]] == ["tumour"]
    assert [f["code"] for f in as_therapist.get(url).get_json()["red_flags"]] == ["tumour"]
    assert as_therapist.post(f"{url}/red-flags/dvt/acknowledge", json={"note": "again"}).status_code == 404
    tumour_id = done.get_json()["red_flags"][0]["id"]
    assert as_therapist.post(f"{url}/red-flags/{tumour_id}/acknowledge",
                             json={"note": "Night pain explained by sleeping position."}).status_code == 200
    assert as_therapist.get(url).get_json()["red_flags"] == []
    trail = as_admin.get("/api/v1/audit-events", query_string={"action": "red_flag.acknowledge"}).get_json()
    assert trail["total"] == 2


def due_codes(client, episode):
    response = client.get(f"/api/v1/episodes/{episode['id']}/due")
    assert response.status_code == 200
    return [(item["questionnaire"], item["reason"]) for item in response.get_json()["items"]]


def test_a_new_knee_episode_is_due_its_baseline_set(as_front_desk, create_episode):
    episode = create_episode()

    assert due_codes(as_front_desk, episode) == [("runner_intake", "baseline"), ("nprs", "baseline"),
                                                 ("kujala", "baseline"), ("lefs", "baseline")]


def test_other_regions_use_the_default_set(as_front_desk, create_episode):
    episode = create_episode(body_region="ankle", diagnosis_code="M76.60", diagnosis_text="Achilles tendinitis")

    assert [code for code, _ in due_codes(as_front_desk, episode)] == ["runner_intake", "nprs", "lefs", "psfs"]


def test_measures_come_due_again_after_fourteen_days(as_therapist, create_episode):
    episode = create_episode(start_date=(datetime.now(UTC) - timedelta(days=30)).date().isoformat())
    long_ago = (datetime.now(UTC) - timedelta(days=15)).isoformat()
    recently = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    responses = f"/api/v1/episodes/{episode['id']}/responses"
    intake(as_therapist, episode, taken_at=long_ago)
    as_therapist.post(responses, json={"questionnaire": "nprs", "answers": {"pain": 6}, "taken_at": long_ago})
    as_therapist.post(responses, json={"questionnaire": "lefs", "taken_at": recently, "answers": {
        item["id"]: "no_difficulty" for item in as_therapist.get("/api/v1/questionnaires/lefs").get_json()["items"]}})

    due = due_codes(as_therapist, episode)

    assert due == [("nprs", "remeasure"), ("kujala", "baseline")]


def test_groc_is_due_at_discharge(as_therapist, create_episode):
    episode = create_episode()
    as_therapist.post(f"/api/v1/episodes/{episode['id']}/discharge", json={"reason": "goals_met"})

    assert ("groc", "discharge") in due_codes(as_therapist, episode)
    as_therapist.post(f"/api/v1/episodes/{episode['id']}/responses", json={
        "questionnaire": "groc", "answers": {"global_change": 5}, "taken_at": datetime.now(UTC).isoformat()})
    assert ("groc", "discharge") not in due_codes(as_therapist, episode)


def log_visit(client, episode, body):
    response = client.post(f"/api/v1/episodes/{episode['id']}/visits", json=body)
    assert response.status_code == 201, response.get_json()


def test_measures_come_due_again_after_four_visits_since_last_taken(as_therapist, create_episode):
    from tests.flows.test_therapist_day import EVALUATION

    start = datetime.now(UTC).date() - timedelta(days=10)
    episode = create_episode(start_date=start.isoformat())
    taken = datetime.combine(start, datetime.min.time(), UTC).replace(hour=9).isoformat()
    responses = f"/api/v1/episodes/{episode['id']}/responses"
    intake(as_therapist, episode, taken_at=taken)
    as_therapist.post(responses, json={"questionnaire": "nprs", "answers": {"pain": 6}, "taken_at": taken})
    log_visit(as_therapist, episode, {**EVALUATION, "visit_date": start.isoformat(), "pain_scores": []})
    for day in (2, 4, 6):
        log_visit(as_therapist, episode, {"visit_type": "follow_up", "visit_date": str(start + timedelta(days=day))})
    assert ("nprs", "remeasure") not in due_codes(as_therapist, episode)  # three visits since, ten days

    log_visit(as_therapist, episode, {"visit_type": "follow_up", "visit_date": str(start + timedelta(days=8))})

    assert ("nprs", "remeasure") in due_codes(as_therapist, episode)
    assert ("runner_intake", "remeasure") not in due_codes(as_therapist, episode)  # the intake is taken once


def test_groc_is_due_once_a_discharge_visit_is_logged(as_therapist, create_episode):
    episode = create_episode()
    log_visit(as_therapist, episode, {"visit_type": "initial_evaluation", "visit_date": "2026-09-01"})
    assert ("groc", "discharge") not in due_codes(as_therapist, episode)

    log_visit(as_therapist, episode, {"visit_type": "discharge", "visit_date": "2026-10-01"})

    assert ("groc", "discharge") in due_codes(as_therapist, episode)
