"""Visits, pain scores, runs and goals on the wire."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from clinic_api.core.schemas import Day, Instant, PageArgs, PatchSchema, Schema, StaffRef, Text
from clinic_api.patients.schemas import PatientSummary
from clinic_api.visits.models import (
    GOAL_STATUSES,
    NOTE_MAX,
    PACE_MAX,
    PACE_MIN,
    PAIN_CONTEXTS,
    SURFACES,
    VISIT_STATUSES,
    VISIT_TYPES,
)

# "4:1" = run 4 minutes, walk 1; halves allowed ("1.5:1").
RUN_WALK_RE = re.compile(r"^\d{1,2}(\.5)?:\d{1,2}(\.5)?$")
MEASURE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def note_text(max_length: int = NOTE_MAX, **kwargs: Any) -> Text:
    """Clinical free text: bounded, and kept exactly as written (white space and line breaks included)."""
    return Text(max_length=max_length, strip=False, multiline=True, allow_none=True, **kwargs)


def score_0_10(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=10), **kwargs)


def include_entered_in_error(what: str) -> fields.Boolean:
    return fields.Boolean(load_default=False, metadata={"description": f"Also list {what} (left out by default)."})


class InErrorOut(Schema):
    """Who marked an entry entered in error, when and why (all null while it counts)."""

    entered_in_error_at = fields.AwareDateTime(allow_none=True)
    entered_in_error_by = fields.UUID(allow_none=True, metadata={
        "description": "Null for a run marked by migration 0006 (outside the run bounds it introduced)."})
    entered_in_error_reason = fields.String(allow_none=True)


class InterventionSchema(Schema):
    code = Text(max_length=20, allow_none=True,
                metadata={"description": "Billing or procedure code if used (e.g. CPT 97110).", "example": "97110"})
    description = Text(required=True, max_length=500)
    minutes = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=480))


class HomeExerciseSchema(Schema):
    name = Text(required=True, max_length=200)
    sets = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=50))
    reps = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=1000))
    load = Text(max_length=100, allow_none=True, metadata={"example": "8 kg"})
    frequency = Text(max_length=100, allow_none=True, metadata={"example": "daily"})
    notes = note_text(2000)


class VisitPainScoreIn(Schema):
    score = score_0_10(required=True)
    context = fields.String(required=True, validate=validate.OneOf(PAIN_CONTEXTS))
    recorded_at = Instant(metadata={"description": "Defaults to now on a visit dated today, otherwise to "
                                                   "midday of the visit date at the clinic."})
    note = note_text(2000)


class VisitIn(Schema):
    visit_date = Day(metadata={"description": "Defaults to today."})
    visit_type = fields.String(required=True, validate=validate.OneOf(VISIT_TYPES))
    subjective = note_text()
    objective = note_text()
    assessment = note_text()
    plan = note_text()
    interventions = fields.List(fields.Nested(InterventionSchema), validate=validate.Length(max=50))
    home_exercises = fields.List(fields.Nested(HomeExerciseSchema), validate=validate.Length(max=50))
    pain_scores = fields.List(fields.Nested(VisitPainScoreIn), validate=validate.Length(max=20),
                              metadata={"description": "Pain scores recorded with the visit."})


class VisitPatch(PatchSchema, VisitIn):
    """A draft's note changes; its pain scores are records of their own and are added, never rewritten
    (``POST /episodes/{id}/pain-scores`` with the draft's ``visit_id``)."""

    class Meta(PatchSchema.Meta):
        exclude = ("pain_scores",)


class PainScoreOut(InErrorOut):
    id = fields.UUID()
    episode_id = fields.UUID()
    visit_id = fields.UUID(allow_none=True)
    score = fields.Integer()
    context = fields.String(metadata={"enum": list(PAIN_CONTEXTS)})
    recorded_at = fields.AwareDateTime()
    note = fields.String(allow_none=True)
    recorded_by = fields.UUID()
    created_at = fields.AwareDateTime()


class AddendumIn(Schema):
    text = Text(required=True, max_length=NOTE_MAX, strip=False, multiline=True)


class AddendumOut(Schema):
    id = fields.UUID()
    visit_id = fields.UUID()
    text = fields.String()
    author_id = fields.UUID()
    signed_at = fields.AwareDateTime(attribute="created_at",
                                     metadata={"description": "Addenda are signed by their author when written."})


class VisitAppointmentOut(Schema):
    """A visit at the appointment level: what the front desk sees (no note text, no clinical field); that it
    was voided or marked entered in error, and when, but not why."""

    id = fields.UUID()
    episode_id = fields.UUID()
    visit_date = Day()
    visit_type = fields.String(metadata={"enum": list(VISIT_TYPES)})
    therapist_id = fields.UUID(metadata={"description": "The author of the note."})
    status = fields.String(metadata={"enum": list(VISIT_STATUSES), "description": "A voided draft counts no more; "
                                     "a signed note marked entered in error stays signed (see entered_in_error_at)."})
    signed_by = fields.UUID(allow_none=True)
    signed_at = fields.AwareDateTime(allow_none=True)
    voided_at = fields.AwareDateTime(allow_none=True)
    voided_by = fields.UUID(allow_none=True)
    entered_in_error_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class VisitOut(VisitAppointmentOut):
    """A visit with its SOAP note, pain scores and addenda: what a therapist sees. Its pain scores are all
    shown, each with its own state; they leave the episode's lists with a voided visit or a note marked
    entered in error."""

    void_reason = fields.String(allow_none=True)
    entered_in_error_by = fields.UUID(allow_none=True)
    entered_in_error_reason = fields.String(allow_none=True)

    subjective = fields.String(allow_none=True)
    objective = fields.String(allow_none=True)
    assessment = fields.String(allow_none=True)
    plan = fields.String(allow_none=True)
    interventions = fields.List(fields.Nested(InterventionSchema))
    home_exercises = fields.List(fields.Nested(HomeExerciseSchema))
    pain_scores = fields.List(fields.Nested(PainScoreOut))
    addenda = fields.List(fields.Nested(AddendumOut))


class VisitQuery(PageArgs):
    status = fields.String(validate=validate.OneOf(VISIT_STATUSES),
                           metadata={"description": "`voided` lists the voided drafts."})
    visit_type = fields.String(validate=validate.OneOf(VISIT_TYPES))
    include_entered_in_error = include_entered_in_error("voided drafts and signed notes marked entered in error")


class DraftOut(Schema):
    """An unsigned note as an admin sees it to hand it over: who wrote it, for whom, never what it says."""

    id = fields.UUID()
    visit_date = Day()
    visit_type = fields.String(metadata={"enum": list(VISIT_TYPES)})
    therapist_id = fields.UUID(metadata={"description": "The author of the draft."})
    episode_id = fields.UUID()
    patient = fields.Nested(PatientSummary, attribute="episode.patient")


class DraftQuery(PageArgs):
    therapist_id = fields.UUID(required=True, metadata={"description": "The author whose drafts are listed."})


class ReassignIn(Schema):
    therapist_id = fields.UUID(required=True, metadata={"description": "An active therapist, the new author."})


class PainScoreIn(VisitPainScoreIn):
    recorded_at = Instant(metadata={"description": "Defaults to now."})
    visit_id = fields.UUID(allow_none=True, metadata={"description": "A draft visit of the same episode, by its "
                                                                    "author."})


class DayOrInstant(Instant):
    """A point in time, or a bare date meaning the start (``from``) or the end (``to``) of that UTC day."""

    def __init__(self, *, end_of_day: bool, **kwargs: Any):
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str) and len(value) == 10:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise ValidationError("Not a valid date or date-time.") from None
            return datetime.combine(day, time.max if self.end_of_day else time.min, UTC)
        return super()._deserialize(value, attr, data, **kwargs)


