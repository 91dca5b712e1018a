"""``Idempotency-Key`` on POST: a retried request gets the first answer and creates nothing new.

The key row is inserted, under a unique constraint, in the same transaction as the work it protects and
completed with the response before that transaction commits. A second request with the same key
therefore either finds the finished row, or (running concurrently) blocks on the unique index until
the first commits and then replays it; if the first fails, nothing was kept and the retry runs anew.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from clinic_api.core.errors import DomainError, RuleViolation
from clinic_api.core.types import utcnow
from clinic_api.extensions import db

HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)


def _canonical_body() -> bytes:
    """The body as the API reads it: the same JSON with its keys in another order or other white space is
    the same request. A body that is not JSON (refused later anyway) is compared as sent."""
    raw = request.get_data(cache=True)
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return raw
    canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return canonical.encode("utf-8", "surrogatepass")


def _digest() -> str:
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n"
                          + _canonical_body()).hexdigest()


def _replay(row: IdempotencyKey) -> Response:
    if row.request_digest != _digest():
        raise RuleViolation(HEADER, "This key was used with another request; use a new key.")
    response = Response(row.response_body, status=row.response_status)
    for name, value in (row.response_headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def begin() -> Response | None:
    """Before the view: replay a known key, or claim it for this request."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None or g.get("caller") is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise DomainError(f"{HEADER} must be 1 to 255 printable characters.")
    user_id = g.caller.id
    ttl = timedelta(seconds=current_app.config["IDEMPOTENCY_TTL_SECONDS"])
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key, IdempotencyKey.created_at < utcnow() - ttl))
    existing = db.session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
    if existing is not None:
        return _replay(existing)
    claim = IdempotencyKey(user_id=user_id, key=key, request_digest=_digest())
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError:
        # Another request with this key committed while we looked: answer what it answered.
        existing = db.session.scalar(select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
        if existing is None:
            raise
        return _replay(existing)
    g.idempotency_claim = claim
    return None


def complete(response: Response) -> None:
    """After a successful view: keep its answer with the claimed key, in the same transaction."""
    claim: IdempotencyKey | None = g.pop("idempotency_claim", None)
    if claim is None:
        return
    claim.response_status = response.status_code
    claim.response_body = response.get_data()
    claim.response_headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
