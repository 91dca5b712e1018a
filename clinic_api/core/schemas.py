"""Schema building blocks: strict base schema, safe text fields, problem details, pages."""
from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from clinic_api.core.types import today


class Schema(ma.Schema):
    """Every schema rejects unknown fields and keeps the declared order in the OpenAPI document."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


class Text(fields.String):
    """A string with the control characters that databases refuse (NUL) or that hide content removed.

    ``strip`` trims surrounding white space (names, codes); free clinical text keeps it exactly.
    ``max_length`` is always set so that no field can carry an unbounded body.
    """

    default_error_messages = {"control": "Must not contain control characters.",
                              "blank": "Must not be blank."}

    def __init__(self, *, max_length: int, strip: bool = True, allow_blank: bool = False,
                 multiline: bool = False, **kwargs: Any):
        given = kwargs.pop("validate", None) or []
        validators = list(given) if isinstance(given, list | tuple) else [given]
        validators.insert(0, validate.Length(max=max_length))
        super().__init__(validate=validators, **kwargs)
        self.strip = strip
        self.allow_blank = allow_blank
        self.multiline = multiline
        self.metadata.setdefault("maxLength", max_length)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        allowed = "\n\r\t" if self.multiline else ""
        if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
            raise self.make_error("control")
        if self.strip:
            text = text.strip()
        if not self.allow_blank and not text.strip():
            raise self.make_error("blank")
        return text


def not_in_future(value: Any) -> None:
    """A date validator: on or before the clinic's today."""
    if value > today():
        raise ma.ValidationError("Must not be in the future.")


SURROGATE_MESSAGE = "Must not contain unpaired surrogate code points."
CONTROL_MESSAGE = "Must not contain control characters (only tab, line feed and carriage return, in free text)."
# C0 and C1 control characters that no field may hold: PostgreSQL refuses NUL, the others hide content.
# Tab, line feed and carriage return stay allowed in a body; single-line fields refuse them (``Text``).
FORBIDDEN_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _string_problem(text: str) -> str | None:
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return SURROGATE_MESSAGE
    if FORBIDDEN_CONTROLS.search(text):
        return CONTROL_MESSAGE
    return None


def unreadable_strings(body: Any) -> dict[str, list[str]]:
    """The dotted paths of the strings (or keys) in a JSON body that no database stores as text: half a
    UTF-16 pair ("\\ud800", which JSON may escape) or a control character. Refused up front, everywhere."""
    found: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [("", body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = _string_problem(value)
            if problem:
                found.setdefault(path or "_schema", [problem])
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                stack.append((child, key))
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
    return dict(sorted(found.items()))


class PatchSchema(Schema):
    """A PATCH body: every top-level field of the input schema it extends is optional.

    A nested object or list item that is given is validated whole (an exercise without its name is
    refused), so ``partial`` names the top-level fields instead of being ``True``."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("partial", tuple(self._declared_fields))
        super().__init__(*args, **kwargs)


class Day(fields.Date):
    """A calendar date, YYYY-MM-DD; a wrong one is told the format."""

    default_error_messages = {"invalid": "Not a valid date: write it as YYYY-MM-DD, e.g. 2026-09-01."}


class Instant(fields.AwareDateTime):
    """A point in time: ISO 8601 with an offset on the way in, kept (and answered) in UTC.

    A time without an offset is refused rather than read in the clinic's zone: a device in another zone,
    or a time in the hour a clock goes back, would be stored an hour off without anyone noticing."""

    default_error_messages = {
        "invalid": "Not a valid date-time: write ISO 8601 with an offset, e.g. 2026-09-01T09:30:00+02:00.",
        "invalid_awareness": "Add the UTC offset (e.g. +02:00, or Z for UTC): a time without one is ambiguous.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+14:00 is before year 1 in UTC
            raise ma.ValidationError("Out of range once converted to UTC.") from None


class Email(fields.Email):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str):
            value = value.strip()
        return super()._deserialize(value, attr, data, **kwargs).lower()


PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{6,24}$")


def phone_field(**kwargs: Any) -> Text:
    def has_digits(value: str) -> None:
        if not PHONE_RE.match(value) or sum(ch.isdigit() for ch in value) < 6:
            raise ma.ValidationError("Not a valid phone number (digits, spaces, + ( ) - . /).")
    return Text(max_length=24, validate=[has_digits], **kwargs)


class StaffRef(fields.String):
    """A staff member's id, or ``me`` for the caller."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text == "me":
            return text
        try:
            return uuid.UUID(text)
        except ValueError:
            raise ma.ValidationError("Not a valid id: a staff member's UUID, or me for yourself.") from None


class ProblemSchema(Schema):
    """RFC 9457 problem details: the body of every 4xx and 5xx answer."""

    type = fields.String(metadata={"example": "urn:clinic-api:problem:validation-error"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Per-field messages (dotted paths for nested fields)."})
    request_id = fields.String()

    class Meta(Schema.Meta):
        # RFC 9457 section 3.2: a problem type may carry extension members (the unsigned notes that block
        # a discharge, say); clients must accept members they do not know.
        unknown = ma.INCLUDE


class ReasonIn(Schema):
    """The body of a correction (reopen, void, entered in error): why, in free text."""

    reason = Text(required=True, max_length=2000, strip=False, multiline=True,
                  metadata={"description": "Why: kept exactly as written, in the record and the audit trail."})


MAX_PAGE = 100_000


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


_page_schemas: dict[type, type[Schema]] = {}


def page_of(item_schema: type[ma.Schema]) -> type[Schema]:
    """The envelope of a paginated list of ``item_schema``: items plus the counts a client pages with."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema").removesuffix("Out") + "Page"
        _page_schemas[item_schema] = Schema.from_dict({
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(metadata={"description": "Items matching the filters, on all pages."}),
            "pages": fields.Integer(),
        }, name=name)
    return _page_schemas[item_schema]
