"""Errors that tell how to fix: the format of a date, the offset of a time, the roles that may, how long a
lock-out lasts, the record a duplicate registration names."""
from __future__ import annotations

from tests.factories import API, MADDIE, assert_problem, without


def test_a_bad_date_says_the_format(as_front_desk):
    body = assert_problem(as_front_desk.post(f"{API}/patients", json={**MADDIE, "date_of_birth": "17/05/1994"}),
                          422, "date_of_birth")
    assert "YYYY-MM-DD" in body["errors"]["date_of_birth"][0]


def test_a_time_without_an_offset_is_told_to_add_one(as_therapist, episode):
    body = assert_problem(as_therapist.post(f"{API}/episodes/{episode['id']}/pain-scores",
                                            json={"score": 3, "context": "current",
                                                  "recorded_at": "2026-09-02T09:00:00"}), 422, "recorded_at")
    assert "offset" in body["errors"]["recorded_at"][0]


def test_a_403_names_the_roles_that_may(as_front_desk, episode):
    body = assert_problem(as_front_desk.get(f"{API}/episodes/{episode['id']}/pain-scores"), 403)
    assert "therapist" in body["detail"]


def test_the_lock_out_says_how_long(anonymous, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        anonymous.post(f"{API}/auth/login", json={"email": "pt@clinic.test", "password": "not the password"})
    answer = anonymous.post(f"{API}/auth/login", json={"email": "pt@clinic.test", "password": "not the password"})
    body = assert_problem(answer, 429)
    assert "minute" in body["detail"] and int(answer.headers["Retry-After"]) > 0


def test_a_possible_duplicate_patient_names_the_existing_record(as_front_desk, create_patient, as_admin):
    existing = create_patient()
    as_front_desk.delete(f"{API}/patients/{existing['id']}")  # archived ones count too

    answer = as_front_desk.post(f"{API}/patients", json={**without(MADDIE, "email"), "first_name": "MADDIE",
                                                         "last_name": "Runnér"})

    body = assert_problem(answer, 409)
    assert [(record["id"], record["archived"]) for record in body["possible_duplicates"]] == [(existing["id"], True)]
    shown = as_admin.get(f"{API}/audit-events", query_string={"action": "patient.duplicate_check"}).get_json()
    assert [event["patient_id"] for event in shown["items"]] == [existing["id"]]
    confirmed = as_front_desk.post(f"{API}/patients", json={**MADDIE, "confirm_new": True})
    assert confirmed.status_code == 201, confirmed.get_json()


def test_an_unknown_filter_value_names_the_known_ones(as_admin, as_therapist, episode):
    body = assert_problem(as_admin.get(f"{API}/audit-events", query_string={"action": "bogus"}), 422, "action")
    assert "patient.read" in body["errors"]["action"][0]
    body = assert_problem(as_therapist.get(f"{API}/episodes/{episode['id']}/responses",
                                           query_string={"questionnaire": "kujalaa"}), 422, "questionnaire")
    assert "kujala" in body["errors"]["questionnaire"][0]
