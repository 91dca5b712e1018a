"""Property-level access: no endpoint takes a field its caller may not set (who wrote or signed a note, a score, a
red flag's review, an account's role, ids and timestamps); such a field is refused by name (422) and nothing
changes. What each role reads is checked on every answer of the route table (tests/core/test_access_table.py: no
hash, password or token digest anywhere; the front desk never gets note text, addenda or outcome figures); here, the
reads that need records the table does not make, and the MRN the front desk may correct."""
from __future__ import annotations

from typing import Any

import pytest

from tests.factories import (
    API,
    FOLLOW_UP,
    KNEE_EPISODE,
    MADDIE,
    PASSWORD,
    RESPONSE,
    RUN,
    VOID,
    WRONG_CHART,
    assert_problem,
    intake,
    read,
    visit_url,
    without,
)

NEW_PASSWORD = {"current_password": PASSWORD, "new_password": "A-new-long-passphrase-77"}
NEW_USER = {"email": "x@clinic.test", "full_name": "X", "role": "therapist", "password": "Long-enough-passphrase-9"}
ACK_NOTE = "Reviewed: no calf swelling; Wells score 0."
PENDING_EPISODE = without(KNEE_EPISODE, "diagnosis_code", "diagnosis_text")
NEW_PATIENT = {**MADDIE, "confirm_new": True}


@pytest.fixture
def records(episode, create_episode, create_visit, create_signed_visit, create_response, create_goal, as_therapist,
            as_front_desk):
    """The records the writes below aim at: ``episode`` (active, with an intake raising the DVT flag), ``care``
    (its evaluation signed, a signed follow-up and two drafts of the therapist), ``response``, ``goal``."""
    flagged_intake = create_response(episode["id"], client=as_front_desk, **intake(calf_pain_swelling=True))
    care = create_episode(episode["patient_id"])["id"]
    create_signed_visit(care)
    return {"patient": episode["patient_id"], "episode": episode["id"], "care": care,
            "signed": create_signed_visit(care, **FOLLOW_UP, visit_date="2026-09-05")["id"],
            "draft": create_visit(care, **FOLLOW_UP, visit_date="2026-09-08")["id"],
            "spare_draft": create_visit(care, **FOLLOW_UP, visit_date="2026-09-07")["id"],
            "response": flagged_intake["id"], "goal": create_goal(care)["id"]}


