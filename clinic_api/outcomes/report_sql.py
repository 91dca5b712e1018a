"""Medians and quartiles in SQL, with the pure Python reference they are tested against.

``quartiles(source, dialect)`` turns a subquery of ``(grp, value, ...)`` rows into one row per group, in one
statement: its counts and ``q1``, ``median``, ``q3`` with ``percentile_cont`` semantics (linear interpolation
between the two nearest ranks, the same as ``statistics.quantiles(data, n=4, method="inclusive")`` and
``statistics.median``).

SQLite has no percentile function, and ranking every row with window functions (``row_number() OVER``) sorts
them all, several times the cost of a plain ``GROUP BY``. So the rows are grouped by (group, value) first: a
histogram, a few hundred bins since scores and their changes take few values; window functions over the bins
(running counts) tell which value holds each rank, and the quartiles are interpolated from there. PostgreSQL
runs the same histogram SQL, faster than its own ``percentile_cont(p) WITHIN GROUP (ORDER BY value)`` (about 50
against 65 ms over 10 000 episodes), which stays here (``method="percentile_cont"``) as the PostgreSQL check
the tests compare it with.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, Integer, Select, and_, case, cast, func, literal, select

QUARTILES = (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
METHODS = ("histogram", "percentile_cont")
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


def quartiles(source: Any, dialect: str, *, sums: Sequence[str] = (), maxima: Sequence[str] = (),
              method: str = "histogram") -> Select:
    """Per group of ``source`` (a subquery with columns ``grp`` and ``value``, NULL values left out of the
    quartiles), in one statement that reads each row once: ``rows`` (the rows of the group), ``n`` (its values),
    the sum of each column named in ``sums`` and the largest value of each in ``maxima``, and ``q1``, ``median``,
    ``q3``."""
    grp, value = source.c.grp, cast(source.c.value, Float)
    if method == "percentile_cont":
        if dialect != "postgresql":
            raise ValueError("percentile_cont is PostgreSQL's: use the histogram elsewhere")
        return (select(grp.label("grp"), func.count().label("rows"), func.count(value).label("n"),
                       *(func.sum(source.c[name]).label(name) for name in sums),
                       *(func.max(source.c[name]).label(name) for name in maxima),
                       *(func.percentile_cont(p).within_group(value).label(name) for name, p in QUARTILES))
                .group_by(grp))
    # Sorting every row (for percentile_cont, or for a window's row_number in SQLite) costs several times a plain
    # GROUP BY, so the rows are first grouped by (grp, value): a histogram of a few hundred rows, as scores take
    # few values. The ranks are worked out on it: the bins' running counts tell which value holds each rank.
    histogram = (select(grp.label("grp"), value.label("value"), func.count().label("k"),
                        *(func.sum(source.c[name]).label(name) for name in sums),
                        *(func.max(source.c[name]).label(name) for name in maxima))
                 # value first: SQLite would otherwise read the rows through the index on the measure key, one
                 # random read each, to save a sort it makes anyway.
                 .group_by(value, grp).subquery("histogram"))
    valued = case((histogram.c.value.is_not(None), histogram.c.k), else_=0)
    bins = select(histogram, valued.label("kv"),
                  func.sum(valued).over(partition_by=histogram.c.grp, order_by=histogram.c.value,
                                        rows=(None, 0)).label("upto"),
                  func.sum(valued).over(partition_by=histogram.c.grp).label("n")).subquery("bins")
    return (select(bins.c.grp, func.sum(bins.c.k).label("rows"), func.max(bins.c.n).label("n"),
                   *(func.sum(bins.c[name]).label(name) for name in sums),
                   *(func.max(bins.c[name]).label(name) for name in maxima),
                   *(_interpolated(bins, p, dialect).label(name) for name, p in QUARTILES))
            .group_by(bins.c.grp))


def _interpolated(bins: Any, p: float, dialect: str) -> Any:
    """SQLite: the value at rank h = (n - 1) p (from 0), between the values at floor(h) and floor(h) + 1; a bin
    holds the ranks from ``upto - kv`` to ``upto - 1``."""
    h = (bins.c.n - 1) * literal(p, Float)
    # floor(h): SQLite's CAST truncates (h is never negative) and it may lack floor(); PostgreSQL's CAST rounds.
    low = cast(func.floor(h), Integer) if dialect == "postgresql" else cast(h, Integer)

    def at(rank: Any) -> Any:
        return func.max(case((and_(bins.c.upto - bins.c.kv <= rank, rank < bins.c.upto), bins.c.value)))

    at_low = at(low)
    at_high = func.coalesce(at(low + 1), at_low)
    return at_low + func.max(h - low) * (at_high - at_low)
