"""Staff accounts and sessions: login with throttling, opaque tokens with idle and absolute expiry."""
from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import make_transient_to_detached

from clinic_api.audit import service as audit
from clinic_api.auth.models import AccessToken, LoginFailure, User
from clinic_api.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from clinic_api.core.access import ADMIN, ROLES, THERAPIST
from clinic_api.core.errors import Conflict, RuleViolation, TooManyRequests, Unauthorized
from clinic_api.core.idempotency import IdempotencyKey
from clinic_api.core.lifecycle import keep_writes_if_refused
from clinic_api.core.lookup import get_or_404
from clinic_api.core.pagination import Page, paginate
from clinic_api.core.sql import DriverLookup
from clinic_api.core.types import utcnow
from clinic_api.extensions import db

# Writing last_used_at on every request would turn each read into a write; a minute of slack on a
# 30-minute idle timeout is not worth a write per call.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    token_type: str
    expires_at: datetime
    idle_timeout_seconds: int
    user: User


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=current_app.config[name])


# ---- login, logout, token resolution --------------------------------------------------------------

def _throttle(email: str, remote_addr: str) -> None:
    window = _seconds("LOGIN_FAILURE_WINDOW_SECONDS")
    since = utcnow() - window
    limits = ((LoginFailure.email == email, current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
              (LoginFailure.remote_addr == remote_addr, current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]))
    for condition, limit in limits:
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginFailure.occurred_at))
            .where(condition, LoginFailure.occurred_at >= since)).one()
        if count >= limit:
            retry_after = math.ceil((oldest + window - utcnow()).total_seconds())
            audit.record("auth.login", "user", outcome="denied", details={"reason": "throttled"})
            keep_writes_if_refused()
            minutes = max(1, math.ceil(retry_after / 60))
            raise TooManyRequests(f"Too many failed logins: try again in {minutes} minute{'s' * (minutes != 1)} "
                                  "(an admin can reset a forgotten password sooner).", retry_after)


