"""GET /episodes/{id}/outcomes/story and /outcomes/chart.svg over HTTP: told and drawn from the figures of the
episode's outcome (the hand-worked episode of tests/outcomes/conftest.py)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from tests.factories import API, KNEE_EPISODE, assert_problem, outcomes_url, read

SVG = "{http://www.w3.org/2000/svg}"


def ids_in(outcome: dict[str, Any]) -> set[str]:
    """Every record id the outcome answer names."""
    found = {outcome["episode_id"], *(visit["id"] for visit in outcome["visits"]),
             *(goal["id"] for goal in outcome["goals"]), *(flag["id"] for flag in outcome["red_flags"])}
    for measure in outcome["measures"]:
        singles = [measure[name] for name in ("baseline", "latest", "first_mcid", "mcid_lost") if measure[name]]
        found |= {point["source_id"] for point in singles + measure["series"] + measure["follow_ups"]}
    back = outcome["return_to_run"]
    return found | set(back["source_ids"]) | set((back["nearest_week"] or {}).get("source_ids", []))


def test_every_sentence_carries_ids_that_the_outcome_answer_names(as_therapist, worked):
    outcome = read(as_therapist, outcomes_url(worked["episode"]))
    story = read(as_therapist, f"{outcomes_url(worked['episode'])}/story")

    assert story["episode_id"] == worked["episode"]
    assert len(story["sentences"]) >= 8
    for sentence in story["sentences"]:
        assert sentence["source_ids"], sentence["text"]
        assert set(sentence["source_ids"]) <= ids_in(outcome), sentence


def test_the_story_tells_the_figures_of_the_outcome(as_therapist, worked):
    told = {s["text"]: s["source_ids"] for s in read(as_therapist, f"{outcomes_url(worked['episode'])}/story")
            ["sentences"]}

    assert told["Care ran from 1 September 2026 to 2 October 2026: 5 visits in 31 days."] == [worked["episode"]]
    assert told["Pain going down stairs fell from 7/10 to 1/10 over 5 visits (4 weeks)."] == [
        worked["stairs"][0], worked["stairs"][-1], worked["episode"]]
    back = next(ids for text, ids in told.items() if text.startswith("Back to 41 km a week, pain-free"))
    assert back == [*worked["runs"]["2026-09-28"], worked["episode"]]
    follow_up = next(ids for text, ids in told.items() if "after discharge" in text)
    assert follow_up[0] == worked["nprs_follow_up"]
    assert told["Goal met on 2 October 2026: “Back to 40 km a week, pain-free”."] == [worked["goal"]]
    # A measure with one score and no headline (current pain) is not told.
    assert not any("Current pain" in text for text in told)


def test_a_pending_episode_has_no_story_yet(as_therapist, as_front_desk, create_episode):
    pending = create_episode(client=as_front_desk, diagnosis_code=..., diagnosis_text=...)
    assert pending["status"] == "pending"

    assert read(as_therapist, outcomes_url(pending["id"]))["status"] == "pending"
    problem = assert_problem(as_therapist.get(f"{outcomes_url(pending['id'])}/story"), 409)
    assert problem["episode_status"] == "pending"


def test_the_chart_is_svg_that_names_the_measures(as_therapist, worked):
    answer = as_therapist.get(f"{outcomes_url(worked['episode'])}/chart.svg")

    assert answer.status_code == 200
    assert answer.content_type == "image/svg+xml"
    assert answer.headers["Cache-Control"] == "no-store"
    root = ET.fromstring(answer.data)  # noqa: S314 -- our own output, not untrusted input
    assert root.tag == f"{SVG}svg"
    texts = {"".join(element.itertext()).strip() for element in root.iter(f"{SVG}text")}
    assert {f"{KNEE_EPISODE['diagnosis_text']}: care from 1 September 2026 to 2 October 2026",
            "The Numeric Pain Rating Scale (NPRS) (lower is better)",
            "The Anterior Knee Pain Scale (Kujala) (higher is better)",
            "Pain going down stairs (lower is better)", "Weekly running distance", "Pre-injury weekly distance",
            "Pain-free week at pre-injury distance", "Follow-up"} <= texts
    assert "Current pain (lower is better)" not in texts  # one score: not a headline measure


def test_the_chart_of_an_episode_without_records_still_draws(as_therapist, episode):
    answer = as_therapist.get(f"{outcomes_url(episode['id'])}/chart.svg")

    texts = {"".join(e.itertext()).strip() for e in ET.fromstring(answer.data).iter(f"{SVG}text")}  # noqa: S314
    assert "No runs logged" in texts


def test_the_chart_is_documented_as_an_svg_image_and_its_errors_as_problems(anonymous):
    operation = anonymous.get("/openapi.json").get_json()["paths"][
        "/api/v1/episodes/{episode_id}/outcomes/chart.svg"]["get"]

    assert list(operation["responses"]["200"]["content"]) == ["image/svg+xml"]
    for status in ("401", "403", "404", "409"):
        assert list(operation["responses"][status]["content"]) == ["application/problem+json"], status
    assert operation["tags"] == ["outcomes"]
    assert operation["x-roles"] == ["therapist"]


def test_the_outcome_operations_say_who_may_call_them(anonymous):
    paths = anonymous.get("/openapi.json").get_json()["paths"]
    for path in ("/api/v1/episodes/{episode_id}/outcomes", "/api/v1/episodes/{episode_id}/outcomes/story",
                 "/api/v1/episodes/{episode_id}/outcomes/chart.svg", "/api/v1/patients/{patient_id}/outcomes"):
        operation = paths[path]["get"]
        assert "(therapists)" in operation["summary"], path
        assert operation["description"], path


def test_story_and_chart_reads_are_audited(as_admin, as_therapist, episode):
    for suffix in ("/story", "/chart.svg"):
        assert as_therapist.get(outcomes_url(episode["id"]) + suffix).status_code == 200

    events = read(as_admin, f"{API}/audit-events", action="episode.outcomes_read")["items"]
    assert sorted(event["details"]["view"] for event in events) == ["chart", "story"]
    assert {event["patient_id"] for event in events} == {episode["patient_id"]}
