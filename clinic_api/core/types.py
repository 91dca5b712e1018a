"""Column types and clock helpers shared by every domain."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import DateTime, literal
from sqlalchemy.types import TypeDecorator

from clinic_api.core.sql import local_date


def utcnow() -> datetime:
    return datetime.now(UTC)


def clinic_zone() -> tzinfo:
    """The clinic's time zone (``CLINIC_TIMEZONE``); UTC outside an app."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"]) if has_app_context() else UTC


def clinic_date(moment: datetime) -> date:
    """The clinic's date at that moment: 01:00 UTC is still the evening before in New York."""
    return moment.astimezone(clinic_zone()).date()


def clinic_day_of(column: Any) -> Any:
    """SQL: the clinic's date of an instant column (``clinic_date`` in the database)."""
    zone = clinic_zone()
    offset = utcnow().astimezone(zone).utcoffset() or timedelta(0)
    return local_date(column, literal(str(zone)), literal(int(offset.total_seconds() // 60)))


def today() -> date:
    """The date at the clinic: a visit logged at 20:00 in New York is today's, not tomorrow's."""
    return clinic_date(utcnow())


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC.

    PostgreSQL keeps the offset (timestamptz); SQLite keeps a naive value, which is read back as UTC.
    Naive datetimes are refused on the way in so that no local time is ever stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
