"""GET /patients/{id}/outcomes over HTTP: one line per episode of the patient, its headline measures baseline →
latest, and a fixed number of SQL statements whatever the number of episodes."""
from __future__ import annotations

from typing import Any

import pytest

from tests.factories import API, FOLLOW_UP, UNKNOWN_ID, assert_problem, created, read


def summary_url(patient_id: str) -> str:
    return f"{API}/patients/{patient_id}/outcomes"


def brief(point: dict[str, Any] | None) -> tuple[Any, ...] | None:
    return None if point is None else (point["value"], point["source_id"])


@pytest.fixture
def second(worked, as_therapist, create_episode, create_signed_visit, create_pain_score, create_response):
    """A second episode of the same patient, in care since 5 October: right knee, NPRS once, stairs twice."""
    patient = read(as_therapist, f"{API}/episodes/{worked['episode']}")["patient_id"]
    episode = create_episode(patient, side="right", start_date="2026-10-05", onset_date="2026-10-01",
                             diagnosis_text="Patellofemoral pain syndrome, right knee", diagnosis_code="M22.2X1")
    visit = create_signed_visit(episode["id"], visit_date="2026-10-05", pain_scores=[
        {"score": 6, "context": "stairs_down"}])
    later = create_pain_score(episode["id"], score=5, context="stairs_down", recorded_at="2026-10-12T10:00:00+00:00")
    nprs = create_response(episode["id"], answers={"pain": 5}, taken_at="2026-10-05T09:00:00+00:00")
    return {"patient": patient, "episode": episode["id"], "stairs": [visit["pain_scores"][0]["id"], later["id"]],
            "nprs": nprs["id"]}


def test_one_line_per_episode_latest_start_first(as_therapist, worked, second, create_episode):
    mistaken = create_episode(second["patient"])
    created(as_therapist.post(f"{API}/episodes/{mistaken['id']}/entered-in-error", json={"reason": "Duplicate."}),
            200)

    answer = read(as_therapist, summary_url(second["patient"]))

    assert answer["patient_id"] == second["patient"]
    assert [(line["episode_id"], line["status"], line["start_date"], line["discharge_date"])
            for line in answer["episodes"]] == [(second["episode"], "active", "2026-10-05", None),
                                                (worked["episode"], "discharged", "2026-09-01", "2026-10-02")]
    assert answer["episodes"][1]["diagnosis_text"] == "Patellofemoral pain syndrome, left knee"
    assert (answer["episodes"][1]["visits_count"], answer["episodes"][1]["days_in_care"]) == (5, 31)


def test_the_headline_measures_baseline_to_latest(as_therapist, worked, second):
    done, active = (line for line in reversed(read(as_therapist, summary_url(second["patient"]))["episodes"]))

    assert [(m["key"], brief(m["baseline"]), brief(m["latest"]), m["change"], m["mcid_reached"])
            for m in done["headline"]] == [
        ("nprs", (6, worked["nprs_1"]), (2, worked["nprs_3"]), 4, True),
        ("kujala", (56, worked["kujala_1"]), (88, worked["kujala_2"]), 32, True),
        ("pain.stairs_down", (7, worked["stairs"][0]), (1, worked["stairs"][-1]), 6, True)]
    assert done["return_to_run"] == {"reached": True, "week_start": "2026-09-28", "distance_km": 41,
                                     "weeks_since_start": 4, "reason": None}
    # The NPRS once (a baseline, no change); stairs 6 → 5 is below the MCID of 2 points (30 % of 6 is 1.8).
    assert [(m["key"], brief(m["baseline"]), brief(m["latest"]), m["change"], m["mcid_reached"])
            for m in active["headline"]] == [
        ("nprs", (5, second["nprs"]), None, None, None),
        ("pain.stairs_down", (6, second["stairs"][0]), (5, second["stairs"][1]), 1, False)]
    assert active["return_to_run"]["reason"] == "not_yet"


def test_a_patient_without_episodes_has_no_lines(as_therapist, create_patient):
    patient = create_patient()["id"]
    assert read(as_therapist, summary_url(patient)) == {"patient_id": patient, "episodes": []}


def test_each_episode_shown_is_an_audited_read(as_admin, as_therapist, worked, second):
    read(as_therapist, summary_url(second["patient"]))

    events = read(as_admin, f"{API}/audit-events", action="episode.outcomes_read")["items"]
    assert sorted(event["resource_id"] for event in events) == sorted([worked["episode"], second["episode"]])
    assert {event["patient_id"] for event in events} == {second["patient"]}


def test_only_therapists_read_a_patients_outcomes(as_front_desk, as_admin, anonymous, as_therapist, episode):
    url = summary_url(episode["patient_id"])
    assert_problem(as_front_desk.get(url), 403)
    assert_problem(as_admin.get(url), 403)
    assert_problem(anonymous.get(url), 401)
    assert_problem(as_therapist.get(summary_url(UNKNOWN_ID)), 404)


def add_episode(patient_id: str, create_episode, create_visit, create_response, create_run) -> None:
    episode = create_episode(patient_id)["id"]
    create_visit(episode, pain_scores=[{"score": 6, "context": "stairs_down"}])
    create_visit(episode, **FOLLOW_UP, visit_date="2026-09-08", pain_scores=[{"score": 3, "context": "stairs_down"}])
    create_response(episode)
    create_run(episode)


def test_the_same_number_of_statements_for_one_episode_and_for_four(as_therapist, count_queries, create_patient,
                                                                     create_episode, create_visit, create_response,
                                                                     create_run):
    patient = create_patient()["id"]
    counts = {}
    for episodes in (1, 4):
        while len(read(as_therapist, summary_url(patient))["episodes"]) < episodes:
            add_episode(patient, create_episode, create_visit, create_response, create_run)
        with count_queries() as counter:
            assert len(read(as_therapist, summary_url(patient))["episodes"]) == episodes
        counts[episodes] = counter.count
    assert counts[1] == counts[4], counts
