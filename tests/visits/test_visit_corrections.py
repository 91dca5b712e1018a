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
from tests.factories import (
    API,
    AUDIT,
    DISCHARGE,
    EVALUATION,
    FOLLOW_UP,
    PAIN_SCORE,
    PASSWORD,
    UNKNOWN_ID,
    VOID,
    WRONG_CHART,
    assert_problem,
    created,
    listed,
    listed_ids,
    mark_entered_in_error,
    read,
    sign_visit,
    stored_episode,
    today,
    visit_url,
    visits_url,
    void_visit,
)

# FOLLOW_UP a week after the evaluation, with a pain score of its own on the stairs (the context filter then
# has the evaluation's first score and this one to tell apart).
WEEK_LATER = {**FOLLOW_UP, "visit_date": "2026-09-08", "pain_scores": [{"score": 3, "context": "stairs_down"}]}
CLINICAL_FIELDS = {"subjective", "objective", "assessment", "plan", "interventions", "home_exercises",
                   "pain_scores", "addenda", "void_reason", "entered_in_error_reason"}
DRAFT_FIELDS = {"id", "visit_date", "visit_type", "therapist_id", "episode_id", "patient"}
DRAFTS = f"{API}/visits/drafts"
NEW_THERAPIST = {"email": "new-pt@clinic.test", "full_name": "New Therapist", "role": "therapist",
                 "password": PASSWORD}


def due(client, episode: dict) -> list[tuple[str, str]]:
    """What is due for the episode: (questionnaire, reason) pairs."""
    return [(item["questionnaire"], item["reason"])
            for item in read(client, f"{API}/episodes/{episode['id']}/due")["items"]]


# ---- voiding a draft ----------------------------------------------------------------------------------

def test_a_voided_draft_is_kept_readable_by_id_with_its_state(as_therapist, evaluation):
    draft = evaluation

    answer = void_visit(as_therapist, draft["id"])

    assert answer == read(as_therapist, visit_url(draft["id"]))
    assert (answer["status"], answer["voided_by"], answer["void_reason"]) == (
        "voided", str(as_therapist.user.id), VOID["reason"])  # the reason kept exactly
    assert abs((datetime.now(UTC) - datetime.fromisoformat(answer["voided_at"])).total_seconds()) < 60
    assert answer["entered_in_error_at"] is None and answer["signed_at"] is None
    assert {name: answer[name] for name in ("subjective", "plan", "interventions")} == {
        name: draft[name] for name in ("subjective", "plan", "interventions")}
    assert [p["id"] for p in answer["pain_scores"]] == [p["id"] for p in draft["pain_scores"]]


def test_a_voided_draft_leaves_the_lists_unless_asked_for(as_therapist, as_front_desk, create_visit, episode,
                                                          signed_evaluation):
    kept = create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08", pain_scores=[])
    duplicate = create_visit(episode["id"], **WEEK_LATER)
    void_visit(as_therapist, duplicate["id"])
    url = visits_url(episode["id"])

    for client in (as_therapist, as_front_desk):
        assert listed_ids(client, url) == [signed_evaluation["id"], kept["id"]]
        assert listed_ids(client, url, include_entered_in_error="true") == [
            signed_evaluation["id"], kept["id"], duplicate["id"]]
        assert listed_ids(client, url, status="voided") == [duplicate["id"]]
        assert listed_ids(client, url, status="draft") == [kept["id"]]
    assert read(as_therapist, url)["total"] == 2


def test_a_voided_drafts_pain_scores_leave_the_pain_score_list(as_therapist, create_visit, episode, ep,
                                                               signed_evaluation):
    duplicate = create_visit(episode["id"], **WEEK_LATER)
    scores = f"{ep}/pain-scores"
    assert len(listed_ids(as_therapist, scores)) == 3

    void_visit(as_therapist, duplicate["id"])

    assert listed_ids(as_therapist, scores) == [p["id"] for p in signed_evaluation["pain_scores"]]
    assert listed_ids(as_therapist, scores, context="stairs_down") == [signed_evaluation["pain_scores"][0]["id"]]
    assert duplicate["pain_scores"][0]["id"] in listed_ids(as_therapist, scores, include_entered_in_error="true")
    score = read(as_therapist, f"{API}/pain-scores/{duplicate['pain_scores'][0]['id']}")
    assert score["visit_id"] == duplicate["id"] and score["entered_in_error_at"] is None


