from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate

from clinic_api.core.schemas import Day, Email, PageArgs, PatchSchema, Schema, Text, not_in_future, phone_field
from clinic_api.patients.models import SEXES

MRN_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
EARLIEST_BIRTH = date(1900, 1, 1)


def _birth_date(value: date) -> None:
    not_in_future(value)
    if value < EARLIEST_BIRTH:
        raise ValidationError("Must not be before 1900-01-01.")


class Mrn(Text):
    def __init__(self, **kwargs: Any):
        super().__init__(max_length=20, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        mrn = super()._deserialize(value, attr, data, **kwargs).upper()
        if not MRN_RE.match(mrn):
            raise ValidationError("Letters, digits and hyphens only, at most 20.")
        return mrn


def km(**kwargs: Any) -> fields.Decimal:
    low, high = kwargs.pop("min", 0), kwargs.pop("max", 400)
    return fields.Decimal(places=1, as_string=False, allow_nan=False,
                          validate=validate.Range(min=low, max=high), **kwargs)


class GoalRaceSchema(Schema):
    name = Text(max_length=120, allow_none=True)
    date = Day(allow_none=True)
    distance_km = km(min=0.1, max=400, allow_none=True)


class RunningProfileSchema(Schema):
    weekly_distance_km = km(max=400, allow_none=True,
                            metadata={"description": "Usual weekly running distance before the injury."})
    years_running = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=90))
    goal_race = fields.Nested(GoalRaceSchema, allow_none=True)


class PatientIn(Schema):
    mrn = Mrn(metadata={"description": "Medical record number; assigned by the clinic when absent."})
    first_name = Text(required=True, max_length=100)
    last_name = Text(required=True, max_length=100)
    date_of_birth = Day(required=True, validate=_birth_date)
    sex = fields.String(required=True, validate=validate.OneOf(SEXES))
    email = Email(allow_none=True, validate=validate.Length(max=254))
    phone = phone_field(allow_none=True)
    running_profile = fields.Nested(RunningProfileSchema, allow_none=True)


class PatientNew(PatientIn):
    confirm_new = fields.Boolean(load_default=False, metadata={
        "description": "Register the patient although one with the same name and date of birth exists (the 409 "
                       "answer names it): two people may share both."})


class PatientPatch(PatchSchema, PatientIn):
    pass


class PatientOut(Schema):
    id = fields.UUID()
    mrn = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    date_of_birth = Day()
    sex = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    running_profile = fields.Nested(RunningProfileSchema)
    archived = fields.Function(lambda patient: patient.archived_at is not None)
    archived_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class PatientSummary(Schema):
    """Who a worklist row is about: enough to call the patient in, nothing clinical."""

    id = fields.UUID()
    mrn = fields.String()
    first_name = fields.String()
    last_name = fields.String()


class PatientQuery(PageArgs):
    q = Text(max_length=100, metadata={"description": "Words matched against name and MRN, any case."})
    date_of_birth = Day()
    include_archived = fields.Boolean(load_default=False)
