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
from typing import Any

from flask import has_request_context, request
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = frozenset({"GET", "HEAD"})
SOLE_WRITE = "sole_write"  # execution option of a request's last statement, its one write

# connection.info[_STATE]: this module put the DBAPI connection in autocommit ("reading"), the read has run its sole
# write ("written"), or it opened the transaction ("in transaction"); popped when the connection is given back.
_STATE = "clinic_api.read_without_transaction"
_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)


def install(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _begin)
        event.listen(engine, "before_cursor_execute", _before_cursor_execute)
        event.listen(engine, "checkin", _checkin)


def _driver(connection: Any) -> Any:
    return connection.connection.driver_connection


def _restore(info: dict[str, Any], driver: Any) -> None:
    """The DBAPI connection back in transaction mode if this module left it in autocommit (a closed one is
    discarded by the pool when next used, as any broken connection)."""
    if info.pop(_STATE, None) is not None and driver is not None and not driver.closed and driver.autocommit:
        driver.autocommit = False


def _begin(connection: Any) -> None:
    driver = _driver(connection)
    _restore(connection.info, driver)  # normally done when the connection was given back
    if (has_request_context() and request.method in READ_METHODS and not driver.closed and not driver.autocommit
            and driver.info.transaction_status == TransactionStatus.IDLE):  # not already in an outer transaction
        driver.autocommit = True
        connection.info[_STATE] = "reading"


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


def _checkin(dbapi_connection: Any, connection_record: Any) -> None:
    _restore(connection_record.info, dbapi_connection)
