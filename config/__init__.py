"""Settings per environment (development, test, production); environment variables override them.

``APP_ENV`` picks the environment (development by default). Every setting below that is also listed in
``ENV_OVERRIDES`` can be set from the environment, e.g. ``DATABASE_URL`` or ``CORS_ORIGINS``.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Base:
    SQLALCHEMY_DATABASE_URI: str | None = None
    # No pool_pre_ping: it costs every request a round trip. After a database restart the first statement on a
    # stale pooled connection fails; SQLAlchemy then invalidates every connection of that pool, the request
    # answers 503 (to retry, with its Idempotency-Key) and the next ones reconnect (bench/faults.py shows it).
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"hide_parameters": True, "pool_pre_ping": False}
    # PostgreSQL only. A request waits at most this long for a connection to the database (then it answers 503),
    # and a statement of a request runs at most DATABASE_STATEMENT_TIMEOUT_MS; exports and command-line jobs
    # run theirs up to DATABASE_LONG_STATEMENT_TIMEOUT_MS (core.sql.long_statements).
    DATABASE_CONNECT_TIMEOUT_SECONDS = 5
    DATABASE_STATEMENT_TIMEOUT_MS = 30_000
    DATABASE_LONG_STATEMENT_TIMEOUT_MS = 30 * 60_000
    SECRET_KEY: str | None = None
    LOG_LEVEL = "INFO"
    MAX_CONTENT_LENGTH = 1024 * 1024  # no clinical document we take is larger than 1 MiB of JSON

    ACCESS_TOKEN_LIFETIME_SECONDS = 12 * 3600
    ACCESS_TOKEN_IDLE_TIMEOUT_SECONDS = 30 * 60  # automatic logoff (HIPAA 164.312(a)(2)(iii))
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
    IDEMPOTENCY_TTL_SECONDS = 24 * 3600
    # The clinic's own day: "today" (default dates, "not in the future") is the date where the clinic is.
    CLINIC_TIMEZONE = "UTC"

    # What GET /episodes/{id}/due asks for: a baseline set per body region at intake, a re-measure of
    # each every remeasure_days or remeasure_visits (whichever comes first), GROC at discharge.
    MEASURE_SCHEDULE: dict[str, Any] = {
        # Each region's intake: the knee's runner intake, the general running-injury intake elsewhere
        # (its red-flag screen asks the region's own questions).
        "baseline": {"knee": ["runner_intake", "nprs", "kujala", "lefs"],
                     "default": ["running_injury_intake", "nprs", "lefs", "psfs"]},
        "once": ["runner_intake", "running_injury_intake"],
        "remeasure_days": 14,
        "remeasure_visits": 4,
        "at_discharge": ["groc"],
        # The baseline set (less what is asked once) is asked again this long after discharge.
        "follow_up_days": 90,
    }
    # A discharged episode may be reopened by a therapist this many days after its discharge date.
    EPISODE_REOPEN_DAYS = 30
    # A post-discharge follow-up response (follow_up: true) is taken up to this many days after discharge.
    FOLLOW_UP_WINDOW_DAYS = 365

    CORS_ORIGINS: list[str] = []
    TRUSTED_PROXY_COUNT = 0  # set to the number of proxies in front, so the audit trail sees client addresses

    API_TITLE = "clinic-api"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"
    API_SPEC_OPTIONS = {
        "info": {"description": (
            "Intake questionnaires, visit notes and pain scores over time, for an outpatient physical therapy "
            "clinic for runners.\n\n"
            "**Logging in.** `POST /api/v1/auth/login` with `{\"email\", \"password\"}` answers an "
            "`access_token`. Press **Authorize** above and paste it (without `Bearer`): every call from this "
            "page then sends `Authorization: Bearer <token>`. A token lasts 12 hours and ends after 30 minutes "
            "without a call; `POST /api/v1/auth/logout` ends it at once.\n\n"
            "**Roles.** `front_desk`: patients, pending episodes for the intake, questionnaire responses, "
            "worklists at the appointment level. `therapist`: the clinical record (episodes, visit notes, pain "
            "scores, runs, goals, outcomes). `admin`: staff accounts, questionnaire definitions, the audit trail "
            "(no patient records). Each operation lists its roles in `x-roles`; another role gets 403.\n\n"
            "**Conventions.** Errors are RFC 9457 problem details (`application/problem+json`) with per-field "
            "messages in `errors`. A change needs `If-Match` with the ETag of a GET (428 without, 412 when "
            "stale). A POST may carry `Idempotency-Key` to be retried safely. A write's checks answer in this "
            "order: 401, 403, 422 (the body's form), 404, 428/412, then 409/422 (the rules).")},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": "An opaque token from POST /api/v1/auth/login."}}},
    }


class Development(Base):
    LOG_LEVEL = "DEBUG"


class Test(Base):
    TESTING = True
    SECRET_KEY = "test-only-secret"  # noqa: S105 - the test environment only
    LOG_LEVEL = "WARNING"


class Production(Base):
    pass


ENVIRONMENTS: dict[str, type[Base]] = {"development": Development, "test": Test, "production": Production}


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


ENV_OVERRIDES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "LOG_LEVEL": ("LOG_LEVEL", str),
    "ACCESS_TOKEN_LIFETIME_SECONDS": ("ACCESS_TOKEN_LIFETIME_SECONDS", int),
    "ACCESS_TOKEN_IDLE_TIMEOUT_SECONDS": ("ACCESS_TOKEN_IDLE_TIMEOUT_SECONDS", int),
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": ("LOGIN_MAX_FAILURES_PER_ACCOUNT", int),
    "LOGIN_MAX_FAILURES_PER_ADDRESS": ("LOGIN_MAX_FAILURES_PER_ADDRESS", int),
    "LOGIN_FAILURE_WINDOW_SECONDS": ("LOGIN_FAILURE_WINDOW_SECONDS", int),
    "CORS_ORIGINS": ("CORS_ORIGINS", _list),
    "TRUSTED_PROXY_COUNT": ("TRUSTED_PROXY_COUNT", int),
    "MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "CLINIC_TIMEZONE": ("CLINIC_TIMEZONE", str),
    "EPISODE_REOPEN_DAYS": ("EPISODE_REOPEN_DAYS", int),
    "FOLLOW_UP_WINDOW_DAYS": ("FOLLOW_UP_WINDOW_DAYS", int),
    "DATABASE_CONNECT_TIMEOUT_SECONDS": ("DATABASE_CONNECT_TIMEOUT_SECONDS", int),
    "DATABASE_STATEMENT_TIMEOUT_MS": ("DATABASE_STATEMENT_TIMEOUT_MS", int),
    "DATABASE_LONG_STATEMENT_TIMEOUT_MS": ("DATABASE_LONG_STATEMENT_TIMEOUT_MS", int),
}


def normalise_database_url(url: str) -> str:
    """Operators write postgresql://…; SQLAlchemy needs the driver named to use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def postgresql_engine_options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The engine options with the connect and statement timeouts handed to libpq (one round trip fewer than a
    SET per connection)."""
    options = dict(settings["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args", {}))
    connect_args.setdefault("connect_timeout", settings["DATABASE_CONNECT_TIMEOUT_SECONDS"])
    connect_args.setdefault("options", f"-c statement_timeout={settings['DATABASE_STATEMENT_TIMEOUT_MS']}")
    # A server that vanishes from the network mid-statement (no RST, no answer) would leave the worker waiting on
    # the socket until the kernel gives up, hours later: TCP keepalives find the dead peer in about 25 s.
    for name, value in (("keepalives", 1), ("keepalives_idle", 10), ("keepalives_interval", 5),
                        ("keepalives_count", 3)):
        connect_args.setdefault(name, value)
    options["connect_args"] = connect_args
    return options


# The measure schedule's numbers that the environment may set: variable -> key of MEASURE_SCHEDULE.
SCHEDULE_OVERRIDES = {"REMEASURE_DAYS": "remeasure_days", "REMEASURE_VISITS": "remeasure_visits",
                      "FOLLOW_UP_DAYS": "follow_up_days"}
# Every variable the settings read: what a test run clears so that the developer's shell cannot change it.
SETTINGS_VARIABLES = ("APP_ENV", *ENV_OVERRIDES, *SCHEDULE_OVERRIDES)


def _schedule_overrides(settings: dict[str, Any]) -> None:
    schedule = dict(settings["MEASURE_SCHEDULE"])
    for variable, key in SCHEDULE_OVERRIDES.items():
        if variable in os.environ:
            try:
                schedule[key] = int(os.environ[variable])
            except ValueError as error:
                raise RuntimeError(f"{variable} is not valid: {error}") from error
    settings["MEASURE_SCHEDULE"] = schedule


def load(environment: str | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    name = environment or os.environ.get("APP_ENV", "development")
    if name not in ENVIRONMENTS:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    source = ENVIRONMENTS[name]
    settings = {key: getattr(source, key) for key in dir(source) if key.isupper()}
    settings["APP_ENV"] = name
    for variable, (key, parse) in ENV_OVERRIDES.items():
        if variable in os.environ:
            try:
                settings[key] = parse(os.environ[variable])
            except ValueError as error:
                raise RuntimeError(f"{variable} is not valid: {error}") from error
    _schedule_overrides(settings)
    settings.update(overrides or {})
    if settings.get("SQLALCHEMY_DATABASE_URI"):
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(settings["SQLALCHEMY_DATABASE_URI"])
        if settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            settings["SQLALCHEMY_ENGINE_OPTIONS"] = postgresql_engine_options(settings)
    try:
        ZoneInfo(settings["CLINIC_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RuntimeError(f"CLINIC_TIMEZONE is not an IANA time zone: {settings['CLINIC_TIMEZONE']!r}") from error
    if name == "production":
        if not settings.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production.")
        if not settings.get("SQLALCHEMY_DATABASE_URI"):
            raise RuntimeError("DATABASE_URL must be set in production.")
    return settings
