"""Fixtures for a clinic's day: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), one
transaction per test rolled back afterwards, staff of each role, clients that call the HTTP API (the role
fixtures as_front_desk, as_therapist, as_other_therapist, as_admin, anonymous), factory fixtures that post
records as the right role (create_patient, create_episode, create_visit, create_signed_visit, create_response,
create_pain_score, create_run, create_goal), count_queries, and conforms (an answer checked against the OpenAPI
document). Payloads and helpers: tests/factories.py.

The tests ignore the developer's environment: the variables the settings read (``config.load``) are cleared
here, when pytest imports this file and before any app is made. ``TEST_DATABASE_URL`` stays: only the tests
read it."""
from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask_sqlalchemy.session import _app_ctx_id
from openapi_schema_validator import OAS30Validator
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

import config
from clinic_api import create_app
from clinic_api.auth import service as auth_service
from clinic_api.auth.models import User
from clinic_api.extensions import db
from tests.factories import (
    PASSWORD,
    STAFF,
    create_staff,
    each_statement,
    post_episode,
    post_goal,
    post_pain_score,
    post_patient,
    post_response,
    post_run,
    post_signed_visit,
    post_visit,
)
from tests.live import LiveServer, gunicorn

# Every variable the settings read (config.SETTINGS_VARIABLES), cleared before any app is made.
for _variable in config.SETTINGS_VARIABLES:
    os.environ.pop(_variable, None)