def _ordered_range(_schema: Schema, data: dict[str, Any], **kwargs: Any) -> None:
    if data.get("since") is not None and data.get("until") is not None and data["since"] > data["until"]:
        raise ValidationError("Must not be after 'to'.", "from")


class PainScoreQuery(PageArgs):
    context = fields.List(fields.String(validate=validate.OneOf(PAIN_CONTEXTS)),
                          metadata={"description": "One or more contexts (repeat the parameter)."})
    since = DayOrInstant(end_of_day=False, data_key="from",
                         metadata={"description": "Date-time with offset, or a date (from its start, UTC)."})
    until = DayOrInstant(end_of_day=True, data_key="to",
                         metadata={"description": "Date-time with offset, or a date (to its end, UTC)."})
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))
    include_entered_in_error = include_entered_in_error("pain scores marked entered in error, and those taken at "
                                                        "a voided visit or a note marked entered in error")

    validate_range = validates_schema(_ordered_range)


def _pace_in_bounds(_schema: Schema, data: dict[str, Any], **kwargs: Any) -> None:
    if not PACE_MIN * data["distance_km"] <= data["duration_min"] <= PACE_MAX * data["distance_km"]:
        raise ValidationError("The pace (duration_min / distance_km) must be between 2:30 and 20:00 min/km.",
                              "duration_min")


