"""The HTTP conventions every endpoint shares: problem details, auth by default, idempotency, OpenAPI."""
from __future__ import annotations

import logging
import threading

import pytest
from openapi_spec_validator import validate as validate_openapi

from clinic_api import create_app
from clinic_api.core.access import is_public, public
from tests.conftest import MADDIE, PASSWORD

PUBLIC_ENDPOINTS = {"auth.login", "health.healthz", "health.readyz", "api-docs.openapi_json",
                    "api-docs.openapi_swagger_ui", "swagger_ui_assets", "static"}


def test_only_login_health_and_docs_are_public(app):
    with app.test_request_context():
        public_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if is_public(rule.endpoint)}
    assert public_endpoints <= PUBLIC_ENDPOINTS
    assert {"auth.login", "health.healthz", "health.readyz", "api-docs.openapi_json"} <= public_endpoints


EXAMPLE_ARGUMENTS = {"uuid": "00000000-0000-4000-8000-000000000000", "integer": 1}


def protected_routes(app):
    """(method, url) for every rule of the URL map that is not public, its arguments filled in."""
    for rule in app.url_map.iter_rules():
        with app.test_request_context():
            if is_public(rule.endpoint):
                continue
        values = {name: EXAMPLE_ARGUMENTS.get(type(converter).__name__.lower().removesuffix("converter"), "x")
                  for name, converter in rule._converters.items()}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_every_other_route_answers_401_without_a_token(app, anonymous):
    checked = 0
    for method, url in protected_routes(app):
        response = anonymous.request(method, url, json={})
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.content_type == "application/problem+json"
        checked += 1
    assert checked >= 15


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


@pytest.fixture
def app_logs(caplog):
    """The records of the app's own logger (it does not propagate to the root logger that caplog watches)."""
    logger = logging.getLogger("clinic_api")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


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


def test_request_id_is_echoed_or_made(anonymous):
    assert anonymous.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    made = anonymous.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert made and made != "bad id with spaces"


def test_logs_carry_no_patient_data(as_front_desk, app_logs):
    with app_logs.at_level(logging.DEBUG, logger="clinic_api"):
        created = as_front_desk.post("/api/v1/patients", json={**MADDIE, "last_name": "Zebedeeson"})
        as_front_desk.get("/api/v1/patients", query_string={"q": "Zebedeeson"})
        as_front_desk.get(created.headers["Location"])
        as_front_desk.post("/api/v1/patients", json={**MADDIE, "last_name": "Zebedeeson", "sex": "?"})

    assert created.status_code == 201
    logged = "\n".join(record.getMessage() for record in app_logs.records)
    assert "Zebedeeson" not in logged and "Maddie" not in logged and "1994-05-17" not in logged
    assert "POST /api/v1/patients 201" in logged  # the request is logged, by its route pattern
    assert "GET /api/v1/patients/<uuid:patient_id> 200" in logged


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


def test_concurrent_requests_with_one_key_create_one_patient(fresh_app):
    from clinic_api.auth import service
    from clinic_api.extensions import db

    with fresh_app.app_context():
        user = service.create_user(email="desk@clinic.test", full_name="Desk", role="front_desk", password=PASSWORD)
        token = service.issue_token(user).access_token
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "double-click"}
    answers: list = []
    barrier = threading.Barrier(2)

    def register() -> None:
        client = fresh_app.test_client()
        barrier.wait()
        response = client.post("/api/v1/patients", json=MADDIE, headers=headers)
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1]["id"] == answers[1][1]["id"]
    listed = fresh_app.test_client().get("/api/v1/patients", headers={"Authorization": f"Bearer {token}"})
    assert listed.get_json()["total"] == 1


def test_openapi_document_is_valid_and_describes_the_api(anonymous):
    response = anonymous.get("/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    validate_openapi(document)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/patients" in document["paths"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["security"] == []
    patients_get = document["paths"]["/api/v1/patients"]["get"]
    assert {"401", "403", "422"} <= set(patients_get["responses"])
    assert "PatientPage" in document["components"]["schemas"]
    # Errors are documented with the media type they are sent with.
    assert "application/problem+json" in patients_get["responses"]["403"]["content"]
    unprocessable = document["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(unprocessable) == ["application/problem+json"]


def test_swagger_ui_is_served_without_internet(anonymous):
    page = anonymous.get("/docs")
    assert page.status_code == 200 and b"swagger" in page.data.lower()
    assert anonymous.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_health_and_readiness(anonymous):
    assert anonymous.get("/healthz").get_json() == {"status": "ok"}
    assert anonymous.get("/readyz").get_json() == {"status": "ok"}


def test_readiness_is_503_when_the_database_is_unreachable(tmp_path):
    broken = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"}, environment="test")

    response = broken.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.content_type == "application/problem+json"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(environment="production")