@contextmanager
def database(tmp_dir: str, name: str) -> Iterator[str]:
    """A new, empty database for this run: a SQLite file, or a PostgreSQL database made and dropped here."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_dir}/{name}.db"
        return
    server = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    db_name = f"clinic_{name}_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    try:
        yield server.set(database=db_name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin_engine.dispose()


def migrated_app(url: str, **settings: Any) -> Flask:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **settings}, environment="test")
    with app.app_context():
        flask_migrate.upgrade()
    return app


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with database(str(tmp_path_factory.mktemp("db")), "suite") as url:
        app = migrated_app(url)
        with app.app_context():
            # Staff are created once (argon2 is deliberately slow); every test then runs in a transaction.
            for key in STAFF:
                create_staff(key)
            db.session.commit()
        yield app
        dispose(app)


@pytest.fixture
def new_app(tmp_path: Any) -> Iterator[Callable[..., Flask]]:
    """``new_app(**settings)``: an app with these settings on a new database of its own, migrated and empty
    (no staff: see ``new_staff``), for tests that need real commits across connections or other settings."""
    names = itertools.count()
    with ExitStack() as cleanup:
        def make(**settings: Any) -> Flask:
            app = migrated_app(cleanup.enter_context(database(str(tmp_path), f"fresh{next(names)}")), **settings)
            cleanup.callback(dispose, app)
            return app
        yield make


@pytest.fixture
def fresh_app(new_app: Callable[..., Flask]) -> Flask:
    """An app on its own new database with the test settings (see ``new_app``)."""
    return new_app()


@pytest.fixture
def db_session(app: Flask) -> Iterator[None]:
    """Every session of the test (one per request) joins one outer transaction, rolled back at the end.

    Commits in the app become savepoint releases, so the code runs exactly as in production."""
    # No app context stays pushed during the test: Flask would reuse it for every request, and the
    # requests would share one session instead of each having its own as in production.
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                             expire_on_commit=False), scopefunc=_app_ctx_id)
    try:
        yield
    finally:
        db.session = original
        outer.rollback()
        connection.close()


class ApiClient:
    """Calls the API as one member of staff, the way a client app does."""

    def __init__(self, flask_client: Any, token: str | None, user: User | None = None):
        self.flask_client = flask_client
        self.token = token
        self.user = user

    def request(self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
                **kwargs: Any) -> Any:
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.flask_client.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def patch_current(self, path: str, json: Any) -> Any:
        """PATCH with the ETag of a fresh GET, as a well-behaved client does."""
        etag = self.get(path).headers["ETag"]
        return self.patch(path, json=json, headers={"If-Match": etag})

    def on_a_new_connection(self) -> ApiClient:
        """The same member of staff on a test client of its own (one for each thread of a race)."""
        return ApiClient(self.flask_client.application.test_client(), self.token, self.user)


def signed_in(app: Flask, user: User) -> ApiClient:
    """An ApiClient for the user, with a new token (call it in an app context)."""
    token = auth_service.issue_token(user).access_token
    db.session.commit()
    db.session.refresh(user)  # loaded now, so that user.id stays readable once this session is gone
    return ApiClient(app.test_client(), token, user)


@pytest.fixture
def client_for(app: Flask, db_session: None):
    """``client_for(key)``: an ApiClient signed in as the member of staff ``key`` of STAFF; for ``None``,
    one that sends no token."""
    def make(role_key: str | None) -> ApiClient:
        if role_key is None:
            return ApiClient(app.test_client(), None)
        with app.app_context():
            return signed_in(app, db.session.scalar(select(User).where(User.email == STAFF[role_key][0])))
    return make


def _signed_in_as(key: str | None) -> Callable[..., ApiClient]:
    def client(client_for) -> ApiClient:
        return client_for(key)
    client.__doc__ = f"An ApiClient signed in as {key!r} of STAFF." if key else "An ApiClient that sends no token."
    return client


# The role fixtures: a test names the members of staff (of STAFF) it acts as, or anonymous.
anonymous = pytest.fixture(_signed_in_as(None))
as_admin = pytest.fixture(_signed_in_as("admin"))
as_therapist = pytest.fixture(_signed_in_as("therapist"))
as_other_therapist = pytest.fixture(_signed_in_as("therapist2"))
as_front_desk = pytest.fixture(_signed_in_as("front_desk"))


@pytest.fixture
def new_staff():
    """``new_staff(app, key="therapist")``: the member of staff ``key`` of STAFF, created on an app of its own
    database (``fresh_app``, ``new_app``) and signed in as an ApiClient."""
    def make(app: Flask, key: str = "therapist") -> ApiClient:
        with app.app_context():
            return signed_in(app, create_staff(key))
    return make


# ---- factory fixtures: each returns a callable that posts one record through the API as the member of
# staff whose work it is, asserts 201 and returns the record's JSON. Keywords change fields of the payload
# in tests.factories (MADDIE, KNEE_EPISODE, EVALUATION, RESPONSE, PAIN_SCORE, RUN, GOAL), ``...`` leaves one
# out, and ``client=as_other_therapist`` (say) posts as someone else.

def _posting_as(default: ApiClient, post: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def create(*args: Any, client: ApiClient | None = None, **fields: Any) -> dict[str, Any]:
        return post(client or default, *args, **fields)
    create.__doc__ = post.__doc__
    return create


@pytest.fixture
def create_patient(as_front_desk: ApiClient):
    """``create_patient(**overrides)``: Maddie (MADDIE), registered by the front desk."""
    return _posting_as(as_front_desk, post_patient)


@pytest.fixture
def create_episode(as_therapist: ApiClient, create_patient):
    """``create_episode(patient_id=None, **overrides)``: the knee episode (KNEE_EPISODE, from 2026-09-01) opened by
    the therapist, for a new patient from ``create_patient`` unless ``patient_id`` is given."""
    def create(patient_id: str | None = None, *, client: ApiClient | None = None, **overrides: Any) -> dict[str, Any]:
        return post_episode(client or as_therapist, patient_id or create_patient()["id"], **overrides)
    return create


@pytest.fixture
def create_visit(as_therapist: ApiClient):
    """``create_visit(episode_id, **overrides)``: a draft visit (EVALUATION) logged by the therapist."""
    return _posting_as(as_therapist, post_visit)


@pytest.fixture
def create_signed_visit(as_therapist: ApiClient):
    """``create_signed_visit(episode_id, **overrides)``: a visit (EVALUATION) logged and signed by the therapist;
    the signed visit."""
    return _posting_as(as_therapist, post_signed_visit)


@pytest.fixture
def create_response(as_therapist: ApiClient):
    """``create_response(episode_id, **body)``: a questionnaire response (RESPONSE: an NPRS of 4) entered by the
    therapist; ``create_response(episode_id, **intake(...))`` for an intake."""
    return _posting_as(as_therapist, post_response)


@pytest.fixture
def create_pain_score(as_therapist: ApiClient):
    """``create_pain_score(episode_id, **fields)``: a pain score (PAIN_SCORE: 3, current, now) by the therapist."""
    return _posting_as(as_therapist, post_pain_score)


@pytest.fixture
def create_run(as_therapist: ApiClient):
    """``create_run(episode_id, **fields)``: a run (RUN: 5.25 km on 2026-09-10) recorded by the therapist."""
    return _posting_as(as_therapist, post_run)


@pytest.fixture
def create_goal(as_therapist: ApiClient):
    """``create_goal(episode_id, **fields)``: a goal (GOAL: run 10 km pain-free) set by the therapist."""
    return _posting_as(as_therapist, post_goal)


# ---- the records most tests start from ---------------------------------------------------------------

@pytest.fixture
def episode(create_episode) -> dict[str, Any]:
    """Maddie's knee episode (KNEE_EPISODE), open since 2026-09-01."""
    return create_episode()


