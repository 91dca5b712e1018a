"""Visit notes (issue 4): a therapist logs SOAP drafts, in date order after the initial evaluation, and nothing
invalid is stored. (The text of notes: test_note_text; signing: test_signing; changes to a draft:
test_draft_changes; addenda: test_addenda; who may see and do what, and the audit of note reads:
test_visit_access.)

Every refused request is a problem-details answer naming the field at fault, and leaves nothing stored."""
from __future__ import annotations

import pytest

from tests.factories import (
    EVALUATION,
    FOLLOW_UP,
    NOTE_MAX,
    UNKNOWN_ID,
    assert_problem,
    days_ahead,
    instant_ahead,
    resolved,
    statements_for,
    stored_pain_scores,
    stored_visits,
    today,
    visit_url,
    visits_url,
    without,
)

SOAP = ("subjective", "objective", "assessment", "plan")
INTERVENTION = EVALUATION["interventions"][0]
EXERCISE = EVALUATION["home_exercises"][0]


# ---- logging a visit ------------------------------------------------------------------------------

def test_a_new_visit_is_a_draft_holding_its_note_interventions_exercises_and_pain_scores(as_therapist, episode):
    response = as_therapist.post(visits_url(episode["id"]), json=EVALUATION)

    assert response.status_code == 201, response.get_json()
    visit = response.get_json()
    assert response.headers["Location"].endswith(visit_url(visit["id"]))
    assert visit["episode_id"] == episode["id"]
    assert (visit["visit_date"], visit["visit_type"], visit["status"]) == ("2026-09-01", "initial_evaluation",
                                                                           "draft")
    assert visit["therapist_id"] == str(as_therapist.user.id)
    assert visit["signed_by"] is None and visit["signed_at"] is None
    assert {name: visit[name] for name in SOAP} == {name: EVALUATION[name] for name in SOAP}
    assert visit["interventions"] == EVALUATION["interventions"]
    assert visit["home_exercises"] == EVALUATION["home_exercises"]
    assert [(p["context"], p["score"], p["visit_id"]) for p in visit["pain_scores"]] == [
        ("stairs_down", 7, visit["id"]), ("current", 5, visit["id"])]
    assert visit["addenda"] == []
    assert as_therapist.get(visit_url(visit["id"])).get_json() == visit
    assert [s["score"] for s in stored_pain_scores(as_therapist, episode["id"])] == [7, 5]


def test_a_visit_without_a_date_is_dated_today(as_therapist, episode):
    response = as_therapist.post(visits_url(episode["id"]), json=without(EVALUATION, "visit_date"))

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visit_date"] == today().isoformat()


def test_the_visits_of_an_episode_are_listed_in_date_order_and_filtered(as_therapist, episode, create_visit,
                                                                        create_signed_visit):
    evaluation = create_visit(episode["id"])
    later = create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-15")
    earlier = create_signed_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08")

    listed = stored_visits(as_therapist, episode["id"])
    signed = as_therapist.get(visits_url(episode["id"]), query_string={"status": "signed"}).get_json()
    follow_ups = as_therapist.get(visits_url(episode["id"]), query_string={"visit_type": "follow_up"}).get_json()

    assert [v["id"] for v in listed] == [evaluation["id"], earlier["id"], later["id"]]
    assert [v["id"] for v in signed["items"]] == [earlier["id"]]
    assert [v["id"] for v in follow_ups["items"]] == [earlier["id"], later["id"]]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", f"/api/v1/visits/{UNKNOWN_ID}"),
    ("POST", f"/api/v1/visits/{UNKNOWN_ID}/sign"),
    ("GET", f"/api/v1/episodes/{UNKNOWN_ID}/visits"),
])
def test_an_unknown_visit_or_episode_is_not_found(as_therapist, method, path):
    assert_problem(as_therapist.request(method, path), 404)


def test_posting_a_visit_to_an_unknown_episode_is_not_found(as_therapist):
    response = as_therapist.post(visits_url(UNKNOWN_ID), json=EVALUATION)

    assert_problem(response, 404)


# ---- refused visits: 422 naming the field, nothing stored ------------------------------------------

