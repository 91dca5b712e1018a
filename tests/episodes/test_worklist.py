"""The worklist a clinic's day starts from: episodes across patients, filtered and counted in SQL, open red
flags first, each row with its patient and its measures due; a fixed number of statements a page."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import insert

from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient
from tests.factories import API, assert_problem, days_ahead, intake, listed, read

WORKLIST = f"{API}/episodes"


def ids(rows) -> list[str]:
    return [row["id"] for row in rows]


def test_a_therapists_caseload_is_one_call(as_therapist, as_other_therapist, create_episode):
    mine, theirs = create_episode(), create_episode(client=as_other_therapist)

    caseload = listed(as_therapist, WORKLIST, therapist_id="me")

    assert ids(caseload) == [mine["id"]]
    assert theirs["id"] in ids(listed(as_other_therapist, WORKLIST, therapist_id="me"))
    row = caseload[0]
    assert (row["patient"]["last_name"], row["patient"]["mrn"]) == ("Runner", read(
        as_therapist, f"{API}/patients/{mine['patient_id']}")["mrn"])
    assert row["measures_due"] == len(read(as_therapist, f"{WORKLIST}/{mine['id']}/due")["items"])


def test_open_red_flags_come_first_and_filter(as_therapist, as_front_desk, create_episode, create_response):
    quiet, flagged = create_episode(), create_episode()
    create_response(flagged["id"], **intake(calf_pain_swelling=True))

    rows = listed(as_front_desk, WORKLIST)
    assert ids(rows)[0] == flagged["id"]
    assert [flag["code"] for flag in rows[0]["red_flags"]] == ["dvt"]
    assert ids(listed(as_front_desk, WORKLIST, has_open_red_flags="true")) == [flagged["id"]]
    assert quiet["id"] in ids(listed(as_front_desk, WORKLIST, has_open_red_flags="false"))


def test_the_front_desk_sees_pending_intakes_and_measures_due(as_front_desk, create_patient, create_episode,
                                                               create_response):
    pending = as_front_desk.post(f"{API}/patients/{create_patient()['id']}/episodes",
                                 json={"body_region": "knee", "side": "left"}).get_json()
    done = create_episode()
    create_response(done["id"], **intake(taken_at=...))  # now: nothing is due again for a while
    create_response(done["id"], questionnaire="nprs", answers={"pain": 5}, taken_at=...)
    for code in ("kujala", "lefs"):
        body = read(as_front_desk, f"{API}/questionnaires/{code}")
        answers = {item["id"]: item["options"][0]["code"] for item in body["items"]}
        create_response(done["id"], questionnaire=code, answers=answers, taken_at=...)

    assert ids(listed(as_front_desk, WORKLIST, status="pending")) == [pending["id"]]
    due = ids(listed(as_front_desk, WORKLIST, has_measures_due="true"))
    assert pending["id"] in due and done["id"] not in due
    assert done["id"] in ids(listed(as_front_desk, WORKLIST, has_measures_due="false"))


@pytest.mark.parametrize(("query", "matches"), [
    ({"body_region": "ankle"}, {"ankle"}), ({"diagnosis_code": "M76"}, {"ankle"}),
    ({"diagnosis_code": "M22.2"}, {"knee"}), ({"started_from": "2026-09-05"}, {"ankle"}),
    ({"started_to": "2026-09-04"}, {"knee"}), ({"status": "discharged"}, set()),
])
def test_each_filter_narrows_the_list(as_therapist, create_episode, query, matches):
    made = {"knee": create_episode(), "ankle": create_episode(body_region="ankle", diagnosis_code="M76.60",
                                                               diagnosis_text="Achilles", start_date="2026-09-06")}
    shown = set(ids(listed(as_therapist, WORKLIST, **query)))
    assert {name for name, episode in made.items() if episode["id"] in shown} == matches


def test_the_discharged_filters_take_dates(as_therapist, create_episode, create_signed_visit):
    episode = create_episode(start_date=days_ahead(-10), onset_date=days_ahead(-20))
    create_signed_visit(episode["id"], visit_date=days_ahead(-10), pain_scores=[])
    as_therapist.post(f"{WORKLIST}/{episode['id']}/discharge", json={"reason": "goals_met",
                                                                      "discharge_date": days_ahead(-2)})
    assert ids(listed(as_therapist, WORKLIST, discharged_from=days_ahead(-3), discharged_to=days_ahead(-1))) == [
        episode["id"]]
    assert ids(listed(as_therapist, WORKLIST, discharged_from=days_ahead(-1))) == []


@pytest.mark.parametrize(("query", "field"), [({"therapist_id": "someone"}, "therapist_id"),
                                              ({"body_region": "elbow"}, "body_region"),
                                              ({"started_from": "01/09/2026"}, "started_from")])
def test_a_bad_filter_is_named(as_therapist, query, field):
    assert_problem(as_therapist.get(WORKLIST, query_string=query), 422, field)


def test_the_worklist_is_audited(as_therapist, as_admin, episode):
    listed(as_therapist, WORKLIST)
    events = listed(as_admin, f"{API}/audit-events", action="episode.list")
    assert episode["id"] in [event["resource_id"] for event in events]


def add_episodes(first: int, last: int, therapist_id: uuid.UUID) -> None:
    """Patients ``first`` to ``last`` with an episode each, written straight into the test's transaction."""
    patients = [{"id": uuid.uuid4(), "mrn": f"W{index:07d}", "first_name": "Load", "last_name": f"Test{index}",
                 "search_text": f"load test{index} w{index:07d}", "date_of_birth": date(1990, 1, 1),
                 "sex": "female"} for index in range(first, last)]
    db.session.execute(insert(Patient), patients)
    db.session.execute(insert(EpisodeOfCare), [
        {"id": uuid.uuid4(), "patient_id": patient["id"], "body_region": "knee", "side": "left",
         "diagnosis_code": "M22.2X2", "diagnosis_text": "PFP", "start_date": date(2026, 9, 1), "status": "active",
         "therapist_id": therapist_id} for patient in patients])
    db.session.commit()


