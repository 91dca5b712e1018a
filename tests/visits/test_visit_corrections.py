"""Visit corrections: a draft voided by its author, a signed note written in the wrong chart marked entered in
error (by its author or an admin), and a departed therapist's drafts handed over by an admin. What is voided or
marked stays readable by id with its state, and leaves the lists (unless asked for), the measure schedule, the
initial-evaluation rule, the discharge checks, and with it its pain scores; every mark is audited."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import flask_migrate
import pytest
from sqlalchemy import select

from clinic_api.core import signals
from clinic_api.extensions import db
from clinic_api.visits.models import Visit
from tests.conftest import ApiClient
from tests.factories import assert_problem
from tests.visits.test_run_pain_corrections import stored_episode

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
AUDIT = "/api/v1/audit-events"
EVALUATION = {
    "visit_date": "2026-09-01", "visit_type": "initial_evaluation",
    "subjective": "Anterior knee pain for 3 weeks.", "objective": "Pain on single-leg squat at 40°.",
    "assessment": "Patellofemoral pain, left knee.", "plan": "Hip and quadriceps strengthening.",
    "interventions": [{"code": "97110", "description": "Therapeutic exercise", "minutes": 30}],
    "home_exercises": [{"name": "Side-lying hip abduction", "sets": 3, "reps": 15}],
    "pain_scores": [{"score": 7, "context": "stairs_down"}, {"score": 5, "context": "current"}],
}
FOLLOW_UP = {"visit_type": "follow_up", "visit_date": "2026-09-08", "subjective": "Stairs easier.",
             "objective": "Squat pain-free to 60°.", "assessment": "Improving.", "plan": "Start run/walk 4:1.",
             "pain_scores": [{"score": 3, "context": "stairs_down"}]}
VOID = {"reason": "  Duplicate of the visit logged\nby the front desk's tablet.  "}
WRONG_CHART = {"reason": "Written in the wrong patient's chart; rewritten in the right one."}
CLINICAL_FIELDS = {"subjective", "objective", "assessment", "plan", "interventions", "home_exercises",
                   "pain_scores", "addenda", "void_reason", "entered_in_error_reason"}
DRAFT_FIELDS = {"id", "visit_date", "visit_type", "therapist_id", "episode_id", "patient"}
NEW_THERAPIST = {"email": "new-pt@clinic.test", "full_name": "New Therapist", "role": "therapist",
                 "password": "Another-long-passphrase-77"}


@pytest.fixture
def episode(create_episode) -> dict:
    return create_episode()


def visits_url(episode: dict) -> str:
    return f"/api/v1/episodes/{episode['id']}/visits"


def visit_url(visit: dict) -> str:
    return f"/api/v1/visits/{visit['id']}"


def logged(client: ApiClient, episode: dict, body: dict) -> dict:
    response = client.post(visits_url(episode), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def done(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def signed(client: ApiClient, episode: dict, body: dict) -> dict:
    return done(client.post(f"{visit_url(logged(client, episode, body))}/sign"))


def voided(client: ApiClient, visit: dict) -> dict:
    return done(client.post(f"{visit_url(visit)}/void", json=VOID))


def marked(client: ApiClient, visit: dict) -> dict:
    return done(client.post(f"{visit_url(visit)}/entered-in-error", json=WRONG_CHART))


def listed_ids(client: ApiClient, url: str, **query) -> list[str]:
    return [item["id"] for item in done(client.get(url, query_string={"per_page": 100, **query}))["items"]]


def audit_events(as_admin: ApiClient, **filters) -> list[dict]:
    return done(as_admin.get(AUDIT, query_string={"per_page": 100, **filters}))["items"]


def due(client: ApiClient, episode: dict) -> list[tuple[str, str]]:
    return [(item["questionnaire"], item["reason"])
            for item in done(client.get(f"/api/v1/episodes/{episode['id']}/due"))["items"]]


# ---- voiding a draft ----------------------------------------------------------------------------------

def test_a_voided_draft_is_kept_readable_by_id_with_its_state(as_therapist, episode):
    draft = logged(as_therapist, episode, EVALUATION)

    answer = voided(as_therapist, draft)

    assert answer == done(as_therapist.get(visit_url(draft)))
    assert (answer["status"], answer["voided_by"], answer["void_reason"]) == (
        "voided", str(as_therapist.user.id), VOID["reason"])  # the reason kept exactly
    assert abs((datetime.now(UTC) - datetime.fromisoformat(answer["voided_at"])).total_seconds()) < 60
    assert answer["entered_in_error_at"] is None and answer["signed_at"] is None
    assert {name: answer[name] for name in ("subjective", "plan", "interventions")} == {
        name: draft[name] for name in ("subjective", "plan", "interventions")}
    assert [p["id"] for p in answer["pain_scores"]] == [p["id"] for p in draft["pain_scores"]]


def test_a_voided_draft_leaves_the_lists_unless_asked_for(as_therapist, as_front_desk, episode):
    evaluation = signed(as_therapist, episode, EVALUATION)
    kept = logged(as_therapist, episode, {**FOLLOW_UP, "pain_scores": []})
    duplicate = logged(as_therapist, episode, FOLLOW_UP)
    voided(as_therapist, duplicate)

    for client in (as_therapist, as_front_desk):
        assert listed_ids(client, visits_url(episode)) == [evaluation["id"], kept["id"]]
        assert listed_ids(client, visits_url(episode), include_entered_in_error="true") == [
            evaluation["id"], kept["id"], duplicate["id"]]
        assert listed_ids(client, visits_url(episode), status="voided") == [duplicate["id"]]
        assert listed_ids(client, visits_url(episode), status="draft") == [kept["id"]]
    assert done(as_therapist.get(visits_url(episode)))["total"] == 2


def test_a_voided_drafts_pain_scores_leave_the_pain_score_list(as_therapist, episode):
    evaluation = signed(as_therapist, episode, EVALUATION)
    duplicate = logged(as_therapist, episode, FOLLOW_UP)
    scores = f"/api/v1/episodes/{episode['id']}/pain-scores"
    assert len(listed_ids(as_therapist, scores)) == 3

    voided(as_therapist, duplicate)

    assert listed_ids(as_therapist, scores) == [p["id"] for p in evaluation["pain_scores"]]
    assert listed_ids(as_therapist, scores, context="stairs_down") == [evaluation["pain_scores"][0]["id"]]
    assert duplicate["pain_scores"][0]["id"] in listed_ids(as_therapist, scores, include_entered_in_error="true")
    score = done(as_therapist.get(f"/api/v1/pain-scores/{duplicate['pain_scores'][0]['id']}"))
    assert score["visit_id"] == duplicate["id"] and score["entered_in_error_at"] is None


def test_a_voided_draft_no_longer_blocks_discharge(as_therapist, episode):
    signed(as_therapist, episode, EVALUATION)
    draft = logged(as_therapist, episode, FOLLOW_UP)
    discharge = f"/api/v1/episodes/{episode['id']}/discharge"
    blocked = assert_problem(as_therapist.post(discharge, json={"discharge_date": "2026-10-01",
                                                                "reason": "goals_met"}), 409)
    assert [d["id"] for d in blocked["draft_visits"]] == [draft["id"]]

    voided(as_therapist, draft)

    assert done(as_therapist.post(discharge, json={"discharge_date": "2026-10-01", "reason": "goals_met"}))[
        "status"] == "discharged"


def test_a_voided_initial_evaluation_lets_a_new_one_be_logged(as_therapist, episode):
    first = logged(as_therapist, episode, EVALUATION)
    assert_problem(as_therapist.post(visits_url(episode), json=EVALUATION), 409)
    assert_problem(as_therapist.post(visits_url(episode), json={**FOLLOW_UP, "visit_date": "2026-08-31"}), 422,
                   "visit_date")  # not before the initial evaluation, while it counts

    voided(as_therapist, first)
    assert_problem(as_therapist.post(visits_url(episode), json=FOLLOW_UP), 422, "visit_type")  # none counts now
    second = logged(as_therapist, episode, {**EVALUATION, "visit_date": "2026-09-02"})

    assert listed_ids(as_therapist, visits_url(episode)) == [second["id"]]
    assert logged(as_therapist, episode, FOLLOW_UP)["visit_type"] == "follow_up"


def test_an_initial_evaluation_is_voided_last(as_therapist, episode):
    evaluation = logged(as_therapist, episode, EVALUATION)
    follow_up = logged(as_therapist, episode, FOLLOW_UP)

    problem = assert_problem(as_therapist.post(f"{visit_url(evaluation)}/void", json=VOID), 409)
    assert "1 other visit" in problem["detail"]
    assert done(as_therapist.get(visit_url(evaluation)))["status"] == "draft"

    voided(as_therapist, follow_up)
    assert voided(as_therapist, evaluation)["status"] == "voided"


def test_only_the_author_voids_a_draft(as_therapist, as_other_therapist, as_front_desk, as_admin, episode):
    draft = logged(as_therapist, episode, EVALUATION)

    problem = assert_problem(as_other_therapist.post(f"{visit_url(draft)}/void", json=VOID), 403)
    assert "author" in problem["detail"]
    assert_problem(as_front_desk.post(f"{visit_url(draft)}/void", json=VOID), 403)
    assert_problem(as_admin.post(f"{visit_url(draft)}/void", json=VOID), 403)
    assert done(as_therapist.get(visit_url(draft)))["status"] == "draft"


def test_a_signed_note_is_never_voided(as_therapist, episode):
    note = signed(as_therapist, episode, EVALUATION)

    problem = assert_problem(as_therapist.post(f"{visit_url(note)}/void", json=VOID), 409)

    assert "entered in error" in problem["detail"]
    assert done(as_therapist.get(visit_url(note)))["status"] == "signed"


def test_voiding_twice_is_409(as_therapist, episode):
    draft = logged(as_therapist, episode, EVALUATION)
    first = voided(as_therapist, draft)

    assert_problem(as_therapist.post(f"{visit_url(draft)}/void", json={"reason": "Again."}), 409)
    assert done(as_therapist.get(visit_url(draft))) == first


@pytest.mark.parametrize(("body", "field"), [
    ({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "r" * 2001}, "reason"), ({"reason": None}, "reason"),
    ({**VOID, "status": "voided"}, "status"),
], ids=["missing", "empty", "too-long", "null", "unknown-field"])
@pytest.mark.parametrize("action", ["void", "entered-in-error"])
def test_a_correction_needs_a_reason(as_therapist, episode, action, body, field):
    visit = logged(as_therapist, episode, EVALUATION)
    if action == "entered-in-error":
        visit = done(as_therapist.post(f"{visit_url(visit)}/sign"))

    assert_problem(as_therapist.post(f"{visit_url(visit)}/{action}", json=body), 422, field)
    assert done(as_therapist.get(visit_url(visit))) == visit


@pytest.mark.parametrize("action", ["void", "entered-in-error", "reassign"])
def test_correcting_an_unknown_visit_is_404(as_therapist, as_admin, action):
    client = as_admin if action == "reassign" else as_therapist
    body = {"therapist_id": str(as_therapist.user.id)} if action == "reassign" else VOID

    assert_problem(client.post(f"/api/v1/visits/{UNKNOWN_ID}/{action}", json=body), 404)


def test_a_voided_visit_takes_no_change_signature_addendum_or_pain_score(as_therapist, episode):
    draft = logged(as_therapist, episode, EVALUATION)
    voided(as_therapist, draft)

    assert_problem(as_therapist.patch_current(visit_url(draft), {"plan": "Changed."}), 409)
    assert_problem(as_therapist.post(f"{visit_url(draft)}/sign"), 409)
    assert_problem(as_therapist.post(f"{visit_url(draft)}/addenda", json={"text": "Late entry."}), 409)
    assert_problem(as_therapist.post(f"/api/v1/episodes/{episode['id']}/pain-scores", json={
        "score": 2, "context": "current", "visit_id": draft["id"]}), 409)
    assert done(as_therapist.get(visit_url(draft)))["plan"] == EVALUATION["plan"]


# ---- a signed note entered in error --------------------------------------------------------------------

def test_a_note_marked_entered_in_error_stays_signed_and_readable_with_its_state(as_therapist, episode):
    note = signed(as_therapist, episode, EVALUATION)

    answer = marked(as_therapist, note)

    assert answer == done(as_therapist.get(visit_url(note)))
    assert answer["status"] == "signed" and answer["signed_at"] == note["signed_at"]
    assert (answer["entered_in_error_by"], answer["entered_in_error_reason"]) == (
        str(as_therapist.user.id), WRONG_CHART["reason"])
    assert answer["entered_in_error_at"] is not None and answer["voided_at"] is None
    assert {name: answer[name] for name in ("subjective", "objective", "assessment", "plan")} == {
        name: note[name] for name in ("subjective", "objective", "assessment", "plan")}


def test_a_note_marked_entered_in_error_and_its_pain_scores_leave_the_lists(as_therapist, episode):
    evaluation = signed(as_therapist, episode, EVALUATION)
    wrong = signed(as_therapist, episode, FOLLOW_UP)
    scores = f"/api/v1/episodes/{episode['id']}/pain-scores"

    marked(as_therapist, wrong)

    assert listed_ids(as_therapist, visits_url(episode)) == [evaluation["id"]]
    assert listed_ids(as_therapist, visits_url(episode), status="signed") == [evaluation["id"]]
    assert listed_ids(as_therapist, visits_url(episode), include_entered_in_error="true") == [
        evaluation["id"], wrong["id"]]
    assert listed_ids(as_therapist, scores) == [p["id"] for p in evaluation["pain_scores"]]
    assert wrong["pain_scores"][0]["id"] in listed_ids(as_therapist, scores, include_entered_in_error="true")


def test_an_admin_may_mark_a_note_and_is_answered_without_any_clinical_field(as_therapist, as_admin, episode):
    note = signed(as_therapist, episode, EVALUATION)

    answer = marked(as_admin, note)

    assert not CLINICAL_FIELDS & set(answer), answer
    assert answer["entered_in_error_at"] is not None and answer["status"] == "signed"
    shown = done(as_therapist.get(visit_url(note)))
    assert (shown["entered_in_error_by"], shown["entered_in_error_reason"]) == (
        str(as_admin.user.id), WRONG_CHART["reason"])


def test_another_therapist_may_not_mark_a_note_and_is_told_who_may(as_therapist, as_other_therapist,
                                                                   as_front_desk, episode):
    note = signed(as_therapist, episode, EVALUATION)

    problem = assert_problem(as_other_therapist.post(f"{visit_url(note)}/entered-in-error", json=WRONG_CHART), 403)
    assert "author or an admin" in problem["detail"]
    assert_problem(as_front_desk.post(f"{visit_url(note)}/entered-in-error", json=WRONG_CHART), 403)
    assert done(as_therapist.get(visit_url(note)))["entered_in_error_at"] is None


def test_a_draft_is_voided_not_marked(as_therapist, episode):
    draft = logged(as_therapist, episode, EVALUATION)

    problem = assert_problem(as_therapist.post(f"{visit_url(draft)}/entered-in-error", json=WRONG_CHART), 409)

    assert "void" in problem["detail"]
    voided(as_therapist, draft)
    assert_problem(as_therapist.post(f"{visit_url(draft)}/entered-in-error", json=WRONG_CHART), 409)


def test_marking_a_note_twice_is_409(as_therapist, as_admin, episode):
    note = signed(as_therapist, episode, EVALUATION)
    first = marked(as_therapist, note)

    assert_problem(as_admin.post(f"{visit_url(note)}/entered-in-error", json={"reason": "Again."}), 409)
    assert done(as_therapist.get(visit_url(note))) == first


def test_a_signed_initial_evaluation_is_marked_last_and_then_a_new_one_can_be_logged(as_therapist, episode):
    evaluation = signed(as_therapist, episode, EVALUATION)
    follow_up = signed(as_therapist, episode, FOLLOW_UP)
    assert_problem(as_therapist.post(f"{visit_url(evaluation)}/entered-in-error", json=WRONG_CHART), 409)

    marked(as_therapist, follow_up)
    marked(as_therapist, evaluation)

    again = logged(as_therapist, episode, EVALUATION)
    assert listed_ids(as_therapist, visits_url(episode)) == [again["id"]]


def test_a_marked_note_takes_no_addendum(as_therapist, episode):
    note = signed(as_therapist, episode, EVALUATION)
    marked(as_therapist, note)

    assert_problem(as_therapist.post(f"{visit_url(note)}/addenda", json={"text": "Late entry."}), 409)


def test_once_its_signed_notes_are_marked_an_episode_may_be_marked_entered_in_error(as_therapist, episode):
    note = signed(as_therapist, episode, EVALUATION)
    episode_error = f"/api/v1/episodes/{episode['id']}/entered-in-error"
    assert_problem(as_therapist.post(episode_error, json={"reason": "Wrong patient."}), 409)

    marked(as_therapist, note)

    assert done(as_therapist.post(episode_error, json={"reason": "Wrong patient."}))["status"] == "entered_in_error"


def test_an_episode_marked_entered_in_error_takes_no_void(as_therapist, episode):
    draft = logged(as_therapist, episode, EVALUATION)
    done(as_therapist.post(f"/api/v1/episodes/{episode['id']}/entered-in-error", json={"reason": "Wrong patient."}))

    assert_problem(as_therapist.post(f"{visit_url(draft)}/void", json=VOID), 409)


# ---- the measure schedule counts only the visits that count ---------------------------------------------

def test_voided_and_marked_visits_leave_the_schedules_visit_count(as_therapist, create_episode):
    start = datetime.now(UTC).date() - timedelta(days=10)
    episode = create_episode(start_date=start.isoformat())
    taken = datetime.combine(start, datetime.min.time(), UTC).replace(hour=9).isoformat()
    done(as_therapist.post(f"/api/v1/episodes/{episode['id']}/responses", json={
        "questionnaire": "nprs", "answers": {"pain": 6}, "taken_at": taken}), 201)
    logged(as_therapist, episode, {**EVALUATION, "visit_date": start.isoformat(), "pain_scores": []})
    visits = [logged(as_therapist, episode, {**FOLLOW_UP, "visit_date": str(start + timedelta(days=day)),
                                             "pain_scores": []}) for day in (2, 4, 6, 8)]
    assert ("nprs", "remeasure") in due(as_therapist, episode)  # four visits since it was taken

    voided(as_therapist, visits[3])
    assert ("nprs", "remeasure") not in due(as_therapist, episode)

    done(as_therapist.post(f"{visit_url(visits[2])}/sign"))
    replacement = logged(as_therapist, episode, {**FOLLOW_UP, "visit_date": str(start + timedelta(days=9)),
                                                 "pain_scores": []})
    assert ("nprs", "remeasure") in due(as_therapist, episode)
    marked(as_therapist, visits[2])
    assert ("nprs", "remeasure") not in due(as_therapist, episode)
    assert replacement["id"] in listed_ids(as_therapist, visits_url(episode))


def test_a_discharge_visit_marked_entered_in_error_no_longer_calls_for_groc(as_therapist, episode):
    signed(as_therapist, episode, EVALUATION)
    discharge_visit = signed(as_therapist, episode, {**FOLLOW_UP, "visit_type": "discharge",
                                                     "visit_date": "2026-10-01"})
    assert ("groc", "discharge") in due(as_therapist, episode)

    marked(as_therapist, discharge_visit)

    assert ("groc", "discharge") not in due(as_therapist, episode)


@pytest.mark.parametrize("correction", ["void", "entered-in-error"])
def test_a_corrected_visit_and_its_pain_scores_no_longer_bound_the_episodes_dates(as_therapist, episode,
                                                                                   correction):
    signed(as_therapist, episode, EVALUATION)
    late = logged(as_therapist, episode, {**FOLLOW_UP, "visit_date": "2026-10-10"})
    discharge = f"/api/v1/episodes/{episode['id']}/discharge"
    body = {"discharge_date": "2026-10-01", "reason": "goals_met"}
    if correction == "entered-in-error":
        done(as_therapist.post(f"{visit_url(late)}/sign"))
        assert_problem(as_therapist.post(discharge, json=body), 422, "discharge_date")
        marked(as_therapist, late)
    else:
        voided(as_therapist, late)

    assert done(as_therapist.post(discharge, json=body))["discharge_date"] == "2026-10-01"


# ---- what the front desk sees ---------------------------------------------------------------------------

def test_the_front_desk_sees_that_a_visit_was_corrected_and_when_not_why(as_therapist, as_front_desk, episode):
    evaluation = signed(as_therapist, episode, EVALUATION)
    draft = logged(as_therapist, episode, FOLLOW_UP)
    voided(as_therapist, draft)
    marked(as_therapist, evaluation)

    shown_void = done(as_front_desk.get(visit_url(draft)))
    shown_mark = done(as_front_desk.get(visit_url(evaluation)))

    assert (shown_void["status"], shown_void["voided_by"]) == ("voided", str(as_therapist.user.id))
    assert shown_void["voided_at"] is not None and shown_mark["entered_in_error_at"] is not None
    for shown in (shown_void, shown_mark):
        assert not CLINICAL_FIELDS & set(shown), shown
        assert "entered_in_error_by" not in shown


# ---- a departed therapist's drafts -----------------------------------------------------------------------

def test_an_admin_lists_an_authors_drafts_with_the_patient_and_no_clinical_field(as_therapist, as_other_therapist,
                                                                                 as_admin, create_patient,
                                                                                 create_episode, episode):
    signed(as_therapist, episode, EVALUATION)
    first = logged(as_therapist, episode, FOLLOW_UP)
    logged(as_other_therapist, episode, {**FOLLOW_UP, "visit_date": "2026-09-09"})  # another author's
    voided(as_therapist, logged(as_therapist, episode, {**FOLLOW_UP, "visit_date": "2026-09-10"}))
    other_patient = create_patient(first_name="Ben", last_name="Hill", email="ben@example.org")
    other_episode = create_episode(patient_id=other_patient["id"])
    second = logged(as_therapist, other_episode, {**EVALUATION, "visit_date": "2026-09-03"})

    page = done(as_admin.get("/api/v1/visits/drafts", query_string={"therapist_id": str(as_therapist.user.id)}))

    assert (page["total"], page["page"], page["pages"]) == (2, 1, 1)
    assert [item["id"] for item in page["items"]] == [second["id"], first["id"]]  # oldest first
    for item in page["items"]:
        assert set(item) == DRAFT_FIELDS, item
        assert set(item["patient"]) == {"id", "mrn", "first_name", "last_name"}
        assert item["therapist_id"] == str(as_therapist.user.id)
    assert page["items"][0] | {"patient": None} == {
        "id": second["id"], "visit_date": "2026-09-03", "visit_type": "initial_evaluation",
        "therapist_id": str(as_therapist.user.id), "episode_id": other_episode["id"], "patient": None}
    assert page["items"][0]["patient"] == {key: other_patient[key] for key in ("id", "mrn", "first_name",
                                                                                "last_name")}
    assert page["items"][1]["patient"]["id"] == episode["patient_id"]


def test_the_draft_list_is_paginated_and_each_draft_shown_is_audited(as_therapist, as_admin, episode):
    logged(as_therapist, episode, EVALUATION)
    drafts = [logged(as_therapist, episode, {**FOLLOW_UP, "visit_date": f"2026-09-0{day}"}) for day in (2, 3)]
    query = {"therapist_id": str(as_therapist.user.id), "per_page": 2, "page": 2}

    page = done(as_admin.get("/api/v1/visits/drafts", query_string=query))

    assert (page["total"], page["pages"], [item["id"] for item in page["items"]]) == (3, 2, [drafts[1]["id"]])
    [event] = audit_events(as_admin, action="visit.draft_list")
    assert (event["resource_id"], event["patient_id"], event["user_id"]) == (
        drafts[1]["id"], episode["patient_id"], str(as_admin.user.id))


def test_the_draft_list_reads_in_a_constant_number_of_queries(as_therapist, as_admin, count_queries,
                                                              create_episode):
    url = "/api/v1/visits/drafts"
    query = {"therapist_id": str(as_therapist.user.id)}
    logged(as_therapist, create_episode(), EVALUATION)
    with count_queries() as one:
        assert done(as_admin.get(url, query_string=query))["total"] == 1
    for _ in range(3):
        logged(as_therapist, create_episode(), EVALUATION)
    with count_queries() as four:
        assert done(as_admin.get(url, query_string=query))["total"] == 4

    assert four.count == one.count


def test_drafts_of_an_episode_entered_in_error_are_not_listed(as_therapist, as_admin, episode):
    logged(as_therapist, episode, EVALUATION)
    done(as_therapist.post(f"/api/v1/episodes/{episode['id']}/entered-in-error", json={"reason": "Duplicate."}))

    page = done(as_admin.get("/api/v1/visits/drafts", query_string={"therapist_id": str(as_therapist.user.id)}))

    assert page["items"] == []


@pytest.mark.parametrize(("query", "field"), [({}, "therapist_id"), ({"therapist_id": "nobody"}, "therapist_id"),
                                              ({"therapist_id": UNKNOWN_ID, "status": "draft"}, "status")],
                         ids=["missing", "not-a-uuid", "unknown-parameter"])
def test_the_draft_list_needs_an_author(as_admin, query, field):
    assert_problem(as_admin.get("/api/v1/visits/drafts", query_string=query), 422, field)


@pytest.mark.parametrize("role", ["as_therapist", "as_front_desk"])
def test_only_an_admin_lists_and_reassigns_drafts(request, as_therapist, as_other_therapist, episode, role):
    draft = logged(as_therapist, episode, EVALUATION)
    client = request.getfixturevalue(role)

    assert_problem(client.get("/api/v1/visits/drafts", query_string={"therapist_id": str(as_therapist.user.id)}),
                   403)
    assert_problem(client.post(f"{visit_url(draft)}/reassign",
                               json={"therapist_id": str(as_other_therapist.user.id)}), 403)
    assert done(as_therapist.get(visit_url(draft)))["therapist_id"] == str(as_therapist.user.id)


def test_a_reassigned_draft_belongs_to_its_new_author(as_therapist, as_other_therapist, as_admin, episode):
    draft = logged(as_therapist, episode, EVALUATION)

    answer = done(as_admin.post(f"{visit_url(draft)}/reassign",
                                json={"therapist_id": str(as_other_therapist.user.id)}))

    assert set(answer) == DRAFT_FIELDS and answer["therapist_id"] == str(as_other_therapist.user.id)
    assert answer["patient"]["id"] == episode["patient_id"]
    assert_problem(as_therapist.post(f"{visit_url(draft)}/sign"), 403)
    assert done(as_other_therapist.post(f"{visit_url(draft)}/sign"))["signed_by"] == str(as_other_therapist.user.id)
    [event] = audit_events(as_admin, action="visit.reassign")
    assert (event["resource_id"], event["patient_id"], event["user_id"]) == (
        draft["id"], episode["patient_id"], str(as_admin.user.id))
    assert event["details"] == {"from_therapist_id": str(as_therapist.user.id),
                                "to_therapist_id": str(as_other_therapist.user.id)}


def test_a_draft_goes_only_to_an_active_therapist(as_therapist, as_front_desk, as_admin, episode):
    draft = logged(as_therapist, episode, EVALUATION)
    departed = done(as_admin.post("/api/v1/users", json={**NEW_THERAPIST, "active": False}), 201)

    for target in (departed["id"], str(as_front_desk.user.id), str(as_admin.user.id), UNKNOWN_ID):
        assert_problem(as_admin.post(f"{visit_url(draft)}/reassign", json={"therapist_id": target}), 422,
                       "therapist_id")
    assert_problem(as_admin.post(f"{visit_url(draft)}/reassign", json={"therapist_id": "x"}), 422, "therapist_id")
    assert_problem(as_admin.post(f"{visit_url(draft)}/reassign", json={}), 422, "therapist_id")
    assert done(as_therapist.get(visit_url(draft)))["therapist_id"] == str(as_therapist.user.id)
    assert audit_events(as_admin, action="visit.reassign") == []


def test_only_a_draft_is_reassigned(as_therapist, as_other_therapist, as_admin, episode):
    note = signed(as_therapist, episode, EVALUATION)
    draft = logged(as_therapist, episode, FOLLOW_UP)
    voided(as_therapist, draft)
    target = {"therapist_id": str(as_other_therapist.user.id)}

    assert_problem(as_admin.post(f"{visit_url(note)}/reassign", json=target), 409)
    assert_problem(as_admin.post(f"{visit_url(draft)}/reassign", json=target), 409)
    assert done(as_therapist.get(visit_url(note)))["therapist_id"] == str(as_therapist.user.id)


# ---- audit and record events ----------------------------------------------------------------------------

def test_every_correction_is_audited_with_its_reason(as_therapist, as_admin, episode):
    note = signed(as_therapist, episode, EVALUATION)
    draft = logged(as_therapist, episode, FOLLOW_UP)
    voided(as_therapist, draft)
    marked(as_admin, note)

    for action, visit, user, body in (("visit.void", draft, as_therapist, VOID),
                                      ("visit.entered_in_error", note, as_admin, WRONG_CHART)):
        [event] = audit_events(as_admin, action=action)
        assert (event["resource_id"], event["patient_id"], event["user_id"]) == (
            visit["id"], episode["patient_id"], str(user.user.id))
        assert event["details"] == body and event["outcome"] == "success"


def test_a_refused_correction_leaves_no_event(as_therapist, as_other_therapist, as_admin, episode):
    draft = logged(as_therapist, episode, EVALUATION)
    as_other_therapist.post(f"{visit_url(draft)}/void", json=VOID)
    as_therapist.post(f"{visit_url(draft)}/entered-in-error", json=WRONG_CHART)

    assert audit_events(as_admin, action="visit.void") == []
    assert audit_events(as_admin, action="visit.entered_in_error") == []


def test_each_correction_sends_its_record_event(as_therapist, as_other_therapist, as_admin, episode):
    received = []

    def receiver(sender, **kwargs):
        received.append((str(sender.id), str(kwargs["episode_id"]),
                         {key: str(value) for key, value in kwargs.items() if key != "episode_id"}))

    signed(as_therapist, episode, EVALUATION)
    draft = logged(as_therapist, episode, FOLLOW_UP)
    duplicate = logged(as_therapist, episode, FOLLOW_UP)
    with (signals.visit_voided.connected_to(receiver), signals.visit_entered_in_error.connected_to(receiver),
          signals.visit_reassigned.connected_to(receiver)):
        voided(as_therapist, duplicate)
        done(as_admin.post(f"{visit_url(draft)}/reassign", json={"therapist_id": str(as_other_therapist.user.id)}))
        done(as_other_therapist.post(f"{visit_url(draft)}/sign"))
        marked(as_other_therapist, draft)

    assert received == [(duplicate["id"], episode["id"], {}),
                        (draft["id"], episode["id"], {"previous_therapist_id": str(as_therapist.user.id)}),
                        (draft["id"], episode["id"], {})]
    for signal in (signals.visit_voided, signals.visit_entered_in_error, signals.visit_reassigned):
        assert signal in signals.RECORD_EVENTS


# ---- migration 0006 down and up with corrected visits ------------------------------------------------------

def test_the_migration_goes_down_and_up_with_voided_and_marked_visits(fresh_app):
    """A downgrade loses the markers but runs: an episode keeps one initial evaluation."""
    with fresh_app.app_context():
        author, episode = stored_episode("pt@clinic.test")
        now = datetime.now(UTC)
        common = {"episode_id": episode.id, "therapist_id": author.id, "visit_date": date(2026, 9, 1),
                  "visit_type": "initial_evaluation", "interventions": [], "home_exercises": []}
        visits = {
            "voided": Visit(**common, status="voided", voided_at=now, voided_by=author.id, void_reason="Duplicate."),
            "marked": Visit(**common, status="signed", signed_at=now, signed_by=author.id, entered_in_error_at=now,
                            entered_in_error_by=author.id, entered_in_error_reason="Wrong chart."),
            "counting": Visit(**common, status="draft"),
        }
        db.session.add_all(visits.values())
        db.session.commit()
        ids = {name: visit.id for name, visit in visits.items()}

        flask_migrate.downgrade(revision="0005")
        db.session.remove()
        rows = {row.id: (row.visit_type, row.status) for row in db.session.execute(
            select(Visit.__table__.c.id, Visit.__table__.c.visit_type, Visit.__table__.c.status))}
        db.session.remove()
        flask_migrate.upgrade()

    assert rows == {ids["voided"]: ("follow_up", "draft"), ids["marked"]: ("follow_up", "signed"),
                    ids["counting"]: ("initial_evaluation", "draft")}
