"""Who may call what: public endpoints are marked, every other one needs a bearer token and a role."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app, g

from clinic_api.core.errors import Forbidden

if TYPE_CHECKING:
    from clinic_api.auth.models import User

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


def current_user() -> User:
    return g.current_user


def ensure_role(*roles: str) -> None:
    if current_user().role not in roles:
        raise Forbidden("Your role may not do this.")
