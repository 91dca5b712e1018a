"""The role matrix of architecture.md: who may call which endpoint (allowed, or 403)."""
from __future__ import annotations

import pytest

from tests.conftest import KNEE_EPISODE, MADDIE
from tests.flows.test_therapist_day import EVALUATION
from tests.questionnaires.test_definitions import UWRI
from tests.questionnaires.test_responses import INTAKE

RUN = {"run_date": "2026-09-10", "distance_km": 3, "duration_min": 20, "run_walk": "4:1", "surface": "track",
       "pain_during": 2, "pain_after": 1, "notes": None}

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
    ("GET", "/api/v1/episodes/{care}/visits", None, {FD, PT}),
    ("POST", "/api/v1/episodes/{care}/visits", {"visit_type": "follow_up", "visit_date": "2026-09-09"}, {PT}),
    ("GET", "/api/v1/visits/{visit}", None, {FD, PT}),
    ("POST", "/api/v1/visits/{draft}/sign", None, {PT}),
    ("POST", "/api/v1/visits/{visit}/addenda", {"text": "Late entry: ice advised."}, {PT}),
    ("GET", "/api/v1/episodes/{care}/pain-scores", None, {PT}),
    ("POST", "/api/v1/episodes/{care}/pain-scores", {"score": 3, "context": "current"}, {PT}),
    ("GET", "/api/v1/pain-scores/{pain}", None, {PT}),
    ("GET", "/api/v1/episodes/{care}/runs", None, {PT}),
    ("POST", "/api/v1/episodes/{care}/runs", RUN, {PT}),
    ("GET", "/api/v1/episodes/{care}/runs/weekly", None, {PT}),
    ("GET", "/api/v1/runs/{run}", None, {PT}),
    ("GET", "/api/v1/episodes/{care}/goals", None, {PT}),
    ("POST", "/api/v1/episodes/{care}/goals", {"text": "Run 5 km pain-free"}, {PT}),
    ("GET", "/api/v1/goals/{goal}", None, {PT}),
]
PATCHES = [
    ("/api/v1/users/{user}", {"full_name": "Renamed"}, {ADMIN}),
    ("/api/v1/patients/{patient}", {"phone": "+1 555 000 4444"}, {FD, PT}),
    ("/api/v1/episodes/{episode}", {"side": "right"}, {PT}),
    ("/api/v1/visits/{draft}", {"plan": "Progress to hopping."}, {PT}),
    ("/api/v1/goals/{goal}", {"status": "met"}, {PT}),
]
ROLE_FIXTURES = {FD: "as_front_desk", PT: "as_therapist", ADMIN: "as_admin"}


@pytest.fixture
def objects(create_episode, as_front_desk, as_therapist):
    episode = create_episode()
    intake = as_front_desk.post(f"/api/v1/episodes/{episode['id']}/responses", json={
        "questionnaire": "runner_intake", "answers": {**INTAKE, "calf_pain_swelling": True},
        "taken_at": "2026-09-01T09:00:00+00:00"})
    # A second episode in care: a signed evaluation, a draft follow-up, a pain score, a run and a goal.
    care = create_episode(episode["patient_id"])["id"]

    def created(path, body):
        response = as_therapist.post(f"/api/v1{path}", json=body)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()["id"]
    visit = created(f"/episodes/{care}/visits", EVALUATION)
    created(f"/visits/{visit}/sign", None)
    draft = created(f"/episodes/{care}/visits", {**EVALUATION, "visit_type": "follow_up", "visit_date": "2026-09-08"})
    return {"patient": episode["patient_id"], "episode": episode["id"], "user": str(as_front_desk.user.id),
            "response": intake.get_json()["id"], "care": care, "visit": visit, "draft": draft,
            "pain": created(f"/episodes/{care}/pain-scores", {"score": 4, "context": "stairs_down"}),
            "run": created(f"/episodes/{care}/runs", RUN),
            "goal": created(f"/episodes/{care}/goals", {"text": "Back to 40 km a week"})}


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
