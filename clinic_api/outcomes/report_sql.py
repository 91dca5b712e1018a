"""Medians and quartiles in SQL, spelt per database, with the pure Python reference both are tested against.

``quartiles(source, dialect)`` turns a subquery of ``(grp, value)`` rows into one row per group: ``grp``, ``n``,
``q1``, ``median``, ``q3``, with ``percentile_cont`` semantics (linear interpolation between the two nearest ranks,
the same as ``statistics.quantiles(data, n=4, method="inclusive")`` and ``statistics.median``). PostgreSQL has
``percentile_cont(p) WITHIN GROUP (ORDER BY value)``; SQLite has no percentile function, so the values are ranked
with window functions (``row_number``, ``count`` over the group) and interpolated in the same statement.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, Integer, Select, case, cast, func, literal, select

QUARTILES = (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
PLACES = 4  # a quartile of scores kept to 2 decimals has at most 4


def percentile(values: Sequence[float], p: float) -> float | None:
    """The reference: ``percentile_cont(p)`` of the values (None for none), rounded to ``PLACES`` decimals."""
    ordered = sorted(values)
    if not ordered:
        return None
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (h - low) * (ordered[high] - ordered[low]), PLACES)


def rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), PLACES)


def quartiles(source: Any, dialect: str) -> Select:
    """Per group of ``source`` (a subquery with columns ``grp`` and ``value``; NULL values are left out): the
    number of values and their quartiles, in one statement."""
    grp, value = source.c.grp, cast(source.c.value, Float)
    if dialect == "postgresql":
        return (select(grp.label("grp"), func.count(value).label("n"),
                       *(func.percentile_cont(p).within_group(value).label(name) for name, p in QUARTILES))
                .where(value.is_not(None)).group_by(grp))
    ranked = (select(grp.label("grp"), value.label("value"),
                     (func.row_number().over(partition_by=grp, order_by=value) - 1).label("i"),
                     func.count().over(partition_by=grp).label("n"))
              .where(value.is_not(None)).subquery("ranked"))
    return (select(ranked.c.grp, func.max(ranked.c.n).label("n"),
                   *(_interpolated(ranked, p).label(name) for name, p in QUARTILES))
            .group_by(ranked.c.grp))


def _interpolated(ranked: Any, p: float) -> Any:
    """SQLite: the value at rank h = (n - 1) p, between the values at floor(h) and floor(h) + 1."""
    h = (ranked.c.n - 1) * literal(p, Float)
    low = cast(h, Integer)  # h is never negative: CAST truncates, which is floor
    at_low = func.max(case((ranked.c.i == low, ranked.c.value)))
    at_high = func.coalesce(func.max(case((ranked.c.i == low + 1, ranked.c.value))), at_low)
    fraction = func.max(h - low)
    return at_low + fraction * (at_high - at_low)
