"""A discharged episode takes no new visit, pain score, run or goal, its goals no longer change, and its record
stays readable."""
from __future__ import annotations

import pytest

from tests.factories import FOLLOW_UP, assert_problem, created, listed, read, sign_visit, stored_visits, visits_url


@pytest.fixture
def discharged(as_therapist, ep, episode, draft_visit, goal, create_run) -> dict:
    """The episode discharged on 2026-10-01, with a signed visit, a run and a goal settled as not met."""
    sign_visit(as_therapist, draft_visit["id"])
    create_run(episode["id"], run_date="2026-09-05", distance_km=3, duration_min=20, pain_during=1, pain_after=1,
               run_walk=..., surface=..., notes=...)
    return created(as_therapist.post(f"{ep}/discharge", json={"discharge_date": "2026-10-01", "reason": "plateau",
                                                              "goals": [{"id": goal["id"], "status": "not_met"}]}),
                   200)


@pytest.mark.parametrize(("path", "body"), [
    ("pain-scores", {"score": 2, "context": "current", "recorded_at": "2026-09-20T10:00:00+00:00"}),
    ("runs", {"run_date": "2026-09-20", "distance_km": 5, "duration_min": 30, "pain_during": 0, "pain_after": 0}),
    ("goals", {"text": "Run a half marathon"}),
], ids=["pain-scores", "runs", "goals"])
def test_a_discharged_episode_takes_no_new_pain_scores_runs_or_goals(as_therapist, ep, discharged, path, body):
    before = listed(as_therapist, f"{ep}/{path}")

    response = as_therapist.post(f"{ep}/{path}", json=body)

    assert_problem(response, 409)
    assert listed(as_therapist, f"{ep}/{path}") == before


def test_the_goals_of_a_discharged_episode_no_longer_change(as_therapist, discharged, goal):
    url = f"/api/v1/goals/{goal['id']}"

    response = as_therapist.patch_current(url, {"status": "met", "status_date": "2026-09-30"})

    assert_problem(response, 409)
    assert as_therapist.get(url).get_json()["status"] == "not_met"


def test_the_record_of_a_discharged_episode_stays_readable(as_therapist, ep, discharged):
    assert len(listed(as_therapist, f"{ep}/runs")) == 1
    assert len(listed(as_therapist, f"{ep}/goals")) == 1
    assert read(as_therapist, f"{ep}/runs/weekly")["weeks"][0]["runs"] == 1


@pytest.mark.parametrize("visit_date", ["2026-09-20", "2026-10-01", "2026-10-02"])
def test_a_discharged_episode_takes_no_new_visit(as_therapist, episode, discharged, visit_date):
    response = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": visit_date})

    assert_problem(response, 409)
    assert len(stored_visits(as_therapist, episode["id"])) == 1
