"""The episode of care on the wire: opening, changing, discharging, red-flag review, measures due."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from clinic_api.core.schemas import Day, PageArgs, PatchSchema, Schema, StaffRef, Text, not_in_future
from clinic_api.core.types import today
from clinic_api.patients.models import BODY_REGIONS, DISCHARGE_REASONS, EPISODE_STATUSES, SIDES
from clinic_api.patients.schemas import PatientSummary
from clinic_api.questionnaires.schemas import RedFlagOut, RedFlagReviewOut
from clinic_api.visits.models import GOAL_STATUSES

FINAL_GOAL_STATUSES = tuple(status for status in GOAL_STATUSES if status != "active")

# ICD-10-CM: a letter, two digits, then optionally a dot and up to four characters (M22.2X1, M25.561).
ICD10CM_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


class DiagnosisCode(Text):
    def __init__(self, **kwargs: Any):
        metadata = {"example": "M22.2X2", "description": "ICD-10-CM code, checked for form.",
                    **kwargs.pop("metadata", {})}
        super().__init__(max_length=8, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        if len(code) > 3 and "." not in code:
            code = code[:3] + "." + code[3:]
        if not ICD10CM_RE.match(code):
            raise ValidationError("Not an ICD-10-CM code (a letter, two digits, optional dot and up to four "
                                  "characters, e.g. M22.2X2).")
        return code




class EpisodeIn(Schema):
    body_region = fields.String(required=True, validate=validate.OneOf(BODY_REGIONS))
    side = fields.String(required=True, validate=validate.OneOf(SIDES))
    diagnosis_code = DiagnosisCode(metadata={"description": "Given by a therapist, with diagnosis_text. Without "
                                                            "them the episode is pending (the front desk's "
                                                            "intake) until a therapist completes it."})
    diagnosis_text = Text(max_length=200)
    onset_date = Day(allow_none=True, validate=not_in_future)
    referral_source = Text(max_length=200, allow_none=True)
    therapist_id = fields.UUID(allow_none=True, metadata={"description": "Assigned therapist; a therapist "
                                                                         "opening the episode by default."})
    start_date = Day(validate=not_in_future, metadata={"description": "Defaults to today."})
    pre_injury_weekly_km = fields.Decimal(
        places=1, as_string=False, allow_nan=False, allow_none=True, validate=validate.Range(min=0, max=400),
        metadata={"description": "The usual weekly running distance before this injury, the yardstick of the "
                                 "return to run. Defaults to the patient's running profile; frozen at discharge."})

    @post_load
    def default_start(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if not self.partial:
            data.setdefault("start_date", today())
        return data


class EpisodePatch(PatchSchema, EpisodeIn):
    pass


class EpisodeOut(Schema):
    id = fields.UUID()
    patient_id = fields.UUID()
    body_region = fields.String()
    side = fields.String()
    diagnosis_code = fields.String(allow_none=True)
    diagnosis_text = fields.String(allow_none=True)
    onset_date = Day(allow_none=True)
    referral_source = fields.String(allow_none=True)
    therapist_id = fields.UUID(allow_none=True)
    start_date = Day()
    status = fields.String(metadata={"enum": list(EPISODE_STATUSES)})
    discharge_date = Day(allow_none=True)
    discharge_reason = fields.String(allow_none=True)
    discharge_note = fields.String(allow_none=True)
    pre_injury_weekly_km = fields.Decimal(as_string=False, allow_none=True)
    entered_in_error_at = fields.AwareDateTime(allow_none=True)
    entered_in_error_by = fields.UUID(allow_none=True)
    entered_in_error_reason = fields.String(allow_none=True)
    red_flags = fields.List(fields.Nested(RedFlagOut),
                            metadata={"description": "Red flags raised by responses and not yet acknowledged."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class EpisodeDeskOut(EpisodeOut):
    """An episode as the front desk reads it: without the therapist's notes (the discharge note, a red flag's
    review), as it reads visits without their note."""

    class Meta(EpisodeOut.Meta):
        exclude = ("discharge_note",)

    red_flags = fields.List(fields.Nested(RedFlagReviewOut),
                            metadata={"description": "Red flags raised by responses and not yet acknowledged."})


class _OnTheWorklist(Schema):
    patient = fields.Nested(PatientSummary)
    measures_due = fields.Integer(metadata={"description": "The number of measures GET /episodes/{id}/due lists."})


class WorklistRowOut(_OnTheWorklist, EpisodeOut):
    """An episode on the worklist, with its patient and how many measures are due."""


class WorklistRowDeskOut(_OnTheWorklist, EpisodeDeskOut):
    """An episode on the front desk's worklist (no therapist's note), with its patient and the measures due."""

    class Meta(EpisodeDeskOut.Meta):
        pass


class WorklistQuery(PageArgs):
    status = fields.String(validate=validate.OneOf(EPISODE_STATUSES))
    therapist_id = StaffRef(metadata={"description": "The assigned therapist's id, or `me`: your caseload."})
    body_region = fields.String(validate=validate.OneOf(BODY_REGIONS))
    diagnosis_code = Text(max_length=8, metadata={"description": "An ICD-10-CM code or its start (M22 finds M22.2X2)."})
    started_from = Day()
    started_to = Day()
    discharged_from = Day()
    discharged_to = Day()
    has_open_red_flags = fields.Boolean()
    has_measures_due = fields.Boolean()
    include_entered_in_error = fields.Boolean(load_default=False)


class EpisodeQuery(PageArgs):
    status = fields.String(validate=validate.OneOf(EPISODE_STATUSES))
    include_entered_in_error = fields.Boolean(load_default=False, metadata={
        "description": "Also list episodes marked entered in error (left out by default)."})


class GoalSettlementIn(Schema):
    id = fields.UUID(required=True, metadata={"description": "An active goal of the episode."})
    status = fields.String(required=True, validate=validate.OneOf(FINAL_GOAL_STATUSES))


class DischargeIn(Schema):
    discharge_date = Day(validate=not_in_future, metadata={"description": "Defaults to today."})
    reason = fields.String(required=True, validate=validate.OneOf(DISCHARGE_REASONS))
    note = Text(max_length=2000, allow_none=True, strip=False, multiline=True)
    goals = fields.List(fields.Nested(GoalSettlementIn), load_default=list, validate=validate.Length(max=100),
                        metadata={"description": "The final status of each goal still active (no goal stays "
                                                 "active on a closed episode), dated the discharge date."})


class AcknowledgeIn(Schema):
    note = Text(required=True, max_length=2000, strip=False, multiline=True,
                metadata={"description": "What was done about it (reviewed, referred, ...)."})


class RedFlagQuery(PageArgs):
    state = fields.String(validate=validate.OneOf(("open", "acknowledged")),
                          metadata={"description": "Only the open, or only the acknowledged, flags; both by default."})


class DueItem(Schema):
    questionnaire = fields.String()
    title = fields.String()
    reason = fields.String(metadata={"enum": ["baseline", "remeasure", "discharge", "follow_up"]})
    last_taken_at = fields.AwareDateTime(allow_none=True)


class DueOut(Schema):
    episode_id = fields.UUID()
    as_of = fields.AwareDateTime()
    items = fields.List(fields.Nested(DueItem))
