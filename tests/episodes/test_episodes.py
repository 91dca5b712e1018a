"""Therapists open and change episodes of care; the front desk sees their status. (Discharge: test_discharge.)"""
from __future__ import annotations

import pytest

from tests.factories import KNEE_EPISODE, UNKNOWN_ID, assert_problem, intake, statements_for


def episodes_url(patient_id: str) -> str:
    return f"/api/v1/patients/{patient_id}/episodes"


def test_therapist_opens_an_episode_and_is_its_therapist_by_default(as_therapist, create_patient):
    patient = create_patient()

    response = as_therapist.post(episodes_url(patient["id"]), json=KNEE_EPISODE)

    assert response.status_code == 201
    episode = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/episodes/{episode['id']}")
    assert episode["status"] == "active" and episode["patient_id"] == patient["id"]
    assert episode["therapist_id"] == str(as_therapist.user.id)
    assert episode["diagnosis_code"] == "M22.2X2" and episode["discharge_date"] is None


def test_front_desk_reads_episodes_but_cannot_open_one(as_front_desk, create_episode):
    episode = create_episode()

    listed = as_front_desk.get(episodes_url(episode["patient_id"])).get_json()
    assert [e["id"] for e in listed["items"]] == [episode["id"]]
    assert as_front_desk.get(f"/api/v1/episodes/{episode['id']}").status_code == 200
    assert as_front_desk.post(episodes_url(episode["patient_id"]), json=KNEE_EPISODE).status_code == 403


def test_diagnosis_code_is_normalised(as_therapist, create_patient):
    response = as_therapist.post(episodes_url(create_patient()["id"]), json={**KNEE_EPISODE,
                                                                             "diagnosis_code": "m222x1"})

    assert response.status_code == 201
    assert response.get_json()["diagnosis_code"] == "M22.2X1"


@pytest.mark.parametrize(("change", "field"), [
    ({"diagnosis_code": "knee"}, "diagnosis_code"),
    ({"diagnosis_code": "M2"}, "diagnosis_code"),
    ({"diagnosis_code": "M22.2X1AB"}, "diagnosis_code"),
    ({"body_region": "elbowish"}, "body_region"),
    ({"side": "up"}, "side"),
    ({"diagnosis_text": ""}, "diagnosis_text"),
    ({"onset_date": "2026-09-02"}, "onset_date"),
    ({"start_date": "2999-01-01"}, "start_date"),
    ({"start_date": "1994-05-16", "onset_date": None}, "start_date"),  # the day before Maddie was born
    ({"start_date": "0001-01-01", "onset_date": None}, "start_date"),
    ({"onset_date": "1980-01-01"}, "onset_date"),
    ({"therapist_id": UNKNOWN_ID}, "therapist_id"),
    ({"status": "discharged"}, "status"),
])
def test_invalid_episode_is_rejected_and_not_stored(as_therapist, create_patient, change, field):
    patient = create_patient()

    response = as_therapist.post(episodes_url(patient["id"]), json={**KNEE_EPISODE, **change})

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert as_therapist.get(episodes_url(patient["id"])).get_json()["total"] == 0


def test_assigned_therapist_must_be_a_therapist(as_therapist, as_front_desk, create_patient):
    response = as_therapist.post(episodes_url(create_patient()["id"]),
                                 json={**KNEE_EPISODE, "therapist_id": str(as_front_desk.user.id)})

    assert response.status_code == 422
    assert "therapist_id" in response.get_json()["errors"]


def test_episode_of_unknown_or_archived_patient(as_therapist, as_front_desk, create_patient):
    missing = as_therapist.post(episodes_url(UNKNOWN_ID), json=KNEE_EPISODE)
    assert missing.status_code == 404
    patient = create_patient()
    as_front_desk.delete(f"/api/v1/patients/{patient['id']}")

    assert as_therapist.post(episodes_url(patient["id"]), json=KNEE_EPISODE).status_code == 409


def test_patch_keeps_dates_in_order(as_therapist, create_episode):
    url = f"/api/v1/episodes/{create_episode()['id']}"

    late_onset = as_therapist.patch_current(url, {"onset_date": "2026-09-15"})
    assert late_onset.status_code == 422 and "onset_date" in late_onset.get_json()["errors"]
    moved = as_therapist.patch_current(url, {"start_date": "2026-08-20", "diagnosis_text": "PFP, left"})
    assert moved.status_code == 200
    assert moved.get_json()["start_date"] == "2026-08-20" and moved.get_json()["diagnosis_text"] == "PFP, left"
    assert as_therapist.patch(url, json={"side": "right"}).status_code == 428


def test_episodes_are_listed_latest_start_first(as_therapist, create_patient, create_episode):
    patient = create_patient()
    create_episode(patient["id"], start_date="2025-03-01", onset_date=None)
    create_episode(patient["id"], start_date="2026-09-01")

    listed = as_therapist.get(episodes_url(patient["id"])).get_json()

    assert [e["start_date"] for e in listed["items"]] == ["2026-09-01", "2025-03-01"]


def test_an_episode_start_cannot_move_past_its_first_visit(as_therapist, episode, evaluation):
    url = f"/api/v1/episodes/{episode['id']}"

    moved_past = as_therapist.patch_current(url, {"start_date": "2026-09-02"})
    moved_earlier = as_therapist.patch_current(url, {"start_date": "2026-08-30"})

    assert_problem(moved_past, 422, "start_date")
    assert moved_earlier.status_code == 200, moved_earlier.get_json()
    assert as_therapist.get(url).get_json()["start_date"] == "2026-08-30"


def test_episode_list_with_red_flags_is_bounded(count_queries, as_front_desk, create_patient, create_episode,
                                                create_response):
    patient = create_patient()
    url = episodes_url(patient["id"])
    create_response(create_episode(patient["id"])["id"], client=as_front_desk, **intake(calf_pain_swelling=True))
    few = statements_for(count_queries, as_front_desk, url)
    for _ in range(8):
        create_response(create_episode(patient["id"])["id"], client=as_front_desk,
                        **intake(calf_pain_swelling=True, night_pain_wakes=True))

    many = statements_for(count_queries, as_front_desk, url)

    assert 0 < few == many <= 7
