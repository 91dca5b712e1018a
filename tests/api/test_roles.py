"""The role matrix of architecture.md: who may call which endpoint (allowed, or 403)."""
from __future__ import annotations

import pytest

from tests.api.test_questionnaires import UWRI
from tests.api.test_responses import INTAKE
from tests.conftest import KNEE_EPISODE, MADDIE

FD, PT, ADMIN = "front_desk", "therapist", "admin"
ALL = {FD, PT, ADMIN}

# (method, path template, body, roles allowed). {patient} and {episode} are filled with real objects.
MATRIX = [
    ("GET", "/api/v1/auth/me", None, ALL),
    ("GET", "/api/v1/users", None, {ADMIN}),
    ("POST", "/api/v1/users", {"email": "x@clinic.test", "full_name": "X", "role": "therapist",
                               "password": "Long-enough-passphrase-9"}, {ADMIN}),
    ("GET", "/api/v1/users/{user}", None, {ADMIN}),
    ("GET", "/api/v1/patients", None, {FD, PT}),
    ("POST", "/api/v1/patients", MADDIE, {FD, PT}),
    ("GET", "/api/v1/patients/{patient}", None, {FD, PT}),
    ("DELETE", "/api/v1/patients/{patient}", None, {FD, PT}),
    ("GET", "/api/v1/patients/{patient}/episodes", None, {FD, PT}),
    ("POST", "/api/v1/patients/{patient}/episodes", KNEE_EPISODE, {PT}),
    ("GET", "/api/v1/episodes/{episode}", None, {FD, PT}),
    ("POST", "/api/v1/episodes/{episode}/discharge", {"reason": "goals_met"}, {PT}),
    ("GET", "/api/v1/audit-events", None, {ADMIN}),
    ("GET", "/api/v1/questionnaires", None, ALL),
    ("GET", "/api/v1/questionnaires/kujala", None, ALL),
    ("GET", "/api/v1/questionnaires/kujala/versions/1", None, ALL),
    ("POST", "/api/v1/questionnaires", {**{k: v for k, v in UWRI.items()}, "code": "uwri_roles"}, {ADMIN}),
    ("GET", "/api/v1/episodes/{episode}/responses", None, {FD, PT}),
    ("POST", "/api/v1/episodes/{episode}/responses", {"questionnaire": "nprs", "answers": {"pain": 4},
                                                      "taken_at": "2026-09-02T09:00:00+00:00"}, {FD, PT}),
    ("GET", "/api/v1/responses/{response}", None, {FD, PT}),
    ("GET", "/api/v1/episodes/{episode}/due", None, {FD, PT}),
    ("POST", "/api/v1/episodes/{episode}/red-flags/dvt/acknowledge", {"note": "Reviewed."}, {PT}),
]
PATCHES = [
    ("/api/v1/users/{user}", {"full_name": "Renamed"}, {ADMIN}),
    ("/api/v1/patients/{patient}", {"phone": "+1 555 000 4444"}, {FD, PT}),
    ("/api/v1/episodes/{episode}", {"side": "right"}, {PT}),
]
ROLE_FIXTURES = {FD: "as_front_desk", PT: "as_therapist", ADMIN: "as_admin"}


@pytest.fixture
def objects(create_episode, as_front_desk):
    episode = create_episode()
    intake = as_front_desk.post(f"/api/v1/episodes/{episode['id']}/responses", json={
        "questionnaire": "runner_intake", "answers": {**INTAKE, "calf_pain_swelling": True},
        "taken_at": "2026-09-01T09:00:00+00:00"})
    return {"patient": episode["patient_id"], "episode": episode["id"], "user": str(as_front_desk.user.id),
            "response": intake.get_json()["id"]}


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("method", "path", "body", "allowed"), MATRIX,
                         ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_role_matrix(request, objects, role, method, path, body, allowed):
    client = request.getfixturevalue(ROLE_FIXTURES[role])

    response = client.request(method, path.format(**objects), json=body)

    if role in allowed:
        assert response.status_code < 400, (response.status_code, response.get_json())
    else:
        assert response.status_code == 403, response.status_code
        assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("role", sorted(ALL))
@pytest.mark.parametrize(("path", "body", "allowed"), PATCHES, ids=[p for p, _, _ in PATCHES])
def test_role_matrix_for_changes(request, objects, role, path, body, allowed):
    client = request.getfixturevalue(ROLE_FIXTURES[role])
    url = path.format(**objects)

    response = client.patch(url, json=body, headers={"If-Match": "*"})

    if role in allowed:
        assert client.patch_current(url, body).status_code == 200
    else:
        assert response.status_code == 403
