"""Every read and write of patient data, and every login, leaves an audit event nobody can change."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from clinic_api.extensions import db
from tests.factories import AUDIT, PASSWORD, listed


def events(as_admin, **filters):
    return listed(as_admin, AUDIT, **filters)


def test_patient_reads_and_writes_are_audited(as_admin, as_front_desk, create_patient):
    patient = create_patient()
    as_front_desk.get(f"/api/v1/patients/{patient['id']}")
    as_front_desk.get("/api/v1/patients", query_string={"q": "maddie"})
    as_front_desk.patch_current(f"/api/v1/patients/{patient['id']}", {"phone": "+1 555 000 3333"})

    trail = events(as_admin, patient_id=patient["id"])

    actions = [event["action"] for event in reversed(trail)]
    assert actions == ["patient.create", "patient.read", "patient.list", "patient.read", "patient.update"]
    for event in trail:
        assert event["user_id"] == str(as_front_desk.user.id)
        assert event["resource_id"] == patient["id"] and event["outcome"] == "success"
        assert event["remote_addr"] == "127.0.0.1" and event["request_id"]
    assert trail[0]["details"] == {"fields": ["phone"]}


def test_the_clinical_record_of_an_episode_leaves_a_trail(as_admin, as_therapist, as_front_desk, episode, create_visit,
                                                          create_pain_score, create_run, create_goal):
    ep = f"/api/v1/episodes/{episode['id']}"
    visit = create_visit(episode["id"], pain_scores=[])
    create_pain_score(episode["id"], score=4, context="night")
    create_run(episode["id"], run_date="2026-09-02")
    create_goal(episode["id"], text="Run 5 km")
    as_front_desk.get(f"{ep}/due")
    as_therapist.get(f"/api/v1/visits/{visit['id']}")
    as_therapist.get(f"{ep}/runs/weekly")

    actions = [event["action"] for event in reversed(events(as_admin, patient_id=episode["patient_id"]))]

    assert actions[actions.index("visit.create"):] == [
        "visit.create", "pain_score.create", "run.create", "goal.create", "episode.due_read", "visit_note.read",
        "run.weekly_read"]


def test_a_rejected_change_leaves_no_success_event(as_admin, as_front_desk, create_patient):
    patient = create_patient()
    url = f"/api/v1/patients/{patient['id']}"

    assert as_front_desk.patch_current(url, {"sex": "?"}).status_code == 422

    assert "patient.update" not in [event["action"] for event in events(as_admin, patient_id=patient["id"])]


def test_logins_failures_and_logouts_are_audited(as_admin, anonymous, as_therapist):
    anonymous.post("/api/v1/auth/login", json={"email": "pt@clinic.test", "password": "wrong-password-1"})
    anonymous.post("/api/v1/auth/login", json={"email": "pt@clinic.test", "password": PASSWORD})
    as_therapist.post("/api/v1/auth/logout")

    trail = events(as_admin, user_id=str(as_therapist.user.id))

    assert [(e["action"], e["outcome"]) for e in reversed(trail)] == [
        ("auth.login", "failure"), ("auth.login", "success"), ("auth.logout", "success")]
    unknown = events(as_admin, action="auth.login", outcome="failure")
    assert len(unknown) == 1


def test_audit_filters_by_action_and_time(as_admin, as_front_desk, create_patient):
    create_patient()
    created = events(as_admin, action="patient.create")
    assert len(created) == 1

    assert events(as_admin, action="patient.create", **{"from": "2999-01-01T00:00:00+00:00"}) == []
    assert len(events(as_admin, action="patient.create", to="2999-01-01T00:00:00Z")) == 1
    assert as_admin.get(AUDIT, query_string={"from": "yesterday"}).status_code == 422


@pytest.mark.parametrize("role", ["as_front_desk", "as_therapist"])
def test_only_admins_read_the_audit_trail(request, role):
    assert request.getfixturevalue(role).get(AUDIT).status_code == 403


def test_the_api_offers_no_way_to_change_an_event(app):
    methods = {method for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/audit-events")
               for method in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET outcome = 'failure'", "DELETE FROM audit_events"])
def test_the_database_refuses_to_change_an_event(app, as_front_desk, create_patient, statement):
    create_patient()

    with app.app_context(), pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    with app.app_context():
        db.session.rollback()