# (caller, method, url, a valid body, the field it may not set, a value for it, the URL whose answer must not change)
# Each value is one the caller could wish for: another author, a signature, a score, a review, a role.
WRITES = [
    ("as_therapist", "POST", "/auth/password", NEW_PASSWORD, "role", "admin", "/auth/me"),
    ("as_front_desk", "POST", "/auth/password", NEW_PASSWORD, "active", True, "/auth/me"),
    ("as_front_desk", "POST", "/auth/password", NEW_PASSWORD, "id", "{other_user}", "/auth/me"),
    ("as_admin", "PATCH", "/users/{own_user}", {"full_name": "Renamed"}, "password_hash", "$argon2id$x",
     "/users/{own_user}"),
    ("as_admin", "PATCH", "/users/{own_user}", {"full_name": "Renamed"}, "created_at", "2020-01-01T00:00:00+00:00",
     "/users/{own_user}"),
    ("as_admin", "POST", "/users", NEW_USER, "id", "{other_user}", "/users"),
    ("as_front_desk", "PATCH", "/patients/{patient}", {"phone": "+1 555 000 4444"}, "id", "{other_user}",
     "/patients/{patient}"),
    ("as_front_desk", "PATCH", "/patients/{patient}", {"phone": "+1 555 000 4444"}, "archived_at",
     "2026-09-01T00:00:00+00:00", "/patients/{patient}"),
    ("as_therapist", "PATCH", "/episodes/{episode}", {"side": "right"}, "status", "discharged", "/episodes/{episode}"),
    ("as_therapist", "PATCH", "/episodes/{episode}", {"side": "right"}, "open_red_flags", [], "/episodes/{episode}"),
    ("as_therapist", "PATCH", "/episodes/{episode}", {"side": "right"}, "patient_id", "{other_patient}",
     "/episodes/{episode}"),
    ("as_therapist", "PATCH", "/episodes/{episode}", {"side": "right"}, "red_flags", [], "/episodes/{episode}"),
    ("as_front_desk", "POST", "/patients/{patient}/episodes", PENDING_EPISODE, "status", "active",
     "/patients/{patient}/episodes"),
    ("as_front_desk", "POST", "/patients", NEW_PATIENT, "created_at", "2020-01-01T00:00:00+00:00", "/patients"),
    ("as_therapist", "POST", "/episodes/{care}/visits", {"visit_type": "follow_up", "visit_date": "2026-09-09"},
     "therapist_id", "{other_user}", "/episodes/{care}/visits"),
    ("as_therapist", "POST", "/episodes/{care}/visits", {"visit_type": "follow_up", "visit_date": "2026-09-09"},
     "author_id", "{other_user}", "/episodes/{care}/visits"),
    ("as_therapist", "POST", "/episodes/{care}/visits", {"visit_type": "follow_up", "visit_date": "2026-09-09"},
     "status", "signed", "/episodes/{care}/visits"),
    ("as_therapist", "PATCH", "/visits/{draft}", {"plan": "Hopping drills."}, "signed_at",
     "2026-09-08T10:00:00+00:00", "/visits/{draft}"),
    ("as_therapist", "PATCH", "/visits/{draft}", {"plan": "Hopping drills."}, "signed_by", "{other_user}",
     "/visits/{draft}"),
    ("as_therapist", "PATCH", "/visits/{draft}", {"plan": "Hopping drills."}, "therapist_id", "{other_user}",
     "/visits/{draft}"),
    ("as_therapist", "PATCH", "/visits/{draft}", {"plan": "Hopping drills."}, "status", "signed", "/visits/{draft}"),
    ("as_therapist", "PATCH", "/visits/{draft}", {"plan": "Hopping drills."}, "addenda", [], "/visits/{draft}"),
    ("as_therapist", "POST", "/visits/{draft}/sign", {}, "signed_by", "{other_user}", "/visits/{draft}"),
    ("as_therapist", "POST", "/visits/{spare_draft}/void", VOID, "voided_by", "{other_user}",
     "/visits/{spare_draft}"),
    ("as_therapist", "POST", "/visits/{signed}/addenda", {"text": "Late entry."}, "author_id", "{other_user}",
     "/visits/{signed}"),
    ("as_therapist", "POST", "/visits/{signed}/addenda", {"text": "Late entry."}, "signed_at",
     "2026-09-05T10:00:00+00:00", "/visits/{signed}"),
    ("as_therapist", "POST", "/visits/{signed}/entered-in-error", WRONG_CHART, "entered_in_error_by",
     "{other_user}", "/visits/{signed}"),
    ("as_front_desk", "POST", "/episodes/{episode}/responses", RESPONSE, "score", {"total": 0},
     "/episodes/{episode}/responses"),
    ("as_front_desk", "POST", "/episodes/{episode}/responses", RESPONSE, "total", 0, "/episodes/{episode}/responses"),
    ("as_front_desk", "POST", "/episodes/{episode}/responses", RESPONSE, "subscales", {"pain": 0},
     "/episodes/{episode}/responses"),
    ("as_front_desk", "POST", "/episodes/{episode}/responses", RESPONSE, "red_flags", [],
     "/episodes/{episode}/responses"),
    ("as_therapist", "POST", "/episodes/{episode}/responses", RESPONSE, "entered_by", "{other_user}",
     "/episodes/{episode}/responses"),
    ("as_therapist", "POST", "/episodes/{episode}/red-flags/dvt/acknowledge", {"note": ACK_NOTE}, "acknowledged_by",
     "{other_user}", "/episodes/{episode}/red-flags"),
    ("as_therapist", "POST", "/episodes/{episode}/red-flags/dvt/acknowledge", {"note": ACK_NOTE}, "acknowledged_at",
     "2026-09-01T10:00:00+00:00", "/episodes/{episode}/red-flags"),
    ("as_therapist", "POST", "/episodes/{episode}/red-flags/dvt/acknowledge", {"note": ACK_NOTE}, "state", "open",
     "/episodes/{episode}/red-flags"),
    ("as_therapist", "POST", "/episodes/{care}/pain-scores", {"score": 3, "context": "current"}, "recorded_by",
     "{other_user}", "/episodes/{care}/pain-scores"),
    ("as_therapist", "POST", "/episodes/{care}/runs", RUN, "recorded_by", "{other_user}", "/episodes/{care}/runs"),
    ("as_therapist", "POST", "/episodes/{care}/goals", {"text": "Run 5 km"}, "created_by", "{other_user}",
     "/episodes/{care}/goals"),
    ("as_therapist", "PATCH", "/goals/{goal}", {"status": "met"}, "created_at", "2026-09-01T10:00:00+00:00",
     "/goals/{goal}"),
    # Writes that take no body refuse one field by field too (they took it silently before: a /sign with
    # signed_by signed as the caller, answering 200). Last, as they end what the writes above need.
    ("as_front_desk", "DELETE", "/patients/{patient}", {}, "archived_at", "2026-09-01T00:00:00+00:00",
     "/patients/{patient}"),
    ("as_therapist", "POST", "/auth/logout", {}, "all_sessions", True, "/auth/me"),
]


def fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values) if isinstance(template, str) else template


@pytest.mark.parametrize(("caller", "method", "path", "body", "field", "value", "witness"), WRITES,
                         ids=[f"{m} {p} {f}" for _, m, p, _, f, _, _ in WRITES])
def test_a_field_the_caller_may_not_set_is_refused_by_name(request, records, as_therapist, as_admin, create_patient,
                                                           caller, method, path, body, field, value, witness):
    client = request.getfixturevalue(caller)
    values = {**records, "own_user": str(client.user.id), "other_user": str(as_admin.user.id),
              "other_patient": create_patient()["id"]}
    url, witness_url = API + fill(path, values), API + fill(witness, values)
    reader = as_admin if witness_url.startswith(f"{API}/users") else client
    before = read(reader, witness_url)
    headers = {"If-Match": client.get(url).headers["ETag"]} if method == "PATCH" else {}

    response = client.request(method, url, json={**body, field: fill(value, values)}, headers=headers)

    assert_problem(response, 422, field)
    assert read(reader, witness_url) == before


def test_the_valid_bodies_of_the_writes_above_are_accepted(request, records, as_admin):
    """The refusals above are the field's doing: each body without it is taken (2xx)."""
    writes = {(caller, method, path): body for caller, method, path, body, *_ in WRITES}
    for (caller, method, path), body in writes.items():
        client = request.getfixturevalue(caller)
        url = API + fill(path, {**records, "own_user": str(client.user.id)})
        headers = {"If-Match": client.get(url).headers["ETag"]} if method == "PATCH" else {}
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code in (200, 201, 204), (method, path, response.get_json())
        if path == "/auth/password":
            client.token = response.get_json()["access_token"]  # the change ended the session: the new one


def test_the_front_desk_corrects_a_mistyped_mrn(as_front_desk, as_therapist, create_patient):
    patient = create_patient(mrn="C-12345678")
    url = f"{API}/patients/{patient['id']}"

    response = as_front_desk.patch_current(url, {"mrn": "c-12345687"})

    assert response.status_code == 200
    assert response.get_json()["mrn"] == "C-12345687"
    assert read(as_front_desk, url)["mrn"] == "C-12345687"
    assert read(as_therapist, url)["mrn"] == "C-12345687"
    found = read(as_front_desk, f"{API}/patients", q="C-12345687")["items"]
    assert [item["id"] for item in found] == [patient["id"]]


