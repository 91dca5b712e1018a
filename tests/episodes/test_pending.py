"""The front desk's intake before the evaluation: a pending episode without a diagnosis takes the intake
forms and baseline measures, waits for its visits, pain scores, runs and goals, and becomes active when a
therapist completes it with the diagnosis."""
from __future__ import annotations

import pytest

from tests.factories import API, EVALUATION, GOAL, PAIN_SCORE, RUN, assert_problem, intake, read, today, without

PENDING = {"body_region": "knee", "side": "left", "referral_source": "Self-referred"}


@pytest.fixture
def pending(as_front_desk, create_patient):
    answer = as_front_desk.post(f"{API}/patients/{create_patient()['id']}/episodes", json=PENDING)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_the_front_desk_opens_a_pending_episode_dated_today(pending):
    assert pending["status"] == "pending"
    assert (pending["diagnosis_code"], pending["diagnosis_text"], pending["therapist_id"]) == (None, None, None)
    assert pending["start_date"] == today().isoformat()


def test_the_front_desk_enters_the_intake_and_baseline_of_a_pending_episode(as_front_desk, pending):
    url = f"{API}/episodes/{pending['id']}"
    assert [item["questionnaire"] for item in read(as_front_desk, f"{url}/due")["items"]] == [
        "runner_intake", "nprs", "kujala", "lefs"]

    for body in (without(intake(), "taken_at"), {"questionnaire": "nprs", "answers": {"pain": 6}}):
        answer = as_front_desk.post(f"{url}/responses", json=body)
        assert answer.status_code == 201, answer.get_json()

    assert [item["questionnaire"] for item in read(as_front_desk, f"{url}/due")["items"]] == ["kujala", "lefs"]


def test_the_front_desk_may_not_give_a_diagnosis(as_front_desk, create_patient):
    answer = as_front_desk.post(f"{API}/patients/{create_patient()['id']}/episodes",
                                json={**PENDING, "diagnosis_code": "M22.2X2", "diagnosis_text": "PFP"})
    assert "therapist" in assert_problem(answer, 403)["detail"]


@pytest.mark.parametrize(("path", "body"), [("visits", {**EVALUATION, "visit_date": None}), ("pain-scores", PAIN_SCORE),
                                            ("runs", RUN), ("goals", GOAL)])
def test_a_pending_episode_takes_no_clinical_entry_yet(as_therapist, pending, path, body):
    body = {key: value for key, value in body.items() if value is not None}
    assert "pending" in assert_problem(as_therapist.post(f"{API}/episodes/{pending['id']}/{path}", json=body),
                                       409)["detail"]


def test_a_therapist_completes_a_pending_episode_with_its_diagnosis(as_therapist, pending):
    answer = as_therapist.patch_current(f"{API}/episodes/{pending['id']}",
                                        {"diagnosis_code": "M22.2X2", "diagnosis_text": "Patellofemoral pain"})

    assert answer.status_code == 200, answer.get_json()
    completed = answer.get_json()
    assert (completed["status"], completed["therapist_id"]) == ("active", str(as_therapist.user.id))
    visit = as_therapist.post(f"{API}/episodes/{pending['id']}/visits",
                              json={**EVALUATION, "visit_date": today().isoformat()})
    assert visit.status_code == 201, visit.get_json()


def test_half_a_diagnosis_completes_nothing(as_therapist, pending):
    assert_problem(as_therapist.patch_current(f"{API}/episodes/{pending['id']}", {"diagnosis_code": "M22.2X2"}),
                   422, "diagnosis_text")
    assert read(as_therapist, f"{API}/episodes/{pending['id']}")["status"] == "pending"


def test_the_front_desk_does_not_complete_an_episode(as_front_desk, pending):
    assert_problem(as_front_desk.patch_current(f"{API}/episodes/{pending['id']}",
                                               {"diagnosis_code": "M22.2X2", "diagnosis_text": "PFP"}), 403)


def test_a_pending_episode_is_not_discharged(as_therapist, pending):
    assert_problem(as_therapist.post(f"{API}/episodes/{pending['id']}/discharge", json={"reason": "other"}), 409)


def test_a_therapist_may_still_open_an_active_episode_directly(episode, as_therapist):
    assert (episode["status"], episode["therapist_id"]) == ("active", str(as_therapist.user.id))
