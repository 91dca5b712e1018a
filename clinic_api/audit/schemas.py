from __future__ import annotations

from marshmallow import fields, validate

from clinic_api.audit.actions import ACTIONS
from clinic_api.audit.models import OUTCOMES
from clinic_api.core.schemas import Instant, PageArgs, Schema


class AuditEventOut(Schema):
    id = fields.UUID()
    occurred_at = fields.AwareDateTime()
    user_id = fields.UUID(allow_none=True)
    action = fields.String()
    resource_type = fields.String()
    resource_id = fields.String(allow_none=True)
    patient_id = fields.UUID(allow_none=True)
    outcome = fields.String()
    remote_addr = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True)


class AuditQuery(PageArgs):
    user_id = fields.UUID()
    patient_id = fields.UUID()
    action = fields.String(validate=validate.OneOf(ACTIONS), metadata={"description": "Exact action, e.g. "
                                                                                    "patient.read"})
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    from_ = Instant(data_key="from", metadata={"description": "Inclusive, ISO 8601 with offset."})
    to = Instant(metadata={"description": "Exclusive, ISO 8601 with offset."})
