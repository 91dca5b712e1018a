"""Every error is RFC 9457 problem details (application/problem+json): routing errors, bodies that cannot be
read, validation errors naming their fields with dotted paths, and a bare 500 for the unexpected."""
from __future__ import annotations

import logging

import pytest

from clinic_api import create_app
from clinic_api.core.access import public
from tests.factories import MADDIE, PASSWORD


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/no-such-thing", 404),
    ("GET", "/api/v1/patients/not-a-uuid", 404),
    ("PUT", "/api/v1/patients", 405),
    ("DELETE", "/api/v1/auth/me", 405),
])
def test_routing_errors_are_problem_details(as_front_desk, method, path, status):
    response = as_front_desk.request(method, path)

    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"]
    if status == 405:
        assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("raw", [b"{", b"{'first_name': 'x'}", b"\xff\xfe", b"[1, 2"])
def test_malformed_json_is_400(as_front_desk, raw):
    response = as_front_desk.request("POST", "/api/v1/patients", data=raw,
                                     headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.get_json()["title"] in {"Malformed JSON", "Bad Request"}


@pytest.mark.parametrize("path", ["/api/v1/patients", "/api/v1/auth/login"])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_too_deeply_is_400(as_front_desk, path, opening):
    raw = opening * 5000 + "1" + ("]" if opening == "[" else "}") * 5000

    response = as_front_desk.request("POST", path, data=raw, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.get_json()["detail"] == "The JSON body is nested too deeply."


def test_a_body_that_is_not_json_is_415_and_changes_nothing(as_front_desk, create_patient):
    url = f"/api/v1/patients/{create_patient()['id']}"
    etag = as_front_desk.get(url).headers["ETag"]

    response = as_front_desk.request("PATCH", url, data='{"first_name": "Changed"}',
                                     headers={"Content-Type": "text/plain", "If-Match": etag})

    assert response.status_code == 415
    assert response.content_type == "application/problem+json"
    assert as_front_desk.get(url).get_json()["first_name"] == "Maddie"


@pytest.mark.parametrize("path", ["/api/v1/patients", "/api/v1/auth/login"])
def test_a_number_too_long_to_read_is_400(as_front_desk, path):
    raw = '{"first_name": ' + "1" * 4301 + "}"

    response = as_front_desk.request("POST", path, data=raw, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.get_json()["detail"] == "The JSON body holds a number too long to read."


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/patients", {**MADDIE, "email": "a@\ud800.com"}, "email"),
    ("/api/v1/patients", {**MADDIE, "running_profile": {"goal_race": {"name": "City \udfff"}}},
     "running_profile.goal_race.name"),
    ("/api/v1/auth/login", {"email": "desk@clinic.test", "password": "\ud800"}, "password"),
    ("/api/v1/auth/login", {"email": "\ud800", "password": "x"}, "email"),
    ("/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "A-long-\ud800-passphrase"},
     "new_password"),
])
def test_unpaired_surrogates_are_refused_on_their_field(as_front_desk, path, body, field):
    response = as_front_desk.post(path, json=body)

    assert response.status_code == 422
    assert response.get_json()["errors"] == {field: ["Must not contain unpaired surrogate code points."]}
    assert as_front_desk.get("/api/v1/patients").get_json()["total"] == 0
    assert as_front_desk.get("/api/v1/auth/me").status_code == 200  # the password did not change


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_an_instant_out_of_range_in_utc_is_422(as_admin, as_therapist, create_episode, instant):
    episode = create_episode()

    audit = as_admin.get("/api/v1/audit-events", query_string={"from": instant})
    pain = as_therapist.post(f"/api/v1/episodes/{episode['id']}/pain-scores",
                             json={"score": 3, "context": "current", "recorded_at": instant})

    assert (audit.status_code, list(audit.get_json()["errors"])) == (422, ["from"])
    assert (pain.status_code, list(pain.get_json()["errors"])) == (422, ["recorded_at"])
    assert as_therapist.get(f"/api/v1/episodes/{episode['id']}/pain-scores").get_json()["total"] == 0


@pytest.mark.parametrize("body", [[], "a string", 42, None, [MADDIE]])
def test_a_body_that_is_not_an_object_is_422(as_front_desk, body):
    response = as_front_desk.post("/api/v1/patients", json=body)

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_too_large_body_is_413(as_front_desk):
    response = as_front_desk.post("/api/v1/patients", json={**MADDIE, "first_name": "x" * (2 * 1024 * 1024)})

    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_nested_errors_use_dotted_paths(as_front_desk):
    response = as_front_desk.post("/api/v1/patients", json={**MADDIE, "running_profile": {
        "weekly_distance_km": "lots", "goal_race": {"date": "soon"}}})

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"running_profile.weekly_distance_km",
                                                  "running_profile.goal_race.date"}


def test_unexpected_exception_is_a_bare_500_problem_and_logged_with_request_id(app, app_logs):
    crashing = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}, environment="test")

    @public
    def explode():
        raise RuntimeError("secret patient detail Maddie")

    crashing.add_url_rule("/explode", "explode", explode)
    with app_logs.at_level(logging.ERROR, logger="clinic_api"):
        response = crashing.test_client().get("/explode", headers={"X-Request-ID": "req-123"})

    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["request_id"] == "req-123"
    assert "Maddie" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)
    errors = [record for record in app_logs.records if record.levelno >= logging.ERROR]
    assert any("RuntimeError in request req-123" in record.getMessage() for record in errors)
