"""Requests in the same episode at the same moment: the rules hold on both databases."""
from __future__ import annotations

import pytest

from tests.factories import EVALUATION, at_once, post_episode, post_patient, post_visit, visit_url, visits_url


@pytest.fixture
def therapist(fresh_app, new_staff):
    """A therapist on an app of its own database, where every request commits for real."""
    return new_staff(fresh_app, "therapist")


@pytest.fixture
def episode_id(therapist) -> str:
    return post_episode(therapist, post_patient(therapist)["id"])["id"]


def test_concurrent_initial_evaluations_leave_one(therapist, episode_id):
    url = visits_url(episode_id)

    answers = at_once(therapist, ("POST", url, EVALUATION), ("POST", url, EVALUATION))

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    assert therapist.get(url).get_json()["total"] == 1


@pytest.mark.parametrize("attempt", range(3))
def test_a_pain_score_racing_a_signature_never_changes_the_signed_note(therapist, episode_id, attempt):
    visit = post_visit(therapist, episode_id)

    signed, scored = at_once(therapist, ("POST", f"{visit_url(visit['id'])}/sign", None),
                             ("POST", f"/api/v1/episodes/{episode_id}/pain-scores",
                              {"score": 2, "context": "current", "visit_id": visit["id"]}))

    assert signed.status_code == 200, signed.get_json()
    assert scored.status_code in (201, 409), scored.get_json()
    shown = therapist.get(visit_url(visit["id"])).get_json()
    assert shown["pain_scores"] == signed.get_json()["pain_scores"]
    assert len(shown["pain_scores"]) == (3 if scored.status_code == 201 else 2)


def test_a_draft_changed_while_a_pain_score_is_added_to_it_deadlocks_neither(therapist, episode_id):
    visit = post_visit(therapist, episode_id)
    etag = therapist.get(visit_url(visit["id"])).headers["ETag"]

    changed, scored = at_once(therapist, ("PATCH", visit_url(visit["id"]), {"plan": "Add hopping."}),
                              ("POST", f"/api/v1/episodes/{episode_id}/pain-scores",
                               {"score": 2, "context": "current", "visit_id": visit["id"]}),
                              headers={"If-Match": etag})

    assert scored.status_code == 201, scored.get_json()
    # The score landing first changes the note's ETag: the change is then stale (412), never a deadlock (503).
    assert changed.status_code in (200, 412), changed.get_json()
