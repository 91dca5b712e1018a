"""GET /episodes/{id}/outcomes over HTTP: the hand-worked episode (tests/outcomes/conftest.py) checked number by
number against its records, what never counts, follow-ups, one score, the roles, and a fixed number of SQL
statements whatever the length of the episode.

The expected figures are worked by hand from the Outcome rules: NPRS improves by at least 2 points or 30 % of
baseline (Farrar 2001), Kujala by 10 points (Crossley 2004); a pain score is an NPRS rating."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.factories import API, FOLLOW_UP, UNKNOWN_ID, assert_problem, created, intake, outcomes_url, read


def by_key(outcome: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {measure["key"]: measure for measure in outcome["measures"]}


def point(value: int, time: str, source_id: str) -> dict[str, Any]:
    return {"value": value, "time": time, "source_id": source_id}


@pytest.fixture
def answer(as_therapist, worked) -> dict[str, Any]:
    return read(as_therapist, outcomes_url(worked["episode"]))


def test_the_episode_in_care_and_its_visits(answer, worked):
    assert (answer["episode_id"], answer["status"], answer["start_date"], answer["discharge_date"]) == (
        worked["episode"], "discharged", "2026-09-01", "2026-10-02")
    # Five visits took place: the voided draft and the note entered in error are not among them.
    assert answer["visits_count"] == 5
    assert [visit["id"] for visit in answer["visits"]] == worked["visits"]
    assert answer["days_in_care"] == 31  # 1 September to 2 October
    assert answer["pre_injury_weekly_km"] == 40
    assert [measure["key"] for measure in answer["measures"]] == ["nprs", "kujala", "pain.current", "pain.stairs_down"]
    assert [m["key"] for m in answer["measures"] if m["headline"]] == ["nprs", "kujala", "pain.stairs_down"]
    assert [(goal["id"], goal["status"], goal["status_date"]) for goal in answer["goals"]] == [
        (worked["goal"], "met", "2026-10-02")]
    assert answer["red_flags"] == []


def test_nprs_from_6_to_2_reaches_its_mcid_at_the_corrected_4(answer, worked):
    nprs = by_key(answer)["nprs"]

    assert (nprs["kind"], nprs["questionnaire"], nprs["versions"], nprs["unit"], nprs["direction"]) == (
        "questionnaire", "nprs", [1], "/10", "lower_is_better")
    assert nprs["baseline"] == point(6, "2026-09-01T09:00:00+00:00", worked["nprs_1"])
    assert nprs["latest"] == point(2, "2026-09-29T09:00:00+00:00", worked["nprs_3"])  # not the follow-up's 3
    assert (nprs["change"], nprs["percent_change"]) == (4, 66.7)  # 6 − 2; 4 / 6
    assert (nprs["mcid"]["points"], nprs["mcid"]["percent"]) == (2, 30)
    assert nprs["mcid"]["source"].startswith("Farrar JT")
    # The replaced 5 of 15 September never counts; its correction (4, kept at that time) does: 6 − 4 = 2 points.
    assert nprs["first_mcid"] == point(4, "2026-09-15T09:00:00+00:00", worked["nprs_2"])
    assert (nprs["mcid_reached"], nprs["mcid_sustained"], nprs["mcid_lost"]) == (True, True, None)
    # 14 days; the visits of 1, 8 and 15 September (not the voided one of the 10th, nor that of the 12th).
    assert (nprs["days_to_mcid"], nprs["visits_to_mcid"]) == (14, 3)
    assert (nprs["days_to_latest"], nprs["visits_to_latest"]) == (28, 5)
    assert [p["source_id"] for p in nprs["series"]] == [worked["nprs_1"], worked["nprs_2"], worked["nprs_3"]]
    assert [p["value"] for p in nprs["series"]] == [6, 4, 2]
    # Beside the series, with its change from the baseline of 6.
    assert nprs["follow_ups"] == [{**point(3, "2026-11-15T10:00:00+00:00", worked["nprs_follow_up"]), "change": 3}]


def test_kujala_from_56_to_88(answer, worked):
    kujala = by_key(answer)["kujala"]

    assert kujala["baseline"] == point(56, "2026-09-01T09:30:00+00:00", worked["kujala_1"])
    assert kujala["latest"] == point(88, "2026-09-29T09:30:00+00:00", worked["kujala_2"])
    assert (kujala["change"], kujala["percent_change"]) == (32, 57.1)  # 32 / 56 = 57.14 %
    assert kujala["mcid"] == {"points": 10, "percent": None,
                              "source": "Crossley KM et al. Arch Phys Med Rehabil 2004;85(5):815-822"}
    assert kujala["first_mcid"]["source_id"] == worked["kujala_2"]
    assert (kujala["mcid_reached"], kujala["days_to_mcid"], kujala["visits_to_mcid"], kujala["mcid_sustained"]) == (
        True, 28, 5, True)
    assert kujala["range"] == {"min": 0, "max": 100}
    assert kujala["follow_ups"] == []


def test_pain_on_stairs_from_7_to_1_over_the_visits(answer, worked):
    stairs = by_key(answer)["pain.stairs_down"]

    assert (stairs["kind"], stairs["context"], stairs["questionnaire"], stairs["label"]) == (
        "pain", "stairs_down", None, "pain going down stairs")
    # Scores taken with a visit default to midday of its day; the voided 9, the 9 of the note entered in error
    # and the 8 entered in error are not in the series.
    assert [(p["value"], p["time"][:10], p["source_id"]) for p in stairs["series"]] == list(zip(
        [7, 5, 4, 3, 1], ["2026-09-01", "2026-09-08", "2026-09-15", "2026-09-22", "2026-09-29"], worked["stairs"],
        strict=True))
    assert stairs["baseline"] == point(7, "2026-09-01T12:00:00+00:00", worked["stairs"][0])
    assert stairs["latest"] == point(1, "2026-09-29T12:00:00+00:00", worked["stairs"][-1])
    assert (stairs["change"], stairs["percent_change"]) == (6, 85.7)  # 6 / 7
    # 7 − 5 = 2 points (30 % of 7 is 2.1): reached at the second visit, 7 days in, and held.
    assert stairs["first_mcid"]["source_id"] == worked["stairs"][1]
    assert (stairs["days_to_mcid"], stairs["visits_to_mcid"], stairs["mcid_sustained"]) == (7, 2, True)


def test_a_measure_with_one_score_has_a_baseline_and_no_change(answer, worked):
    current = by_key(answer)["pain.current"]

    assert current["baseline"] == point(5, "2026-09-01T12:00:00+00:00", worked["current"])
    assert [current[name] for name in ("latest", "change", "percent_change", "mcid_reached", "first_mcid",
                                       "days_to_mcid", "visits_to_mcid", "mcid_sustained")] == [None] * 8
    assert current["headline"] is False
    assert len(current["series"]) == 1


def test_the_return_to_run_is_the_first_pain_free_week_at_40_km(answer, worked):
    back = answer["return_to_run"]

    # The week of 21 September reached 40 km with a run at 3/10; the 10 km run entered in error would have
    # made the week of 14 September 40 km pain-free.
    assert {key: back[key] for key in ("reached", "week_start", "distance_km", "weeks_since_start", "reason",
                                       "pre_injury_weekly_km")} == {
        "reached": True, "week_start": "2026-09-28", "distance_km": 41, "weeks_since_start": 4, "reason": None,
        "pre_injury_weekly_km": 40}
    assert back["source_ids"] == worked["runs"]["2026-09-28"]
    assert back["nearest_week"] == {"week_start": "2026-09-28", "distance_km": 41, "runs": 2, "max_pain": 2,
                                    "all_rated": True, "source_ids": worked["runs"]["2026-09-28"]}


def test_every_source_id_names_a_record_of_the_episode(as_therapist, answer, worked):
    for measure in answer["measures"]:
        for score in measure["series"] + measure["follow_ups"]:
            kind = "pain-scores" if measure["kind"] == "pain" else "responses"
            record = read(as_therapist, f"{API}/{kind}/{score['source_id']}")
            assert record["episode_id"] == worked["episode"]
            assert (record["score"] if kind == "pain-scores" else record["score"]["total"]) == score["value"]
    for run_id in answer["return_to_run"]["source_ids"]:
        assert read(as_therapist, f"{API}/runs/{run_id}")["entered_in_error_at"] is None


def test_a_draft_counts_as_a_visit_and_a_run_without_a_pre_injury_distance_is_no_return(
        as_therapist, create_episode, create_visit, create_run):
    episode = create_episode(pre_injury_weekly_km=None)["id"]
    create_visit(episode, pain_scores=[])
    create_run(episode, run_date="2026-09-02", distance_km=45, duration_min=270, pain_during=0, pain_after=0)

    answer = read(as_therapist, outcomes_url(episode))

    assert (answer["visits_count"], answer["visits"][0]["status"], answer["measures"]) == (1, "draft", [])
    assert {key: answer["return_to_run"][key] for key in ("reached", "week_start", "reason", "source_ids")} == {
        "reached": False, "week_start": None, "reason": "no_pre_injury_distance", "source_ids": []}
    assert answer["return_to_run"]["nearest_week"]["distance_km"] == 45


def test_open_red_flags_are_shown(as_therapist, as_front_desk, episode, create_response):
    raised = create_response(episode["id"], client=as_front_desk, **intake(calf_pain_swelling=True))

    answer = read(as_therapist, outcomes_url(episode["id"]))

    assert [flag["response_id"] for flag in answer["red_flags"]] == [raised["id"]]
    assert answer["measures"] == []  # the intake is not scored


def test_an_episode_entered_in_error_has_no_outcome(as_therapist, episode):
    created(as_therapist.post(f"{API}/episodes/{episode['id']}/entered-in-error", json={"reason": "Wrong patient."}),
            200)

    for url in (outcomes_url(episode["id"]), f"{outcomes_url(episode['id'])}/story",
                f"{outcomes_url(episode['id'])}/chart.svg"):
        problem = assert_problem(as_therapist.get(url), 409)
        assert "entered in error" in problem["detail"]
        assert problem["episode_status"] == "entered_in_error"


def test_the_read_is_audited(as_admin, as_therapist, episode):
    read(as_therapist, outcomes_url(episode["id"]))

    events = read(as_admin, f"{API}/audit-events", action="episode.outcomes_read")["items"]
    assert [(e["resource_id"], e["patient_id"], e["user_id"]) for e in events] == [
        (episode["id"], episode["patient_id"], str(as_therapist.user.id))]


@pytest.mark.parametrize("suffix", ["", "/story", "/chart.svg"])
def test_only_therapists_read_an_episodes_outcome(as_front_desk, as_admin, anonymous, episode, suffix):
    url = outcomes_url(episode["id"]) + suffix
    assert_problem(as_front_desk.get(url), 403)
    assert_problem(as_admin.get(url), 403)
    assert_problem(anonymous.get(url), 401)


@pytest.mark.parametrize("suffix", ["", "/story", "/chart.svg"])
def test_an_unknown_episode_is_404(as_therapist, suffix):
    assert_problem(as_therapist.get(outcomes_url(UNKNOWN_ID) + suffix), 404)


def long_episode(create_episode, create_visit, create_response, create_run, visits: int) -> str:
    """An episode of ``visits`` draft visits a day apart from 1 September, each with a pain score on stairs,
    with an NPRS at the first and the last, and a run a visit."""
    episode = create_episode()["id"]
    for n in range(visits):
        day = (date(2026, 9, 1) + timedelta(days=n)).isoformat()
        fields = {} if n == 0 else {**FOLLOW_UP, "visit_date": day}
        create_visit(episode, **fields, pain_scores=[{"score": 7 - n * 6 // visits, "context": "stairs_down"}])
        create_run(episode, run_date=day, distance_km=5, duration_min=30)
        if n in (0, visits - 1):
            create_response(episode, answers={"pain": 6 - 4 * n // visits}, taken_at=f"{day}T08:00:00+00:00")
    return episode


def test_the_same_number_of_statements_at_2_and_at_40_visits(as_therapist, count_queries, create_episode,
                                                              create_visit, create_response, create_run):
    counts = {}
    for visits in (2, 40):
        episode = long_episode(create_episode, create_visit, create_response, create_run, visits)
        with count_queries() as counter:
            answer = read(as_therapist, outcomes_url(episode))
        assert answer["visits_count"] == visits
        assert len(by_key(answer)["pain.stairs_down"]["series"]) == visits
        counts[visits] = counter.count
    assert counts[2] == counts[40], counts


def test_the_answers_are_as_the_openapi_document_says(as_therapist, worked, conforms):
    conforms(as_therapist.get(outcomes_url(worked["episode"])), "/api/v1/episodes/{episode_id}/outcomes", "get")
    conforms(as_therapist.get(f"{outcomes_url(worked['episode'])}/story"),
             "/api/v1/episodes/{episode_id}/outcomes/story", "get")
    patient = read(as_therapist, f"{API}/episodes/{worked['episode']}")["patient_id"]
    conforms(as_therapist.get(f"{API}/patients/{patient}/outcomes"), "/api/v1/patients/{patient_id}/outcomes", "get")
    conforms(as_therapist.get(outcomes_url(UNKNOWN_ID)), "/api/v1/episodes/{episode_id}/outcomes", "get")
