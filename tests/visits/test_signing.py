"""Signing a visit note: the author signs a complete draft, and a signed note never changes (addenda:
test_addenda)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import EVALUATION, assert_problem, visit_url

SOAP = ("subjective", "objective", "assessment", "plan")


def test_signing_a_complete_draft_stamps_the_signer_and_the_time(as_therapist, evaluation):
    before = datetime.now(UTC)

    response = as_therapist.post(f"{visit_url(evaluation['id'])}/sign")

    assert response.status_code == 200, response.get_json()
    signed = response.get_json()
    assert signed["status"] == "signed"
    assert signed["signed_by"] == str(as_therapist.user.id)
    signed_at = datetime.fromisoformat(signed["signed_at"])
    assert before - timedelta(seconds=5) <= signed_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert {name: signed[name] for name in SOAP} == {name: EVALUATION[name] for name in SOAP}
    assert as_therapist.get(visit_url(evaluation["id"])).get_json()["status"] == "signed"


@pytest.mark.parametrize("missing", [("plan",), ("subjective", "assessment"), SOAP],
                         ids=["plan", "subjective+assessment", "all-four"])
def test_signing_needs_all_four_soap_parts_and_names_the_missing_ones(as_therapist, episode, create_visit, missing):
    draft = create_visit(episode["id"], **dict.fromkeys(missing, ...))

    response = as_therapist.post(f"{visit_url(draft['id'])}/sign")

    body = assert_problem(response, 422)
    assert set(body["errors"]) == set(missing)
    shown = as_therapist.get(visit_url(draft["id"])).get_json()
    assert (shown["status"], shown["signed_by"], shown["signed_at"]) == ("draft", None, None)


def test_the_refusal_of_an_incomplete_note_is_as_documented(as_therapist, episode, create_visit, conforms):
    # Found by the fuzzer (tests/fuzz): POST /visits/{id}/sign answered a 422 its document did not list.
    draft = create_visit(episode["id"], plan=...)

    response = as_therapist.post(f"{visit_url(draft['id'])}/sign")

    assert_problem(response, 422)
    conforms(response, "/api/v1/visits/{visit_id}/sign", "post")


def test_a_soap_part_set_to_null_must_be_written_again_before_signing(as_therapist, evaluation):
    url = visit_url(evaluation["id"])
    as_therapist.patch_current(url, {"objective": None})

    refused = as_therapist.post(f"{url}/sign")
    as_therapist.patch_current(url, {"objective": "Squat pain-free to 60°."})
    signed = as_therapist.post(f"{url}/sign")

    assert list(assert_problem(refused, 422)["errors"]) == ["objective"]
    assert signed.status_code == 200


def test_only_the_author_may_sign_a_draft(as_therapist, as_other_therapist, evaluation):
    response = as_other_therapist.post(f"{visit_url(evaluation['id'])}/sign")

    assert_problem(response, 403)
    shown = as_therapist.get(visit_url(evaluation["id"])).get_json()
    assert (shown["status"], shown["signed_by"], shown["signed_at"]) == ("draft", None, None)


def test_a_signed_visit_cannot_be_signed_again(as_therapist, signed_evaluation):
    response = as_therapist.post(f"{visit_url(signed_evaluation['id'])}/sign")

    assert_problem(response, 409)
    assert as_therapist.get(visit_url(signed_evaluation["id"])).get_json()["signed_at"] == \
        signed_evaluation["signed_at"]


@pytest.mark.parametrize("client", ["as_therapist", "as_other_therapist"])
def test_a_signed_visit_never_changes(request, as_therapist, signed_evaluation, client):
    url = visit_url(signed_evaluation["id"])

    response = request.getfixturevalue(client).patch_current(url, {"plan": "Changed after signing."})

    assert_problem(response, 409)
    shown = as_therapist.get(url).get_json()
    assert shown["plan"] == EVALUATION["plan"] and shown["updated_at"] == signed_evaluation["updated_at"]
