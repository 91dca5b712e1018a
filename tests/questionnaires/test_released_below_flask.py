"""A built-in version's answer, once the view has built it, is served below Flask (``questionnaires.released``): the
view's answer byte for byte and header for header, with the same log line, after the same token check; every request
it cannot be sure of, every refusal among them, is Flask's to answer."""
from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import request, request_started
from sqlalchemy import select, update
from werkzeug.test import EnvironBuilder, run_wsgi_app

from clinic_api.auth.models import AccessToken, User
from clinic_api.auth.service import token_digest
from clinic_api.core.lifecycle import RequestIdFilter
from clinic_api.core.types import utcnow
from clinic_api.extensions import db
from clinic_api.questionnaires import released
from tests.factories import (
    PASSWORD,
    STAFF,
    UWRI,
    assert_problem,
    change_stored,
    created,
    each_statement,
    end_server_connections,
    stored_token,
)

API = "/api/v1/questionnaires"
PATH = API + "/kujala/versions/1"
RULE = API + "/<string(maxlength=40):code>/versions/<int(min=1, max=10000):version>"


def environ(client, **headers):
    """The WSGI environment of a GET of PATH as ``client``, with these headers."""
    return EnvironBuilder(path=PATH, headers={"Authorization": f"Bearer {client.token}", **headers}).get_environ()


def answered(wsgi, env):
    """What a WSGI callable answers: status, headers (in order) and body."""
    body, status, headers = run_wsgi_app(wsgi, env, buffered=True)
    return status, list(headers.items()), b"".join(body)


@contextmanager
def flask_requests(app) -> Iterator[list[str]]:
    """The paths of the requests Flask itself handled inside the block (its ``request_started`` signal)."""
    handled: list[str] = []

    def started(sender, **extra):
        handled.append(request.path)

    with request_started.connected_to(started, app):
        yield handled


@contextmanager
def request_log() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("clinic_api.request")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@pytest.fixture
def new_process(app):
    """The app as a new process finds it: no answer built yet (earlier tests built some in this one)."""
    for kept in released.kept_answers(app):
        kept.clear()


def test_once_built_a_built_in_version_is_answered_without_flask(app, new_process, as_therapist):
    with flask_requests(app) as handled:
        first = as_therapist.get(PATH)
        again = as_therapist.get(PATH)

    assert first.status_code == again.status_code == 200 and again.data == first.data
    assert handled == [PATH]  # the first built the answer; the second never reached Flask


@pytest.mark.parametrize(("if_none_match", "status"), [
    (None, "200 OK"), ("the ETag", "304 NOT MODIFIED"), ('"not-this-one"', "200 OK"), ("*", "304 NOT MODIFIED"),
    ('"not-this-one", the ETag', "304 NOT MODIFIED"),
    ("W/the ETag", "200 OK"),  # the strong comparison flask-smorest makes for every other answer
])
def test_below_flask_the_answer_is_the_views_header_for_header(app, as_front_desk, if_none_match, status):
    etag = as_front_desk.get(PATH).headers["ETag"]
    headers = {"X-Request-ID": "desk-42"}
    if if_none_match:
        headers["If-None-Match"] = if_none_match.replace("the ETag", etag)

    with flask_requests(app) as handled:
        below = answered(app.wsgi_app, environ(as_front_desk, **headers))
    view = answered(app.wsgi_app.wsgi_app, environ(as_front_desk, **headers))  # Flask's own application

    assert handled == []
    assert below == view
    assert below[0] == status


def test_below_flask_each_answer_has_a_request_id_of_its_own(app, as_therapist):
    as_therapist.get(PATH)

    with flask_requests(app) as handled:
        ids = {as_therapist.get(PATH).headers["X-Request-ID"] for _ in range(3)}
        refused = as_therapist.get(PATH, headers={"X-Request-ID": "not a plain token!"}).headers["X-Request-ID"]

    assert handled == []
    assert len(ids) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids | {refused})


