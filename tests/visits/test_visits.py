"""Visit notes (issue 4): SOAP drafts signed by their author, addenda, the order and dates of visits, discharge
blocked by unsigned notes, what the front desk and the admin may see and do, and the audit of note reads.

Every refused request is a problem-details answer naming the field at fault, and leaves nothing stored."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import assert_problem
from tests.flows.test_therapist_day import EVALUATION

AUDIT = "/api/v1/audit-events"
SOAP = ("subjective", "objective", "assessment", "plan")
CLINICAL_FIELDS = ("subjective", "objective", "assessment", "plan", "interventions", "home_exercises",
                   "pain_scores", "addenda")
NOTE_MAX = 20_000
FOLLOW_UP = {"visit_type": "follow_up", "subjective": "Stairs easier.", "objective": "Squat pain-free to 60°.",
             "assessment": "Improving.", "plan": "Start run/walk 4:1."}


def today() -> date:
    return datetime.now(UTC).date()


def visits_url(episode_id: str) -> str:
    return f"/api/v1/episodes/{episode_id}/visits"


def visit_url(visit_id: str) -> str:
    return f"/api/v1/visits/{visit_id}"


def stored_visits(client, episode_id: str) -> list[dict]:
    response = client.get(visits_url(episode_id), query_string={"per_page": 100})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def stored_pain_scores(client, episode_id: str) -> list[dict]:
    response = client.get(f"/api/v1/episodes/{episode_id}/pain-scores")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def audit_events(as_admin, **filters) -> list[dict]:
    response = as_admin.get(AUDIT, query_string={"per_page": 100, **filters})
    assert response.status_code == 200
    return response.get_json()["items"]


@pytest.fixture
def episode(create_episode) -> dict:
    return create_episode()


@pytest.fixture
def post_visit(as_therapist, episode):
    """POSTs a visit to the episode (the initial evaluation by default) and returns the created visit."""
    def post(client=None, **overrides) -> dict:
        response = (client or as_therapist).post(visits_url(episode["id"]), json={**EVALUATION, **overrides})
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return post


@pytest.fixture
def evaluation(post_visit) -> dict:
    return post_visit()


@pytest.fixture
def signed_evaluation(as_therapist, evaluation) -> dict:
    response = as_therapist.post(f"{visit_url(evaluation['id'])}/sign")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


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
    body = {key: value for key, value in EVALUATION.items() if key != "visit_date"}

    response = as_therapist.post(visits_url(episode["id"]), json=body)

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visit_date"] == today().isoformat()


def test_the_visits_of_an_episode_are_listed_in_date_order_and_filtered(as_therapist, episode, post_visit):
    evaluation = post_visit()
    later = post_visit(**FOLLOW_UP, visit_date="2026-09-15")
    earlier = post_visit(**FOLLOW_UP, visit_date="2026-09-08")
    as_therapist.post(f"{visit_url(earlier['id'])}/sign")

    listed = stored_visits(as_therapist, episode["id"])
    signed = as_therapist.get(visits_url(episode["id"]), query_string={"status": "signed"}).get_json()
    follow_ups = as_therapist.get(visits_url(episode["id"]), query_string={"visit_type": "follow_up"}).get_json()

    assert [v["id"] for v in listed] == [evaluation["id"], earlier["id"], later["id"]]
    assert [v["id"] for v in signed["items"]] == [earlier["id"]]
    assert [v["id"] for v in follow_ups["items"]] == [earlier["id"], later["id"]]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/visits/00000000-0000-4000-8000-000000000000"),
    ("POST", "/api/v1/visits/00000000-0000-4000-8000-000000000000/sign"),
    ("GET", "/api/v1/episodes/00000000-0000-4000-8000-000000000000/visits"),
])
def test_an_unknown_visit_or_episode_is_not_found(as_therapist, method, path):
    assert_problem(as_therapist.request(method, path), 404)


def test_posting_a_visit_to_an_unknown_episode_is_not_found(as_therapist):
    response = as_therapist.post(visits_url("00000000-0000-4000-8000-000000000000"), json=EVALUATION)

    assert_problem(response, 404)


def test_an_addendum_to_an_unknown_visit_is_not_found(as_therapist):
    response = as_therapist.post("/api/v1/visits/00000000-0000-4000-8000-000000000000/addenda", json={"text": "x"})

    assert_problem(response, 404)


# ---- note text: bounded, kept exactly -------------------------------------------------------------

@pytest.mark.parametrize("field", SOAP)
def test_a_note_part_of_exactly_20000_characters_is_kept(as_therapist, episode, field):
    text = "é" * (NOTE_MAX - 2) + "🦵\n"

    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, field: text})

    assert response.status_code == 201, response.get_json()
    assert len(response.get_json()[field]) == NOTE_MAX
    assert as_therapist.get(visit_url(response.get_json()["id"])).get_json()[field] == text


WRITTEN_AS_IS = [
    pytest.param("  Leading and trailing spaces  ", id="spaces"),
    pytest.param("\tTabbed\tcolumns\t", id="tabs"),
    pytest.param("\nLine one\n\n  indented line two\n", id="newlines"),
    pytest.param("Windows\r\nline breaks\r\n", id="crlf"),
    pytest.param("Schmerz beim Treppabgehen – 7/10 ≥ gestern; 膝の痛み; 🏃‍♀️🦵💥", id="unicode-and-emoji"),
]


@pytest.mark.parametrize("text", WRITTEN_AS_IS)
@pytest.mark.parametrize("field", SOAP)
def test_note_text_is_kept_exactly_as_written(as_therapist, episode, field, text):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, field: text})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()[field] == text
    assert as_therapist.get(visit_url(response.get_json()["id"])).get_json()[field] == text


@pytest.mark.parametrize("text", WRITTEN_AS_IS)
def test_a_changed_note_and_an_addendum_are_kept_exactly_as_written(as_therapist, evaluation, text):
    url = visit_url(evaluation["id"])

    changed = as_therapist.patch_current(url, {"assessment": text})
    as_therapist.post(f"{url}/sign")
    addendum = as_therapist.post(f"{url}/addenda", json={"text": text})

    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["assessment"] == text
    assert addendum.status_code == 201, addendum.get_json()
    shown = as_therapist.get(url).get_json()
    assert shown["assessment"] == text
    assert [a["text"] for a in shown["addenda"]] == [text]


# ---- refused visits: 422 naming the field, nothing stored ------------------------------------------

def _days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def _in_minutes(n: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=n)).isoformat()


INTERVENTION = EVALUATION["interventions"][0]
EXERCISE = EVALUATION["home_exercises"][0]
INVALID_VISITS = [
    # (id, changes to the evaluation body, the one field named)
    ("visit_type-missing", {"visit_type": None}, "visit_type"),
    ("visit_type-unknown", {"visit_type": "consultation"}, "visit_type"),
    ("visit_date-not-a-date", {"visit_date": "2026-02-30"}, "visit_date"),
    ("visit_date-null", {"visit_date": None}, "visit_date"),
    ("visit_date-before-episode-start", {"visit_date": "2026-08-31"}, "visit_date"),
    ("visit_date-two-days-ahead", {"visit_date": lambda: _days(2)}, "visit_date"),
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
                                                         "recorded_at": lambda: _in_minutes(30)}]},
     "pain_scores.0.recorded_at"),
    ("unknown-field", {"mood": "cheerful"}, "mood"),
]


def _resolved(changes: dict) -> dict:
    """Relative dates are computed when the test runs, not when the module is imported."""
    def value(v):
        if callable(v):
            return v()
        if isinstance(v, list):
            return [{k: value(x) for k, x in item.items()} if isinstance(item, dict) else item for item in v]
        return v
    return {key: value(v) for key, v in changes.items()}


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_VISITS],
                         ids=[case[0] for case in INVALID_VISITS])
def test_an_invalid_visit_is_refused_naming_the_field_and_nothing_is_stored(as_therapist, episode, changes, field):
    body = {key: value for key, value in {**EVALUATION, **_resolved(changes)}.items()
            if not (key == "visit_type" and value is None)}

    response = as_therapist.post(visits_url(episode["id"]), json=body)

    assert_problem(response, 422, field)
    assert stored_visits(as_therapist, episode["id"]) == []
    assert stored_pain_scores(as_therapist, episode["id"]) == []


@pytest.mark.parametrize("days_ahead", [0, 1])
def test_a_visit_may_be_dated_today_or_tomorrow(as_therapist, episode, days_ahead):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "visit_date": _days(days_ahead),
                                                                  "pain_scores": []})

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visit_date"] == _days(days_ahead)


def test_a_visit_dated_tomorrow_takes_the_pain_scores_recorded_with_it(as_therapist, episode):
    response = as_therapist.post(visits_url(episode["id"]), json={**EVALUATION, "visit_date": _days(1)})

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


def test_a_visit_dated_before_the_initial_evaluation_is_refused(as_therapist, episode, post_visit):
    evaluation = post_visit(visit_date="2026-09-05")

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


# ---- lifecycle: draft, signed -----------------------------------------------------------------------

def test_signing_a_complete_draft_stamps_the_signer_and_the_time(as_therapist, evaluation):
    before = datetime.now(UTC)

    response = as_therapist.post(f"{visit_url(evaluation['id'])}/sign")

    assert response.status_code == 200, response.get_json()
    signed = response.get_json()
    assert signed["status"] == "signed"
    assert signed["signed_by"] == str(as_therapist.user.id)
    signed_at = datetime.fromisoformat(signed["signed_at"])
    assert before - timedelta(seconds=5) <= signed_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert {name: signed[name] for name in SOAP} == {name: EVALUATION[name] for name in SOAP}
    assert as_therapist.get(visit_url(evaluation["id"])).get_json()["status"] == "signed"


@pytest.mark.parametrize("missing", [("plan",), ("subjective", "assessment"), SOAP],
                         ids=["plan", "subjective+assessment", "all-four"])
def test_signing_needs_all_four_soap_parts_and_names_the_missing_ones(as_therapist, episode, missing):
    draft = as_therapist.post(visits_url(episode["id"]), json={
        key: value for key, value in EVALUATION.items() if key not in missing}).get_json()

    response = as_therapist.post(f"{visit_url(draft['id'])}/sign")

    body = assert_problem(response, 422)
    assert set(body["errors"]) == set(missing)
    shown = as_therapist.get(visit_url(draft["id"])).get_json()
    assert (shown["status"], shown["signed_by"], shown["signed_at"]) == ("draft", None, None)


def test_a_soap_part_set_to_null_must_be_written_again_before_signing(as_therapist, evaluation):
    url = visit_url(evaluation["id"])
    as_therapist.patch_current(url, {"objective": None})

    refused = as_therapist.post(f"{url}/sign")
    as_therapist.patch_current(url, {"objective": "Squat pain-free to 60°."})
    signed = as_therapist.post(f"{url}/sign")

    assert list(assert_problem(refused, 422)["errors"]) == ["objective"]
    assert signed.status_code == 200


def test_only_the_author_may_sign_a_draft(as_therapist, as_other_therapist, evaluation):
    response = as_other_therapist.post(f"{visit_url(evaluation['id'])}/sign")

    assert_problem(response, 403)
    shown = as_therapist.get(visit_url(evaluation["id"])).get_json()
    assert (shown["status"], shown["signed_by"], shown["signed_at"]) == ("draft", None, None)


def test_a_signed_visit_cannot_be_signed_again(as_therapist, signed_evaluation):
    response = as_therapist.post(f"{visit_url(signed_evaluation['id'])}/sign")

    assert_problem(response, 409)
    assert as_therapist.get(visit_url(signed_evaluation["id"])).get_json()["signed_at"] == \
        signed_evaluation["signed_at"]


@pytest.mark.parametrize("client", ["as_therapist", "as_other_therapist"])
def test_a_signed_visit_never_changes(request, as_therapist, signed_evaluation, client):
    url = visit_url(signed_evaluation["id"])

    response = request.getfixturevalue(client).patch_current(url, {"plan": "Changed after signing."})

    assert_problem(response, 409)
    shown = as_therapist.get(url).get_json()
    assert shown["plan"] == EVALUATION["plan"] and shown["updated_at"] == signed_evaluation["updated_at"]


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
    ("visit_date-two-days-ahead", {"visit_date": lambda: _days(2)}, "visit_date"),
    ("plan-20001-chars", {"plan": "p" * (NOTE_MAX + 1)}, "plan"),
    ("subjective-nul", {"subjective": "\u0000"}, "subjective"),
    ("interventions-minutes", {"interventions": [{**INTERVENTION, "minutes": 481}]}, "interventions.0.minutes"),
    ("unknown-field", {"status": "signed"}, "status"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in INVALID_CHANGES],
                         ids=[case[0] for case in INVALID_CHANGES])
def test_an_invalid_change_is_refused_naming_the_field_and_changes_nothing(as_therapist, episode, evaluation,
                                                                          changes, field):
    url = visit_url(evaluation["id"])
    before = as_therapist.get(url).get_json()
    scores_before = stored_pain_scores(as_therapist, episode["id"])

    response = as_therapist.patch_current(url, _resolved(changes))

    assert_problem(response, 422, field)
    assert as_therapist.get(url).get_json() == before
    assert stored_pain_scores(as_therapist, episode["id"]) == scores_before


PARTIAL_NESTED_CHANGES = [
    ("interventions-description-missing", {"interventions": [{"code": "97110", "minutes": 10}]},
     "interventions.0.description"),
    ("home_exercises-name-missing", {"home_exercises": [{"sets": 3, "reps": 10}]}, "home_exercises.0.name"),
]


@pytest.mark.parametrize(("changes", "field"), [case[1:] for case in PARTIAL_NESTED_CHANGES],
                         ids=[case[0] for case in PARTIAL_NESTED_CHANGES])
def test_a_change_with_an_incomplete_item_is_refused_naming_it_and_changes_nothing(as_therapist, episode, evaluation,
                                                                                  changes, field):
    url = visit_url(evaluation["id"])
    before = as_therapist.get(url).get_json()

    response = as_therapist.patch_current(url, changes)

    assert_problem(response, 422, field)
    assert as_therapist.get(url).get_json() == before


def test_the_initial_evaluation_cannot_be_moved_after_a_later_visit(as_therapist, episode, evaluation):
    as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": "2026-09-08"})
    url = visit_url(evaluation["id"])

    response = as_therapist.patch_current(url, {"visit_date": "2026-09-09"})

    assert_problem(response, 422, "visit_date")
    assert as_therapist.get(url).get_json()["visit_date"] == "2026-09-01"


def test_a_follow_up_cannot_be_moved_before_the_initial_evaluation(as_therapist, episode, evaluation):
    follow_up = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": "2026-09-08"})
    url = visit_url(follow_up.get_json()["id"])
    as_therapist.patch_current(visit_url(evaluation["id"]), {"visit_date": "2026-09-03"})

    response = as_therapist.patch_current(url, {"visit_date": "2026-09-02"})

    assert_problem(response, 422, "visit_date")
    assert as_therapist.get(url).get_json()["visit_date"] == "2026-09-08"


def test_a_follow_up_cannot_become_a_second_initial_evaluation(as_therapist, episode, evaluation):
    follow_up = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": "2026-09-08"})
    url = visit_url(follow_up.get_json()["id"])

    response = as_therapist.patch_current(url, {"visit_type": "initial_evaluation"})

    assert_problem(response, 409)
    assert as_therapist.get(url).get_json()["visit_type"] == "follow_up"


# ---- addenda ---------------------------------------------------------------------------------------

def test_a_draft_takes_no_addendum(as_therapist, evaluation):
    url = visit_url(evaluation["id"])

    response = as_therapist.post(f"{url}/addenda", json={"text": "Late entry."})

    assert_problem(response, 409)
    assert as_therapist.get(url).get_json()["addenda"] == []


def test_any_therapist_may_add_addenda_to_a_signed_visit_shown_in_order(as_therapist, as_other_therapist,
                                                                       signed_evaluation):
    url = visit_url(signed_evaluation["id"])

    first = as_therapist.post(f"{url}/addenda", json={"text": "Correction: hip abductors 4-/5."})
    second = as_other_therapist.post(f"{url}/addenda", json={"text": "Reviewed; agree with the plan."})

    assert first.status_code == 201 and second.status_code == 201, (first.get_json(), second.get_json())
    assert second.get_json()["author_id"] == str(as_other_therapist.user.id)
    assert second.get_json()["visit_id"] == signed_evaluation["id"]
    shown = as_therapist.get(url).get_json()
    assert [(a["text"], a["author_id"]) for a in shown["addenda"]] == [
        ("Correction: hip abductors 4-/5.", str(as_therapist.user.id)),
        ("Reviewed; agree with the plan.", str(as_other_therapist.user.id))]
    assert [a["id"] for a in shown["addenda"]] == [first.get_json()["id"], second.get_json()["id"]]
    assert all(a["signed_at"] for a in shown["addenda"])
    assert shown["plan"] == EVALUATION["plan"] and shown["status"] == "signed"


INVALID_ADDENDA = [
    ("text-missing", {}, "text"),
    ("text-null", {"text": None}, "text"),
    ("text-blank", {"text": "  \n "}, "text"),
    ("text-20001-chars", {"text": "x" * (NOTE_MAX + 1)}, "text"),
    ("text-nul", {"text": "Late\u0000entry"}, "text"),
    ("unknown-field", {"text": "Late entry.", "author_id": "00000000-0000-4000-8000-000000000000"}, "author_id"),
]


@pytest.mark.parametrize(("body", "field"), [case[1:] for case in INVALID_ADDENDA],
                         ids=[case[0] for case in INVALID_ADDENDA])
def test_an_invalid_addendum_is_refused_and_nothing_is_stored(as_therapist, signed_evaluation, body, field):
    url = visit_url(signed_evaluation["id"])

    response = as_therapist.post(f"{url}/addenda", json=body)

    assert_problem(response, 422, field)
    assert as_therapist.get(url).get_json()["addenda"] == []


def test_an_addendum_of_20000_characters_is_kept(as_therapist, signed_evaluation):
    text = "x" * NOTE_MAX

    response = as_therapist.post(f"{visit_url(signed_evaluation['id'])}/addenda", json={"text": text})

    assert response.status_code == 201
    assert response.get_json()["text"] == text


# ---- discharge ------------------------------------------------------------------------------------

def discharge(client, episode_id: str, discharge_date: str):
    return client.post(f"/api/v1/episodes/{episode_id}/discharge",
                       json={"discharge_date": discharge_date, "reason": "goals_met"})


def test_discharging_with_unsigned_notes_is_refused_listing_them(as_therapist, as_other_therapist, episode,
                                                                 signed_evaluation):
    mine = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": "2026-09-15"}).get_json()
    theirs = as_other_therapist.post(visits_url(episode["id"]),
                                     json={**FOLLOW_UP, "visit_date": "2026-09-08"}).get_json()

    response = discharge(as_therapist, episode["id"], "2026-09-20")

    body = assert_problem(response, 409)
    assert body["draft_visits"] == [
        {"id": theirs["id"], "visit_date": "2026-09-08", "therapist_id": str(as_other_therapist.user.id)},
        {"id": mine["id"], "visit_date": "2026-09-15", "therapist_id": str(as_therapist.user.id)}]
    shown = as_therapist.get(f"/api/v1/episodes/{episode['id']}").get_json()
    assert shown["status"] == "active" and shown["discharge_date"] is None


def test_once_every_note_is_signed_the_episode_may_be_discharged_on_its_last_visit(as_therapist, episode,
                                                                                    signed_evaluation):
    last = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": "2026-09-15"}).get_json()
    as_therapist.post(f"{visit_url(last['id'])}/sign")

    response = discharge(as_therapist, episode["id"], "2026-09-15")

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "discharged"


@pytest.mark.parametrize("entry", ["visit", "run", "pain_score"])
def test_a_discharge_dated_before_the_last_visit_run_or_pain_score_is_refused(as_therapist, episode,
                                                                             signed_evaluation, entry):
    ep = f"/api/v1/episodes/{episode['id']}"
    if entry == "visit":
        last = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": "2026-09-10"})
        as_therapist.post(f"{visit_url(last.get_json()['id'])}/sign")
    elif entry == "run":
        last = as_therapist.post(f"{ep}/runs", json={"run_date": "2026-09-10", "distance_km": 3, "duration_min": 20,
                                                     "pain_during": 1, "pain_after": 1})
    else:
        last = as_therapist.post(f"{ep}/pain-scores", json={"score": 2, "context": "current",
                                                            "recorded_at": "2026-09-10T08:00:00+00:00"})
    assert last.status_code in (200, 201), last.get_json()

    response = discharge(as_therapist, episode["id"], "2026-09-09")

    assert_problem(response, 422, "discharge_date")
    assert as_therapist.get(ep).get_json()["status"] == "active"
    assert discharge(as_therapist, episode["id"], "2026-09-10").status_code == 200


@pytest.fixture
def discharged(as_therapist, episode, signed_evaluation) -> dict:
    response = discharge(as_therapist, episode["id"], "2026-10-01")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("visit_date", ["2026-09-20", "2026-10-01", "2026-10-02"])
def test_a_discharged_episode_takes_no_new_visit(as_therapist, episode, discharged, visit_date):
    response = as_therapist.post(visits_url(episode["id"]), json={**FOLLOW_UP, "visit_date": visit_date})

    assert_problem(response, 409)
    assert len(stored_visits(as_therapist, episode["id"])) == 1


# ---- roles ----------------------------------------------------------------------------------------

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
def objects(as_therapist, episode, post_visit) -> dict:
    ep = f"/api/v1/episodes/{episode['id']}"
    signed = post_visit()
    as_therapist.post(f"{visit_url(signed['id'])}/sign")
    draft = post_visit(**FOLLOW_UP, visit_date="2026-09-02", pain_scores=[])
    run = as_therapist.post(f"{ep}/runs", json={"run_date": "2026-09-03", "distance_km": 3, "duration_min": 20,
                                                "pain_during": 0, "pain_after": 0})
    goal = as_therapist.post(f"{ep}/goals", json={"text": "Run 10 km pain-free"})
    return {"episode": episode["id"], "visit": draft["id"], "signed": signed["id"],
            "pain_score": signed["pain_scores"][0]["id"], "run": run.get_json()["id"], "goal": goal.get_json()["id"]}


def snapshot(as_therapist, objects) -> dict:
    ep = f"/api/v1/episodes/{objects['episode']}"
    return {"visits": stored_visits(as_therapist, objects["episode"]),
            "pain_scores": stored_pain_scores(as_therapist, objects["episode"]),
            "runs": as_therapist.get(f"{ep}/runs").get_json()["items"],
            "goals": as_therapist.get(f"{ep}/goals").get_json()["items"]}


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

    reads = audit_events(as_admin, action="visit_note.read", patient_id=episode["patient_id"])

    assert [(e["resource_type"], e["resource_id"], e["user_id"]) for e in reads] == [
        ("visit", evaluation["id"], str(as_other_therapist.user.id))]
    assert audit_events(as_admin, action="visit.read", patient_id=episode["patient_id"]) == []


def test_the_front_desk_reading_a_visit_is_audited_as_an_appointment_read(as_admin, as_front_desk, episode,
                                                                          evaluation):
    as_front_desk.get(visit_url(evaluation["id"]))

    reads = audit_events(as_admin, action="visit.read", patient_id=episode["patient_id"])

    assert [(e["resource_type"], e["resource_id"], e["user_id"]) for e in reads] == [
        ("visit", evaluation["id"], str(as_front_desk.user.id))]
    assert audit_events(as_admin, action="visit_note.read", patient_id=episode["patient_id"]) == []


def test_a_therapist_listing_visits_is_audited_as_a_note_read_of_each(as_admin, as_therapist, episode, post_visit):
    first = post_visit()
    second = post_visit(**FOLLOW_UP, visit_date="2026-09-08")

    stored_visits(as_therapist, episode["id"])

    reads = audit_events(as_admin, action="visit_note.read", user_id=str(as_therapist.user.id))
    assert sorted(e["resource_id"] for e in reads) == sorted([first["id"], second["id"]])
    assert {e["patient_id"] for e in reads} == {episode["patient_id"]}


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


def test_an_episode_start_cannot_move_past_its_first_visit(as_therapist, episode, evaluation):
    url = f"/api/v1/episodes/{episode['id']}"

    moved_past = as_therapist.patch_current(url, {"start_date": "2026-09-02"})
    moved_earlier = as_therapist.patch_current(url, {"start_date": "2026-08-30"})

    assert_problem(moved_past, 422, "start_date")
    assert moved_earlier.status_code == 200, moved_earlier.get_json()
    assert as_therapist.get(url).get_json()["start_date"] == "2026-08-30"
