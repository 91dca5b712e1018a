from __future__ import annotations

from marshmallow import fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from clinic_api.core.access import public
from clinic_api.core.api import Blueprint
from clinic_api.core.errors import ServiceUnavailable
from clinic_api.core.schemas import ProblemSchema, Schema
from clinic_api.extensions import db

blp = Blueprint("health", __name__, description="Probes; no authentication.")


class HealthOut(Schema):
    status = fields.String(metadata={"example": "ok"})


@blp.route("/healthz")
@public
@blp.doc(security=[])
@blp.response(200, HealthOut)
def healthz():
    """The process is up"""
    return {"status": "ok"}


@blp.route("/readyz")
@public
@blp.doc(security=[])
@blp.response(200, HealthOut)
@blp.alt_response(503, schema=ProblemSchema, description="The database is not reachable.")
def readyz():
    """The database answers"""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise ServiceUnavailable("The database is not reachable.") from error
    return {"status": "ok"}
