"""The clinic manager keeps the staff accounts."""
from __future__ import annotations

import pytest

from tests.factories import EVALUATION, PASSWORD, visits_url

USERS = "/api/v1/users"
NEW_PT = {"email": "New.PT@Clinic.test", "full_name": "Nia Physio", "role": "therapist",
          "password": "A-long-enough-passphrase-1"}


def test_admin_creates_lists_and_reads_staff(as_admin):
    created = as_admin.post(USERS, json=NEW_PT)

    assert created.status_code == 201
    user = created.get_json()
    assert user["email"] == "new.pt@clinic.test" and user["active"] is True
    assert "password" not in user and "password_hash" not in user
    assert as_admin.get(created.headers["Location"]).get_json() == user
    therapists = as_admin.get(USERS, query_string={"role": "therapist"}).get_json()
    assert {"new.pt@clinic.test", "pt@clinic.test", "pt2@clinic.test"} == {u["email"] for u in therapists["items"]}


def test_new_account_can_log_in(as_admin, anonymous):
    as_admin.post(USERS, json=NEW_PT)

    response = anonymous.post("/api/v1/auth/login", json={"email": "new.pt@clinic.test",
                                                           "password": NEW_PT["password"]})

    assert response.status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"password": "too-short"}, "password"),
    ({"password": "qwertyuiop123"}, "password"),
    ({"password": "new.pt-is-my-password"}, "password"),
    ({"role": "patient"}, "role"),
    ({"email": "nope"}, "email"),
    ({"full_name": ""}, "full_name"),
    ({"is_superuser": True}, "is_superuser"),
])
def test_invalid_accounts_are_refused(as_admin, change, field):
    response = as_admin.post(USERS, json={**NEW_PT, **change})

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert as_admin.get(USERS).get_json()["total"] == 4


def test_duplicate_email_is_409(as_admin):
    response = as_admin.post(USERS, json={**NEW_PT, "email": "PT@clinic.test"})

    assert response.status_code == 409


def test_deactivating_a_user_revokes_their_tokens(as_admin, as_front_desk):
    url = f"{USERS}/{as_front_desk.user.id}"

    response = as_admin.patch_current(url, {"active": False})

    assert response.status_code == 200 and response.get_json()["active"] is False
    assert as_front_desk.get("/api/v1/auth/me").status_code == 401
    login = as_front_desk.post("/api/v1/auth/login", json={"email": "desk@clinic.test", "password": PASSWORD})
    assert login.status_code == 401


def test_a_new_role_ends_the_session_and_its_idempotent_replays(as_admin, as_therapist, episode):
    url = visits_url(episode["id"])
    key = {"Idempotency-Key": "visit-1"}
    assert as_therapist.post(url, json=EVALUATION, headers=key).status_code == 201

    response = as_admin.patch_current(f"{USERS}/{as_therapist.user.id}", {"role": "front_desk"})

    assert response.status_code == 200
    assert as_therapist.get("/api/v1/auth/me").status_code == 401
    login = as_therapist.post("/api/v1/auth/login", json={"email": "pt@clinic.test", "password": PASSWORD})
    as_therapist.token = login.get_json()["access_token"]
    replay = as_therapist.post(url, json=EVALUATION, headers=key)
    assert replay.status_code == 403  # not the stored note: the role is checked afresh
    assert "subjective" not in (replay.get_json() or {})


def test_admin_resets_a_password(as_admin, as_front_desk, anonymous):
    url = f"{USERS}/{as_front_desk.user.id}"

    assert as_admin.patch_current(url, {"password": "Reset-by-the-manager-2026"}).status_code == 200

    assert as_front_desk.get("/api/v1/auth/me").status_code == 401
    login = anonymous.post("/api/v1/auth/login", json={"email": "desk@clinic.test",
                                                       "password": "Reset-by-the-manager-2026"})
    assert login.status_code == 200


def test_the_last_active_admin_cannot_be_removed(as_admin):
    url = f"{USERS}/{as_admin.user.id}"

    assert as_admin.patch_current(url, {"active": False}).status_code == 409
    assert as_admin.patch_current(url, {"role": "therapist"}).status_code == 409
    assert as_admin.get(url).get_json()["role"] == "admin"


def test_users_patch_needs_if_match(as_admin, as_front_desk):
    response = as_admin.patch(f"{USERS}/{as_front_desk.user.id}", json={"full_name": "Desk Person"})

    assert response.status_code == 428
