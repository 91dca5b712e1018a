"""No browser or proxy keeps patient or staff data: every answer says nosniff, every answer that may carry
such data says no-store; a released questionnaire definition, which carries neither, may be kept privately."""
from __future__ import annotations

import hashlib

import pytest

from tests.factories import API


@pytest.mark.parametrize("path", ["/patients", "/auth/me", "/users", "/audit-events", "/questionnaires",
                                  "/patients/00000000-0000-4000-8000-000000000000"])
def test_answers_with_patient_or_staff_data_are_never_stored(as_admin, as_front_desk, path):
    client = as_admin if path in ("/users", "/audit-events", "/questionnaires") else as_front_desk
    answer = client.get(API + path)
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_patients_record_and_its_changes_are_never_stored(as_front_desk, create_patient):
    patient = create_patient()
    for answer in (as_front_desk.get(f"{API}/patients/{patient['id']}"),
                   as_front_desk.patch_current(f"{API}/patients/{patient['id']}", {"phone": "+1 555 010 0100"})):
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("path", "policy"), [("/questionnaires/kujala/versions/1", "private, max-age=86400"),
                                              ("/questionnaires/kujala", "private, no-cache")])
def test_a_released_definition_may_be_cached_privately(as_therapist, path, policy):
    answer = as_therapist.get(API + path)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert as_therapist.get(API + path, headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("path", ["/healthz", "/openapi.json", API + "/no-such-thing"])
def test_every_answer_says_nosniff(anonymous, path):
    assert anonymous.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_an_etag_is_the_digest_of_the_body_it_comes_with(as_front_desk, create_patient):
    """One serialisation makes the body and its tag; a write's If-Match is compared with the same tag."""
    patient = create_patient()
    path = f"{API}/patients/{patient['id']}"
    answer = as_front_desk.get(path)

    assert answer.headers["ETag"] == f'"{hashlib.sha1(answer.data, usedforsecurity=False).hexdigest()}"'
    changed = as_front_desk.patch(path, json={"phone": "+1 555 010 0100"}, headers={"If-Match": answer.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] == f'"{hashlib.sha1(changed.data, usedforsecurity=False).hexdigest()}"'
    assert as_front_desk.get(path).headers["ETag"] == changed.headers["ETag"]