def test_a_voided_draft_no_longer_blocks_discharge(as_therapist, create_visit, episode, ep, signed_evaluation):
    draft = create_visit(episode["id"], **WEEK_LATER)
    blocked = assert_problem(as_therapist.post(f"{ep}/discharge", json=DISCHARGE), 409)
    assert [d["id"] for d in blocked["draft_visits"]] == [draft["id"]]

    void_visit(as_therapist, draft["id"])

    assert created(as_therapist.post(f"{ep}/discharge", json=DISCHARGE), 200)["status"] == "discharged"


def test_a_voided_initial_evaluation_lets_a_new_one_be_logged(as_therapist, create_visit, episode, evaluation):
    url = visits_url(episode["id"])
    assert_problem(as_therapist.post(url, json=EVALUATION), 409)
    assert_problem(as_therapist.post(url, json={**WEEK_LATER, "visit_date": "2026-08-31"}), 422,
                   "visit_date")  # not before the initial evaluation, while it counts

    void_visit(as_therapist, evaluation["id"])
    assert_problem(as_therapist.post(url, json=WEEK_LATER), 422, "visit_type")  # none counts now
    second = create_visit(episode["id"], visit_date="2026-09-02")

    assert listed_ids(as_therapist, url) == [second["id"]]
    assert create_visit(episode["id"], **WEEK_LATER)["visit_type"] == "follow_up"


def test_an_initial_evaluation_is_voided_last(as_therapist, create_visit, episode, evaluation):
    follow_up = create_visit(episode["id"], **WEEK_LATER)

    problem = assert_problem(as_therapist.post(f"{visit_url(evaluation['id'])}/void", json=VOID), 409)
    assert "1 other visit" in problem["detail"]
    assert read(as_therapist, visit_url(evaluation["id"]))["status"] == "draft"

    void_visit(as_therapist, follow_up["id"])
    assert void_visit(as_therapist, evaluation["id"])["status"] == "voided"


def test_only_the_author_voids_a_draft(as_therapist, as_other_therapist, as_front_desk, as_admin, evaluation):
    url = visit_url(evaluation["id"])

    problem = assert_problem(as_other_therapist.post(f"{url}/void", json=VOID), 403)
    assert "author" in problem["detail"]
    assert_problem(as_front_desk.post(f"{url}/void", json=VOID), 403)
    assert_problem(as_admin.post(f"{url}/void", json=VOID), 403)
    assert read(as_therapist, url)["status"] == "draft"


def test_a_signed_note_is_never_voided(as_therapist, signed_evaluation):
    url = visit_url(signed_evaluation["id"])

    problem = assert_problem(as_therapist.post(f"{url}/void", json=VOID), 409)

    assert "entered in error" in problem["detail"]
    assert read(as_therapist, url)["status"] == "signed"


def test_voiding_twice_is_409(as_therapist, evaluation):
    first = void_visit(as_therapist, evaluation["id"])

    assert_problem(as_therapist.post(f"{visit_url(evaluation['id'])}/void", json={"reason": "Again."}), 409)
    assert read(as_therapist, visit_url(evaluation["id"])) == first


@pytest.mark.parametrize(("body", "field"), [
    ({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "r" * 2001}, "reason"), ({"reason": None}, "reason"),
    ({**VOID, "status": "voided"}, "status"),
], ids=["missing", "empty", "too-long", "null", "unknown-field"])
@pytest.mark.parametrize("action", ["void", "entered-in-error"])
def test_a_correction_needs_a_reason(as_therapist, evaluation, action, body, field):
    visit = sign_visit(as_therapist, evaluation["id"]) if action == "entered-in-error" else evaluation

    assert_problem(as_therapist.post(f"{visit_url(visit['id'])}/{action}", json=body), 422, field)
    assert read(as_therapist, visit_url(visit["id"])) == visit