def login(email: str, password: str, remote_addr: str) -> IssuedToken:
    email = email.strip().lower()
    _throttle(email, remote_addr)
    user = db.session.scalar(select(User).where(User.email == email))
    # verify_password runs argon2 even for an unknown email: the same answer in about the same time.
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.active:
        db.session.add(LoginFailure(email=email, remote_addr=remote_addr))
        audit.record("auth.login", "user", user.id if user else None, outcome="failure",
                     user_id=user.id if user else None)
        keep_writes_if_refused()  # the failure must count even though the request is refused
        raise Unauthorized("The email or password is wrong, or the account is inactive.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.session.execute(LoginFailure.__table__.delete().where(LoginFailure.email == email))
    issued = issue_token(user)
    audit.record("auth.login", "user", user.id, user_id=user.id)
    return issued


def issue_token(user: User) -> IssuedToken:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + _seconds("ACCESS_TOKEN_LIFETIME_SECONDS")
    db.session.add(AccessToken(token_digest=token_digest(token), user_id=user.id, created_at=now,
                               expires_at=expires_at, last_used_at=now))
    return IssuedToken(token, "Bearer", expires_at, current_app.config["ACCESS_TOKEN_IDLE_TIMEOUT_SECONDS"], user)


@dataclass(frozen=True)
class TokenInUse:
    """The token of the current request (``g.access_token``): what logging out needs, without an ORM object."""

    id: uuid.UUID
    user_id: uuid.UUID


# The token and its user in one indexed lookup of plain table columns, run through the driver on the session's
# connection (``core.sql.DriverLookup``): neither the ORM's execution of a statement naming entities, nor loading them
# as entities, nor SQLAlchemy's result of a statement is needed to check a token, and each costs as much again.
_TOKENS, _USERS = AccessToken.__table__, User.__table__
_USER_COLUMNS = tuple(_USERS.c)
_RESOLVE = DriverLookup(
    select(_TOKENS.c.id, _TOKENS.c.expires_at, _TOKENS.c.last_used_at, _TOKENS.c.revoked_at, *_USER_COLUMNS)
    .join_from(_TOKENS, _USERS, _TOKENS.c.user_id == _USERS.c.id)
    .where(_TOKENS.c.token_digest == bindparam("digest")))
_TOKEN_FIELDS = 4
_ID, _ROLE, _ACTIVE = (_TOKEN_FIELDS + _USER_COLUMNS.index(column) for column in (_USERS.c.id, _USERS.c.role,
                                                                                   _USERS.c.active))


@dataclass(frozen=True)
class SignedIn:
    """The caller of a request as its token check read them: the role check, the audit trail and the log line need
    no more. ``account()`` makes the full account the session's object, for the services that take one."""

    id: uuid.UUID
    role: str
    values: Sequence[Any]  # the users row, as read with the token

    def account(self) -> User:
        """The caller as the session's persistent, unchanged User, without another query: what loading it gives (the
        session's own instance if it holds the row already; a change of it is flushed as an UPDATE)."""
        held = db.session.identity_map.get(db.session.identity_key(User, self.id))
        if held is not None:
            return held
        user = User(**{column.key: value for column, value in zip(_USER_COLUMNS, self.values, strict=True)})
        make_transient_to_detached(user)
        db.session.add(user)
        return user


def check_token(connection: Connection, token: str) -> tuple[SignedIn, TokenInUse, bool]:
    """The caller of a bearer token, read on ``connection`` in one indexed lookup, and whether the token's
    ``last_used_at`` is due to be written. Expired, idle, revoked or inactive: 401. Writes nothing."""
    if not token or len(token) > 200:
        raise Unauthorized()
    row = _RESOLVE.first(connection, {"digest": token_digest(token)})
    now = utcnow()
    if row is None:
        raise Unauthorized("The token is invalid, expired or revoked; log in again.")
    token_id, expires_at, last_used_at, revoked_at = row[:_TOKEN_FIELDS]
    if (revoked_at is not None or expires_at <= now
            or last_used_at + _seconds("ACCESS_TOKEN_IDLE_TIMEOUT_SECONDS") <= now or not row[_ACTIVE]):
        raise Unauthorized("The token is invalid, expired or revoked; log in again.")
    return (SignedIn(row[_ID], row[_ROLE], row[_TOKEN_FIELDS:]), TokenInUse(token_id, row[_ID]),
            now - last_used_at >= LAST_USED_RESOLUTION)


def resolve_token(token: str) -> tuple[SignedIn, TokenInUse]:
    """The caller of a bearer token: one indexed lookup on every request, so that a revoked token, or a
    deactivated account, stops at once; its ``last_used_at`` written in the request's transaction when due."""
    caller, access, due = check_token(db.session.connection(), token)
    if due:
        db.session.execute(update(AccessToken).where(AccessToken.id == access.id).values(last_used_at=utcnow()))
    return caller, access


def logout(access: TokenInUse) -> None:
    db.session.execute(update(AccessToken).where(AccessToken.id == access.id).values(revoked_at=utcnow()))
    audit.record("auth.logout", "user", access.user_id)


def revoke_all_tokens(user: User) -> None:
    db.session.execute(update(AccessToken).where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


# ---- staff accounts -------------------------------------------------------------------------------

def _check_password(password: str, email: str, field: str = "password") -> None:
    problems = password_problems(password, email=email)
    if problems:
        raise RuleViolation(field, problems[0])


def create_user(*, email: str, full_name: str, role: str, password: str, active: bool = True) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise RuleViolation("role", "Must be one of: " + ", ".join(ROLES) + ".")
    _check_password(password, email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("A staff account with this email exists.")
    user = User(email=email, full_name=full_name.strip(), role=role, active=active,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id)
    return user


def get_user(user_id: uuid.UUID, *, for_update: bool = False) -> User:
    return get_or_404(User, user_id, "User", for_update=for_update)


def ensure_active_therapist(user_id: uuid.UUID, field: str = "therapist_id") -> User:
    """The account of an active therapist, or a 422 naming ``field``."""
    therapist = db.session.get(User, user_id)
    if therapist is None or therapist.role != THERAPIST or not therapist.active:
        raise RuleViolation(field, "Must be an active therapist's id.")
    return therapist


def list_users(*, page: int, per_page: int, role: str | None = None, active: bool | None = None) -> Page:
    query = select(User).order_by(User.created_at.desc(), User.id)
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    return paginate(query, page, per_page)


def lock_user(user_id: uuid.UUID) -> User:
    """A staff account to change. The active admins' rows are locked first (in id order), then the
    account: every change of an account takes the locks in this one order, so that two admins removing
    each other at once queue instead of each counting the other (or deadlocking), and the second counts
    the admins left after the first has committed. SQLite serialises writers anyway."""
    db.session.scalars(select(User.id).where(User.role == ADMIN, User.active.is_(True))
                       .order_by(User.id).with_for_update()).all()
    return get_user(user_id, for_update=True)


def _active_admins() -> int:
    return db.session.scalar(select(func.count()).where(User.role == ADMIN, User.active.is_(True))) or 0


def update_user(user: User, changes: Mapping[str, Any]) -> User:
    """A change of an account locked with ``lock_user``."""
    losing_admin = user.role == ADMIN and user.active and (
        changes.get("role", ADMIN) != ADMIN or changes.get("active", True) is False)
    if losing_admin and _active_admins() <= 1:
        raise Conflict("This is the last active admin; make another admin first.")
    if "email" in changes:
        email = changes["email"]
        if email != user.email and db.session.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict("A staff account with this email exists.")
    password = changes.get("password")
    new_role = changes.get("role", user.role) != user.role
    for name, value in changes.items():
        if name != "password":
            setattr(user, name, value)
    if new_role:
        # Answers kept for idempotent replay were made for the old role (a note's text, say): drop them.
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user.id))
    if password is not None:
        set_password(user, password)
    elif changes.get("active") is False or new_role:
        revoke_all_tokens(user)  # a new role starts a new session
    audit.record("user.update", "user", user.id, details={"fields": sorted(changes)})
    return user


def set_password(user: User, password: str, field: str = "password") -> None:
    _check_password(password, user.email, field)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    revoke_all_tokens(user)


def change_own_password(user: User, current_password: str, new_password: str) -> IssuedToken:
    if not verify_password(user.password_hash, current_password):
        raise RuleViolation("current_password", "Wrong password.")
    set_password(user, new_password, field="new_password")
    audit.record("auth.password_change", "user", user.id)
    return issue_token(user)
