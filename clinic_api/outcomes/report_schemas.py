"""The clinic outcome report on the wire: its filters, the aggregate, the per-episode rows."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from clinic_api.core.schemas import Day, PageArgs, Schema, StaffRef, Text
from clinic_api.outcomes.report import DATES, REPORT_STATUSES
from clinic_api.outcomes.schemas import KINDS, number
from clinic_api.patients.models import BODY_REGIONS


class ReportFilters(Schema):
    diagnosis_code = Text(max_length=8, metadata={"description": "An ICD-10-CM code or its start (M22 finds M22.2X2)."})
    body_region = fields.String(validate=validate.OneOf(BODY_REGIONS))
    therapist_id = StaffRef(metadata={"description": "The assigned therapist's id, or `me`: your caseload."})
    status = fields.String(validate=validate.OneOf(REPORT_STATUSES), metadata={
        "description": "Episodes in this state only (`pending` ones are counted apart, never in the figures)."})
    from_ = Day(data_key="from", metadata={"description": "First day of the period, inclusive (YYYY-MM-DD)."})
    to = Day(metadata={"description": "Last day of the period, inclusive (YYYY-MM-DD)."})
    dates = fields.String(load_default="started", validate=validate.OneOf(DATES), metadata={
        "description": "Which date the period selects by: `started` (default), the episodes that started in it; "
                       "`discharged`, the episodes discharged in it (so none still open)."})

    @validates_schema
    def _period(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("from_") is not None and data.get("to") is not None and data["from_"] > data["to"]:
            raise ValidationError("Must not be after `to`.", field_name="from")


class ReportQuery(ReportFilters, PageArgs):
    detail = fields.String(validate=validate.OneOf(("episodes",)), metadata={
        "description": "`episodes`: one row per episode (paginated) instead of the aggregate."})


def share(description: str) -> fields.Float:
    return fields.Float(allow_none=True, metadata={"description": description + " (0 to 1; null when none)."})


class SpreadOut(Schema):
    episodes = fields.Integer(metadata={"description": "The episodes with a value."})
    median = fields.Float(allow_none=True)
    q1 = fields.Float(allow_none=True, metadata={"description": "First quartile (linear interpolation, as "
                                                                "percentile_cont)."})
    q3 = fields.Float(allow_none=True, metadata={"description": "Third quartile."})


class CompletenessOut(Schema):
    baseline = share("Counted episodes with a baseline of the measure")
    later_score = share("Counted episodes with a later score of the measure (two scores or more)")
    follow_up = share("Discharged episodes with a follow-up of the measure after discharge")


class MeasureReportOut(Schema):
    key = fields.String(metadata={"description": "The measure, as GET /episodes/{id}/outcomes names it."})
    label = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    direction = fields.String(metadata={"enum": ["higher_is_better", "lower_is_better"]})
    episodes = fields.Integer(metadata={"description": "Counted episodes with any score of the measure."})
    episodes_with_baseline = fields.Integer()
    episodes_with_later_score = fields.Integer(metadata={"description": "Two scores or more in care."})
    without_later_score = fields.Integer(metadata={"description": "One score only: counted, never dropped."})
    mcid_judged = fields.Integer(metadata={"description": "Episodes with a later score and an MCID to judge it by."})
    mcid_reached = fields.Integer()
    mcid_reached_share = share("mcid_reached among mcid_judged")
    change = fields.Nested(SpreadOut, metadata={"description": "The change (improvement positive)."})
    completeness = fields.Nested(CompletenessOut)


class ReturnToRunReportOut(Schema):
    runners = fields.Integer(metadata={"description": "Counted episodes with a pre-injury weekly distance."})
    returned = fields.Integer(metadata={"description": "Of them, back to it pain-free."})
    rate = share("returned among runners")


class ByStatusOut(Schema):
    active = fields.Integer()
    discharged = fields.Integer()


class ReportFiltersOut(Schema):
    diagnosis_code = fields.String(allow_none=True)
    body_region = fields.String(allow_none=True)
    therapist_id = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    from_ = fields.String(allow_none=True, attribute="from", data_key="from")
    to = fields.String(allow_none=True)
    dates = fields.String()


class OutcomeReportOut(Schema):
    filters = fields.Nested(ReportFiltersOut, metadata={"description": "The filter applied (`me` resolved)."})
    episodes = fields.Integer(metadata={"description": "Episodes counted: active and discharged (never pending)."})
    pending_episodes = fields.Integer(metadata={"description": "Pending episodes that matched, not counted."})
    by_status = fields.Nested(ByStatusOut)
    visits = fields.Nested(SpreadOut, metadata={"description": "Visits per discharged episode."})
    days_to_discharge = fields.Nested(SpreadOut, metadata={"description": "Days from start to discharge."})
    return_to_run = fields.Nested(ReturnToRunReportOut)
    measures = fields.List(fields.Nested(MeasureReportOut), metadata={
        "description": "Every measure of the counted episodes, most baselines first, then by key."})


class EpisodeMeasureRowOut(Schema):
    key = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    baseline = number("The first score in care.")
    latest = number("The last score in care (null with one score).")
    change = number("Latest against baseline, improvement positive.")
    mcid_reached = fields.Boolean(allow_none=True)
    scores_count = fields.Integer()
    follow_ups_count = fields.Integer()
    last_follow_up = number("The last score after discharge.")


class EpisodeReportRowOut(Schema):
    """An episode of the report, de-identified (what an admin reads: no patient's name, MRN or id)."""

    episode_id = fields.UUID()
    status = fields.String(metadata={"enum": ["active", "discharged"]})
    body_region = fields.String()
    diagnosis_code = fields.String(allow_none=True)
    therapist_id = fields.UUID(allow_none=True)
    start_date = Day()
    discharge_date = Day(allow_none=True)
    visits_count = fields.Integer()
    days_in_care = fields.Integer(allow_none=True, metadata={"description": "Days to discharge (null while open)."})
    has_pre_injury_distance = fields.Boolean()
    returned_to_run = fields.Boolean(allow_none=True)
    weeks_to_return = fields.Integer(allow_none=True)
    measures = fields.List(fields.Nested(EpisodeMeasureRowOut))


class IdentifiedEpisodeReportRowOut(EpisodeReportRowOut):
    """An episode of the report as a therapist reads it: with its patient."""

    patient_id = fields.UUID()
    mrn = fields.String()
    first_name = fields.String()
    last_name = fields.String()
