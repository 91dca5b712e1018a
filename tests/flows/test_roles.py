"""The role matrix (README, "The HTTP contract in brief"): who may call which endpoint (allowed, or 403)."""
from __future__ import annotations

import pytest

from tests.factories import FOLLOW_UP, KNEE_EPISODE, MADDIE, RESPONSE, RUN, UWRI, intake

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
    ("POST", "/api/v1/patients", {**MADDIE, "confirm_new": True}, {FD, PT}),
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
    ("POST", "/api/v1/questionnaires", {**UWRI, "code": "uwri_roles"}, {ADMIN}),
    ("GET", "/api/v1/episodes/{episode}/responses", None, {FD, PT}),
    ("POST", "/api/v1/episodes/{episode}/responses", RESPONSE, {FD, PT}),
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
    ("GET", "/api/v1/episodes/{care}/outcomes", None, {PT}),
    ("GET", "/api/v1/episodes/{care}/outcomes/story", None, {PT}),
    ("GET", "/api/v1/episodes/{care}/outcomes/chart.svg", None, {PT}),
    ("GET", "/api/v1/patients/{patient}/outcomes", None, {PT}),
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
def objects(episode, create_episode, create_response, create_signed_visit, create_visit, create_pain_score,
            create_run, create_goal, as_front_desk):
    intake_response = create_response(episode["id"], client=as_front_desk, **intake(calf_pain_swelling=True))
    # A second episode in care: a signed evaluation, a draft follow-up, a pain score, a run and a goal.
    care = create_episode(episode["patient_id"])["id"]
    return {"patient": episode["patient_id"], "episode": episode["id"], "user": str(as_front_desk.user.id),
            "response": intake_response["id"], "care": care, "visit": create_signed_visit(care)["id"],
            "draft": create_visit(care, **FOLLOW_UP, visit_date="2026-09-08")["id"],
            "pain": create_pain_score(care, score=4, context="stairs_down")["id"],
            "run": create_run(care)["id"],
            "goal": create_goal(care, text="Back to 40 km a week")["id"]}


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
