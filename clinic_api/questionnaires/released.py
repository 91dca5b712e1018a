"""Released questionnaire versions: each one's answer built once per process, and a built-in one's served below Flask.

A released version never changes, so its answer (body and ETag) is built once per process and kept by the row's id:
an immutable value, not shared state (architecture.md), and bounded by the versions published. The view
(``routes.questionnaire_version``) looks the id up on each request (one indexed query of two columns), except for the
built-in versions: the migrations release those, so (code, version) names the same row for the life of the database
and needs no query at all. Kept per app (each app has its database); a version created in a transaction that then
rolls back has an id that is never seen again.

A built-in version's answer, once the view has built it, is then served by ``BelowFlask`` before Flask sees the
request. Its one piece of durable work is the token check (``auth.service.check_token``, the same lookup and rules as
every request's), and Flask's own work for a constant answer (its request context, routing, hooks and response
object) costs more than that check does. ``BelowFlask`` serves only the success it can be sure of: a GET without a
query string or an ``Origin`` (and none at all when CORS is configured: flask-cors adds its headers to every answer
then), for a kept built-in version, with a bearer token that passes the check as a staff member whose token needs no
``last_used_at`` write. Everything else, every error included, goes to Flask, which answers it as it answers any
request; an error during the check (the database's, or any other) is handed to Flask to answer as the same error met
in a view (``core.lifecycle.DEFERRED_ERROR``; a lost database is a 503), so that an outage costs one connection
attempt, not two. The answer is the view's, byte for byte, with the headers ``core.lifecycle`` and ``cacheable`` give
it, and the same log line (tests/questionnaires/test_released_below_flask.py compares the two paths' answers). A
refused token is looked up twice (here, then by Flask): a refusal is rare, and answering it here would be a second
way of answering 401s.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, g
from werkzeug.http import parse_etags

from clinic_api.auth.service import check_token
from clinic_api.core import transactions
from clinic_api.core.access import STAFF
from clinic_api.core.errors import Unauthorized
from clinic_api.core.lifecycle import DEFERRED_ERROR, log_answer, request_id

BODIES = "questionnaires.version_answers"  # app.extensions: row id -> (body, ETag)
BUILTIN = "questionnaires.builtin_versions"  # app.extensions: (code, version) -> row id, built-in versions only
MAX_KEPT = 2000
CACHE_POLICY = "private, max-age=86400"  # a released version never changes
ENDPOINT = "questionnaires.questionnaire_version"

StartResponse = Callable[..., Any]


def kept_answers(app: Flask) -> tuple[dict[Any, tuple[bytes, str]], dict[tuple[str, int], Any]]:
    """The app's kept answers by row id, and the built-in versions' row ids by (code, version)."""
    return app.extensions.setdefault(BODIES, {}), app.extensions.setdefault(BUILTIN, {})


class BelowFlask:
    """WSGI middleware answering GET ``<url_prefix>/questionnaires/<code>/versions/<n>`` for a built-in version whose
    answer the view has built, when the caller's token passes the check; any other request goes to ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]],
                 url_prefix: str) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.path = re.compile(re.escape(url_prefix) + r"/questionnaires/([a-z0-9_-]{1,40})/versions/([1-9][0-9]{0,3})")
        self.answers, self.builtin = kept_answers(app)
        self.rule: str | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer = None if self.app.config["CORS_ORIGINS"] else self._kept(environ)
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        token = token.strip()
        if answer is None or scheme.lower() != "bearer" or not token:
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        with self.app.app_context():
            g.request_id = request_id(environ.get("HTTP_X_REQUEST_ID"))
            try:
                with transactions.reading_alone() as connection:
                    caller, _, due = check_token(connection, token)
            except Unauthorized:
                caller = None  # Flask answers the 401, with its problem details
            except Exception as error:  # every error is Flask's to answer
                # as it answers the same error met in a view (a lost database: 503, problem details whatever it is),
                # without trying the database again
                environ[DEFERRED_ERROR] = error
                caller = None
            if caller is None or due or caller.role not in STAFF:
                served = False
            else:
                body, etag = answer
                not_modified = etag in parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
                status = 304 if not_modified else 200
                headers = [("ETag", f'"{etag}"'), ("Cache-Control", CACHE_POLICY), ("X-Request-ID", g.request_id),
                           ("X-Content-Type-Options", "nosniff")]
                if not not_modified:
                    headers[:0] = [("Content-Type", self.app.json.mimetype), ("Content-Length", str(len(body)))]
                log_answer("GET", self._rule(), status, started, caller.id)
                served = True
        if not served:
            return self.wsgi_app(environ, start_response)
        start_response("304 NOT MODIFIED" if not_modified else "200 OK", headers)
        return [] if not_modified else [body]

    def _kept(self, environ: dict[str, Any]) -> tuple[bytes, str] | None:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING") or "HTTP_ORIGIN" in environ:
            return None
        match = self.path.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return None
        row_id = self.builtin.get((match[1], int(match[2])))
        return None if row_id is None else self.answers.get(row_id)

    def _rule(self) -> str:
        if self.rule is None:
            self.rule = next(rule.rule for rule in self.app.url_map.iter_rules(ENDPOINT))
        return self.rule
