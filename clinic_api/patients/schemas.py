from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate

from clinic_api.core.schemas import Email, PageArgs, PatchSchema, Schema, Text, phone_field
from clinic_api.core.types import today
from clinic_api.patients.models import BODY_REGIONS, DISCHARGE_REASONS, EPISODE_STATUSES, SEXES, SIDES
from clinic_api.questionnaires.schemas import RedFlagOut

MRN_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
# ICD-10-CM: a letter, two digits, then optionally a dot and up to four characters (M22.2X1, M25.561).
ICD10CM_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")
EARLIEST_BIRTH = date(1900, 1, 1)


def _past_date(value: date) -> None:
    if value > today():
        raise ValidationError("Must not be in the future.")


def _birth_date(value: date) -> None:
    _past_date(value)
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


class DiagnosisCode(Text):
    def __init__(self, **kwargs: Any):
        super().__init__(max_length=8, metadata={"example": "M22.2X2",
                                                 "description": "ICD-10-CM code, checked for form."}, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).upper()
        if len(code) > 3 and "." not in code:
            code = code[:3] + "." + code[3:]
        if not ICD10CM_RE.match(code):
            raise ValidationError("Not an ICD-10-CM code (a letter, two digits, optional dot and up to four "
                                  "characters, e.g. M22.2X2).")
        return code


def km(**kwargs: Any) -> fields.Decimal:
    low, high = kwargs.pop("min", 0), kwargs.pop("max", 400)
    return fields.Decimal(places=1, as_string=False, allow_nan=False,
                          validate=validate.Range(min=low, max=high), **kwargs)


class GoalRaceSchema(Schema):
    name = Text(max_length=120, allow_none=True)
    date = fields.Date(allow_none=True)
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
    date_of_birth = fields.Date(required=True, validate=_birth_date)
    sex = fields.String(required=True, validate=validate.OneOf(SEXES))
    email = Email(allow_none=True, validate=validate.Length(max=254))
    phone = phone_field(allow_none=True)
    running_profile = fields.Nested(RunningProfileSchema, allow_none=True)


class PatientPatch(PatchSchema, PatientIn):
    pass


class PatientOut(Schema):
    id = fields.UUID()
    mrn = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    date_of_birth = fields.Date()
    sex = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    running_profile = fields.Nested(RunningProfileSchema)
    archived = fields.Function(lambda patient: patient.archived_at is not None)
    archived_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class PatientQuery(PageArgs):
    q = Text(max_length=100, metadata={"description": "Words matched against name and MRN, any case."})
    date_of_birth = fields.Date()
    include_archived = fields.Boolean(load_default=False)


class EpisodeIn(Schema):
    body_region = fields.String(required=True, validate=validate.OneOf(BODY_REGIONS))
    side = fields.String(required=True, validate=validate.OneOf(SIDES))
    diagnosis_code = DiagnosisCode(required=True)
    diagnosis_text = Text(required=True, max_length=200)
    onset_date = fields.Date(allow_none=True, validate=_past_date)
    referral_source = Text(max_length=200, allow_none=True)
    therapist_id = fields.UUID(allow_none=True, metadata={"description": "Assigned therapist; a therapist "
                                                                         "opening the episode by default."})
    start_date = fields.Date(validate=_past_date, metadata={"description": "Defaults to today."})

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
    diagnosis_code = fields.String()
    diagnosis_text = fields.String()
    onset_date = fields.Date(allow_none=True)
    referral_source = fields.String(allow_none=True)
    therapist_id = fields.UUID(allow_none=True)
    start_date = fields.Date()
    status = fields.String(metadata={"enum": list(EPISODE_STATUSES)})
    discharge_date = fields.Date(allow_none=True)
    discharge_reason = fields.String(allow_none=True)
    discharge_note = fields.String(allow_none=True)
    red_flags = fields.List(fields.Nested(RedFlagOut), attribute="open_red_flags",
                            metadata={"description": "Red flags raised by responses and not yet acknowledged."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class EpisodeQuery(PageArgs):
    status = fields.String(validate=validate.OneOf(EPISODE_STATUSES))


class DischargeIn(Schema):
    discharge_date = fields.Date(validate=_past_date, metadata={"description": "Defaults to today."})
    reason = fields.String(required=True, validate=validate.OneOf(DISCHARGE_REASONS))
    note = Text(max_length=2000, allow_none=True, strip=False, multiline=True)