def test_the_front_desk_reads_no_review_note_of_a_red_flag(records, as_therapist, as_front_desk):
    episode = records["episode"]
    acknowledged = as_therapist.post(f"{API}/episodes/{episode}/red-flags/dvt/acknowledge", json={"note": ACK_NOTE})
    assert acknowledged.status_code == 200
    assert ACK_NOTE in str(read(as_therapist, f"{API}/episodes/{episode}/red-flags"))

    for url in (f"{API}/episodes/{episode}/red-flags", f"{API}/episodes/{episode}", f"{API}/episodes",
                f"{API}/episodes/{episode}/responses", f"{API}/responses/{records['response']}"):
        assert ACK_NOTE not in str(read(as_front_desk, url)), url


def test_the_front_desk_reads_visits_without_their_note_or_addenda(records, as_therapist, as_front_desk):
    signed = records["signed"]
    assert as_therapist.post(f"{visit_url(signed)}/addenda", json={"text": "Late entry: iced."}).status_code == 201
    full = read(as_therapist, visit_url(signed))
    assert full["subjective"] == FOLLOW_UP["subjective"] and full["addenda"][0]["text"] == "Late entry: iced."

    for url in (visit_url(signed), visit_url(records["draft"]), f"{API}/episodes/{records['care']}/visits",
                f"{API}/visits"):
        answer: Any = read(as_front_desk, url)
        text = str(answer)
        assert "Late entry: iced." not in text and FOLLOW_UP["subjective"] not in text, url
        assert "addenda" not in text and "'plan'" not in text, url


def test_the_front_desk_reads_episodes_without_the_discharge_note(as_therapist, as_front_desk, episode):
    """Regression: the front desk read the therapist's discharge note in every episode view (the item, the patient's
    episodes, the worklist)."""
    note = "Discharged pain-free; referred back to the sports physician for the left hip."
    url = f"{API}/episodes/{episode['id']}"
    discharged = as_therapist.post(f"{url}/discharge", json={"reason": "goals_met", "note": note})
    assert discharged.status_code == 200 and discharged.get_json()["discharge_note"] == note
    assert read(as_therapist, url)["discharge_note"] == note

    for reading in (url, f"{API}/patients/{episode['patient_id']}/episodes", f"{API}/episodes"):
        answer = str(read(as_front_desk, reading))
        assert note not in answer and "discharge_note" not in answer, reading
    assert read(as_front_desk, url)["discharge_reason"] == "goals_met"  # the appointment level stays


def test_the_front_desk_may_not_give_a_diagnosis_and_nothing_is_opened(as_front_desk, as_therapist, create_patient):
    """The one field refused by role rather than by name: a diagnosis is a therapist's (403 naming the role, as the
    README and the operation document), and no episode is opened."""
    patient = create_patient()["id"]
    url = f"{API}/patients/{patient}/episodes"

    response = as_front_desk.post(url, json=KNEE_EPISODE)

    assert "therapist" in assert_problem(response, 403)["detail"]
    assert read(as_therapist, url)["total"] == 0


def test_the_front_desk_opens_an_episode_and_is_answered_as_it_reads_one(as_front_desk, create_patient):
    """The answer to the front desk's new pending episode is its own view of it (no discharge note field), with the
    ETag its GET returns right after."""
    created = as_front_desk.post(f"{API}/patients/{create_patient()['id']}/episodes", json=PENDING_EPISODE)

    assert created.status_code == 201
    assert "discharge_note" not in created.get_json()
    again = as_front_desk.get(created.headers["Location"])
    assert again.get_json() == created.get_json()
    assert again.headers["ETag"] == created.headers["ETag"]
