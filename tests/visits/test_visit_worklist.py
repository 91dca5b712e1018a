"""Visits across episodes: the day's visits for the front desk (appointment level, with the patient), a
therapist's unsigned notes in one call."""
from __future__ import annotations

from tests.factories import API, FOLLOW_UP, assert_problem, listed

VISITS = f"{API}/visits"
CLINICAL = {"subjective", "objective", "assessment", "plan", "interventions", "home_exercises", "pain_scores",
            "addenda"}


def test_my_unsigned_notes_are_one_call(as_therapist, as_other_therapist, create_episode, create_visit,
                                        create_signed_visit):
    first, second = create_episode(), create_episode()
    draft = create_visit(first["id"])
    create_signed_visit(second["id"])
    create_visit(create_episode(client=as_other_therapist)["id"], client=as_other_therapist)

    mine = listed(as_therapist, VISITS, status="draft", therapist_id="me")

    assert [visit["id"] for visit in mine] == [draft["id"]]
    assert mine[0]["patient"]["last_name"] == "Runner" and mine[0]["subjective"]


def test_the_front_desk_sees_the_days_visits_without_the_notes(as_front_desk, episode, create_visit):
    create_visit(episode["id"], visit_date="2026-09-01")
    create_visit(episode["id"], **FOLLOW_UP, visit_date="2026-09-08")

    day = listed(as_front_desk, VISITS, visit_date="2026-09-08")

    assert [visit["visit_type"] for visit in day] == ["follow_up"]
    assert not CLINICAL & set(day[0])
    assert set(day[0]["patient"]) == {"id", "mrn", "first_name", "last_name"}
    assert [v["visit_date"] for v in listed(as_front_desk, VISITS, **{"from": "2026-09-01", "to": "2026-09-07"})] \
        == ["2026-09-01"]


def test_a_bad_visit_filter_is_named(as_therapist):
    assert_problem(as_therapist.get(VISITS, query_string={"therapist_id": "nobody"}), 422, "therapist_id")
    assert_problem(as_therapist.get(VISITS, query_string={"from": "2026-09-08", "to": "2026-09-01"}), 422, "from")


def test_the_visit_worklist_is_audited(as_therapist, as_admin, evaluation):
    listed(as_therapist, VISITS)
    events = listed(as_admin, f"{API}/audit-events", action="visit_note.read")
    assert evaluation["id"] in [event["resource_id"] for event in events]


def test_a_page_of_visits_costs_the_same_statements_whatever_their_number(as_therapist, create_episode,
                                                                            create_visit, count_queries):
    def statements() -> int:
        with count_queries() as counter:
            listed(as_therapist, VISITS)
        return counter.count

    create_visit(create_episode()["id"])
    few = statements()
    for _ in range(8):
        create_visit(create_episode()["id"])
    assert statements() == few
