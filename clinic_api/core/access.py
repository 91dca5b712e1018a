"""Who may call what: public endpoints are marked, every other one needs a bearer token and a role."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask import current_app, g

from clinic_api.core.errors import Forbidden

FRONT_DESK, THERAPIST, ADMIN = "front_desk", "therapist", "admin"
ROLES = (FRONT_DESK, THERAPIST, ADMIN)
STAFF = ROLES
PATIENT_ROLES = (FRONT_DESK, THERAPIST)

V = TypeVar("V", bound=Callable[..., Any] | type)

# flask-smorest's own endpoints: the OpenAPI document and the Swagger UI.
PUBLIC_BLUEPRINTS = {"api-docs"}


def public(view: V) -> V:
    """Mark a view function or MethodView class as callable without a token (login, health, docs)."""
    view.public = True  # type: ignore[union-attr]
    return view


def is_public(endpoint: str | None) -> bool:
    if endpoint is None:
        return False
    if endpoint == "static" or endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS:
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "public", False) or getattr(getattr(view, "view_class", None), "public", False))


class Caller(Protocol):
    """What the conventions need to know of the member of staff behind a request (``auth`` owns the account)."""

    id: uuid.UUID
    role: str

    def account(self) -> Any:
        """The full account, as the session's object."""


def current_user() -> Any:
    """The authenticated member of staff as the session's object (an ``auth.models.User``): made from the token
    check's row on first use, so that a request that needs only the caller's id and role never builds it."""
    user = g.get("current_user")
    if user is None and g.get("caller") is not None:
        user = g.current_user = g.caller.account()
    return user


def ensure_role(*roles: str) -> None:
    if g.caller.role not in roles:
        raise Forbidden("Your role may not do this: it needs " + " or ".join(roles) + ".")
