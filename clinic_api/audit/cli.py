"""``flask --app wsgi audit export``: the audit trail as JSON Lines, for the archive kept at least six years.

The trail is written to standard output one event a line, oldest first (``occurred_at``, then ``id``), in the
shape ``GET /api/v1/audit-events`` answers; the summary goes to standard error, so ``> file.jsonl`` holds only
the events. Rows are streamed (``yield_per``: a server-side cursor on PostgreSQL), so memory stays flat however
long the trail, and the statement runs under the long timeout of command-line jobs.
"""
from __future__ import annotations

import getpass
import json
import sys
from datetime import date, datetime, time, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from clinic_api.audit import service
from clinic_api.audit.models import AuditEvent
from clinic_api.audit.schemas import AuditEventOut
from clinic_api.core.sql import long_statements
from clinic_api.core.types import clinic_zone
from clinic_api.extensions import db

audit_cli = AppGroup("audit", help="The audit trail.")

BATCH = 1000


def _day_start(day: date) -> datetime:
    """The instant the clinic's day begins (CLINIC_TIMEZONE): an export by dates follows the clinic's calendar."""
    return datetime.combine(day, time.min, tzinfo=clinic_zone())


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container's)
        return "unknown"


@audit_cli.command("export")
@click.option("--from", "from_", type=click.DateTime(["%Y-%m-%d"]),
              help="First day to export (YYYY-MM-DD, the clinic's date); default: the first event.")
@click.option("--to", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day to export, included (YYYY-MM-DD, the clinic's date); default: now.")
@click.option("--batch-size", default=BATCH, show_default=True, type=click.IntRange(min=1),
              help="Rows fetched from the database at a time.")
def export(from_: datetime | None, to: datetime | None, batch_size: int) -> None:
    """Write the audit events of the days from --from to --to to standard output as JSON Lines."""
    first, last = (value.date() if value else None for value in (from_, to))
    if first and last and last < first:
        raise click.BadParameter("--to is before --from.", param_hint="--to")
    long_statements(db.session, local=False)
    # The export is itself an event, committed before a line is written: the trail shows who took a copy
    # even if the copy is cut short.
    service.record("audit.export", "audit_events", details={
        "from": first.isoformat() if first else None, "to": last.isoformat() if last else None,
        "via": "cli", "os_user": _operator()})
    db.session.commit()

    query = select(*AuditEvent.__table__.columns).order_by(AuditEvent.occurred_at, AuditEvent.id)
    if first:
        query = query.where(AuditEvent.occurred_at >= _day_start(first))
    if last:
        query = query.where(AuditEvent.occurred_at < _day_start(last + timedelta(days=1)))
    schema = AuditEventOut()
    written = 0
    for row in db.session.execute(query.execution_options(yield_per=batch_size)):
        sys.stdout.write(json.dumps(schema.dump(row._mapping), ensure_ascii=False) + "\n")
        written += 1
    sys.stdout.flush()
    db.session.commit()
    click.echo(f"Exported {written} audit events.", err=True)
