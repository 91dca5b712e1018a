"""A therapist discharges an episode once every note is signed, on or after its last visit, run or pain score;
a discharged episode is closed."""
from __future__ import annotations

import pytest

from tests.factories import FOLLOW_UP, assert_problem


def discharge(client, episode_id: str, discharge_date: str):
    return client.post(f"/api/v1/episodes/{episode_id}/discharge",
                       json={"discharge_date": discharge_date, "reason": "goals_met"})


def test_discharge_closes_the_episode(as_therapist, episode):
    url = f"/api/v1/episodes/{episode['id']}"

    response = as_therapist.post(f"{url}/discharge", json={"discharge_date": "2026-10-20", "reason": "goals_met",
                                                           "note": "Back to 40 km weeks.\n"})

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "discharged" and body["discharge_date"] == "2026-10-20"
    assert body["discharge_reason"] == "goals_met" and body["discharge_note"] == "Back to 40 km weeks.\n"
    again = as_therapist.post(f"{url}/discharge", json={"reason": "goals_met"})
    assert again.status_code == 409
    assert as_therapist.patch_current(url, {"side": "right"}).status_code == 409
    listed = as_therapist.get(f"/api/v1/patients/{episode['patient_id']}/episodes",
                              query_string={"status": "discharged"})
    assert listed.get_json()["total"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"discharge_date": "2026-08-01", "reason": "goals_met"}, "discharge_date"),
    ({"discharge_date": "2999-01-01", "reason": "goals_met"}, "discharge_date"),
    ({"reason": "bored"}, "reason"),
    ({}, "reason"),
])
def test_invalid_discharge_changes_nothing(as_therapist, episode, body, field):
    response = as_therapist.post(f"/api/v1/episodes/{episode['id']}/discharge", json=body)

    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert as_therapist.get(f"/api/v1/episodes/{episode['id']}").get_json()["status"] == "active"


def test_discharging_with_unsigned_notes_is_refused_listing_them(as_therapist, as_other_therapist, episode,
                                                                 signed_evaluation, create_visit):
    mine = create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-15", pain_scores=[])
    theirs = create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08", pain_scores=[],
                          client=as_other_therapist)

    response = discharge(as_therapist, episode["id"], "2026-09-20")

    body = assert_problem(response, 409)
    assert body["draft_visits"] == [
        {"id": theirs["id"], "visit_date": "2026-09-08", "therapist_id": str(as_other_therapist.user.id)},
        {"id": mine["id"], "visit_date": "2026-09-15", "therapist_id": str(as_therapist.user.id)}]
    shown = as_therapist.get(f"/api/v1/episodes/{episode['id']}").get_json()
    assert shown["status"] == "active" and shown["discharge_date"] is None


def test_once_every_note_is_signed_the_episode_may_be_discharged_on_its_last_visit(as_therapist, episode,
                                                                                    signed_evaluation,
                                                                                    create_signed_visit):
    create_signed_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-15", pain_scores=[])

    response = discharge(as_therapist, episode["id"], "2026-09-15")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "discharged"


@pytest.mark.parametrize("entry", ["visit", "run", "pain_score"])
def test_a_discharge_dated_before_the_last_visit_run_or_pain_score_is_refused(as_therapist, episode, signed_evaluation,
                                                                             create_signed_visit, create_run,
                                                                             create_pain_score, entry):
    if entry == "visit":
        create_signed_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-10", pain_scores=[])
    elif entry == "run":
        create_run(episode["id"], run_date="2026-09-10")
    else:
        create_pain_score(episode["id"], score=2, recorded_at="2026-09-10T08:00:00+00:00")

    response = discharge(as_therapist, episode["id"], "2026-09-09")

    assert_problem(response, 422, "discharge_date")
    assert as_therapist.get(f"/api/v1/episodes/{episode['id']}").get_json()["status"] == "active"
    assert discharge(as_therapist, episode["id"], "2026-09-10").status_code == 200
