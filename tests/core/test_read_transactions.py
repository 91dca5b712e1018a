"""A GET on PostgreSQL runs its plain SELECTs in autocommit and its one audit event as a statement of its own, without
BEGIN and COMMIT (``core.transactions``); anything else it does opens the transaction first, as every other
request's work runs in one.

psycopg sends BEGIN before a statement exactly when its connection is out of autocommit and idle, so the mode
of the connection at each statement (seen from the engine's ``before_cursor_execute``) says what the server got.
The tests run on their own databases (``fresh_app``): the suite's shared connection holds an outer transaction,
in which a GET runs as any request does."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import func, insert, select, text, update

from clinic_api.audit.models import AuditEvent
from clinic_api.auth.models import AccessToken, User
from clinic_api.core import transactions
from clinic_api.core.types import utcnow
from clinic_api.extensions import db
from tests.factories import UNKNOWN_ID, assert_problem, each_statement, post_episode, post_patient

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="SQLite runs in-process: a transaction costs it no round trip")

API = "/api/v1"


@contextmanager
def statements(app: Flask) -> Iterator[list[tuple[str, bool, TransactionStatus]]]:
    """Each statement the app runs in the block: (its first word, autocommit, transaction status) at the time."""
    seen: list[tuple[str, bool, TransactionStatus]] = []

    def before(connection: Any, cursor: Any, sql: str, *args: Any) -> None:
        driver = connection.connection.driver_connection
        seen.append((sql.split(None, 1)[0].upper(), driver.autocommit, driver.info.transaction_status))

    with each_statement(app, before):
        yield seen


def _events(app: Flask, action: str) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))
        db.session.remove()
        return count


def _single_connection(new_app) -> Flask:
    """An app whose pool holds one connection: what a request leaves on it, the next one gets."""
    return new_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0})


def test_an_audited_read_sends_three_statements_and_no_begin_or_commit(new_app, new_staff):
    app = _single_connection(new_app)
    as_desk = new_staff(app, "front_desk")
    patient = post_patient(as_desk)

    with statements(app) as seen:
        answer = as_desk.get(f"{API}/patients/{patient['id']}")

    assert answer.status_code == 200
    # the token check, the patient, the audit event: each in autocommit, so no BEGIN went before any of them
    assert seen == [("SELECT", True, TransactionStatus.IDLE), ("SELECT", True, TransactionStatus.IDLE),
                    ("INSERT", True, TransactionStatus.IDLE)]
    assert _events(app, "patient.read") == 1  # committed by itself, seen from another connection
    with app.app_context():  # work that is not a read gets the same connection back in transaction mode
        assert db.session.connection().connection.driver_connection.autocommit is False
        db.session.remove()


def test_a_write_in_a_read_opens_the_transaction_and_commits_with_the_audit_event(new_app, new_staff):
    """A token last used more than a minute ago is marked used: an UPDATE, then the event, in one transaction."""
    app = _single_connection(new_app)
    as_desk = new_staff(app, "front_desk")
    patient = post_patient(as_desk)
    with app.app_context():
        db.session.execute(update(AccessToken).values(last_used_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        db.session.remove()

    with statements(app) as seen:
        answer = as_desk.get(f"{API}/patients/{patient['id']}")

    assert answer.status_code == 200
    assert seen == [("SELECT", True, TransactionStatus.IDLE),  # the token, in autocommit
                    ("UPDATE", False, TransactionStatus.IDLE),  # out of autocommit: psycopg sends BEGIN first
                    ("SELECT", False, TransactionStatus.INTRANS), ("INSERT", False, TransactionStatus.INTRANS)]
    assert _events(app, "patient.read") == 1
    with app.app_context():
        assert db.session.scalar(select(AccessToken.last_used_at)) > utcnow() - timedelta(minutes=1)
        db.session.remove()


def test_a_refused_read_writes_no_audit_event(fresh_app, new_staff):
    as_desk = new_staff(fresh_app, "front_desk")
    with statements(fresh_app) as seen:
        assert_problem(as_desk.get(f"{API}/patients/{UNKNOWN_ID}"), 404)
    assert [word for word, *_ in seen] == ["SELECT", "SELECT"]
    assert _events(fresh_app, "patient.read") == 0


def test_a_list_writes_its_events_in_a_transaction(fresh_app, new_staff):
    """Several events are one executemany, which is not one statement: they commit together in a transaction."""
    as_desk = new_staff(fresh_app, "front_desk")
    for _ in range(3):
        post_patient(as_desk)

    with statements(fresh_app) as seen:
        answer = as_desk.get(f"{API}/patients")

    assert answer.status_code == 200 and len(answer.get_json()["items"]) == 3
    inserts = [(autocommit, status) for word, autocommit, status in seen if word == "INSERT"]
    assert inserts and all(autocommit is False for autocommit, _ in inserts)
    assert all(autocommit for word, autocommit, _ in seen if word == "SELECT")
    assert _events(fresh_app, "patient.list") == 3


def test_the_streamed_export_reads_in_a_transaction(fresh_app, new_staff):
    """A server-side cursor needs a transaction: the CSV export's stream opens one and its rows arrive."""
    as_desk, as_pt = new_staff(fresh_app, "front_desk"), new_staff(fresh_app, "therapist")
    episode = post_episode(as_pt, post_patient(as_desk)["id"])

    with statements(fresh_app) as seen:
        answer = as_pt.get(f"{API}/reports/outcomes.csv")
        body = answer.get_data(as_text=True)

    assert answer.status_code == 200 and episode["id"] in body
    assert any(not autocommit for _, autocommit, _ in seen)