@pytest.fixture
def evaluation(create_visit, episode) -> dict[str, Any]:
    """The episode's initial evaluation (EVALUATION, 2026-09-01, two pain scores), a draft."""
    return create_visit(episode["id"])


@pytest.fixture
def signed_evaluation(create_signed_visit, episode) -> dict[str, Any]:
    """The episode's initial evaluation (EVALUATION, 2026-09-01, two pain scores), signed."""
    return create_signed_visit(episode["id"])


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask, db_session: None):
    """``with count_queries() as counter:`` counts the SQL statements run inside the block."""
    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        with each_statement(app, counter):
            yield counter
    return counting


@pytest.fixture
def conforms(anonymous):
    """``conforms(answer, path, method)``: the answer is valid against the schema the served OpenAPI document gives
    for that operation and status (what a client generated from the document accepts)."""
    spec = anonymous.get("/openapi.json").get_json()

    def check(answer: Any, path: str, method: str) -> None:
        responses = spec["paths"][path][method]["responses"]
        documented = responses.get(str(answer.status_code)) or responses["default"]
        if "$ref" in documented:
            documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        schema = documented["content"][answer.content_type]["schema"]
        # The operation's schema, with the document's components beside it for its $refs to resolve.
        OAS30Validator({**schema, "components": spec["components"]}).validate(answer.get_json())

    return check


@pytest.fixture(scope="module")
def live_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    """A real server (gunicorn, four worker processes) on a database of its own with the staff of STAFF,
    and a token for each of them: ``live, tokens = live_clinic``. For races that must meet as in production."""
    with database(str(tmp_path_factory.mktemp("live")), "live") as url:
        app = migrated_app(url)
        with app.app_context():
            tokens = {key: auth_service.issue_token(create_staff(key)).access_token for key in STAFF}
            db.session.commit()
        dispose(app)
        with gunicorn(url) as live:
            yield live, tokens


class FuzzClinic:
    """A real server for the fuzzer (tests/fuzz): gunicorn on a database of its own with the staff of STAFF, a
    throwaway account of each role (``fuzz-<role>@clinic.test``) for the operations that end the caller's session,
    and ``token(email)`` to sign anyone in there again without a login (no argon2, no throttling)."""

    def __init__(self, live: LiveServer, app: Flask):
        self.live = live
        self.app = app
        self.tokens = {key: self.token(email) for key, (email, _role) in STAFF.items()}

    def token(self, email: str) -> str:
        with self.app.app_context():
            token = auth_service.issue_token(db.session.scalar(select(User).where(User.email == email))).access_token
            db.session.commit()
            db.session.remove()
            return token


@pytest.fixture(scope="session")
def fuzz_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzClinic]:
    """The fuzzer's server (see FuzzClinic). Failed logins are throttled per account as usual, but the address limit is
    raised: every case comes from 127.0.0.1, and the fuzzer's wrong passwords must not turn the run into 429s. So is
    gunicorn's request-line limit: a query string of random parameters over 4 094 bytes would otherwise get gunicorn's
    own HTML 414 before the app runs, which tests gunicorn, not the service (in production the reverse proxy refuses
    such lines first, as problem details: docs/operations.md); without it the app itself meets those long lines."""
    with database(str(tmp_path_factory.mktemp("fuzz")), "fuzz") as url:
        app = migrated_app(url)
        with app.app_context():
            for key in STAFF:
                create_staff(key)
            for role in ("front_desk", "therapist", "admin"):
                auth_service.create_user(email=f"fuzz-{role}@clinic.test", full_name=f"Fuzz {role}", role=role,
                                         password=PASSWORD)
            db.session.commit()
            db.session.remove()
        try:
            with gunicorn(url, workers=2, server_options=("--limit-request-line", "0"),
                          LOGIN_MAX_FAILURES_PER_ADDRESS="1000000") as live:
                yield FuzzClinic(live, app)
        finally:
            dispose(app)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fuzzer's runs (a minute or so each, one per role) first: under ``-n 2`` each worker starts one while the
    short tests fill in around them, instead of one worker taking two at the end."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/fuzz/"))


# ---- the fuzzer's summary (tests/fuzz): each role's run reports its cases, time and answers as the user property
# ``fuzz`` of its report, which reaches this process from xdist's workers too.

_FUZZ_RUNS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _FUZZ_RUNS.extend(value for name, value in report.user_properties if name == "fuzz" and value not in _FUZZ_RUNS)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _FUZZ_RUNS:
        terminalreporter.section("OpenAPI fuzzing")
        for line in _FUZZ_RUNS:
            terminalreporter.write_line(line)
