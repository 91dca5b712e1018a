"""Domain errors and their one translation into problem details (RFC 9457).

Services raise the domain errors below; nothing else in the code builds an error response.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Response, g, json
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: Mapping[str, list[str]] | None = None,
                 headers: Mapping[str, str] | None = None, extensions: Mapping[str, Any] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers) if headers else {}
        # Extension members of the problem (RFC 9457 section 3.2), e.g. the draft visits blocking a discharge.
        self.extensions = dict(extensions) if extensions else {}


class MalformedBody(DomainError):
    status, slug, title = 400, "malformed-json", "Malformed JSON"


class UnsupportedMediaType(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class Unauthorized(DomainError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str = "A valid bearer token is required.", **kwargs: Any):
        super().__init__(detail, **kwargs)
        self.headers.setdefault("WWW-Authenticate", 'Bearer realm="clinic-api"')


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"

    def __init__(self, resource: str = "Resource"):
        super().__init__(f"{resource} not found.")


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class RuleViolation(DomainError):
    """A request that is well-formed but breaks a rule: a 422 naming the field at fault."""

    status, slug, title = 422, "validation-error", "Validation failed"

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}", errors={field: [message]})

    @classmethod
    def many(cls, errors: Mapping[str, list[str]]) -> RuleViolation:
        first = next(iter(errors))
        violation = cls(first, errors[first][0])
        violation.errors = dict(errors)
        violation.detail = "The request has invalid fields: " + ", ".join(sorted(errors)) + "."
        return violation


class TooManyRequests(DomainError):
    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(DomainError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


def problem(status: int, title: str, detail: str | None = None, *, slug: str | None = None,
            errors: Mapping[str, list[str]] | None = None,
            headers: Mapping[str, str] | None = None, extensions: Mapping[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {**(extensions or {}),
        "type": f"urn:clinic-api:problem:{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors:
        body["errors"] = dict(errors)
    request_id = g.get("request_id")
    if request_id:
        body["request_id"] = request_id
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as one level: ``{"running_profile.weekly_distance_km": [...]}``."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            flat.update(flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_schema": list(messages)}
        flat = {}
        for index, value in enumerate(messages):
            flat.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "_schema": [str(messages)]}


# webargs nests every message under the location it parsed (json, query, headers); clients care about
# the field, so the location is dropped.
_LOCATIONS = {"json", "query", "querystring", "headers", "form", "files", "view_args", "cookies"}


def _field_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    messages = data.get("errors") or data.get("messages") or {}
    if isinstance(messages, Mapping) and set(messages) <= _LOCATIONS:
        flat: dict[str, list[str]] = {}
        for by_location in messages.values():
            flat.update(flatten_messages(by_location))
        return flat
    return flatten_messages(messages)


def http_exception_to_problem(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return problem(500, "Internal server error", "An unexpected error occurred; it has been logged.")
    headers: dict[str, str] = {}
    data = getattr(error, "data", None) or {}
    headers.update(data.get("headers") or {})
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="clinic-api"')
    title = error.name
    if status == 422:
        errors = _field_errors(data)
        return problem(422, "Validation failed",
                       "The request has invalid fields: " + ", ".join(sorted(errors)) + ".",
                       slug="validation-error", errors=errors, headers=headers)
    detail = data.get("message") or error.description
    if status == 400 and data.get("messages"):
        errors = _field_errors(data)
        if any("Invalid JSON" in m for ms in errors.values() for m in ms):
            return problem(400, "Malformed JSON", "The request body is not valid JSON.",
                           slug="malformed-json", headers=headers)
        return problem(400, title, "; ".join(m for ms in errors.values() for m in ms),
                       slug="bad-request", errors=errors, headers=headers)
    slugs = {404: "not-found", 405: "method-not-allowed", 412: "precondition-failed",
             413: "payload-too-large", 415: "unsupported-media-type", 428: "precondition-required"}
    details = {412: "The If-Match ETag does not match the current version; fetch it again.",
               428: "This change needs an If-Match header with the ETag from your last GET."}
    return problem(status, title, details.get(status, detail), slug=slugs.get(status), headers=headers)


def domain_error_to_problem(error: DomainError) -> Response:
    return problem(error.status, error.title, error.detail, slug=error.slug, errors=error.errors,
                   headers=error.headers, extensions=error.extensions)


def is_unique_violation(error: Exception) -> bool:
    """A unique constraint refused the row (PostgreSQL SQLSTATE 23505, or SQLite's message)."""
    original = getattr(error, "orig", None)
    return getattr(original, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(original)


def concurrent_change_problem() -> Response:
    return problem(409, "Conflict with the current state", "The change conflicts with one made at the same "
                   "time; fetch the current state and retry.", slug="conflict")


def unstorable_value(error: Exception) -> Response:
    """A value the database refused to read (a character or number it cannot store) is the request's fault; the
    checks before the database should have caught it, so it is logged for a fix."""
    log.warning("database refused a value: %s", type(getattr(error, "orig", None) or error).__name__)
    return problem(400, "Bad request", "The request holds a value the database cannot store.", slug="bad-request")


def database_unavailable(error: Exception) -> Response:
    """A database that is down, locked, or slower than DATABASE_STATEMENT_TIMEOUT_MS (PostgreSQL cancels the
    statement: QueryCanceled) is an outage to retry, not a bug in the request."""
    cause = type(getattr(error, "orig", None) or error).__name__
    log.error("database unavailable: %s", cause)
    detail = ("The database took too long to answer; retry shortly." if cause == "QueryCanceled"
              else "The database is unavailable; retry shortly.")
    return problem(503, "Service unavailable", detail, slug="service-unavailable", headers={"Retry-After": "5"})


def unexpected_error_to_problem(error: Exception) -> Response:
    if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
        return http_exception_to_problem(error)
    log.exception("unhandled %s in request %s", type(error).__name__, g.get("request_id", "-"))
    return problem(500, "Internal server error", "An unexpected error occurred; it has been logged.")