INVALID_VISITS = [
    # (id, changes to the evaluation body, the one field named)
    ("visit_type-missing", {"visit_type": ...}, "visit_type"),
    ("visit_type-unknown", {"visit_type": "consultation"}, "visit_type"),
    ("visit_date-not-a-date", {"visit_date": "2026-02-30"}, "visit_date"),
    ("visit_date-null", {"visit_date": None}, "visit_date"),
    ("visit_date-before-episode-start", {"visit_date": "2026-08-31"}, "visit_date"),
    ("visit_date-two-days-ahead", {"visit_date": lambda: days_ahead(2)}, "visit_date"),
    ("subjective-20001-chars", {"subjective": "s" * (NOTE_MAX + 1)}, "subjective"),
    ("objective-20001-chars", {"objective": "o" * (NOTE_MAX + 1)}, "objective"),
    ("assessment-20001-chars", {"assessment": "a" * (NOTE_MAX + 1)}, "assessment"),
    ("plan-20001-chars", {"plan": "p" * (NOTE_MAX + 1)}, "plan"),
    ("subjective-nul", {"subjective": "Pain\u0000 on stairs"}, "subjective"),
    ("objective-bell", {"objective": "Squat\u0007"}, "objective"),
    ("assessment-escape", {"assessment": "\u001b[31mPFP"}, "assessment"),
    ("plan-delete", {"plan": "Load\u007f management"}, "plan"),
    ("subjective-not-text", {"subjective": 42}, "subjective"),
    ("interventions-minutes-zero", {"interventions": [{**INTERVENTION, "minutes": 0}]}, "interventions.0.minutes"),
    ("interventions-minutes-string", {"interventions": [{**INTERVENTION, "minutes": "30"}]},
     "interventions.0.minutes"),
    ("interventions-minutes-fraction", {"interventions": [INTERVENTION, {**INTERVENTION, "minutes": 7.5}]},
     "interventions.1.minutes"),
    ("interventions-description-missing", {"interventions": [{"code": "97110", "minutes": 30}]},
     "interventions.0.description"),
    ("interventions-unknown-key", {"interventions": [{**INTERVENTION, "units": 2}]}, "interventions.0.units"),
    ("interventions-not-a-list", {"interventions": INTERVENTION}, "interventions"),
    ("home_exercises-sets-zero", {"home_exercises": [{**EXERCISE, "sets": 0}]}, "home_exercises.0.sets"),
    ("home_exercises-reps-string", {"home_exercises": [{**EXERCISE, "reps": "15"}]}, "home_exercises.0.reps"),
    ("home_exercises-name-missing", {"home_exercises": [{"sets": 3, "reps": 15}]}, "home_exercises.0.name"),
    ("home_exercises-notes-nul", {"home_exercises": [{**EXERCISE, "notes": "\u0000"}]}, "home_exercises.0.notes"),
    ("pain_scores-score-11", {"pain_scores": [{"score": 11, "context": "current"}]}, "pain_scores.0.score"),
    ("pain_scores-score-negative", {"pain_scores": [{"score": -1, "context": "current"}]}, "pain_scores.0.score"),
    ("pain_scores-score-fraction", {"pain_scores": [{"score": 3.5, "context": "current"}]}, "pain_scores.0.score"),
    ("pain_scores-score-string", {"pain_scores": [{"score": "3", "context": "current"}]}, "pain_scores.0.score"),
    ("pain_scores-score-boolean", {"pain_scores": [{"score": True, "context": "current"}]}, "pain_scores.0.score"),
    ("pain_scores-context-unknown", {"pain_scores": [{"score": 3, "context": "morning"}]}, "pain_scores.0.context"),
    ("pain_scores-context-missing", {"pain_scores": [{"score": 3, "context": "current"}, {"score": 3}]},
     "pain_scores.1.context"),
    ("pain_scores-recorded_at-naive", {"pain_scores": [{"score": 3, "context": "current",
                                                        "recorded_at": "2026-09-01T10:00:00"}]},
     "pain_scores.0.recorded_at"),
    ("pain_scores-recorded_at-before-start", {"pain_scores": [{"score": 3, "context": "current",
                                                               "recorded_at": "2026-08-31T10:00:00+00:00"}]},
     "pain_scores.0.recorded_at"),
    ("pain_scores-recorded_at-future", {"pain_scores": [{"score": 3, "context": "current",
                                                         "recorded_at": lambda: instant_ahead(minutes=30)}]},
     "pain_scores.0.recorded_at"),
    ("unknown-field", {"mood": "cheerful"}, "mood"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_VISITS],
                         ids=[case[0] for case in INVALID_VISITS])
def test_an_invalid_visit_is_refused_naming_the_field_and_nothing_is_stored(as_therapist, episode, changes, field):
    response = as_therapist.post(visits_url(episode["id"]), json=without({**EVALUATION, **resolved(changes)}))

    assert_problem(response, 422, field)
    assert stored_visits(as_therapist, episode["id"]) == []
    assert stored_pain_scores(as_therapist, episode["id"]) == []


@pytest.mark.parametrize("days", [0, 1])
def test_a_visit_may_be_dated_today_or_tomorrow(as_therapist, episode, days):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "visit_date": days_ahead(days),
                                                                  "pain_scores": []})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visit_date"] == days_ahead(days)


