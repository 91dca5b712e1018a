"""Addenda: once a note is signed, any therapist adds to it (never changes it); each addendum is signed, shown in
order, and kept exactly as written."""
from __future__ import annotations

import pytest

from tests.factories import EVALUATION, NOTE_MAX, UNKNOWN_ID, assert_problem, visit_url


def test_a_draft_takes_no_addendum(as_therapist, evaluation):
    url = visit_url(evaluation["id"])

    response = as_therapist.post(f"{url}/addenda", json={"text": "Late entry."})

    assert_problem(response, 409)
    assert as_therapist.get(url).get_json()["addenda"] == []


def test_any_therapist_may_add_addenda_to_a_signed_visit_shown_in_order(as_therapist, as_other_therapist,
                                                                       signed_evaluation):
    url = visit_url(signed_evaluation["id"])

    first = as_therapist.post(f"{url}/addenda", json={"text": "Correction: hip abductors 4-/5."})
    second = as_other_therapist.post(f"{url}/addenda", json={"text": "Reviewed; agree with the plan."})

    assert first.status_code == 201 and second.status_code == 201, (first.get_json(), second.get_json())
    assert second.get_json()["author_id"] == str(as_other_therapist.user.id)
    assert second.get_json()["visit_id"] == signed_evaluation["id"]
    shown = as_therapist.get(url).get_json()
    assert [(a["text"], a["author_id"]) for a in shown["addenda"]] == [
        ("Correction: hip abductors 4-/5.", str(as_therapist.user.id)),
        ("Reviewed; agree with the plan.", str(as_other_therapist.user.id))]
    assert [a["id"] for a in shown["addenda"]] == [first.get_json()["id"], second.get_json()["id"]]
    assert all(a["signed_at"] for a in shown["addenda"])
    assert shown["plan"] == EVALUATION["plan"] and shown["status"] == "signed"


INVALID_ADDENDA = [
    ("text-missing", {}, "text"),
    ("text-null", {"text": None}, "text"),
    ("text-blank", {"text": "  \n "}, "text"),
    ("text-20001-chars", {"text": "x" * (NOTE_MAX + 1)}, "text"),
    ("text-nul", {"text": "Late\u0000entry"}, "text"),
    ("unknown-field", {"text": "Late entry.", "author_id": UNKNOWN_ID}, "author_id"),
]


@pytest.mark.parametrize(("body", "field"), [case[1:] for case in INVALID_ADDENDA],
                         ids=[case[0] for case in INVALID_ADDENDA])
def test_an_invalid_addendum_is_refused_and_nothing_is_stored(as_therapist, signed_evaluation, body, field):
    url = visit_url(signed_evaluation["id"])

    response = as_therapist.post(f"{url}/addenda", json=body)

    assert_problem(response, 422, field)
    assert as_therapist.get(url).get_json()["addenda"] == []


def test_an_addendum_of_20000_characters_is_kept(as_therapist, signed_evaluation):
    text = "x" * NOTE_MAX

    response = as_therapist.post(f"{visit_url(signed_evaluation['id'])}/addenda", json={"text": text})

    assert response.status_code == 201
    assert response.get_json()["text"] == text


def test_an_addendum_to_an_unknown_visit_is_not_found(as_therapist):
    response = as_therapist.post(f"/api/v1/visits/{UNKNOWN_ID}/addenda", json={"text": "x"})

    assert_problem(response, 404)
