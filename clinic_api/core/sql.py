"""SQL expressions that the two databases spell differently, compiled per dialect; a lookup run through the driver."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Date
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
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


class DriverLookup:
    """A SELECT of one row, run on the driver's cursor: for the one statement every request runs (the token check).

    SQLAlchemy's execution of a statement (an execution context, the result's metadata from the cursor's description,
    a Row with its processors) costs as much as an indexed lookup's round trip to PostgreSQL. Here the statement is
    compiled once per dialect and sent through the connection's own cursor path (``Connection._cursor_execute``, as
    SQLAlchemy sends its sequences and column defaults): the engine's statement listeners see it as any other
    (``before_cursor_execute``: ``core.transactions``, the tests' statement counts), a driver error is SQLAlchemy's (a
    lost connection is an ``OperationalError``, and the pool discards the connection), and each value is converted as
    its column's type converts it (a UUID, an aware datetime). Parameters go to the driver as they are: a lookup whose
    parameter types would convert them is refused when it is compiled. A cursor the driver cannot open (a connection
    it has closed) is an error of SQLAlchemy's too, as for its own cursors."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], tuple[str, tuple[str, ...] | None, tuple[Any, ...]]] = {}

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        dialect = connection.dialect
        compiled = self._compiled.get((dialect.name, dialect.driver)) or self._compile(dialect)
        sql, positions, processors = compiled
        arguments = parameters if positions is None else tuple(parameters[name] for name in positions)
        try:
            cursor = connection.connection.cursor()
        except Exception as error:
            # As SQLAlchemy makes its own cursors: the driver's error (a connection already closed) becomes
            # SQLAlchemy's, and a lost connection is invalidated, so that the pool does not hand it out again.
            connection._handle_dbapi_exception(error, sql, arguments, None, None)
        try:
            connection._cursor_execute(cursor, sql, arguments)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return tuple(value if process is None else process(value) for process, value in zip(processors, row,
                                                                                               strict=True))

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, tuple[Any, ...]]:
        compiled = self.statement.compile(dialect=dialect)
        for name, bind in compiled.binds.items():
            if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                raise ValueError(f"{name}: a parameter the column type converts cannot go to the driver as it is")
        positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                           for column in self.statement.selected_columns)
        self._compiled[(dialect.name, dialect.driver)] = (str(compiled), positions, processors)
        return self._compiled[(dialect.name, dialect.driver)]