def test_below_flask_the_log_line_is_the_views(app, as_therapist):
    as_therapist.get(PATH)

    with request_log() as records, flask_requests(app) as handled:
        as_therapist.get(PATH, headers={"X-Request-ID": "below-1"})
        as_therapist.get(PATH, headers={"X-Request-ID": "view-1", "Origin": "https://clinic.example"})

    assert handled == [PATH]  # the second only
    below, view = records
    for record, request_id in ((below, "below-1"), (view, "view-1")):
        assert record.request_id == request_id
        assert re.fullmatch(rf"GET {re.escape(RULE)} 200 \d+\.\dms user={as_therapist.user.id}",
                            record.getMessage()), record.getMessage()


@pytest.mark.parametrize("request_", [
    {"method": "HEAD"},
    {"path": PATH + "?lang=en"},
    {"headers": {"Origin": "https://clinic.example"}},
    {"path": API + "/kujala/versions/01"},
    {"path": API + "/kujala"},
], ids=["HEAD", "query string", "CORS", "not the canonical path", "the latest version"])
def test_what_it_cannot_be_sure_of_goes_to_flask(app, as_therapist, request_):
    as_therapist.get(PATH)

    with flask_requests(app) as handled:
        answer = as_therapist.request(request_.get("method", "GET"), request_.get("path", PATH),
                                      headers=request_.get("headers"))

    assert handled == [request_.get("path", PATH).split("?")[0]]
    assert answer.status_code in (200, 404)


def test_with_cors_configured_every_answer_is_flasks(new_app, new_staff):
    """flask-cors adds its headers to every answer, with an ``Origin`` or not: none is served below Flask."""
    cors_app = new_app(CORS_ORIGINS=["https://clinic.example"])
    as_therapist = new_staff(cors_app)

    with flask_requests(cors_app) as handled:
        answers = [as_therapist.get(PATH) for _ in range(2)]

    assert handled == [PATH, PATH]
    assert [answer.headers.get("Access-Control-Allow-Origin") for answer in answers] == ["https://clinic.example"] * 2


def test_a_version_not_yet_built_and_an_unknown_one_go_to_flask(app, new_process, as_therapist):
    with flask_requests(app) as handled:
        unknown = as_therapist.get(API + "/kujala/versions/99")
        first = as_therapist.get(API + "/lefs/versions/1")
        again = as_therapist.get(API + "/lefs/versions/1")

    assert_problem(unknown, 404)
    assert first.status_code == again.status_code == 200
    assert handled == [API + "/kujala/versions/99", API + "/lefs/versions/1"]


