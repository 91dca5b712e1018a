"""Recording audit events in the caller's transaction, so an event exists exactly when its change does."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import JSON, DateTime, Select, String, Uuid, insert, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from clinic_api.audit.actions import ensure_known
from clinic_api.audit.models import AuditEvent
from clinic_api.core import lifecycle, transactions
from clinic_api.core.pagination import Page, paginate
from clinic_api.core.types import utcnow
from clinic_api.extensions import db

_INSERT = insert(AuditEvent.__table__)
_INSERT_SOLE = _INSERT.execution_options(**{transactions.SOLE_WRITE: True})
_PENDING = "audit_pending"  # in flask.g: the request's events, written by write_pending


def _context() -> dict[str, Any]:
    if not has_request_context():
        return {"user_id": None, "remote_addr": None, "request_id": None}
    caller = g.get("caller")
    return {"user_id": caller.id if caller is not None else None, "remote_addr": request.remote_addr,
            "request_id": g.get("request_id")}


def record(action: str, resource_type: str, resource_id: object = None, *, patient_id: uuid.UUID | None = None,
           outcome: str = "success", details: dict[str, Any] | None = None,
           user_id: uuid.UUID | None = None) -> None:
    ensure_known(action)
    context = _context()
    if user_id is not None:
        context["user_id"] = user_id
    event = {"id": uuid.uuid4(), "occurred_at": utcnow(), "action": action, "resource_type": resource_type,
             "resource_id": None if resource_id is None else str(resource_id), "patient_id": patient_id,
             "outcome": outcome, "details": details, **context}
    if lifecycle.deferring():
        # A request's events are written last, after its changes, in one statement (``write_pending``).
        g.setdefault(_PENDING, []).append(event)
    else:
        # A job outside a request (the demo clinic records thousands): the unit of work inserts them after the
        # objects they refer to, many rows to a statement.
        db.session.add(AuditEvent(**event))


def record_reads(action: str, resource_type: str, reads: Iterable[tuple[object, uuid.UUID | None]]) -> None:
    """One event per object shown, in one INSERT: a list view is as traceable as a single read."""
    ensure_known(action)
    context = _context()
    now = utcnow()
    rows = [{"id": uuid.uuid4(), "occurred_at": now, "action": action, "resource_type": resource_type,
             "resource_id": str(resource_id), "patient_id": patient_id, "outcome": "success", "details": None,
             **context} for resource_id, patient_id in reads]
    if not rows:
        return
    if lifecycle.deferring():
        g.setdefault(_PENDING, []).extend(rows)
    else:
        db.session.execute(_INSERT, rows)


def write_pending() -> None:
    """The request's events, as the last writes before its commit (``core.lifecycle.write_last``): after the
    changes they name are flushed, in one INSERT. A read's single event is its sole write, which
    ``core.transactions`` lets commit by itself."""
    rows = g.pop(_PENDING, None)
    if not rows:
        return
    db.session.flush()
    if len(rows) == 1:
        db.session.connection().execute(_INSERT_SOLE, rows[0])
    else:
        db.session.connection().execute(_INSERT, rows)


class new_uuid(GenericFunction[Any]):
    """A random (version 4) UUID made by the database, one per row of an ``INSERT … SELECT``."""

    type = Uuid()
    inherit_cache = True


@compiles(new_uuid, "postgresql")
def _new_uuid_postgresql(element: new_uuid, compiler: Any, **kw: Any) -> str:
    return "gen_random_uuid()"


@compiles(new_uuid, "sqlite")
def _new_uuid_sqlite(element: new_uuid, compiler: Any, **kw: Any) -> str:
    # 32 hex digits (how a Uuid column is kept in SQLite), with the version and variant digits of UUID 4.
    return ("lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2) "
            "|| substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(8)), 2))")


class uuid_text(GenericFunction[Any]):
    """A Uuid column as the text ``str(uuid)`` gives (what ``resource_id`` holds)."""

    type = String()
    inherit_cache = True


@compiles(uuid_text, "postgresql")
def _uuid_text_postgresql(element: uuid_text, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


@compiles(uuid_text, "sqlite")
def _uuid_text_sqlite(element: uuid_text, compiler: Any, **kw: Any) -> str:
    hex_ = compiler.process(element.clauses, **kw)
    parts = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    return " || '-' || ".join(f"substr({hex_}, {start}, {length})" for start, length in parts)


def record_reads_selected(action: str, resource_type: str, reads: Select, *,
                          details: dict[str, Any] | None = None) -> None:
    """As ``record_reads``, for the objects a query selects (its two columns: the object's Uuid id and its
    patient's), in one ``INSERT … SELECT``: the ids never pass through Python, however many there are."""
    ensure_known(action)
    context = _context()
    found = reads.subquery("reads")
    resource_id, patient_id = found.c
    db.session.execute(insert(AuditEvent).from_select(
        ["id", "occurred_at", "action", "resource_type", "resource_id", "patient_id", "outcome", "details",
         "user_id", "remote_addr", "request_id"],
        select(new_uuid(), literal(utcnow(), DateTime(timezone=True)), literal(action), literal(resource_type),
               uuid_text(resource_id), patient_id, literal("success"), literal(details, JSON()),
               literal(context["user_id"], Uuid()), literal(context["remote_addr"], String()),
               literal(context["request_id"], String()))))


def audited_page(query: Select, *, page: int, per_page: int, action: str, resource_type: str,
                 patient_of: Callable[[Any], uuid.UUID | None]) -> Page:
    """One page of ``query``, every object on it recorded as read (``patient_of`` names its patient)."""
    found = paginate(query, page, per_page)
    record_reads(action, resource_type, ((item.id, patient_of(item)) for item in found.items))
    return found


FILTERS = {"user_id": AuditEvent.user_id, "patient_id": AuditEvent.patient_id, "action": AuditEvent.action,
           "outcome": AuditEvent.outcome}


def search_events(*, page: int, per_page: int, from_: datetime | None = None, to: datetime | None = None,
                  **filters: Any) -> Page:
    """The trail, newest first: exact filters, ``from_`` inclusive and ``to`` exclusive."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id)
    for name, value in filters.items():
        query = query.where(FILTERS[name] == value)
    if from_ is not None:
        query = query.where(AuditEvent.occurred_at >= from_)
    if to is not None:
        query = query.where(AuditEvent.occurred_at < to)
    return paginate(query, page, per_page)
