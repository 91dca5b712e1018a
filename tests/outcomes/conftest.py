"""The hand-worked knee episode the outcome endpoints are checked against, built through the API.

Maddie (pre-injury 40 km a week), knee episode from Tuesday 1 September 2026, discharged 2 October 2026:

- NPRS 6 (1 Sep) → 5 (15 Sep, replaced by a correction: 4) → 2 (29 Sep); a follow-up of 3 on 15 November.
- Kujala 56 (1 Sep) → 88 (29 Sep).
- Pain going down stairs at the visits, each score taken with its visit: 7 (1 Sep) → 5 (8 Sep) → 4 (15 Sep) →
  3 (22 Sep) → 1 (29 Sep); a 9 at a draft visit of 10 September that was voided, a 9 at a signed visit of
  12 September marked entered in error, and an 8 of 20 September marked entered in error: none counts.
  Current pain: 5 once, at the evaluation.
- Runs by week (Monday): 7 Sep 20 km; 14 Sep 30 km (a 10 km run marked entered in error would make it 40);
  21 Sep 40 km with one run at 3/10; 28 Sep 41 km, every run at most 2/10: the return week.
- One goal, met at discharge.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.factories import API, FOLLOW_UP, KUJALA_56, KUJALA_88, created

REASON = {"reason": "Written in the wrong chart."}


def stairs(score: int) -> list[dict[str, Any]]:
    return [{"score": score, "context": "stairs_down"}]


@pytest.fixture
def later_visit(create_signed_visit):
    """``later_visit(episode_id, day, stairs_score)``: a signed follow-up visit with a pain score on stairs."""
    def create(episode_id: str, day: str, score: int, **fields: Any) -> dict[str, Any]:
        return create_signed_visit(episode_id, **{**FOLLOW_UP, "visit_date": day, "pain_scores": stairs(score),
                                                  **fields})
    return create


@pytest.fixture
def worked(as_therapist, create_episode, create_signed_visit, create_visit, create_response, create_pain_score,
           create_run, create_goal, later_visit) -> dict[str, Any]:
    """The hand-worked episode: the ids of its records, by name."""
    episode = create_episode()["id"]
    ids: dict[str, Any] = {"episode": episode}
    ids["nprs_1"] = create_response(episode, answers={"pain": 6}, taken_at="2026-09-01T09:00:00+00:00")["id"]
    ids["kujala_1"] = create_response(episode, questionnaire="kujala", answers=KUJALA_56,
                                      taken_at="2026-09-01T09:30:00+00:00")["id"]
    evaluation = create_signed_visit(episode)
    ids["visits"] = [evaluation["id"]]
    ids["current"] = next(s["id"] for s in evaluation["pain_scores"] if s["context"] == "current")
    ids["stairs"] = [next(s["id"] for s in evaluation["pain_scores"] if s["context"] == "stairs_down")]
    for day, score in (("2026-09-08", 5), ("2026-09-15", 4), ("2026-09-22", 3), ("2026-09-29", 1)):
        visit = later_visit(episode, day, score)
        ids["visits"].append(visit["id"])
        ids["stairs"].append(visit["pain_scores"][0]["id"])
    _not_counted(as_therapist, episode, create_visit, create_pain_score, later_visit)
    replaced = create_response(episode, answers={"pain": 5}, taken_at="2026-09-15T09:00:00+00:00")["id"]
    ids["replaced"] = replaced
    ids["nprs_2"] = create_response(episode, answers={"pain": 4}, replaces=replaced, taken_at=...)["id"]
    ids["nprs_3"] = create_response(episode, answers={"pain": 2}, taken_at="2026-09-29T09:00:00+00:00")["id"]
    ids["kujala_2"] = create_response(episode, questionnaire="kujala", answers=KUJALA_88,
                                      taken_at="2026-09-29T09:30:00+00:00")["id"]
    ids["runs"] = _runs(as_therapist, episode, create_run)
    ids["goal"] = create_goal(episode, text="Back to 40 km a week, pain-free")["id"]
    created(as_therapist.post(f"{API}/episodes/{episode}/discharge", json={
        "reason": "goals_met", "discharge_date": "2026-10-02", "goals": [{"id": ids["goal"], "status": "met"}]}), 200)
    ids["nprs_follow_up"] = create_response(episode, answers={"pain": 3}, follow_up=True,
                                            taken_at="2026-11-15T10:00:00+00:00")["id"]
    return ids


def _not_counted(client, episode: str, create_visit, create_pain_score, later_visit) -> None:
    """A voided draft and a note marked entered in error, each with a 9 on stairs, and an 8 marked in error."""
    draft = create_visit(episode, **FOLLOW_UP, visit_date="2026-09-10", pain_scores=stairs(9))
    created(client.post(f"{API}/visits/{draft['id']}/void", json={"reason": "A duplicate."}), 200)
    wrong_chart = later_visit(episode, "2026-09-12", 9)
    created(client.post(f"{API}/visits/{wrong_chart['id']}/entered-in-error", json=REASON), 200)
    score = create_pain_score(episode, score=8, context="stairs_down", recorded_at="2026-09-20T10:00:00+00:00")
    created(client.post(f"{API}/pain-scores/{score['id']}/entered-in-error", json=REASON), 200)


def _runs(client, episode: str, create_run) -> dict[str, list[str]]:
    """The runs by the Monday of their week; the one marked entered in error left out."""
    weeks = {"2026-09-07": [("2026-09-08", 10, 1, 1), ("2026-09-10", 10, 2, 0)],
             "2026-09-14": [("2026-09-15", 15, 1, 0), ("2026-09-17", 15, 2, 1)],
             "2026-09-21": [("2026-09-22", 20, 3, 2), ("2026-09-24", 20, 1, 1)],
             "2026-09-28": [("2026-09-29", 20, 1, 1), ("2026-10-01", 21, 2, 2)]}
    ids = {monday: [create_run(episode, run_date=day, distance_km=km, duration_min=6 * km, pain_during=during,
                               pain_after=after)["id"] for day, km, during, after in runs]
           for monday, runs in weeks.items()}
    wrong = create_run(episode, run_date="2026-09-16", distance_km=10, duration_min=60, pain_during=0, pain_after=0)
    created(client.post(f"{API}/runs/{wrong['id']}/entered-in-error", json=REASON), 200)
    return ids
