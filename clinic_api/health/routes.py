from __future__ import annotations

from marshmallow import fields

from clinic_api.core.access import public
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, Schema
from clinic_api.health import service

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
    service.ensure_database_answers()
    return {"status": "ok"}
