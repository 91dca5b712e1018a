"""An Idempotency-Key makes a retried POST answer as the first did, without creating anything new."""
from __future__ import annotations

from tests.factories import MADDIE, at_once


def test_idempotency_key_replays_the_first_answer_and_creates_nothing_new(as_front_desk):
    headers = {"Idempotency-Key": "register-maddie-1"}

    first = as_front_desk.post("/api/v1/patients", json=MADDIE, headers=headers)
    again = as_front_desk.post("/api/v1/patients", json=MADDIE, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert as_front_desk.get("/api/v1/patients").get_json()["total"] == 1


def test_idempotency_key_with_another_body_is_422(as_front_desk):
    headers = {"Idempotency-Key": "register-1"}
    assert as_front_desk.post("/api/v1/patients", json=MADDIE, headers=headers).status_code == 201

    response = as_front_desk.post("/api/v1/patients", json={**MADDIE, "first_name": "Other"}, headers=headers)

    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]
    assert as_front_desk.get("/api/v1/patients").get_json()["total"] == 1


def test_idempotency_keys_belong_to_their_user(as_front_desk, as_therapist):
    headers = {"Idempotency-Key": "same-key"}
    assert as_front_desk.post("/api/v1/patients", json=MADDIE, headers=headers).status_code == 201

    other = as_therapist.post("/api/v1/patients", json={**MADDIE, "first_name": "Ana"}, headers=headers)

    assert other.status_code == 201
    assert as_front_desk.get("/api/v1/patients").get_json()["total"] == 2


def test_a_failed_request_does_not_use_up_its_key(as_front_desk):
    headers = {"Idempotency-Key": "retry-after-fix"}
    assert as_front_desk.post("/api/v1/patients", json={**MADDIE, "sex": "?"}, headers=headers).status_code == 422

    assert as_front_desk.post("/api/v1/patients", json={**MADDIE, "sex": "?"}, headers=headers).status_code == 422
    assert as_front_desk.post("/api/v1/patients", json=MADDIE, headers=headers).status_code == 201


def test_concurrent_requests_with_one_key_create_one_patient(fresh_app, new_staff):
    front_desk = new_staff(fresh_app, "front_desk")
    register = ("POST", "/api/v1/patients", MADDIE)

    answers = at_once(front_desk, register, register, headers={"Idempotency-Key": "double-click"})

    assert [answer.status_code for answer in answers] == [201, 201]
    assert answers[0].get_json()["id"] == answers[1].get_json()["id"]
    assert front_desk.get("/api/v1/patients").get_json()["total"] == 1