def test_row_locks_and_session_settings_open_the_transaction(fresh_app):
    with fresh_app.test_request_context(method="GET"):
        connection = db.session.connection()
        driver = connection.connection.driver_connection
        assert driver.autocommit is True
        db.session.execute(select(User.id).with_for_update())
        assert driver.autocommit is False and driver.info.transaction_status == TransactionStatus.INTRANS
        db.session.rollback()
    with fresh_app.test_request_context(method="GET"):
        db.session.execute(text("SET LOCAL statement_timeout = 1000"))
        assert db.session.connection().connection.driver_connection.info.transaction_status \
            == TransactionStatus.INTRANS
        db.session.rollback()
    with fresh_app.test_request_context(method="POST"):  # other methods: a transaction from the first statement
        assert db.session.connection().connection.driver_connection.autocommit is False
        db.session.rollback()


def test_nothing_may_follow_the_sole_write(fresh_app):
    event_row = {"action": "patient.read", "resource_type": "patient", "outcome": "success"}
    with fresh_app.test_request_context(method="GET"):
        connection = db.session.connection()
        connection.execute(insert(AuditEvent).execution_options(**{transactions.SOLE_WRITE: True}), event_row)
        connection.execute(select(func.count()).select_from(AuditEvent))  # a plain read may still run
        with pytest.raises(RuntimeError, match="sole write"):
            connection.execute(insert(AuditEvent), event_row)
        db.session.rollback()
    assert _events(fresh_app, "patient.read") == 1  # the sole write committed by itself


def test_a_value_the_database_refuses_in_the_last_writes_is_a_400_that_keeps_nothing(new_app, new_staff):
    """The audit events are written after the view: a value only they carry (a forwarded client address longer
    than the column) is refused at that point, as it would be in the view, not answered with a 500."""
    app = new_app(TRUSTED_PROXY_COUNT=1)
    as_desk = new_staff(app, "front_desk")
    patient = post_patient(as_desk)

    answer = as_desk.get(f"{API}/patients/{patient['id']}", headers={"X-Forwarded-For": "x" * 100})

    assert_problem(answer, 400)
    assert _events(app, "patient.read") == 0
    assert as_desk.get(f"{API}/patients/{patient['id']}").status_code == 200  # the connection is fine afterwards
