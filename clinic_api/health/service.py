"""What the probes ask: whether the database answers."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from clinic_api.core.errors import ServiceUnavailable
from clinic_api.extensions import db


def ensure_database_answers() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise ServiceUnavailable("The database is not reachable.") from error
