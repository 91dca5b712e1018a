"""SQL expressions that the two databases spell differently, compiled per dialect."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction


class week_start(GenericFunction[Any]):
    """The Monday of the ISO week holding a date column (weeks run Monday to Sunday)."""

    type = Date()
    inherit_cache = True


@compiles(week_start, "postgresql")
def _week_start_postgresql(element: week_start, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(week_start, "sqlite")
def _week_start_sqlite(element: week_start, compiler: Any, **kw: Any) -> str:
    # strftime('%w') counts from Sunday = 0; step back to Monday.
    day = compiler.process(element.clauses, **kw)
    return f"date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) || ' days')"


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK that a column holds one of the values of a Python enumeration, stated once."""
    return f"{column} IN ('" + "', '".join(values) + "')"


class local_date(GenericFunction[Any]):
    """The date of an instant column in a time zone: ``local_date(column, zone_name, utc_offset_minutes)``.

    PostgreSQL converts exactly with its zone database; SQLite has none and shifts by the zone's offset of
    today (exact but for an hour around a daylight-saving change: SQLite is the development database)."""

    type = Date()
    inherit_cache = True


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: Any, **kw: Any) -> str:
    column, zone, _ = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(timezone({zone}, {column}) AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: Any, **kw: Any) -> str:
    column, _, minutes = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date({column}, ({minutes}) || ' minutes')"


def long_statements(session: Any, *, local: bool = True) -> None:
    """Let this transaction's statements (``local``) or this connection's (``local=False``: a command-line job,
    whose connection serves nothing else) run up to DATABASE_LONG_STATEMENT_TIMEOUT_MS instead of a request's
    DATABASE_STATEMENT_TIMEOUT_MS. PostgreSQL only: SQLite has no statement timeout."""
    from flask import current_app
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql":
        return
    milliseconds = int(current_app.config["DATABASE_LONG_STATEMENT_TIMEOUT_MS"])
    scope = "LOCAL " if local else ""
    session.execute(text(f"SET {scope}statement_timeout = {milliseconds}"))