def test_a_clinic_defined_version_is_always_answered_by_flask(app, as_admin):
    published = created(as_admin.post(API, json=UWRI))
    path = f"{API}/{published['code']}/versions/{published['version']}"

    with flask_requests(app) as handled:
        answers = [as_admin.get(path) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert handled == [path, path]  # its row id is looked up each time: not kept by (code, version)


@pytest.mark.parametrize("authorization", [None, "Basic Zm9vOmJhcg==", "Bearer ", "Bearer not-a-token",
                                           "Bearer " + "x" * 300])
def test_without_a_valid_token_flask_answers_401(app, as_therapist, anonymous, authorization):
    as_therapist.get(PATH)

    with flask_requests(app) as handled:
        answer = anonymous.get(PATH, headers={"Authorization": authorization} if authorization else {})

    assert_problem(answer, 401)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert handled == [PATH]


@pytest.mark.parametrize("change", ["revoked", "deactivated", "idle", "expired"])
def test_a_token_that_stopped_stops_below_flask_at_once(app, as_therapist, change):
    as_therapist.get(PATH)
    assert as_therapist.get(PATH).status_code == 200
    statement = {
        "revoked": stored_token(as_therapist).values(revoked_at=utcnow()),
        "deactivated": update(User).where(User.id == as_therapist.user.id).values(active=False),
        "idle": stored_token(as_therapist).values(last_used_at=utcnow() - timedelta(minutes=31)),
        "expired": stored_token(as_therapist).values(expires_at=utcnow() - timedelta(seconds=1)),
    }[change]
    change_stored(app, statement)

    with flask_requests(app) as handled:
        answer = as_therapist.get(PATH)

    assert_problem(answer, 401)
    assert handled == [PATH]


def test_a_token_due_its_last_used_write_goes_to_flask_which_writes_it(app, as_therapist):
    as_therapist.get(PATH)
    change_stored(app, stored_token(as_therapist).values(last_used_at=utcnow() - timedelta(minutes=5)))

    with flask_requests(app) as handled:
        first = as_therapist.get(PATH)
        second = as_therapist.get(PATH)

    assert first.status_code == second.status_code == 200
    assert handled == [PATH]  # the first wrote last_used_at; the second was served below Flask
    with app.app_context():
        last_used = db.session.scalar(select(AccessToken.last_used_at).where(
            AccessToken.token_digest == token_digest(as_therapist.token)))
    assert utcnow() - last_used < timedelta(minutes=1)


def test_below_flask_the_token_check_is_its_one_statement(app, as_therapist, count_queries):
    as_therapist.get(PATH)

    with count_queries() as counter:
        answer = as_therapist.get(PATH)

    assert answer.status_code == 200
    assert counter.count == 1 and "token_digest" in counter.statements[0], counter.statements


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="the server ends the pooled connections; SQLite has no server")
def test_a_database_lost_during_the_check_below_flask_is_flasks_503_after_one_attempt(fresh_app, new_staff):
    """The check's error is handed to Flask, which answers it without trying the database again (an outage costs one
    connect timeout, not two), and the next request reconnects."""
    as_therapist = new_staff(fresh_app)
    assert as_therapist.get(PATH).status_code == 200
    assert end_server_connections(fresh_app) >= 1
    statements: list[str] = []

    with flask_requests(fresh_app) as handled, each_statement(fresh_app, lambda *args: statements.append(args[2])):
        lost = as_therapist.get(PATH)

    body = assert_problem(lost, 503)
    assert body["type"] == "urn:clinic-api:problem:service-unavailable" and lost.headers["Retry-After"]
    assert handled == [PATH] and len(statements) == 1 and "token_digest" in statements[0]
    assert as_therapist.get(PATH).status_code == 200


# ---- on a live server: each worker builds its answer once, then serves it below Flask ------------------------------

def on_every_worker(live, token: str | None) -> list:
    return live.at_once(*[("GET", PATH, token, {})] * 16)


def test_on_a_live_server_the_answer_below_flask_is_the_views(live_clinic):
    """32 answers from 4 workers: each worker's first is the view's, and at least one worker gave more than one, the
    later ones from below Flask; all are the same but for the date and the request id."""
    live, tokens = live_clinic
    first = on_every_worker(live, tokens["front_desk"])
    later = on_every_worker(live, tokens["front_desk"])

    def seen(answer):
        return (answer.status_code, answer.content,
                tuple((name, value) for name, value in answer.headers.items() if name not in ("Date", "X-Request-ID")))

    assert {seen(answer) for answer in first + later} == {seen(first[0])}
    assert first[0].status_code == 200 and first[0].headers["Cache-Control"] == "private, max-age=86400"


def test_on_a_live_server_a_logout_stops_the_answer_below_flask_on_every_worker(live_clinic):
    live, _ = live_clinic
    login = live.call("POST", "/api/v1/auth/login", json={"email": STAFF["therapist"][0], "password": PASSWORD})
    token = login.json()["access_token"]
    assert {answer.status_code for answer in on_every_worker(live, token) + on_every_worker(live, token)} == {200}

    assert live.call("POST", "/api/v1/auth/logout", token).status_code == 204

    refused = on_every_worker(live, token)
    assert {answer.status_code for answer in refused} == {401}
    assert {answer.headers["Content-Type"] for answer in refused} == {"application/problem+json"}