def test_a_page_costs_the_same_statements_at_10_and_1000_episodes(app, as_therapist, count_queries):
    def statements(expected_rows: int) -> int:
        with count_queries() as counter:
            assert len(listed(as_therapist, WORKLIST, therapist_id="me", has_measures_due="true")) == expected_rows
        return counter.count

    with app.app_context():
        add_episodes(0, 10, as_therapist.user.id)
    at_10 = statements(10)
    with app.app_context():
        add_episodes(10, 1000, as_therapist.user.id)
    at_1000 = statements(100)  # a full page of the 1000
    assert at_10 == at_1000


def knee_after(days: int, create_episode):
    return create_episode(start_date=days_ahead(-days), onset_date=days_ahead(-days - 10))


SCENARIOS = {
    "fresh knee": lambda f: f.create_episode(),
    "fresh ankle": lambda f: f.create_episode(body_region="ankle", diagnosis_code="M76.60", diagnosis_text="AT"),
    "nprs taken long ago": lambda f: f.with_nprs(knee_after(40, f.create_episode), days_ago=30),
    "nprs taken today": lambda f: f.with_nprs(knee_after(40, f.create_episode), days_ago=0),
    "four visits since nprs": lambda f: f.with_visits(f.with_nprs(knee_after(10, f.create_episode), days_ago=9), 4),
    "three visits since nprs": lambda f: f.with_visits(f.with_nprs(knee_after(10, f.create_episode), days_ago=9), 3),
    "discharged today": lambda f: f.discharged(knee_after(10, f.create_episode), days_ago=0),
    "discharged 100 days ago": lambda f: f.discharged(knee_after(120, f.create_episode), days_ago=100),
}


class Scenario:
    def __init__(self, as_therapist, create_episode, create_response, create_signed_visit):
        self.as_therapist, self.create_episode = as_therapist, create_episode
        self.create_response, self.create_signed_visit = create_response, create_signed_visit

    def with_nprs(self, episode, days_ago: int):
        self.create_response(episode["id"], taken_at=f"{days_ahead(-days_ago)}T08:00:00+00:00")
        return episode

    def with_visits(self, episode, count: int):
        start = date.fromisoformat(episode["start_date"])
        self.create_signed_visit(episode["id"], visit_date=start.isoformat(), pain_scores=[])
        for index in range(1, count + 1):
            self.create_signed_visit(episode["id"], visit_type="follow_up", visit_date=days_ahead(-9 + index),
                                     pain_scores=[])
        return episode

    def discharged(self, episode, days_ago: int):
        start = date.fromisoformat(episode["start_date"])
        self.create_signed_visit(episode["id"], visit_date=start.isoformat(), pain_scores=[])
        answer = self.as_therapist.post(f"{WORKLIST}/{episode['id']}/discharge",
                                        json={"reason": "goals_met", "discharge_date": days_ahead(-days_ago)})
        assert answer.status_code == 200, answer.get_json()
        return episode


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_worklists_count_of_measures_due_is_the_schedules(as_therapist, create_episode, create_response,
                                                               create_signed_visit, name):
    episode = SCENARIOS[name](Scenario(as_therapist, create_episode, create_response, create_signed_visit))

    due = read(as_therapist, f"{WORKLIST}/{episode['id']}/due")["items"]
    row = next(row for row in listed(as_therapist, WORKLIST, include_entered_in_error="true")
               if row["id"] == episode["id"])

    assert row["measures_due"] == len(due), due
