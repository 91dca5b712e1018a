from __future__ import annotations

from sqlalchemy import select

from clinic_api.audit.models import AuditEvent
from clinic_api.audit.schemas import AuditEventOut, AuditQuery
from clinic_api.core.access import ADMIN
from clinic_api.core.api import Blueprint
from clinic_api.core.pagination import paginate
from clinic_api.core.schemas import page_of

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="The audit trail (read-only).")

FILTERS = {"user_id": AuditEvent.user_id, "patient_id": AuditEvent.patient_id, "action": AuditEvent.action,
           "outcome": AuditEvent.outcome}


@blp.route("/audit-events")
@blp.roles(ADMIN)
@blp.arguments(AuditQuery, location="query")
@blp.response(200, page_of(AuditEventOut))
def audit_events(args):
    """Who read or changed what, newest first"""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id)
    for name, column in FILTERS.items():
        if name in args:
            query = query.where(column == args[name])
    if "from_" in args:
        query = query.where(AuditEvent.occurred_at >= args["from_"])
    if "to" in args:
        query = query.where(AuditEvent.occurred_at < args["to"])
    return paginate(query, args["page"], args["per_page"])