def test_a_visit_dated_tomorrow_takes_the_pain_scores_recorded_with_it(as_therapist, episode):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "visit_date": days_ahead(1)})

    assert response.status_code == 201, response.get_json()
    assert [p["score"] for p in response.get_json()["pain_scores"]] == [7, 5]


def test_a_visit_may_be_dated_on_the_episode_start(as_therapist, episode):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "visit_date": episode["start_date"]})

    assert response.status_code == 201, response.get_json()


# ---- order of visits -----------------------------------------------------------------------------

@pytest.mark.parametrize("visit_type", ["follow_up", "re_evaluation", "discharge"])
def test_the_first_visit_of_an_episode_must_be_its_initial_evaluation(as_therapist, episode, visit_type):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "visit_type": visit_type})

    assert_problem(response, 422, "visit_type")
    assert stored_visits(as_therapist, episode["id"]) == []
    assert stored_pain_scores(as_therapist, episode["id"]) == []


@pytest.mark.parametrize("visit_date", ["2026-09-01", "2026-09-20"])
def test_a_second_initial_evaluation_is_a_conflict(as_therapist, episode, evaluation, visit_date):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "visit_date": visit_date})

    body = assert_problem(response, 409)
    assert "visit_type" in body.get("errors", {})
    assert [v["id"] for v in stored_visits(as_therapist, episode["id"])] == [evaluation["id"]]


def test_a_second_initial_evaluation_by_another_therapist_is_a_conflict_too(as_other_therapist, as_therapist,
                                                                             episode, evaluation):
    response = as_other_therapist.post(visits_url(episode["id"]), json=EVALUATION)

    assert_problem(response, 409)
    assert len(stored_visits(as_therapist, episode["id"])) == 1


def test_a_visit_dated_before_the_initial_evaluation_is_refused(as_therapist, episode, create_visit):
    evaluation = create_visit(episode["id"], visit_date="2026-09-05")

    response = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": "2026-09-04"})

    assert_problem(response, 422, "visit_date")
    assert [v["id"] for v in stored_visits(as_therapist, episode["id"])] == [evaluation["id"]]


@pytest.mark.parametrize("visit_type", ["follow_up", "re_evaluation", "discharge"])
def test_later_visits_of_any_type_may_follow_the_initial_evaluation_from_its_day(as_therapist, episode, evaluation,
                                                                                 visit_type):
    response = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_type": visit_type,
                                                                  "visit_date": evaluation["visit_date"]})

    assert response.status_code == 201, response.get_json()
    assert len(stored_visits(as_therapist, episode["id"])) == 2


def test_another_therapist_may_log_a_follow_up_as_its_author(as_other_therapist, episode, evaluation):
    response = as_other_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": "2026-09-08"})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["therapist_id"] == str(as_other_therapist.user.id)



# ---- idempotency ----------------------------------------------------------------------------------

def test_a_retried_visit_with_the_same_idempotency_key_is_created_once(as_therapist, episode):
    headers = {"Idempotency-Key": "visit-2026-09-01-maddie"}

    first = as_therapist.post(visits_url(episode["id"]), json=EVALUATION, headers=headers)
    again = as_therapist.post(visits_url(episode["id"]), json=EVALUATION, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert [v["id"] for v in stored_visits(as_therapist, episode["id"])] == [first.get_json()["id"]]
    assert len(stored_pain_scores(as_therapist, episode["id"])) == 2


def test_an_idempotency_key_reused_with_another_body_is_refused(as_therapist, episode):
    headers = {"Idempotency-Key": "visit-key-1"}
    first = as_therapist.post(visits_url(episode["id"]), json=EVALUATION, headers=headers)

    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "plan": "Other plan."},
                                 headers=headers)

    assert first.status_code == 201
    assert_problem(response, 422, "Idempotency-Key")
    assert [v["id"] for v in stored_visits(as_therapist, episode["id"])] == [first.get_json()["id"]]


def test_visit_list_with_pain_scores_and_addenda_is_bounded(count_queries, as_therapist, as_front_desk, episode,
                                                           create_signed_visit):
    url = visits_url(episode["id"])
    create_signed_visit(episode["id"])
    few = statements_for(count_queries, as_therapist, url)
    for day in range(2, 14):
        visit = create_signed_visit(episode["id"], visit_type="follow_up", visit_date=f"2026-09-{day:02d}")
        as_therapist.post(f"{visit_url(visit['id'])}/addenda", json={"text": "Late entry."})

    many = statements_for(count_queries, as_therapist, url)
    listed = as_therapist.get(url).get_json()["items"]

    assert len(listed) == 13 and all(len(v["pain_scores"]) == 2 for v in listed)
    assert sum(len(v["addenda"]) for v in listed) == 12
    assert 0 < few == many <= 8
    assert statements_for(count_queries, as_front_desk, url) <= many