@pytest.mark.parametrize("action", ["void", "entered-in-error", "reassign"])
def test_correcting_an_unknown_visit_is_404(as_therapist, as_admin, action):
    client = as_admin if action == "reassign" else as_therapist
    body = {"therapist_id": str(as_therapist.user.id)} if action == "reassign" else VOID

    assert_problem(client.post(f"{visit_url(UNKNOWN_ID)}/{action}", json=body), 404)


def test_a_voided_visit_takes_no_change_signature_addendum_or_pain_score(as_therapist, ep, evaluation):
    url = visit_url(evaluation["id"])
    void_visit(as_therapist, evaluation["id"])

    assert_problem(as_therapist.patch_current(url, {"plan": "Changed."}), 409)
    assert_problem(as_therapist.post(f"{url}/sign"), 409)
    assert_problem(as_therapist.post(f"{url}/addenda", json={"text": "Late entry."}), 409)
    assert_problem(as_therapist.post(f"{ep}/pain-scores", json={**PAIN_SCORE, "visit_id": evaluation["id"]}), 409)
    assert read(as_therapist, url)["plan"] == EVALUATION["plan"]


# ---- a signed note entered in error --------------------------------------------------------------------

def test_a_note_marked_entered_in_error_stays_signed_and_readable_with_its_state(as_therapist, signed_evaluation):
    note = signed_evaluation

    answer = mark_entered_in_error(as_therapist, visit_url(note["id"]))

    assert answer == read(as_therapist, visit_url(note["id"]))
    assert answer["status"] == "signed" and answer["signed_at"] == note["signed_at"]
    assert (answer["entered_in_error_by"], answer["entered_in_error_reason"]) == (
        str(as_therapist.user.id), WRONG_CHART["reason"])
    assert answer["entered_in_error_at"] is not None and answer["voided_at"] is None
    assert {name: answer[name] for name in ("subjective", "objective", "assessment", "plan")} == {
        name: note[name] for name in ("subjective", "objective", "assessment", "plan")}


def test_a_note_marked_entered_in_error_and_its_pain_scores_leave_the_lists(as_therapist, create_signed_visit,
                                                                            episode, ep, signed_evaluation):
    wrong = create_signed_visit(episode["id"], **WEEK_LATER)
    visits, scores = visits_url(episode["id"]), f"{ep}/pain-scores"

    mark_entered_in_error(as_therapist, visit_url(wrong["id"]))

    assert listed_ids(as_therapist, visits) == [signed_evaluation["id"]]
    assert listed_ids(as_therapist, visits, status="signed") == [signed_evaluation["id"]]
    assert listed_ids(as_therapist, visits, include_entered_in_error="true") == [
        signed_evaluation["id"], wrong["id"]]
    assert listed_ids(as_therapist, scores) == [p["id"] for p in signed_evaluation["pain_scores"]]
    assert wrong["pain_scores"][0]["id"] in listed_ids(as_therapist, scores, include_entered_in_error="true")


def test_an_admin_may_mark_a_note_and_is_answered_without_any_clinical_field(as_therapist, as_admin,
                                                                             signed_evaluation):
    url = visit_url(signed_evaluation["id"])

    answer = mark_entered_in_error(as_admin, url)

    assert not CLINICAL_FIELDS & set(answer), answer
    assert answer["entered_in_error_at"] is not None and answer["status"] == "signed"
    shown = read(as_therapist, url)
    assert (shown["entered_in_error_by"], shown["entered_in_error_reason"]) == (
        str(as_admin.user.id), WRONG_CHART["reason"])