class RunIn(Schema):
    run_date = Day(required=True)
    distance_km = fields.Decimal(required=True, places=2, as_string=False, allow_nan=False,
                                 validate=validate.Range(min=0, max=300, min_inclusive=False))
    duration_min = fields.Decimal(required=True, places=1, as_string=False, allow_nan=False,
                                  validate=validate.Range(min=0, max=4320, min_inclusive=False))
    run_walk = Text(max_length=11, allow_none=True, validate=validate.Regexp(
        RUN_WALK_RE, error="Minutes of running and of walking as 'run:walk', e.g. '4:1'."),
        metadata={"example": "4:1", "description": "Run/walk intervals in minutes; null for continuous running."})
    surface = fields.String(allow_none=True, validate=validate.OneOf(SURFACES))
    pain_during = score_0_10(required=True, allow_none=True)
    pain_after = score_0_10(required=True, allow_none=True)
    notes = note_text(2000)

    validate_pace = validates_schema(_pace_in_bounds)


class RunOut(InErrorOut):
    id = fields.UUID()
    episode_id = fields.UUID()
    run_date = Day()
    distance_km = fields.Decimal(as_string=False)
    duration_min = fields.Decimal(as_string=False)
    run_walk = fields.String(allow_none=True)
    surface = fields.String(allow_none=True)
    pain_during = fields.Integer(allow_none=True)
    pain_after = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_by = fields.UUID()
    created_at = fields.AwareDateTime()


class RunQuery(PageArgs):
    since = Day(data_key="from")
    until = Day(data_key="to")
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))
    include_entered_in_error = include_entered_in_error("runs marked entered in error")

    validate_range = validates_schema(_ordered_range)


class WeekOut(Schema):
    week_start = Day(metadata={"description": "Monday."})
    week_end = Day(metadata={"description": "Sunday."})
    runs = fields.Integer()
    distance_km = fields.Decimal(as_string=False)
    duration_min = fields.Decimal(as_string=False)
    longest_run_km = fields.Decimal(as_string=False, allow_none=True)
    max_pain = fields.Integer(allow_none=True, metadata={"description": "Highest pain during or after a run."})
    percent_of_pre_injury = fields.Decimal(as_string=False, allow_none=True)
    at_pre_injury_distance = fields.Boolean(allow_none=True)
    pain_free = fields.Boolean(allow_none=True, metadata={"description": "Every run's pain at most 2/10."})


class ReturnToRunOut(Schema):
    week_start = Day()
    weeks_since_start = fields.Integer(metadata={"description": "Weeks from the week the episode started."})


class WeeklyOut(Schema):
    episode_id = fields.UUID()
    pre_injury_weekly_km = fields.Decimal(as_string=False, allow_none=True,
                                          metadata={"description": "The episode's running baseline (from the running "
                                                                          "profile when the episode opened)."})
    weeks = fields.List(fields.Nested(WeekOut), metadata={"description": "Every week from the first run to "
                                                                         "the last, empty ones included."})
    return_to_run = fields.Nested(ReturnToRunOut, allow_none=True, metadata={
        "description": "The first week at the pre-injury distance with every run's pain at most 2/10; null "
                       "while not reached, and without a pre-injury distance."})


class TargetSchema(Schema):
    measure = Text(required=True, max_length=40, validate=validate.Regexp(MEASURE_RE, error="Not a measure code."),
                   metadata={"example": "weekly_distance_km"})
    value = fields.Decimal(required=True, places=2, as_string=False, allow_nan=False,
                           validate=validate.Range(min=-1000, max=100000))


class GoalIn(Schema):
    text = Text(required=True, max_length=1000, metadata={"example": "Run 10 km pain-free"})
    target_date = Day(allow_none=True)
    target = fields.Nested(TargetSchema, allow_none=True)
    status = fields.String(validate=validate.OneOf(GOAL_STATUSES), metadata={"description": "Defaults to active."})
    status_date = Day(metadata={"description": "When the status changed; defaults to today."})


class GoalPatch(PatchSchema, GoalIn):
    pass


class GoalOut(Schema):
    id = fields.UUID()
    episode_id = fields.UUID()
    text = fields.String()
    target_date = Day(allow_none=True)
    target = fields.Nested(TargetSchema, allow_none=True)
    status = fields.String(metadata={"enum": list(GOAL_STATUSES)})
    status_date = Day()
    created_by = fields.UUID()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class GoalQuery(PageArgs):
    status = fields.String(validate=validate.OneOf(GOAL_STATUSES))


class VisitWorklistQuery(VisitQuery):
    visit_date = Day(metadata={"description": "Visits of this day (e.g. today's)."})
    since = Day(data_key="from", metadata={"description": "Visits on or after this day."})
    until = Day(data_key="to", metadata={"description": "Visits on or before this day."})
    therapist_id = StaffRef(metadata={"description": "The author's id, or `me`: with status=draft, your "
                                                     "unsigned notes."})

    validate_range = validates_schema(_ordered_range)


class VisitRowOut(VisitOut):
    """A visit on the worklist with its patient (a therapist's view)."""

    patient = fields.Nested(PatientSummary)


class AppointmentRowOut(VisitAppointmentOut):
    """A visit on the worklist with its patient, at the appointment level (the front desk's view)."""

    patient = fields.Nested(PatientSummary)
