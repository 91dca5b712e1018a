"""The database failing under a request is a 503 to retry, never a 500, and a refused request writes nothing.

Both faults were found by ``bench.faults`` (PostgreSQL restarted and stopped under a stream of writes): a commit
whose connection dropped was a 500, and so was every 503 answered while the database was down, as the request's
log line read the signed-in user's row again after the rollback had expired it."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import event, text

from clinic_api.extensions import db
from tests.factories import MADDIE, UNKNOWN_ID, assert_problem, end_server_connections, listed


def test_a_refused_request_runs_no_sql_after_its_rollback(fresh_app, new_staff):
    as_front_desk = new_staff(fresh_app, "front_desk")
    with fresh_app.app_context():
        engine = db.engine
    seen: list[str] = []

    def statement(connection, cursor, sql, *args):
        seen.append(sql)

    def rollback(connection):
        seen.append("ROLLBACK")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "rollback", rollback)
    try:
        answer = as_front_desk.get(f"/api/v1/patients/{UNKNOWN_ID}")
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "rollback", rollback)

    assert_problem(answer, 404)
    assert "ROLLBACK" in seen and any(sql.lstrip().upper().startswith("SELECT") for sql in seen)
    after = seen[seen.index("ROLLBACK") + 1:]
    assert [sql for sql in after if sql != "ROLLBACK"] == []  # the log line read the user's row again


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="a commit refused by the server is staged with a PostgreSQL deferred trigger; "
                           "SQLite (in WAL mode) never refuses a commit once its statements ran")
def test_a_commit_the_database_fails_is_a_503_and_keeps_nothing(fresh_app, new_staff):
    """The server ends the session at COMMIT, as a shutdown does (SQLSTATE 57P01): whether the commit was kept is
    for the database to say, so the answer is a 503 and the retry with the key decides."""
    as_front_desk = new_staff(fresh_app, "front_desk")
    with fresh_app.app_context():
        db.session.execute(text(
            "CREATE FUNCTION shut_down_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'terminating connection due to administrator command' USING ERRCODE = 'admin_shutdown';"
            " END $$"))
        db.session.execute(text(
            "CREATE CONSTRAINT TRIGGER shut_down_at_commit AFTER INSERT ON patients DEFERRABLE INITIALLY DEFERRED "
            "FOR EACH ROW EXECUTE FUNCTION shut_down_at_commit()"))
        db.session.commit()
    key = {"Idempotency-Key": str(uuid.uuid4())}

    refused = as_front_desk.post("/api/v1/patients", json=MADDIE, headers=key)

    body = assert_problem(refused, 503)
    assert body["type"] == "urn:clinic-api:problem:service-unavailable" and int(refused.headers["Retry-After"]) > 0
    assert listed(as_front_desk, "/api/v1/patients", q="Runner") == []
    with fresh_app.app_context():
        db.session.execute(text("DROP TRIGGER shut_down_at_commit ON patients"))
        db.session.commit()
    retried = as_front_desk.post("/api/v1/patients", json=MADDIE, headers=key)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert [p["id"] for p in listed(as_front_desk, "/api/v1/patients", q="Runner")] == [retried.get_json()["id"]]


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="the server ends the pooled connections; SQLite has no server")
def test_a_token_check_on_a_connection_the_server_ended_is_a_503_and_the_next_request_reconnects(fresh_app,
                                                                                               new_staff):
    """The token check runs through the driver (``core.sql.DriverLookup``); a lost connection must still be
    SQLAlchemy's ``OperationalError`` (a 503 to retry, never a 500) and the pool must discard it."""
    as_front_desk = new_staff(fresh_app, "front_desk")
    assert as_front_desk.get("/api/v1/auth/me").status_code == 200  # the pool now holds a connection
    assert end_server_connections(fresh_app) >= 1

    refused = as_front_desk.get("/api/v1/auth/me")

    body = assert_problem(refused, 503)
    assert body["type"] == "urn:clinic-api:problem:service-unavailable"
    again = as_front_desk.get("/api/v1/auth/me")
    assert again.status_code == 200 and again.get_json()["role"] == "front_desk"