def test_another_therapist_may_not_mark_a_note_and_is_told_who_may(as_therapist, as_other_therapist,
                                                                   as_front_desk, signed_evaluation):
    url = visit_url(signed_evaluation["id"])

    problem = assert_problem(as_other_therapist.post(f"{url}/entered-in-error", json=WRONG_CHART), 403)
    assert "author or an admin" in problem["detail"]
    assert_problem(as_front_desk.post(f"{url}/entered-in-error", json=WRONG_CHART), 403)
    assert read(as_therapist, url)["entered_in_error_at"] is None


def test_a_draft_is_voided_not_marked(as_therapist, evaluation):
    url = visit_url(evaluation["id"])

    problem = assert_problem(as_therapist.post(f"{url}/entered-in-error", json=WRONG_CHART), 409)

    assert "void" in problem["detail"]
    void_visit(as_therapist, evaluation["id"])
    assert_problem(as_therapist.post(f"{url}/entered-in-error", json=WRONG_CHART), 409)


def test_marking_a_note_twice_is_409(as_therapist, as_admin, signed_evaluation):
    url = visit_url(signed_evaluation["id"])
    first = mark_entered_in_error(as_therapist, url)

    assert_problem(as_admin.post(f"{url}/entered-in-error", json={"reason": "Again."}), 409)
    assert read(as_therapist, url) == first


def test_a_signed_initial_evaluation_is_marked_last_and_then_a_new_one_can_be_logged(
        as_therapist, create_signed_visit, create_visit, episode, signed_evaluation):
    follow_up = create_signed_visit(episode["id"], **WEEK_LATER)
    assert_problem(as_therapist.post(f"{visit_url(signed_evaluation['id'])}/entered-in-error", json=WRONG_CHART),
                   409)

    mark_entered_in_error(as_therapist, visit_url(follow_up["id"]))
    mark_entered_in_error(as_therapist, visit_url(signed_evaluation["id"]))

    again = create_visit(episode["id"])
    assert listed_ids(as_therapist, visits_url(episode["id"])) == [again["id"]]


def test_a_marked_note_takes_no_addendum(as_therapist, signed_evaluation):
    url = visit_url(signed_evaluation["id"])
    mark_entered_in_error(as_therapist, url)

    assert_problem(as_therapist.post(f"{url}/addenda", json={"text": "Late entry."}), 409)


def test_once_its_signed_notes_are_marked_an_episode_may_be_marked_entered_in_error(as_therapist, ep,
                                                                                    signed_evaluation):
    assert_problem(as_therapist.post(f"{ep}/entered-in-error", json=WRONG_CHART), 409)

    mark_entered_in_error(as_therapist, visit_url(signed_evaluation["id"]))

    assert mark_entered_in_error(as_therapist, ep)["status"] == "entered_in_error"


def test_an_episode_marked_entered_in_error_takes_no_void(as_therapist, ep, evaluation):
    mark_entered_in_error(as_therapist, ep)

    assert_problem(as_therapist.post(f"{visit_url(evaluation['id'])}/void", json=VOID), 409)


# ---- the measure schedule counts only the visits that count ---------------------------------------------

def test_voided_and_marked_visits_leave_the_schedules_visit_count(as_therapist, create_episode, create_response,
                                                                  create_visit):
    start = today() - timedelta(days=10)
    episode = create_episode(start_date=start.isoformat())
    taken = datetime.combine(start, datetime.min.time(), UTC).replace(hour=9).isoformat()
    create_response(episode["id"], answers={"pain": 6}, taken_at=taken)
    create_visit(episode["id"], visit_date=start.isoformat(), pain_scores=[])
    visits = [create_visit(episode["id"], **FOLLOW_UP, visit_date=str(start + timedelta(days=day)), pain_scores=[])
              for day in (2, 4, 6, 8)]
    assert ("nprs", "remeasure") in due(as_therapist, episode)  # four visits since it was taken

    void_visit(as_therapist, visits[3]["id"])
    assert ("nprs", "remeasure") not in due(as_therapist, episode)

    sign_visit(as_therapist, visits[2]["id"])
    replacement = create_visit(episode["id"], **FOLLOW_UP, visit_date=str(start + timedelta(days=9)), pain_scores=[])
    assert ("nprs", "remeasure") in due(as_therapist, episode)
    mark_entered_in_error(as_therapist, visit_url(visits[2]["id"]))
    assert ("nprs", "remeasure") not in due(as_therapist, episode)
    assert replacement["id"] in listed_ids(as_therapist, visits_url(episode["id"]))


