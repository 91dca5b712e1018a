"""Staff log in, stay logged in while they work, and are logged off when they stop or are removed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from clinic_api.auth.models import AccessToken, User
from clinic_api.auth.service import token_digest
from clinic_api.core.types import utcnow
from clinic_api.extensions import db
from tests.factories import PASSWORD, change_stored, stored_token

LOGIN = "/api/v1/auth/login"


def login(client, email="pt@clinic.test", password=PASSWORD, **kwargs):
    return client.post(LOGIN, json={"email": email, "password": password}, **kwargs)


def test_login_returns_a_bearer_token_that_works(anonymous):
    response = login(anonymous, email="  PT@Clinic.test ")

    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["user"]["email"] == "pt@clinic.test" and body["user"]["role"] == "therapist"
    assert body["idle_timeout_seconds"] == 1800
    assert len(body["access_token"]) >= 40
    me = anonymous.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.get_json()["email"] == "pt@clinic.test"


def test_tokens_are_stored_only_as_digests(app, anonymous):
    token = login(anonymous).get_json()["access_token"]

    with app.app_context():
        stored = db.session.scalars(select(AccessToken.token_digest)).all()
    assert token not in stored
    assert token_digest(token) in stored


def test_unknown_email_and_wrong_password_answer_alike(anonymous):
    wrong_password = login(anonymous, password="not-the-password-at-all")
    unknown_email = login(anonymous, email="nobody@clinic.test")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.content_type == "application/problem+json"
    strip = lambda body: {k: v for k, v in body.items() if k != "request_id"}  # noqa: E731
    assert strip(wrong_password.get_json()) == strip(unknown_email.get_json())


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-token",
                                    "Bearer " + "x" * 500])
def test_missing_or_bad_token_is_401(anonymous, header):
    response = anonymous.get("/api/v1/auth/me", headers={"Authorization": header} if header else {})

    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_repeated_failures_for_one_account_answer_429_with_retry_after(anonymous):
    for _ in range(5):
        assert login(anonymous, password="wrong-password-123").status_code == 401

    throttled = login(anonymous)  # even the right password waits now

    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 900
    assert throttled.content_type == "application/problem+json"
    assert login(anonymous, email="desk@clinic.test").status_code == 200  # other accounts are unaffected


def test_repeated_failures_from_one_address_answer_429(anonymous):
    for number in range(20):
        assert login(anonymous, email=f"guess{number}@clinic.test").status_code == 401

    assert login(anonymous).status_code == 429
    other_address = login(anonymous, environ_overrides={"REMOTE_ADDR": "10.9.8.7"})
    assert other_address.status_code == 200


def test_a_successful_login_clears_the_account_failures(anonymous):
    for _ in range(4):
        login(anonymous, password="wrong-password-123")
    assert login(anonymous).status_code == 200

    for _ in range(4):
        assert login(anonymous, password="wrong-password-123").status_code == 401
    assert login(anonymous).status_code == 200


def test_logout_revokes_the_token(as_therapist):
    assert as_therapist.post("/api/v1/auth/logout").status_code == 204

    assert as_therapist.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/questionnaires/kujala/versions/1", "/api/v1/auth/me"])
def test_a_revoked_token_stops_at_once_even_on_a_kept_answer(app, as_therapist, as_front_desk, path):
    for _ in range(2):  # the released version's answer is kept after the first
        assert as_therapist.get(path).status_code == 200
        assert as_front_desk.get(path).status_code == 200

    assert as_therapist.post("/api/v1/auth/logout").status_code == 204
    change_stored(app, stored_token(as_front_desk).values(revoked_at=utcnow()))  # a logout on another worker

    for client in (as_therapist, as_front_desk):
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.content_type == "application/problem+json"


def test_a_deactivated_account_stops_at_once(app, as_therapist):
    assert as_therapist.get("/api/v1/questionnaires/kujala/versions/1").status_code == 200
    change_stored(app, update(User).where(User.id == as_therapist.user.id).values(active=False))

    assert as_therapist.get("/api/v1/questionnaires/kujala/versions/1").status_code == 401


def test_a_call_refreshes_the_idle_clock_at_most_once_a_minute(app, as_therapist):
    change_stored(app, stored_token(as_therapist).values(last_used_at=utcnow() - timedelta(minutes=5)))
    assert as_therapist.get("/api/v1/auth/me").status_code == 200
    with app.app_context():
        refreshed = db.session.scalar(select(AccessToken.last_used_at)
                                      .where(AccessToken.token_digest == token_digest(as_therapist.token)))
    assert utcnow() - refreshed < timedelta(minutes=1)

    assert as_therapist.get("/api/v1/auth/me").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AccessToken.last_used_at)
                                 .where(AccessToken.token_digest == token_digest(as_therapist.token))) == refreshed


def test_idle_token_expires_after_thirty_minutes(app, as_therapist):
    assert as_therapist.get("/api/v1/auth/me").status_code == 200
    change_stored(app, stored_token(as_therapist).values(last_used_at=utcnow() - timedelta(minutes=31)))

    assert as_therapist.get("/api/v1/auth/me").status_code == 401


def test_use_keeps_the_session_alive_until_its_absolute_expiry(app, as_therapist):
    change_stored(app, stored_token(as_therapist).values(last_used_at=utcnow() - timedelta(minutes=29)))
    assert as_therapist.get("/api/v1/auth/me").status_code == 200  # refreshed the idle clock
    change_stored(app, stored_token(as_therapist).values(expires_at=utcnow() - timedelta(seconds=1)))

    assert as_therapist.get("/api/v1/auth/me").status_code == 401


def test_password_hash_is_upgraded_on_login_when_parameters_change(app, anonymous):
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    change_stored(app, update(User).where(User.email == "pt@clinic.test").values(password_hash=weak))

    assert login(anonymous).status_code == 200

    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.email == "pt@clinic.test"))
    assert stored != weak and stored.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(stored)


def test_changing_own_password_revokes_other_sessions(anonymous, as_therapist):
    other_session = login(anonymous).get_json()["access_token"]

    response = as_therapist.post("/api/v1/auth/password", json={"current_password": PASSWORD,
                                                               "new_password": "A-new-long-passphrase-77"})

    assert response.status_code == 200
    new_token = response.get_json()["access_token"]
    assert anonymous.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {other_session}"}).status_code == 401
    assert as_therapist.get("/api/v1/auth/me").status_code == 401
    assert anonymous.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {new_token}"}).status_code == 200
    assert login(anonymous, password="A-new-long-passphrase-77").status_code == 200


@pytest.mark.parametrize(("current", "new", "field"), [
    ("wrong-current-password", "A-new-long-passphrase-77", "current_password"),
    (PASSWORD, "short", "new_password"),
    (PASSWORD, "password1234", "new_password"),
    (PASSWORD, "aaaaaaaaaaaaaaaa", "new_password"),
])
def test_password_change_rules(as_therapist, current, new, field):
    response = as_therapist.post("/api/v1/auth/password", json={"current_password": current, "new_password": new})

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert as_therapist.get("/api/v1/auth/me").status_code == 200  # nothing was revoked
