"""Each request's life: a request id, one transaction committed only on success, one log line.

Views and services never commit. The transaction commits here when the answer is a success, so a
change, its audit events and its idempotency record are stored together or not at all, and a rejected
request writes nothing; the one exception, a refusal that must leave its trace (a failed login counts
towards the lock-out), is declared with ``keep_writes_if_refused``. The audit events are written last
(``write_last``); on PostgreSQL a GET runs without BEGIN and COMMIT until it does more than read
(``core.transactions``).
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, g, has_app_context, has_request_context, make_response, request
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from clinic_api.core import idempotency
from clinic_api.core.errors import (
    concurrent_change_problem,
    database_unavailable,
    is_unique_violation,
    unexpected_error_to_problem,
    unstorable_value,
)
from clinic_api.extensions import db

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
log = logging.getLogger("clinic_api.request")


# An error met by an answer served below Flask (``questionnaires.released``: the database down during its token check),
# handed to Flask in the WSGI environment and raised at the start of the request, so that it is answered as any other.
DEFERRED_ERROR = "clinic_api.deferred_error"


def request_id(incoming: str | None) -> str:
    """The request's id: the client's ``X-Request-ID`` if it is a plain token of up to 64 characters, else a new one."""
    return incoming if incoming and REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex


def start_request() -> None:
    g.request_id = request_id(request.headers.get("X-Request-ID"))
    g.started = time.perf_counter()
    setattr(g, _OPEN, True)
    error = request.environ.pop(DEFERRED_ERROR, None)
    if error is not None:
        raise error


# Work a higher layer does once per request, just before the commit and in its transaction (the kept outcome
# summaries: ``outcomes.summaries``). Registered once per process with ``before_commit``; core imports none of it.
_before_commit: list[Callable[[], None]] = []


def before_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` before each successful request's commit (once, however often it is registered)."""
    if callback not in _before_commit:
        _before_commit.append(callback)


# Writes a request makes last, after every other change and just before the commit (the audit trail:
# ``audit.service``): a read's single event is then its last statement, which ``core.transactions`` sends alone.
_last_writes: list[Callable[[], None]] = []
_OPEN = "lifecycle_open"  # in flask.g from the start of a request until its commit or rollback


def write_last(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the ``before_commit`` callbacks, as the last writes of each successful request (once,
    however often it is registered)."""
    if callback not in _last_writes:
        _last_writes.append(callback)


def deferring() -> bool:
    """Inside a request whose ``write_last`` callbacks are still to run (not in a command, nor in a streamed
    answer's body, which is sent after the commit)."""
    return has_request_context() and g.get(_OPEN, False)


def keep_writes_if_refused() -> None:
    """The request's writes so far are the record of its refusal (a failed login, a throttled one) and
    are committed although the answer is an error. Services call this instead of committing."""
    g.keep_writes_if_refused = True


def finish_request(response: Response) -> Response:
    if response.status_code < 400 or (response.status_code < 500 and g.get("keep_writes_if_refused")):
        try:
            for callback in _before_commit:
                callback()
            idempotency.complete(response)
            for callback in _last_writes:
                callback()
            db.session.commit()
        except IntegrityError as error:
            # A race the service could not see (two requests taking the same unique value at once).
            db.session.rollback()
            response = concurrent_change_problem() if is_unique_violation(error) \
                else unexpected_error_to_problem(error)
        except DataError as error:
            # A value only the last writes carry (the audit events' remote address, say) that the database refuses:
            # the request's fault, as in a view.
            db.session.rollback()
            response = unstorable_value(error)
        except OperationalError as error:
            # The database went away before the commit's answer (nothing, or everything, was kept, and only the
            # database knows which), or the commit's statements (the audit events flushed last) ran past the
            # statement timeout: a 503 to retry, as for any outage; a POST's Idempotency-Key makes the retry
            # answer what was kept instead of writing it twice.
            db.session.rollback()
            response = database_unavailable(error)
    else:
        db.session.rollback()
    g.pop(_OPEN, None)
    response.headers["X-Request-ID"] = g.get("request_id", "")
    # Patient and staff data must not stay in a browser's or a proxy's cache; a view whose answer
    # carries neither says how it may be cached (``cacheable``).
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.status_code != 304:  # a 304 confirms a cached answer; it carries no data of its own
        response.headers.setdefault("Cache-Control", "no-store")
    log_answer(request.method, request.url_rule.rule if request.url_rule else "-", response.status_code,
               g.get("started"), getattr(g.get("caller"), "id", "-"))
    return response


def log_answer(method: str, rule: str, status: int, started: float | None, user_id: Any) -> None:
    """The one log line of each request. The route pattern, never the path with its query string: no patient data in
    logs."""
    elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    log.info("%s %s %s %.1fms user=%s", method, rule, status, elapsed, user_id)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # flask.g belongs to the app context: a request's, or that of an answer served below Flask
        # (``questionnaires.released``); a command's has no request id.
        record.request_id = g.get("request_id", "-") if has_app_context() else "-"
        return True


class RedactQueryStrings(logging.Filter):
    """The development server logs each request line; its query string may hold a patient's name."""

    QUERY = re.compile(r"\?[^ \"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(self.QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        record.msg = self.QUERY.sub("?…", record.msg) if isinstance(record.msg, str) else record.msg
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger("clinic_api")
    if not any(isinstance(f, RequestIdFilter) for h in root.handlers for f in h.filters):
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    root.propagate = False
    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactQueryStrings) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(RedactQueryStrings())


def cacheable(policy: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view whose answer holds no patient or staff data (a released questionnaire definition) and may
    be cached as ``policy`` says; every other answer is ``no-store``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def cached(*args: Any, **kwargs: Any) -> Any:
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = policy
            return response

        return cached

    return decorator


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.before_request(start_request)
    app.after_request(finish_request)
