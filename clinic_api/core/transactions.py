"""A read without a transaction's two extra round trips (PostgreSQL).

Each request runs in one transaction, committed by ``core.lifecycle`` when it succeeds. On PostgreSQL a
transaction costs a BEGIN and a COMMIT, each a round trip of its own: for a GET that is two of its three or four.
A GET's plain SELECTs see the same rows outside a transaction as in one (READ COMMITTED, the server's default and
ours, gives each statement its own snapshot either way), and it writes nothing but its audit event, written last
(``core.lifecycle.write_last``). So a GET's connection starts in autocommit, and:

- the first statement that is not a plain SELECT (a write, a row lock, ``SET LOCAL``, a server-side cursor)
  opens the transaction just before it, and everything after it runs in that transaction, committed or rolled
  back with the request as usual;
- a statement executed with the ``sole_write`` option, the request's last one (a read's single audit event),
  runs by itself when no transaction was opened: one statement is atomic and committed on its own, as a
  transaction holding it alone would be; a write after it is a programming error and refused.

Other methods and connections outside a request are untouched, and so is SQLite (in-process, no round trips).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import has_request_context, request
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from clinic_api.extensions import db

READ_METHODS = frozenset({"GET", "HEAD"})
SOLE_WRITE = "sole_write"  # execution option of a request's last statement, its one write

# connection.info[_STATE] (kept with the DBAPI connection across checkouts): this module put the connection in
# autocommit for a read ("reading"), the read has run its sole write ("written"), or opened the transaction
# ("in transaction").
_STATE = "clinic_api.read_without_transaction"
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)


def install(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _begin)
        event.listen(engine, "before_cursor_execute", _before_cursor_execute)


def _driver(connection: Any) -> Any:
    return connection.connection.driver_connection


def _begin(connection: Any) -> None:
    """Each piece of work on a connection (a request, a command) starts in the mode it needs. A connection stays in
    autocommit from one read to the next, and is put back in transaction mode by the first piece of work that is
    not a read; connections this module never touched (one SQLAlchemy itself runs in AUTOCOMMIT) are left alone."""
    driver = _driver(connection)
    if driver.closed:
        return  # a broken connection: its first statement fails, and the pool discards it
    reading = has_request_context() and request.method in READ_METHODS
    if connection.info.pop(_STATE, None) is not None and driver.autocommit:
        if reading:
            connection.info[_STATE] = "reading"
            return
        driver.autocommit = False
    if reading and not driver.autocommit and driver.info.transaction_status == TransactionStatus.IDLE:
        driver.autocommit = True  # (not in an outer transaction, as the tests' shared connection is)
        connection.info[_STATE] = "reading"


@contextmanager
def reading_alone() -> Iterator[Connection]:
    """A connection for plain reads outside any request's session (the token check of an answer served below Flask,
    ``questionnaires.released``): a pooled one, on PostgreSQL in autocommit as a GET's is (no BEGIN, nor a ROLLBACK
    when it goes back to the pool); the next piece of work on it starts in the mode it needs (``_begin``). When the
    sessions are bound to one connection (the tests run each in an outer transaction on one), that connection: what
    the request's session would read on, left open."""
    bound = db.session.session_factory.kw.get("bind")
    if isinstance(bound, Connection):
        yield bound
        return
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            driver = _driver(connection)
            if not driver.closed and not driver.autocommit:  # (closed: its first statement fails, and is discarded)
                driver.autocommit = True
                connection.info[_STATE] = "reading"
        yield connection


def plain_read(statement: str, context: Any) -> bool:
    """A SELECT that neither locks rows nor reads through a server-side cursor (which needs a transaction)."""
    if context is not None and context.execution_options.get("stream_results"):
        return False
    return statement.lstrip()[:6].upper() == "SELECT" and not _LOCKING.search(statement)


def _before_cursor_execute(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                           executemany: bool) -> None:
    state = connection.info.get(_STATE)
    if state is None or state == "in transaction" or plain_read(statement, context):
        return
    if state == "written":
        raise RuntimeError("a statement after the request's sole write: it would not commit with it")
    if context is not None and context.execution_options.get(SOLE_WRITE) and not executemany:
        connection.info[_STATE] = "written"
        return
    _driver(connection).autocommit = False  # psycopg sends BEGIN before this statement
    connection.info[_STATE] = "in transaction"
