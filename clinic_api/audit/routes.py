from __future__ import annotations

from clinic_api.audit import service
from clinic_api.audit.schemas import AuditEventOut, AuditQuery
from clinic_api.core.access import ADMIN
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import page_of

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="The audit trail (read-only).")


@blp.route("/audit-events")
@blp.roles(ADMIN)
@blp.arguments(AuditQuery, location="query")
@blp.response(200, page_of(AuditEventOut))
def audit_events(args):
    """Who read or changed what, newest first"""
    return service.search_events(**args)
