"""Authentication for every request, unless its endpoint is marked public: secure by default."""
from __future__ import annotations

from flask import g, request

from clinic_api.auth.service import resolve_token
from clinic_api.core.access import is_public
from clinic_api.core.errors import Unauthorized


def authenticate() -> None:
    g.caller = None
    if request.routing_exception is not None or is_public(request.endpoint):
        return  # unknown routes answer 404/405 as such; public ones need no token
    if request.method == "OPTIONS":
        return  # CORS preflight carries no credentials
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    g.caller, g.access_token = resolve_token(token.strip())
