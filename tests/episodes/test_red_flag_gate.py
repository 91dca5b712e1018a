"""A red flag asks for clinician review before treatment: the initial evaluation is not signed while a flag
of the episode is open, and the acknowledgement (with its note) is what unblocks it."""
from __future__ import annotations

from tests.factories import API, FOLLOW_UP, assert_problem, intake, read, sign_visit


def test_an_open_red_flag_blocks_signing_the_initial_evaluation(as_therapist, create_response, evaluation, episode):
    create_response(episode["id"], **intake(calf_pain_swelling=True))

    body = assert_problem(as_therapist.post(f"{API}/visits/{evaluation['id']}/sign"), 409)

    assert [flag["code"] for flag in body["open_red_flags"]] == ["dvt"]
    assert read(as_therapist, f"{API}/visits/{evaluation['id']}")["status"] == "draft"


def test_the_acknowledgement_unblocks_it(as_therapist, create_response, evaluation, episode):
    create_response(episode["id"], **intake(calf_pain_swelling=True))
    as_therapist.post(f"{API}/episodes/{episode['id']}/red-flags/dvt/acknowledge",
                      json={"note": "Calf soft, no swelling on exam; Wells score 0."})

    assert sign_visit(as_therapist, evaluation["id"])["status"] == "signed"


def test_a_flag_raised_later_does_not_block_other_notes(as_therapist, create_response, create_visit,
                                                        signed_evaluation, episode):
    follow_up = create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08")
    create_response(episode["id"], **intake(taken_at="2026-09-08T09:00:00+00:00", night_pain_wakes=True))

    assert sign_visit(as_therapist, follow_up["id"])["status"] == "signed"
