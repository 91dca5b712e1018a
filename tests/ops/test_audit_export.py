"""``flask audit export``: the trail as JSON Lines, oldest first, the days of the clinic from --from to --to
included, in the shape the API answers; the export is itself an audit event. The database refuses to change or
delete an event (on SQLite and PostgreSQL alike), so what is exported is what was written."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from clinic_api.audit.models import AuditEvent
from clinic_api.extensions import db
from tests.factories import API, AUDIT, MADDIE, created, listed

# Instants around the clinic's March in New York (UTC-5 then): the first and the last are outside it.
MOMENTS = ["2026-03-01T04:59:59+00:00",  # 2026-02-28 23:59:59 in New York
           "2026-03-01T05:00:00+00:00", "2026-03-15T12:00:00+00:00", "2026-03-15T12:00:00+00:00",
           "2026-04-01T03:59:59+00:00",  # 2026-03-31 23:59:59 (UTC-4 since the 8th)
           "2026-04-01T04:00:00+00:00"]


def export(app, *args: str):
    result = app.test_cli_runner().invoke(args=["audit", "export", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()], result


def add_events(app, moments: list[str]) -> list[str]:
    """Events as the services record them, at the given moments (the trail of past months)."""
    ids = [uuid.uuid4() for _ in moments]
    with app.app_context():
        for event_id, moment in zip(ids, moments, strict=True):
            db.session.add(AuditEvent(id=event_id, occurred_at=datetime.fromisoformat(moment), action="patient.read",
                                      resource_type="patient", resource_id=str(uuid.uuid4()), outcome="success"))
        db.session.commit()
    return [str(event_id) for event_id in ids]


def test_the_export_is_every_event_of_the_days_in_order(new_app):
    app = new_app(CLINIC_TIMEZONE="America/New_York")
    ids = add_events(app, MOMENTS)

    lines, result = export(app, "--from", "2026-03-01", "--to", "2026-03-31", "--batch-size", "2")

    in_march = sorted(zip(MOMENTS[1:5], ids[1:5], strict=True), key=lambda event: (event[0], event[1]))
    assert [line["id"] for line in lines] == [event_id for _moment, event_id in in_march]
    assert datetime.fromisoformat(lines[0]["occurred_at"]) == datetime(2026, 3, 1, 5, tzinfo=UTC)
    assert "Exported 4 audit events." in result.stderr
    assert "Exported" not in result.stdout  # the file holds events only


def test_a_line_is_what_the_api_answers_for_the_event(fresh_app, new_staff):
    desk, admin = new_staff(fresh_app, "front_desk"), new_staff(fresh_app, "admin")
    created(desk.post(f"{API}/patients", json=MADDIE))

    lines, _ = export(fresh_app)

    answered = listed(admin, AUDIT)
    exported = {line["id"]: line for line in lines}
    assert answered and all(exported[event["id"]] == event for event in answered)
    assert "Maddie" not in json.dumps(lines)  # events name records, never their content


def test_the_export_is_recorded_before_its_lines_are_written(fresh_app):
    add_events(fresh_app, MOMENTS[:1])

    march, _ = export(fresh_app, "--from", "2026-03-01", "--to", "2026-03-31")
    everything, _ = export(fresh_app)

    assert [line["action"] for line in march] == ["patient.read"]  # this export is after March
    exports = [line for line in everything if line["action"] == "audit.export"]
    assert [(line["details"]["from"], line["details"]["to"]) for line in exports] == [
        ("2026-03-01", "2026-03-31"), (None, None)]
    assert all(line["details"]["via"] == "cli" and line["user_id"] is None for line in exports)
    assert everything[-1] == exports[-1]  # the export of the whole trail holds its own event, the newest


def test_dates_out_of_order_are_refused(fresh_app):
    result = fresh_app.test_cli_runner().invoke(args=["audit", "export", "--from", "2026-03-02", "--to",
                                                      "2026-03-01"])
    assert result.exit_code == 2 and "--to is before --from" in result.output
    bad = fresh_app.test_cli_runner().invoke(args=["audit", "export", "--from", "2026-13-01"])
    assert bad.exit_code == 2
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0  # nothing recorded


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET outcome = 'failure'", "DELETE FROM audit_events",
                                       "UPDATE audit_events SET occurred_at = occurred_at"])
def test_the_database_refuses_to_change_or_delete_an_event(fresh_app, statement):
    add_events(fresh_app, MOMENTS[:2])
    with fresh_app.app_context():
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    lines, _ = export(fresh_app)
    assert [line["outcome"] for line in lines if line["action"] == "patient.read"] == ["success", "success"]
