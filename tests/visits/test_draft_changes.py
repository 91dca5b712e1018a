"""Changes to a draft visit note: only its author changes it, with the current ETag, and a change keeps the
visits in order and the pain scores recorded with them. Nothing refused changes anything."""
from __future__ import annotations

import pytest

from tests.factories import (
    EVALUATION,
    FOLLOW_UP,
    NOTE_MAX,
    assert_problem,
    days_ahead,
    resolved,
    stored_pain_scores,
    visit_url,
)

INTERVENTION = EVALUATION["interventions"][0]


def test_the_author_changes_a_draft_with_the_current_etag(as_therapist, evaluation):
    url = visit_url(evaluation["id"])
    changes = {"visit_date": "2026-09-02", "assessment": "PFP, left knee; hip weakness.",
               "interventions": [{"code": None, "description": "Gait retraining", "minutes": 15}],
               "home_exercises": []}

    response = as_therapist.patch_current(url, changes)

    assert response.status_code == 200, response.get_json()
    shown = as_therapist.get(url).get_json()
    assert {key: shown[key] for key in changes} == changes
    assert shown["subjective"] == EVALUATION["subjective"]
    assert [p["score"] for p in shown["pain_scores"]] == [7, 5]  # untouched without pain_scores


def test_another_therapist_may_not_change_a_draft(as_therapist, as_other_therapist, evaluation):
    url = visit_url(evaluation["id"])

    response = as_other_therapist.patch_current(url, {"plan": "Someone else's plan."})

    assert_problem(response, 403)
    assert as_therapist.get(url).get_json()["plan"] == EVALUATION["plan"]


def test_changing_a_visit_needs_if_match(as_therapist, evaluation):
    url = visit_url(evaluation["id"])

    response = as_therapist.patch(url, json={"plan": "No If-Match."})

    assert_problem(response, 428)
    assert as_therapist.get(url).get_json()["plan"] == EVALUATION["plan"]


def test_changing_a_visit_with_a_stale_etag_is_refused(as_therapist, evaluation):
    url = visit_url(evaluation["id"])
    stale = as_therapist.get(url).headers["ETag"]
    assert as_therapist.patch_current(url, {"plan": "First change."}).status_code == 200

    response = as_therapist.patch(url, json={"plan": "Second change."}, headers={"If-Match": stale})

    assert_problem(response, 412)
    assert as_therapist.get(url).get_json()["plan"] == "First change."


def test_a_change_never_rewrites_the_pain_scores_recorded_with_the_visit(as_therapist, episode, evaluation):
    url = visit_url(evaluation["id"])
    scores_before = stored_pain_scores(as_therapist, episode["id"])

    response = as_therapist.patch_current(url, {"pain_scores": []})

    assert_problem(response, 422, "pain_scores")
    assert stored_pain_scores(as_therapist, episode["id"]) == scores_before != []


def test_a_draft_takes_more_pain_scores_from_its_author_only(as_therapist, as_other_therapist, episode, evaluation):
    url = f"/api/v1/episodes/{episode['id']}/pain-scores"
    body = {"score": 1, "context": "squatting", "visit_id": evaluation["id"]}

    refused = as_other_therapist.post(url, json=body)
    added = as_therapist.post(url, json=body)

    assert_problem(refused, 403)
    assert added.status_code == 201, added.get_json()
    assert [(p["context"], p["score"]) for p in as_therapist.get(visit_url(evaluation["id"])).get_json()[
        "pain_scores"]] == [("stairs_down", 7), ("current", 5), ("squatting", 1)]


INVALID_CHANGES = [
    ("visit_type-null", {"visit_type": None}, "visit_type"),
    ("visit_type-unknown", {"visit_type": "consultation"}, "visit_type"),
    ("only-visit-not-initial", {"visit_type": "follow_up"}, "visit_type"),
    ("visit_date-before-start", {"visit_date": "2026-08-31"}, "visit_date"),
    ("visit_date-two-days-ahead", {"visit_date": lambda: days_ahead(2)}, "visit_date"),
    ("plan-20001-chars", {"plan": "p" * (NOTE_MAX + 1)}, "plan"),
    ("subjective-nul", {"subjective": "\u0000"}, "subjective"),
    ("interventions-minutes", {"interventions": [{**INTERVENTION, "minutes": 481}]}, "interventions.0.minutes"),
    ("unknown-field", {"status": "signed"}, "status"),
    ("interventions-description-missing", {"interventions": [{"code": "97110", "minutes": 10}]},
     "interventions.0.description"),
    ("home_exercises-name-missing", {"home_exercises": [{"sets": 3, "reps": 10}]}, "home_exercises.0.name"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_CHANGES],
                         ids=[case[0] for case in INVALID_CHANGES])
def test_an_invalid_change_is_refused_naming_the_field_and_changes_nothing(as_therapist, episode, evaluation,
                                                                          changes, field):
    url = visit_url(evaluation["id"])
    before = as_therapist.get(url).get_json()
    scores_before = stored_pain_scores(as_therapist, episode["id"])

    response = as_therapist.patch_current(url, resolved(changes))

    assert_problem(response, 422, field)
    assert as_therapist.get(url).get_json() == before
    assert stored_pain_scores(as_therapist, episode["id"]) == scores_before


def test_the_initial_evaluation_cannot_be_moved_after_a_later_visit(as_therapist, episode, evaluation, create_visit):
    create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08", pain_scores=[])
    url = visit_url(evaluation["id"])

    response = as_therapist.patch_current(url, {"visit_date": "2026-09-09"})

    assert_problem(response, 422, "visit_date")
    assert as_therapist.get(url).get_json()["visit_date"] == "2026-09-01"


def test_a_follow_up_cannot_be_moved_before_the_initial_evaluation(as_therapist, episode, evaluation, create_visit):
    url = visit_url(create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08", pain_scores=[])["id"])
    as_therapist.patch_current(visit_url(evaluation["id"]), {"visit_date": "2026-09-03"})

    response = as_therapist.patch_current(url, {"visit_date": "2026-09-02"})

    assert_problem(response, 422, "visit_date")
    assert as_therapist.get(url).get_json()["visit_date"] == "2026-09-08"


def test_a_follow_up_cannot_become_a_second_initial_evaluation(as_therapist, episode, evaluation, create_visit):
    url = visit_url(create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08", pain_scores=[])["id"])

    response = as_therapist.patch_current(url, {"visit_type": "initial_evaluation"})

    assert_problem(response, 409)
    assert as_therapist.get(url).get_json()["visit_type"] == "follow_up"