def test_a_discharge_visit_marked_entered_in_error_no_longer_calls_for_groc(as_therapist, create_signed_visit,
                                                                            episode, signed_evaluation):
    discharge_visit = create_signed_visit(episode["id"], **{**WEEK_LATER, "visit_type": "discharge",
                                                            "visit_date": "2026-10-01"})
    assert ("groc", "discharge") in due(as_therapist, episode)

    mark_entered_in_error(as_therapist, visit_url(discharge_visit["id"]))

    assert ("groc", "discharge") not in due(as_therapist, episode)


@pytest.mark.parametrize("correction", ["void", "entered-in-error"])
def test_a_corrected_visit_and_its_pain_scores_no_longer_bound_the_episodes_dates(as_therapist, create_visit,
                                                                                   episode, ep, signed_evaluation,
                                                                                   correction):
    late = create_visit(episode["id"], **{**WEEK_LATER, "visit_date": "2026-10-10"})
    if correction == "entered-in-error":
        sign_visit(as_therapist, late["id"])
        assert_problem(as_therapist.post(f"{ep}/discharge", json=DISCHARGE), 422, "discharge_date")
        mark_entered_in_error(as_therapist, visit_url(late["id"]))
    else:
        void_visit(as_therapist, late["id"])

    assert created(as_therapist.post(f"{ep}/discharge", json=DISCHARGE), 200)["discharge_date"] == "2026-10-01"


# ---- what the front desk sees ---------------------------------------------------------------------------

def test_the_front_desk_sees_that_a_visit_was_corrected_and_when_not_why(as_therapist, as_front_desk, create_visit,
                                                                         episode, signed_evaluation):
    draft = create_visit(episode["id"], **WEEK_LATER)
    void_visit(as_therapist, draft["id"])
    mark_entered_in_error(as_therapist, visit_url(signed_evaluation["id"]))

    shown_void = read(as_front_desk, visit_url(draft["id"]))
    shown_mark = read(as_front_desk, visit_url(signed_evaluation["id"]))

    assert (shown_void["status"], shown_void["voided_by"]) == ("voided", str(as_therapist.user.id))
    assert shown_void["voided_at"] is not None and shown_mark["entered_in_error_at"] is not None
    for shown in (shown_void, shown_mark):
        assert not CLINICAL_FIELDS & set(shown), shown
        assert "entered_in_error_by" not in shown


# ---- a departed therapist's drafts -----------------------------------------------------------------------

