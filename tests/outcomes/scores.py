"""Scores, visits and specs for the outcome layer's tests: a measure's series written as values and days.

The expected figures in the tests are worked by hand from the Outcome rules and each instrument's
``mcid`` (with its source), not taken from the code under test.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from clinic_api.outcomes.arithmetic import MeasureOutcome, MeasureSpec, Point, measure_outcome
from clinic_api.outcomes.specs import definition_spec, pain_spec
from tests.questionnaires.instruments import BUILTINS

D = Decimal
START = date(2026, 9, 7)  # a Monday
WEEKLY_VISITS = tuple(START + timedelta(weeks=n) for n in range(6))  # 7 September to 12 October 2026

STAIRS = pain_spec("stairs_down", BUILTINS["nprs"])
SITTING = pain_spec("sitting", BUILTINS["nprs"])
KUJALA = definition_spec(BUILTINS["kujala"], label="the Kujala score")
LEFS = definition_spec(BUILTINS["lefs"], label="the LEFS score")
GROC = definition_spec(BUILTINS["groc"], label="the global rating of change")
NO_MCID = MeasureSpec(key="kujala.function", label="the function subscale", higher_is_better=True)


def at(day: date, hour: int = 10, zone: tzinfo = UTC) -> datetime:
    return datetime.combine(day, time(hour), zone)


def points(values: Sequence[int | str], days: Sequence[int] | None = None, prefix: str = "s",
           start: date = START) -> list[Point]:
    """Scores at 10:00 UTC on ``start`` + each day (weekly by default), ids "<prefix>0", "<prefix>1", …"""
    days = list(days) if days is not None else [7 * n for n in range(len(values))]
    assert len(days) == len(values)
    return [Point(at(start + timedelta(days=day)), D(str(value)), f"{prefix}{n}")
            for n, (value, day) in enumerate(zip(values, days, strict=True))]


def outcome(spec: MeasureSpec, values: Sequence[int | str], days: Sequence[int] | None = None, *,
            follow_ups: Sequence[Point] = (), visits: Sequence[date] = WEEKLY_VISITS, prefix: str = "s",
            zone: tzinfo = UTC) -> MeasureOutcome:
    return measure_outcome(spec, points(values, days, prefix), follow_ups, visits, zone)
