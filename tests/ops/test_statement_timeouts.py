"""Statement timeouts on PostgreSQL: a request's statement that runs past DATABASE_STATEMENT_TIMEOUT_MS is cancelled
and answered as a 503 problem (nothing written), while a command-line job runs its statements under the long
timeout (``core.sql.long_statements``). A statement is made slow the way production makes one slow: another
connection holds a lock on the table it needs."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text

from clinic_api.audit.models import AuditEvent
from clinic_api.extensions import db
from clinic_api.patients.models import Patient
from tests.factories import API, MADDIE, assert_problem, created

TIMEOUT_MS = 300  # a request's statements; the lock below is held well past it
HELD_SECONDS = 1.0


@pytest.fixture
def postgresql_app(new_app):
    app = new_app(DATABASE_STATEMENT_TIMEOUT_MS=TIMEOUT_MS)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("statement timeouts are PostgreSQL's (TEST_DATABASE_URL); SQLite has none")
    return app


@contextmanager
def locked(app, table: str, mode: str, *, release_after: float | None = None) -> Iterator[None]:
    """Another connection holds ``LOCK TABLE table IN mode MODE`` until the block ends (or ``release_after``
    seconds, from a timer, for a caller that waits on the lock in this thread)."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text(f"LOCK TABLE {table} IN {mode} MODE"))
    timer = threading.Timer(release_after, transaction.rollback) if release_after else None
    if timer:
        timer.start()
    try:
        yield
    finally:
        if timer:
            timer.join()
        else:
            transaction.rollback()
        connection.close()
        engine.dispose()


def test_the_timeout_reaches_every_connection_of_the_app(postgresql_app):
    with postgresql_app.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == f"{TIMEOUT_MS}ms"


def test_a_statement_past_the_timeout_in_the_view_is_a_503(postgresql_app, new_staff):
    desk = new_staff(postgresql_app, "front_desk")
    with locked(postgresql_app, "patients", "ACCESS EXCLUSIVE"):
        started = time.perf_counter()
        answer = desk.post(f"{API}/patients", json=MADDIE)
        waited = time.perf_counter() - started
    problem = assert_problem(answer, 503)
    assert problem["type"] == "urn:clinic-api:problem:service-unavailable"
    assert answer.headers["Retry-After"]
    assert TIMEOUT_MS / 1000 <= waited < HELD_SECONDS * 10
    with postgresql_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Patient)) == 0  # nothing written
    created(desk.post(f"{API}/patients", json=MADDIE))  # and the next request, lock gone, is served


def test_a_statement_past_the_timeout_at_the_commit_is_a_503(postgresql_app, new_staff):
    """The audit event of a read is flushed by the commit, after the view: its INSERT waits on the lock."""
    desk = new_staff(postgresql_app, "front_desk")
    patient = created(desk.post(f"{API}/patients", json=MADDIE))
    with postgresql_app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with locked(postgresql_app, "audit_events", "EXCLUSIVE"):  # reads go on; writes wait
        answer = desk.get(f"{API}/patients/{patient['id']}")
    assert_problem(answer, 503)
    assert "Maddie" not in answer.get_data(as_text=True)
    with postgresql_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


# Each long command with a table its first statements need (their SET statement_timeout itself needs none).
LONG_COMMANDS = [(["audit", "export"], "audit_events", "EXCLUSIVE", "Exported"),
                 (["outcomes", "rebuild"], "episodes_of_care", "ACCESS EXCLUSIVE", "Recomputed 0 episodes"),
                 (["demo", "--patients", "2"], "patients", "ACCESS EXCLUSIVE", "Created 2 patients")]


@pytest.mark.parametrize(("command", "table", "mode", "printed"), LONG_COMMANDS, ids=[c[0][0] for c in LONG_COMMANDS])
def test_a_command_line_job_runs_past_the_request_timeout(postgresql_app, command, table, mode, printed):
    """The command waits on the lock for longer than a request may, and finishes."""
    with locked(postgresql_app, table, mode, release_after=HELD_SECONDS):
        started = time.perf_counter()
        result = postgresql_app.test_cli_runner().invoke(args=command)
        waited = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert waited >= HELD_SECONDS * 0.9
    assert printed in result.output
