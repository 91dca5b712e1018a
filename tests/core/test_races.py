"""One winner per race, against a real server (gunicorn, four worker processes) on SQLite and PostgreSQL:
eight saves of one patient with one ETag, eight of one staff account, and two admins removing each other."""
from __future__ import annotations

import pytest

from tests.factories import MADDIE, PASSWORD, STAFF

RACERS = 8


def login(live, email: str) -> str:
    answer = live.call("POST", "/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.mark.parametrize("attempt", range(3))
def test_eight_saves_of_a_patient_with_one_etag_leave_one_winner(live_clinic, attempt):
    live, tokens = live_clinic
    created = live.call("POST", "/api/v1/patients", tokens["front_desk"], json={**MADDIE, "confirm_new": True})
    url, etag = created.headers["Location"].removeprefix(live.url), created.headers["ETag"]

    answers = live.at_once(*[("PATCH", url, tokens["front_desk"],
                              {"json": {"phone": f"+1 555 010 01{index:02d}"}, "headers": {"If-Match": etag}})
                             for index in range(RACERS)])

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [412] * (RACERS - 1), codes
    winner = next(answer for answer in answers if answer.status_code == 200)
    shown = live.call("GET", url, tokens["front_desk"])
    assert shown.json()["phone"] == winner.json()["phone"]  # the confirmed change is the stored one
    assert shown.headers["ETag"] == winner.headers["ETag"]


@pytest.mark.parametrize("attempt", range(3))
def test_eight_saves_of_a_staff_account_with_one_etag_leave_one_winner(live_clinic, attempt):
    live, tokens = live_clinic
    created = live.call("POST", "/api/v1/users", tokens["admin"],
                        json={"email": f"locum{attempt}@clinic.test", "full_name": "Locum", "role": "therapist",
                              "password": PASSWORD})
    url, etag = created.headers["Location"].removeprefix(live.url), created.headers["ETag"]

    answers = live.at_once(*[("PATCH", url, tokens["admin"],
                              {"json": {"full_name": f"Locum {index}"}, "headers": {"If-Match": etag}})
                             for index in range(RACERS)])

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [412] * (RACERS - 1), codes
    winner = next(answer for answer in answers if answer.status_code == 200)
    assert live.call("GET", url, tokens["admin"]).json()["full_name"] == winner.json()["full_name"]


@pytest.mark.parametrize("attempt", range(3))
def test_two_admins_removing_each_other_leave_an_active_admin(live_clinic, attempt):
    live, _ = live_clinic
    admin = login(live, STAFF["admin"][0])  # afresh: stepping down (below) revoked its earlier tokens
    pair = []
    for name in ("a", "b"):
        email = f"admin-{name}{attempt}@clinic.test"
        live.call("POST", "/api/v1/users", admin,
                  json={"email": email, "full_name": f"Admin {name}", "role": "admin", "password": PASSWORD})
        pair.append((email, login(live, email)))
    # Only the two of them are active admins now: the suite's own admin steps down first.
    me = live.call("GET", "/api/v1/auth/me", admin).json()
    etag = live.call("GET", f"/api/v1/users/{me['id']}", pair[0][1]).headers["ETag"]
    assert live.call("PATCH", f"/api/v1/users/{me['id']}", pair[0][1], json={"active": False},
                     headers={"If-Match": etag}).status_code == 200
    users = {user["email"]: user for user in live.call("GET", "/api/v1/users?role=admin&active=true",
                                                       pair[0][1]).json()["items"]}
    assert sorted(users) == sorted(email for email, _ in pair)
    (email_a, token_a), (email_b, token_b) = pair
    target_b, target_a = users[email_b], users[email_a]
    etag_b = live.call("GET", f"/api/v1/users/{target_b['id']}", token_a).headers["ETag"]
    etag_a = live.call("GET", f"/api/v1/users/{target_a['id']}", token_b).headers["ETag"]

    answers = live.at_once(
        ("PATCH", f"/api/v1/users/{target_b['id']}", token_a,
         {"json": {"active": False}, "headers": {"If-Match": etag_b}}),
        ("PATCH", f"/api/v1/users/{target_a['id']}", token_b,
         {"json": {"active": False}, "headers": {"If-Match": etag_a}}))

    codes = sorted(answer.status_code for answer in answers)
    assert codes in ([200, 409], [200, 401]), [answer.text for answer in answers]
    survivor = token_a if answers[0].status_code == 200 else token_b
    active = live.call("GET", "/api/v1/users?role=admin&active=true", survivor).json()
    assert active["total"] == 1, active
    # For the next attempt the suite's admin comes back and the survivor steps down.
    etag = live.call("GET", f"/api/v1/users/{me['id']}", survivor).headers["ETag"]
    assert live.call("PATCH", f"/api/v1/users/{me['id']}", survivor, json={"active": True},
                     headers={"If-Match": etag}).status_code == 200
    admin = login(live, STAFF["admin"][0])
    left = active["items"][0]["id"]
    etag = live.call("GET", f"/api/v1/users/{left}", admin).headers["ETag"]
    assert live.call("PATCH", f"/api/v1/users/{left}", admin, json={"active": False},
                     headers={"If-Match": etag}).status_code == 200
