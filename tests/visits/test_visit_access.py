"""Who may see and do what with visit notes: the front desk sees visits without their clinical fields, only
therapists write notes and use pain scores, runs and goals, the admin reads no visit; and every read of a
note is audited."""
from __future__ import annotations

import pytest

from tests.factories import (
    AUDIT,
    FOLLOW_UP,
    assert_problem,
    listed,
    stored_pain_scores,
    stored_visits,
    visit_url,
    visits_url,
)

CLINICAL_FIELDS = ("subjective", "objective", "assessment", "plan", "interventions", "home_exercises",
                   "pain_scores", "addenda")


def test_the_front_desk_sees_visits_without_their_clinical_fields(as_front_desk, as_therapist, episode,
                                                                 signed_evaluation):
    as_therapist.post(f"{visit_url(signed_evaluation['id'])}/addenda", json={"text": "Late entry."})

    listed = as_front_desk.get(visits_url(episode["id"]))
    one = as_front_desk.get(visit_url(signed_evaluation["id"]))

    assert listed.status_code == 200 and one.status_code == 200
    for visit in [*listed.get_json()["items"], one.get_json()]:
        assert not set(CLINICAL_FIELDS) & set(visit), visit
        assert visit["id"] == signed_evaluation["id"]
        assert (visit["visit_date"], visit["visit_type"], visit["status"]) == ("2026-09-01", "initial_evaluation",
                                                                               "signed")
        assert visit["therapist_id"] == visit["signed_by"] == str(as_therapist.user.id)
    assert all(name in as_therapist.get(visit_url(signed_evaluation["id"])).get_json() for name in CLINICAL_FIELDS)


def test_the_front_desk_may_filter_the_visit_list(as_front_desk, episode, evaluation):
    response = as_front_desk.get(visits_url(episode["id"]), query_string={"status": "draft"})

    assert response.status_code == 200
    assert [v["id"] for v in response.get_json()["items"]] == [evaluation["id"]]


VISIT_BODY = {"visit_type": "follow_up", "visit_date": "2026-09-08", "subjective": "x", "objective": "x",
              "assessment": "x", "plan": "x"}
CLINICAL_ACTIONS = [
    ("POST", "/api/v1/episodes/{episode}/visits", VISIT_BODY),
    ("PATCH", "/api/v1/visits/{visit}", {"plan": "x"}),
    ("POST", "/api/v1/visits/{visit}/sign", None),
    ("POST", "/api/v1/visits/{signed}/addenda", {"text": "x"}),
    ("GET", "/api/v1/episodes/{episode}/pain-scores", None),
    ("POST", "/api/v1/episodes/{episode}/pain-scores", {"score": 3, "context": "current"}),
    ("GET", "/api/v1/pain-scores/{pain_score}", None),
    ("GET", "/api/v1/episodes/{episode}/runs", None),
    ("POST", "/api/v1/episodes/{episode}/runs", {"run_date": "2026-09-10", "distance_km": 3, "duration_min": 20,
                                                 "pain_during": 0, "pain_after": 0}),
    ("GET", "/api/v1/episodes/{episode}/runs/weekly", None),
    ("GET", "/api/v1/runs/{run}", None),
    ("GET", "/api/v1/episodes/{episode}/goals", None),
    ("POST", "/api/v1/episodes/{episode}/goals", {"text": "Run 5 km"}),
    ("GET", "/api/v1/goals/{goal}", None),
    ("PATCH", "/api/v1/goals/{goal}", {"status": "met"}),
]
ADMIN_ONLY_REFUSED = [
    ("GET", "/api/v1/episodes/{episode}/visits", None),
    ("GET", "/api/v1/visits/{visit}", None),
]


@pytest.fixture
def objects(episode, signed_evaluation, create_visit, create_run, create_goal) -> dict:
    draft = create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-02", pain_scores=[])
    run = create_run(episode["id"], run_date="2026-09-03", distance_km=3, duration_min=20, pain_during=0,
                     pain_after=0)
    goal = create_goal(episode["id"], text="Run 10 km pain-free")
    return {"episode": episode["id"], "visit": draft["id"], "signed": signed_evaluation["id"],
            "pain_score": signed_evaluation["pain_scores"][0]["id"], "run": run["id"], "goal": goal["id"]}


def snapshot(as_therapist, objects) -> dict:
    ep = f"/api/v1/episodes/{objects['episode']}"
    return {"visits": stored_visits(as_therapist, objects["episode"]),
            "pain_scores": stored_pain_scores(as_therapist, objects["episode"]),
            "runs": listed(as_therapist, f"{ep}/runs"),
            "goals": listed(as_therapist, f"{ep}/goals")}


@pytest.mark.parametrize("role", ["as_front_desk", "as_admin"])
@pytest.mark.parametrize(("method", "path", "body"), CLINICAL_ACTIONS, ids=[f"{m} {p}" for m, p, _ in CLINICAL_ACTIONS])
def test_only_therapists_write_notes_and_use_pain_runs_and_goals(request, as_therapist, objects, role, method,
                                                                 path, body):
    client = request.getfixturevalue(role)
    before = snapshot(as_therapist, objects)

    response = client.request(method, path.format(**objects), json=body, headers={"If-Match": "*"})

    assert_problem(response, 403)
    assert snapshot(as_therapist, objects) == before


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY_REFUSED,
                         ids=[f"{m} {p}" for m, p, _ in ADMIN_ONLY_REFUSED])
def test_the_admin_reads_no_visits(as_admin, objects, method, path, body):
    response = as_admin.request(method, path.format(**objects), json=body)

    assert_problem(response, 403)


def test_an_anonymous_caller_reads_no_visit(anonymous, evaluation):
    response = anonymous.get(visit_url(evaluation["id"]))

    assert_problem(response, 401)


# ---- audit ----------------------------------------------------------------------------------------

def test_a_therapist_reading_a_visit_is_audited_as_a_note_read(as_admin, as_other_therapist, episode, evaluation):
    as_other_therapist.get(visit_url(evaluation["id"]))

    reads = listed(as_admin, AUDIT, action="visit_note.read", patient_id=episode["patient_id"])

    assert [(e["resource_type"], e["resource_id"], e["user_id"]) for e in reads] == [
        ("visit", evaluation["id"], str(as_other_therapist.user.id))]
    assert listed(as_admin, AUDIT, action="visit.read", patient_id=episode["patient_id"]) == []


def test_the_front_desk_reading_a_visit_is_audited_as_an_appointment_read(as_admin, as_front_desk, episode,
                                                                          evaluation):
    as_front_desk.get(visit_url(evaluation["id"]))

    reads = listed(as_admin, AUDIT, action="visit.read", patient_id=episode["patient_id"])

    assert [(e["resource_type"], e["resource_id"], e["user_id"]) for e in reads] == [
        ("visit", evaluation["id"], str(as_front_desk.user.id))]
    assert listed(as_admin, AUDIT, action="visit_note.read", patient_id=episode["patient_id"]) == []


def test_a_therapist_listing_visits_is_audited_as_a_note_read_of_each(as_admin, as_therapist, episode, create_visit):
    first = create_visit(episode["id"])
    second = create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08")

    stored_visits(as_therapist, episode["id"])

    reads = listed(as_admin, AUDIT, action="visit_note.read", user_id=str(as_therapist.user.id))
    assert sorted(e["resource_id"] for e in reads) == sorted([first["id"], second["id"]])
    assert {e["patient_id"] for e in reads} == {episode["patient_id"]}
