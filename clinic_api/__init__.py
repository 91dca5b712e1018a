"""clinic-api: the backend of an outpatient physical therapy clinic for runners."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import Flask, send_from_directory
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SessionInterface
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

import config


class JSONProvider(DefaultJSONProvider):
    """Decimals (scores, distances) as JSON numbers, not strings."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return DefaultJSONProvider.default(o)


class NoCookieSession(SessionInterface):
    """The API authenticates by bearer token and keeps no cookie session: none is looked for or saved (Flask's
    default builds a signing serialiser on every request to look for one). Flask hands views a null session, which
    refuses to be written."""

    def open_session(self, app: Flask, request: Any) -> None:
        return None

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the writer.
    # isolation_level None hands transaction control to the "begin" hook below (pysqlite's own
    # handling breaks SAVEPOINT).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Nearly every request writes (an audit event at least): taking the write lock up front serialises
    # writers cleanly instead of failing one of them when it upgrades a read lock.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_app(settings: Mapping[str, Any] | None = None, environment: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    app.session_interface = NoCookieSession()
    app.config.update(config.load(environment, settings))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.path.join(app.instance_path, 'clinic.db')}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)  # development only: production refuses to start
    if app.config["TRUSTED_PROXY_COUNT"]:
        count = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    from clinic_api.core import transactions
    from clinic_api.core.api import ClinicApi, install_converters
    from clinic_api.extensions import cors, db, migrate

    install_converters(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            event.listen(db.engine, "begin", _sqlite_begin)
        transactions.install(db.engine)  # PostgreSQL: a GET's reads without BEGIN and COMMIT
    if app.config["CORS_ORIGINS"]:
        cors.init_app(app, origins=app.config["CORS_ORIGINS"], expose_headers=["ETag", "Location", "X-Request-ID"])

    _register_models()
    _register_hooks(app)
    api = ClinicApi(app)
    _register_blueprints(app, api)
    _register_docs_assets(app)
    _register_cli(app)
    return app


def _register_models() -> None:
    # Imported for their side effect of defining the tables (Alembic autogenerate needs all of them).
    from clinic_api.audit import models as _audit  # noqa: F401
    from clinic_api.auth import models as _auth  # noqa: F401
    from clinic_api.core import idempotency as _idempotency  # noqa: F401
    from clinic_api.outcomes import models as _outcomes  # noqa: F401
    from clinic_api.patients import models as _patients  # noqa: F401
    from clinic_api.questionnaires import models as _questionnaires  # noqa: F401
    from clinic_api.visits import models as _visits  # noqa: F401


def _register_hooks(app: Flask) -> None:
    from clinic_api.audit import service as audit
    from clinic_api.auth.guard import authenticate
    from clinic_api.core import idempotency, lifecycle
    from clinic_api.outcomes import summaries

    lifecycle.init_app(app)  # request id first, commit/rollback last
    summaries.init_app(app)  # the kept outcome summaries, refreshed before the commit
    lifecycle.write_last(audit.write_pending)  # the audit trail, the last statement before the commit
    app.before_request(authenticate)
    app.before_request(idempotency.begin)


def _register_blueprints(app: Flask, api: Any) -> None:
    from clinic_api.audit.routes import blp as audit_blp
    from clinic_api.auth.routes import blp as auth_blp
    from clinic_api.episodes.routes import blp as episodes_blp
    from clinic_api.health.routes import blp as health_blp
    from clinic_api.outcomes.report_routes import blp as reports_blp
    from clinic_api.outcomes.routes import blp as outcomes_blp
    from clinic_api.patients.routes import blp as patients_blp
    from clinic_api.questionnaires import released
    from clinic_api.questionnaires.routes import blp as questionnaires_blp
    from clinic_api.visits.routes import blp as visits_blp

    for blueprint in (health_blp, auth_blp, patients_blp, episodes_blp, questionnaires_blp, visits_blp, outcomes_blp,
                      reports_blp, audit_blp):
        api.register_blueprint(blueprint)
    # Released built-in definitions, once built, are answered before Flask sees the request (see the module).
    app.wsgi_app = released.BelowFlask(app, app.wsgi_app, questionnaires_blp.url_prefix)  # type: ignore[method-assign]


def _register_docs_assets(app: Flask) -> None:
    """Swagger UI's files served from the installed package: /docs works without internet access."""
    import swagger_ui_bundle

    from clinic_api.core.access import public

    @public
    def swagger_ui_assets(filename: str):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    app.add_url_rule("/docs/assets/<path:filename>", "swagger_ui_assets", swagger_ui_assets)


def _register_cli(app: Flask) -> None:
    from clinic_api.audit.cli import audit_cli
    from clinic_api.auth.cli import users_cli
    from clinic_api.demo.cli import demo_command
    from clinic_api.outcomes.cli import outcomes_cli, report_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(outcomes_cli)
    app.cli.add_command(report_cli)
    app.cli.add_command(demo_command)
