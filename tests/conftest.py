"""Fixtures for a clinic's day: a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL), one
transaction per test rolled back afterwards, staff of each role, and clients that call the HTTP API.

The tests ignore the developer's environment: the variables the settings read (``config.load``) are cleared
here, when pytest imports this file and before any app is made. ``TEST_DATABASE_URL`` stays: only the tests
read it."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

import config
from clinic_api import create_app
from clinic_api.auth import service as auth_service
from clinic_api.auth.models import User
from clinic_api.extensions import db

# config exposes the variables of ENV_OVERRIDES; the environment's name (APP_ENV) and the measure schedule's
# (REMEASURE_DAYS, REMEASURE_VISITS) it reads by name, so they are listed here.
SETTINGS_VARIABLES = (*config.ENV_OVERRIDES, "APP_ENV", "REMEASURE_DAYS", "REMEASURE_VISITS")
for _variable in SETTINGS_VARIABLES:
    os.environ.pop(_variable, None)

PASSWORD = "Test-Passphrase-for-Staff-42"
STAFF = {"admin": ("admin@clinic.test", "admin"), "therapist": ("pt@clinic.test", "therapist"),
         "therapist2": ("pt2@clinic.test", "therapist"), "front_desk": ("desk@clinic.test", "front_desk")}


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


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with database(str(tmp_path_factory.mktemp("db")), "suite") as url:
        app = migrated_app(url)
        with app.app_context():
            # Staff are created once (argon2 is deliberately slow); every test then runs in a transaction.
            for key, (email, role) in STAFF.items():
                auth_service.create_user(email=email, full_name=key.replace("_", " ").title(), role=role,
                                         password=PASSWORD)
            db.session.commit()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def fresh_app(tmp_path: Any) -> Iterator[Flask]:
    """An app on its own new database, for tests that need real commits across connections."""
    with database(str(tmp_path), "fresh") as url:
        app = migrated_app(url)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


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


def staff(email: str) -> User:
    from sqlalchemy import select

    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def client_for(app: Flask, db_session: None):
    def make(role_key: str | None) -> ApiClient:
        if role_key is None:
            return ApiClient(app.test_client(), None)
        with app.app_context():
            user = staff(STAFF[role_key][0])
            token = auth_service.issue_token(user).access_token
            db.session.commit()
        return ApiClient(app.test_client(), token, user)
    return make


@pytest.fixture
def anonymous(client_for) -> ApiClient:
    return client_for(None)


@pytest.fixture
def as_admin(client_for) -> ApiClient:
    return client_for("admin")


@pytest.fixture
def as_therapist(client_for) -> ApiClient:
    return client_for("therapist")


@pytest.fixture
def as_other_therapist(client_for) -> ApiClient:
    return client_for("therapist2")


@pytest.fixture
def as_front_desk(client_for) -> ApiClient:
    return client_for("front_desk")


MADDIE = {"first_name": "Maddie", "last_name": "Runner", "date_of_birth": "1994-05-17", "sex": "female",
          "email": "maddie@example.org", "phone": "+1 555 010 0199",
          "running_profile": {"weekly_distance_km": 40, "years_running": 8,
                              "goal_race": {"name": "City Marathon", "date": "2027-04-18", "distance_km": 42.2}}}


@pytest.fixture
def create_patient(as_front_desk: ApiClient):
    def create(**overrides: Any) -> dict[str, Any]:
        response = as_front_desk.post("/api/v1/patients", json={**MADDIE, **overrides})
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return create


KNEE_EPISODE = {"body_region": "knee", "side": "left", "diagnosis_code": "M22.2X2",
                "diagnosis_text": "Patellofemoral pain syndrome, left knee", "onset_date": "2026-08-10",
                "referral_source": "Sports physician", "start_date": "2026-09-01"}


@pytest.fixture
def create_episode(as_therapist: ApiClient, create_patient):
    def create(patient_id: str | None = None, **overrides: Any) -> dict[str, Any]:
        patient_id = patient_id or create_patient()["id"]
        response = as_therapist.post(f"/api/v1/patients/{patient_id}/episodes", json={**KNEE_EPISODE, **overrides})
        assert response.status_code == 201, response.get_json()
        return response.get_json()
    return create


def assert_problem(response: Any, status: int, error_key: str | None = None) -> dict[str, Any]:
    """The answer is problem details of this status; with ``error_key``, naming exactly that field."""
    assert response.status_code == status, (response.status_code, response.get_json())
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    if error_key is not None:
        assert list(body["errors"]) == [error_key], body
    return body


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
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    return counting
