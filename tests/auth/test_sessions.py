"""Sessions end when they should, on the very next call, on every route and every worker: after the idle timeout,
at the absolute lifetime, when the account is deactivated or given another role, at logout.

tests/auth/test_auth.py has the idle timeout and the absolute expiry on /auth/me; here they are checked on a route of
patient data (401, and nothing read is audited), with the lifetimes the settings give, and on a live server."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from clinic_api.audit.models import AuditEvent
from clinic_api.auth.models import AccessToken, User
from clinic_api.core.types import utcnow
from clinic_api.extensions import db
from tests.factories import API, PASSWORD, assert_problem, change_stored, stored_token

USERS = f"{API}/users"


def audit_events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def refused(client, url: str) -> None:
    response = client.get(url)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("ended", [
    {"last_used_at": lambda: utcnow() - timedelta(minutes=30, seconds=1)},  # idle for the whole timeout
    {"expires_at": lambda: utcnow() - timedelta(seconds=1)},  # past its absolute lifetime, though in use
    {"revoked_at": lambda: utcnow()},  # logged out
])
def test_an_ended_session_reads_no_patient_data_and_leaves_no_read_in_the_audit(app, as_front_desk, create_patient,
                                                                               ended):
    patient = create_patient()["id"]
    assert as_front_desk.get(f"{API}/patients/{patient}").status_code == 200
    change_stored(app, stored_token(as_front_desk).values(**{column: value() for column, value in ended.items()}))
    events = audit_events(app)

    refused(as_front_desk, f"{API}/patients/{patient}")
    refused(as_front_desk, f"{API}/patients/{patient}")  # a refused call does not wake the session up

    assert audit_events(app) == events


def test_a_call_just_inside_the_idle_timeout_keeps_the_session(app, as_therapist):
    change_stored(app, stored_token(as_therapist).values(last_used_at=utcnow() - timedelta(minutes=29, seconds=50)))

    assert as_therapist.get(f"{API}/auth/me").status_code == 200
    change_stored(app, stored_token(as_therapist).values(expires_at=utcnow() + timedelta(minutes=1)))
    assert as_therapist.get(f"{API}/auth/me").status_code == 200


def test_the_session_lifetimes_come_from_the_settings(new_app, new_staff):
    app = new_app(ACCESS_TOKEN_LIFETIME_SECONDS=600, ACCESS_TOKEN_IDLE_TIMEOUT_SECONDS=120)
    new_staff(app, "therapist")
    client = app.test_client()

    answer = client.post(f"{API}/auth/login", json={"email": "pt@clinic.test", "password": PASSWORD})

    assert answer.status_code == 200
    body = answer.get_json()
    assert body["idle_timeout_seconds"] == 120
    lifetime = datetime.fromisoformat(body["expires_at"]) - utcnow()
    assert timedelta(seconds=590) < lifetime <= timedelta(seconds=600)
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    change_stored(app, update(AccessToken).values(last_used_at=utcnow() - timedelta(seconds=121)))
    assert client.get(f"{API}/auth/me", headers=bearer).status_code == 401


def test_a_deactivated_users_token_answers_401_on_the_very_next_call(as_admin, as_therapist, episode):
    url = f"{API}/episodes/{episode['id']}/outcomes"
    assert as_therapist.get(url).status_code == 200

    assert as_admin.patch_current(f"{USERS}/{as_therapist.user.id}", {"active": False}).status_code == 200

    refused(as_therapist, url)
    assert as_therapist.post(f"{API}/episodes/{episode['id']}/runs", json={
        "run_date": "2026-09-10", "distance_km": 5, "duration_min": 30}).status_code == 401


def test_an_account_made_inactive_outside_the_api_is_refused_too(app, as_front_desk):
    """Whoever sets ``active`` false (a script, a restore), the token check reads it: the session ends at once."""
    assert as_front_desk.get(f"{API}/patients").status_code == 200

    change_stored(app, update(User).where(User.id == as_front_desk.user.id).values(active=False))

    refused(as_front_desk, f"{API}/patients")


OUTCOMES = "/episodes/{episode}/outcomes"


@pytest.mark.parametrize(("account", "email", "new_role", "before", "after"), [
    ("as_therapist", "pt@clinic.test", "front_desk", 200, 403),
    ("as_therapist", "pt@clinic.test", "admin", 200, 403),
    ("as_front_desk", "desk@clinic.test", "therapist", 403, 200),
])
def test_a_re_roled_users_token_answers_401_not_either_roles_answer(request, as_admin, episode, account, email,
                                                                    new_role, before, after):
    """The very next call is 401: neither the old role's answer (an outcome, or a 403) nor the new role's, until
    its holder logs in again and works under the new role."""
    client = request.getfixturevalue(account)
    url = API + OUTCOMES.format(episode=episode["id"])
    assert client.get(url).status_code == before

    assert as_admin.patch_current(f"{USERS}/{client.user.id}", {"role": new_role}).status_code == 200

    refused(client, url)
    login = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    client.token = login.get_json()["access_token"]
    assert client.get(url).status_code == after


# ---- on a live server: every worker reads the same tokens --------------------------------------------------------

def new_account(live, admin_token: str, email: str) -> str:
    """A front-desk account made through the API, logged in on the live server; its token."""
    created = live.call("POST", "/api/v1/users", admin_token, json={
        "email": email, "full_name": "Temp Desk", "role": "front_desk", "password": "Temp-desk-passphrase-31"})
    assert created.status_code == 201, created.text
    login = live.call("POST", "/api/v1/auth/login", json={"email": email, "password": "Temp-desk-passphrase-31"})
    assert login.status_code == 200, login.text
    return login.json()["access_token"]


def on_every_worker(live, token: str) -> set[int]:
    """The statuses of 16 calls of /auth/me at once, each on a connection of its own (spread over the workers)."""
    return {answer.status_code for answer in live.at_once(*[("GET", "/api/v1/auth/me", token, {})] * 16)}


def test_logout_ends_the_session_on_every_worker_of_a_live_server(live_clinic):
    live, tokens = live_clinic
    token = new_account(live, tokens["admin"], "temp-logout@clinic.test")
    assert on_every_worker(live, token) == {200}

    assert live.call("POST", "/api/v1/auth/logout", token).status_code == 204

    assert on_every_worker(live, token) == {401}


def test_deactivation_ends_the_session_on_every_worker_of_a_live_server(live_clinic):
    live, tokens = live_clinic
    token = new_account(live, tokens["admin"], "temp-deactivated@clinic.test")
    user_id = live.call("GET", "/api/v1/auth/me", token).json()["id"]
    assert on_every_worker(live, token) == {200}
    etag = live.call("GET", f"/api/v1/users/{user_id}", tokens["admin"]).headers["ETag"]

    changed = live.call("PATCH", f"/api/v1/users/{user_id}", tokens["admin"], json={"active": False},
                        headers={"If-Match": etag})

    assert changed.status_code == 200, changed.text
    assert on_every_worker(live, token) == {401}