def test_an_admin_lists_an_authors_drafts_with_the_patient_and_no_clinical_field(as_therapist, as_other_therapist,
                                                                                 as_admin, create_patient,
                                                                                 create_episode, create_visit,
                                                                                 episode, signed_evaluation):
    first = create_visit(episode["id"], **WEEK_LATER)
    create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-09", client=as_other_therapist)  # another author's
    void_visit(as_therapist, create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-10")["id"])
    other_patient = create_patient(first_name="Ben", last_name="Hill", email="ben@example.org")
    other_episode = create_episode(patient_id=other_patient["id"])
    second = create_visit(other_episode["id"], visit_date="2026-09-03")

    page = read(as_admin, DRAFTS, therapist_id=str(as_therapist.user.id))

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


def test_the_draft_list_is_paginated_and_each_draft_shown_is_audited(as_therapist, as_admin, create_visit, episode,
                                                                     evaluation):
    drafts = [create_visit(episode["id"], **FOLLOW_UP, visit_date=f"2026-09-0{day}") for day in (2, 3)]

    page = read(as_admin, DRAFTS, therapist_id=str(as_therapist.user.id), per_page=2, page=2)

    assert (page["total"], page["pages"], [item["id"] for item in page["items"]]) == (3, 2, [drafts[1]["id"]])
    [event] = listed(as_admin, AUDIT, action="visit.draft_list")
    assert (event["resource_id"], event["patient_id"], event["user_id"]) == (
        drafts[1]["id"], episode["patient_id"], str(as_admin.user.id))


def test_the_draft_list_reads_in_a_constant_number_of_queries(as_therapist, as_admin, count_queries,
                                                              create_episode, create_visit):
    author = str(as_therapist.user.id)
    create_visit(create_episode()["id"])
    with count_queries() as one:
        assert read(as_admin, DRAFTS, therapist_id=author)["total"] == 1
    for _ in range(3):
        create_visit(create_episode()["id"])
    with count_queries() as four:
        assert read(as_admin, DRAFTS, therapist_id=author)["total"] == 4

    assert four.count == one.count


def test_drafts_of_an_episode_entered_in_error_are_not_listed(as_therapist, as_admin, ep, evaluation):
    mark_entered_in_error(as_therapist, ep)

    page = read(as_admin, DRAFTS, therapist_id=str(as_therapist.user.id))

    assert page["items"] == []


@pytest.mark.parametrize(("query", "field"), [({}, "therapist_id"), ({"therapist_id": "nobody"}, "therapist_id"),
                                              ({"therapist_id": UNKNOWN_ID, "status": "draft"}, "status")],
                         ids=["missing", "not-a-uuid", "unknown-parameter"])
def test_the_draft_list_needs_an_author(as_admin, query, field):
    assert_problem(as_admin.get(DRAFTS, query_string=query), 422, field)


@pytest.mark.parametrize("role", ["as_therapist", "as_front_desk"])
def test_only_an_admin_lists_and_reassigns_drafts(request, as_therapist, as_other_therapist, evaluation, role):
    client = request.getfixturevalue(role)
    url = visit_url(evaluation["id"])

    assert_problem(client.get(DRAFTS, query_string={"therapist_id": str(as_therapist.user.id)}), 403)
    assert_problem(client.post(f"{url}/reassign", json={"therapist_id": str(as_other_therapist.user.id)}), 403)
    assert read(as_therapist, url)["therapist_id"] == str(as_therapist.user.id)


def test_a_reassigned_draft_belongs_to_its_new_author(as_therapist, as_other_therapist, as_admin, episode,
                                                      evaluation):
    url = visit_url(evaluation["id"])

    answer = created(as_admin.post(f"{url}/reassign", json={"therapist_id": str(as_other_therapist.user.id)}), 200)

    assert set(answer) == DRAFT_FIELDS and answer["therapist_id"] == str(as_other_therapist.user.id)
    assert answer["patient"]["id"] == episode["patient_id"]
    assert_problem(as_therapist.post(f"{url}/sign"), 403)
    assert sign_visit(as_other_therapist, evaluation["id"])["signed_by"] == str(as_other_therapist.user.id)
    [event] = listed(as_admin, AUDIT, action="visit.reassign")
    assert (event["resource_id"], event["patient_id"], event["user_id"]) == (
        evaluation["id"], episode["patient_id"], str(as_admin.user.id))
    assert event["details"] == {"from_therapist_id": str(as_therapist.user.id),
                                "to_therapist_id": str(as_other_therapist.user.id)}


def test_a_draft_goes_only_to_an_active_therapist(as_therapist, as_front_desk, as_admin, evaluation):
    url = visit_url(evaluation["id"])
    departed = created(as_admin.post(f"{API}/users", json={**NEW_THERAPIST, "active": False}))

    for target in (departed["id"], str(as_front_desk.user.id), str(as_admin.user.id), UNKNOWN_ID):
        assert_problem(as_admin.post(f"{url}/reassign", json={"therapist_id": target}), 422, "therapist_id")
    assert_problem(as_admin.post(f"{url}/reassign", json={"therapist_id": "x"}), 422, "therapist_id")
    assert_problem(as_admin.post(f"{url}/reassign", json={}), 422, "therapist_id")
    assert read(as_therapist, url)["therapist_id"] == str(as_therapist.user.id)
    assert listed(as_admin, AUDIT, action="visit.reassign") == []


def test_only_a_draft_is_reassigned(as_therapist, as_other_therapist, as_admin, create_visit, episode,
                                    signed_evaluation):
    note = signed_evaluation
    draft = create_visit(episode["id"], **WEEK_LATER)
    void_visit(as_therapist, draft["id"])
    target = {"therapist_id": str(as_other_therapist.user.id)}

    assert_problem(as_admin.post(f"{visit_url(note['id'])}/reassign", json=target), 409)
    assert_problem(as_admin.post(f"{visit_url(draft['id'])}/reassign", json=target), 409)
    assert read(as_therapist, visit_url(note["id"]))["therapist_id"] == str(as_therapist.user.id)


# ---- audit and record events ----------------------------------------------------------------------------

def test_every_correction_is_audited_with_its_reason(as_therapist, as_admin, create_visit, episode,
                                                     signed_evaluation):
    note = signed_evaluation
    draft = create_visit(episode["id"], **WEEK_LATER)
    void_visit(as_therapist, draft["id"])
    mark_entered_in_error(as_admin, visit_url(note["id"]))

    for action, visit, user, body in (("visit.void", draft, as_therapist, VOID),
                                      ("visit.entered_in_error", note, as_admin, WRONG_CHART)):
        [event] = listed(as_admin, AUDIT, action=action)
        assert (event["resource_id"], event["patient_id"], event["user_id"]) == (
            visit["id"], episode["patient_id"], str(user.user.id))
        assert event["details"] == body and event["outcome"] == "success"


def test_a_refused_correction_leaves_no_event(as_therapist, as_other_therapist, as_admin, evaluation):
    url = visit_url(evaluation["id"])
    as_other_therapist.post(f"{url}/void", json=VOID)
    as_therapist.post(f"{url}/entered-in-error", json=WRONG_CHART)

    assert listed(as_admin, AUDIT, action="visit.void") == []
    assert listed(as_admin, AUDIT, action="visit.entered_in_error") == []


def test_each_correction_sends_its_record_event(as_therapist, as_other_therapist, as_admin, create_visit, episode,
                                                signed_evaluation):
    received = []

    def receiver(sender, **kwargs):
        received.append((str(sender.id), str(kwargs["episode_id"]),
                         {key: str(value) for key, value in kwargs.items() if key != "episode_id"}))

    draft = create_visit(episode["id"], **WEEK_LATER)
    duplicate = create_visit(episode["id"], **WEEK_LATER)
    with (signals.visit_voided.connected_to(receiver), signals.visit_entered_in_error.connected_to(receiver),
          signals.visit_reassigned.connected_to(receiver)):
        void_visit(as_therapist, duplicate["id"])
        created(as_admin.post(f"{visit_url(draft['id'])}/reassign",
                              json={"therapist_id": str(as_other_therapist.user.id)}), 200)
        sign_visit(as_other_therapist, draft["id"])
        mark_entered_in_error(as_other_therapist, visit_url(draft["id"]))

    assert received == [(duplicate["id"], episode["id"], {}),
                        (draft["id"], episode["id"], {"previous_therapist_id": str(as_therapist.user.id)}),
                        (draft["id"], episode["id"], {})]
    for signal in (signals.visit_voided, signals.visit_entered_in_error, signals.visit_reassigned):
        assert signal in signals.RECORD_EVENTS


# ---- migration 0006 down and up with corrected visits ------------------------------------------------------

def test_the_migration_goes_down_and_up_with_voided_and_marked_visits(fresh_app, new_staff):
    """A downgrade loses the markers but runs: an episode keeps one initial evaluation."""
    author = new_staff(fresh_app).user
    with fresh_app.app_context():
        episode = stored_episode()
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
