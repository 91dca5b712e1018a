"""The outcome of one measure over an episode: pure arithmetic on exact decimals.

Per measure (Outcome rules): the **baseline** is the first score in care, the **latest** the last; the
**change** is signed so that improvement is positive for every instrument, and it **reaches the MCID** when
the improvement is at least the instrument's minimal clinically important difference. Scores taken after
discharge (3- or 6-month follow-ups) are kept beside the in-care series and never become the latest.

The MCIDs themselves are data (each definition's ``mcid`` with its ``source``); the rule that applies them
is here: NPRS at least 2 points or at least 30 % of baseline (Farrar JT et al. Pain 2001;94(2):149-158),
Kujala 10 points (Crossley KM et al. Arch Phys Med Rehabil 2004;85(5):815-822), LEFS 9 points (Binkley JM
et al. Phys Ther 1999;79(4):371-383), KOOS-PF 16.4 points (Crossley KM et al. Br J Sports Med
2018;52(17):1130-1136), PSFS 2 points for the mean and 3 for one activity (Stratford P et al. Physiother
Can 1995;47(4):258-263), GROC +3 (Wang YC et al. Phys Ther 2011;91(5):675-688).

Days are the clinic's days: a score's day is its time in the clinic's zone, so a score taken at 20:00 in
New York counts on that day, not the next (UTC) one. The return to running (:func:`return_to_run`) is
part of this API too; it is written beside it, in :mod:`clinic_api.outcomes.runs`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from clinic_api.outcomes.runs import ReturnReason, ReturnToRun, WeekTotal, return_to_run
from clinic_api.questionnaires.engine.numbers import Number, is_number, to_decimal

__all__ = [
    "Direction",
    "Mcid",
    "MeasureOutcome",
    "MeasureSpec",
    "Point",
    "ReturnReason",
    "ReturnToRun",
    "WeekTotal",
    "improvement",
    "mcid_reached",
    "measure_outcome",
    "return_to_run",
]

Direction = Literal["higher_is_better", "lower_is_better"]
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Point:
    """One score: when it was taken (aware; kept in UTC), its value, and the id of the record it comes from."""

    time: datetime
    value: Decimal
    source_id: str

    def __post_init__(self) -> None:
        if self.time.tzinfo is None or self.time.utcoffset() is None:
            raise ValueError(f"Point {self.source_id}: time must be timezone-aware.")
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise TypeError(f"Point {self.source_id}: value must be a finite Decimal, got {self.value!r}.")
        object.__setattr__(self, "time", self.time.astimezone(UTC))

    def day(self, zone: tzinfo) -> date:
        """The clinic's date of this score."""
        return self.time.astimezone(zone).date()


@dataclass(frozen=True)
class Mcid:
    """The minimal clinically important difference: points of improvement, percent of baseline, or both."""

    points: Decimal | None
    percent: Decimal | None
    source: str | None


@dataclass(frozen=True)
class MeasureSpec:
    """What a measure is and how its change is judged.

    ``key``: "kujala", "kujala.pain" (a subscale), "pain.stairs_down" (a pain context), "psfs.activity_1".
    ``label``: a noun phrase as it stands inside a sentence ("the Kujala score", "pain going down stairs");
    the story and the chart capitalise its first letter where it starts one. ``unit``: "/10" for pain
    ratings (written "7/10"), "points" for questionnaire scores. ``is_change_score``: the score is itself a
    change (GROC: "compare it with a baseline of 0", Kamper SJ et al. J Man Manip Ther 2009;17(3):163-170).
    """

    key: str
    label: str
    higher_is_better: bool
    mcid_points: Decimal | None = None
    mcid_percent: Decimal | None = None
    mcid_source: str | None = None
    is_change_score: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    unit: str = "points"

    @property
    def mcid(self) -> Mcid | None:
        if self.mcid_points is None and self.mcid_percent is None:
            return None
        return Mcid(self.mcid_points, self.mcid_percent, self.mcid_source)

    @property
    def direction(self) -> Direction:
        return "higher_is_better" if self.higher_is_better else "lower_is_better"


@dataclass(frozen=True)
class MeasureOutcome:
    """One measure over an episode. Every field that needs a later score is ``None`` without one.

    For an ordinary measure, ``baseline`` is the first in-care score and ``latest`` the last when there are
    at least two: a measure with one score has a baseline and *no* change (``change`` is ``None``, never 0).
    For a change score (GROC) there is no baseline (``baseline`` and ``percent_change`` are ``None``): every
    rating is a later score, ``latest`` is the last rating even when it is the only one, and ``change`` is
    that rating itself, signed so that improvement is positive; days are counted from the first visit.

    ``mcid_reached``: whether the latest change reaches the MCID (``None`` without an MCID or a later score).
    ``first_mcid``: the first later score whose change reaches it, kept even when a later one falls back;
    ``days_to_mcid`` the clinic days from baseline to it, ``visits_to_mcid`` the visits on or before its day.
    ``mcid_sustained``: ``None`` until the MCID has been reached; then ``False`` when a later score fell
    back below it (``mcid_lost`` is the first such score), else ``True``. ``days_to_latest`` and
    ``visits_to_latest`` likewise for the latest score. ``percent_change`` has one decimal and is ``None``
    when the baseline is 0. ``follow_ups`` (after discharge) are never the latest and never judged here:
    :meth:`change_at` gives their change from baseline.
    """

    spec: MeasureSpec
    baseline: Point | None
    latest: Point | None
    change: Decimal | None
    percent_change: Decimal | None
    mcid: Mcid | None
    mcid_reached: bool | None
    first_mcid: Point | None
    days_to_mcid: int | None
    visits_to_mcid: int | None
    mcid_sustained: bool | None
    mcid_lost: Point | None
    days_to_latest: int | None
    visits_to_latest: int | None
    direction: Direction
    series: tuple[Point, ...]
    follow_ups: tuple[Point, ...]

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def label(self) -> str:
        return self.spec.label

    def change_at(self, point: Point) -> Decimal | None:
        """The signed change of any score (a follow-up, say) from this measure's baseline (0 for a change score)."""
        reference = _reference(self.spec, self.baseline)
        return None if reference is None else improvement(reference, point.value, self.spec.higher_is_better)

    def mcid_threshold(self) -> Decimal | None:
        """The score at which the MCID is reached: baseline plus (or minus, when lower is better) the smallest
        improvement that reaches it. With points and percent (NPRS) either suffices, so it is the smaller."""
        reference, mcid = _reference(self.spec, self.baseline), self.mcid
        if reference is None or mcid is None:
            return None
        needed = [mcid.points] if mcid.points is not None else []
        if mcid.percent is not None and reference != 0:
            needed.append(mcid.percent * abs(reference) / 100)
        if not needed:
            return None
        return reference + min(needed) if self.spec.higher_is_better else reference - min(needed)


# ---- two scores -------------------------------------------------------------------------------------

def _as_decimal(value: object, name: str) -> Decimal:
    if not is_number(value):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    return to_decimal(value)  # type: ignore[arg-type]


def improvement(baseline: Number, latest: Number, higher_is_better: bool) -> Decimal:
    """Change from baseline to latest, signed so that improvement is positive.

    MCIDs are published as amounts of improvement (a reduction of 2 NPRS points, Farrar 2001, Pain
    94:149; a gain of 10 Kujala points, Crossley 2004, Arch Phys Med Rehabil 85:815), so the sign is
    turned for the instruments where lower is better and one comparison serves them all.
    """
    first, last = _as_decimal(baseline, "baseline"), _as_decimal(latest, "latest")
    return last - first if higher_is_better else first - last


def _reaches(change: Decimal, baseline: Decimal, points: Decimal | None, percent: Decimal | None) -> bool:
    """The MCID rule: an improvement of at least ``points``, or of at least ``percent`` of a non-zero
    baseline (NPRS: 2 points or 30 %, Farrar JT et al. Pain 2001;94(2):149-158; a percent of 0 is undefined)."""
    if points is not None and change >= points:
        return True
    if percent is not None and baseline != 0 and change > 0:
        return change * 100 >= percent * abs(baseline)
    return False


def mcid_reached(
    baseline: Number, latest: Number, definition_or_mcid: Mapping[str, Any], higher_is_better: bool
) -> bool:
    """Whether the improvement reaches the MCID: its points, or its percent of baseline.

    ``definition_or_mcid`` is a definition (its ``mcid`` is used) or an ``mcid`` object itself,
    so a clinic can pass a condition-specific value (e.g. NPRS 1.16 points for PFP, Piva 2009,
    J Rehabil Med 41:129). The percent criterion (NPRS: 30 %, Farrar 2001, Pain 94:149) applies only
    when baseline is not 0. Raises ValueError when there is no MCID to compare with.
    """
    if "points" in definition_or_mcid or "percent" in definition_or_mcid:
        mcid: Mapping[str, Any] | None = definition_or_mcid
    else:
        mcid = definition_or_mcid.get("mcid")
    if not mcid or (mcid.get("points") is None and mcid.get("percent") is None):
        raise ValueError("No MCID is defined for this instrument.")
    points, percent = mcid.get("points"), mcid.get("percent")
    return _reaches(improvement(baseline, latest, higher_is_better), _as_decimal(baseline, "baseline"),
                    None if points is None else _as_decimal(points, "mcid.points"),
                    None if percent is None else _as_decimal(percent, "mcid.percent"))


# ---- a measure over an episode ------------------------------------------------------------------------

def _reference(spec: MeasureSpec, baseline: Point | None) -> Decimal | None:
    """What change is measured from: the baseline's value, or 0 for a change score."""
    if spec.is_change_score:
        return Decimal(0)
    return None if baseline is None else baseline.value


def _ordered(spec: MeasureSpec, points: Sequence[Point]) -> tuple[Point, ...]:
    """By time, ties by source id (so the same records always give the same baseline); each within range."""
    for point in points:
        if (spec.min is not None and point.value < spec.min) or (spec.max is not None and point.value > spec.max):
            raise ValueError(f"{spec.key}: {point.source_id} scores {point.value}, outside {spec.min}–{spec.max}.")
    return tuple(sorted(points, key=lambda point: (point.time, point.source_id)))


@dataclass(frozen=True)
class _Timeline:
    zone: tzinfo
    visit_days: tuple[date, ...]
    start: date | None  # day 0 of days_to_*: the baseline's day, or the first visit for a change score

    def days(self, point: Point | None) -> int | None:
        return None if point is None or self.start is None else (point.day(self.zone) - self.start).days

    def visits(self, point: Point | None) -> int | None:
        return None if point is None else sum(1 for day in self.visit_days if day <= point.day(self.zone))


def _mcid_path(later: Sequence[Point],
               reaches: Callable[[Point], bool]) -> tuple[Point | None, Point | None, bool | None]:
    """The first later score that reaches the MCID, the first after it that falls back, and whether it held."""
    hits = [reaches(point) for point in later]
    if True not in hits:
        return None, None, None
    first = hits.index(True)
    lost = next((point for point, hit in zip(later[first:], hits[first:], strict=True) if not hit), None)
    return later[first], lost, lost is None


def _percent(change: Decimal | None, reference: Decimal | None, spec: MeasureSpec) -> Decimal | None:
    if change is None or reference is None or reference == 0 or spec.is_change_score:
        return None
    return (change * 100 / abs(reference)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def measure_outcome(spec: MeasureSpec, in_care: Sequence[Point], follow_ups: Sequence[Point],
                    visit_days: Sequence[date], clinic_zone: tzinfo) -> MeasureOutcome:
    """One measure's outcome over an episode (see :class:`MeasureOutcome` for every field's meaning).

    ``in_care``: the scores taken during the episode (none entered in error or replaced); ``follow_ups``:
    those taken after discharge; ``visit_days``: the clinic dates of the episode's visits, one per visit.
    """
    series, follow = _ordered(spec, in_care), _ordered(spec, follow_ups)
    if spec.is_change_score:
        baseline, later = None, series
        start = min(visit_days, default=None)
    else:
        baseline, later = (series[0], series[1:]) if series else (None, ())
        start = None if baseline is None else baseline.day(clinic_zone)
    latest = later[-1] if later else None
    reference, mcid = _reference(spec, baseline), spec.mcid
    base = Decimal(0) if reference is None else reference  # None only when there is no later score to judge
    timeline = _Timeline(clinic_zone, tuple(visit_days), start)

    def change_of(point: Point) -> Decimal:
        return improvement(base, point.value, spec.higher_is_better)

    def reaches(point: Point) -> bool:
        return mcid is not None and _reaches(change_of(point), base, mcid.points, mcid.percent)

    change = None if latest is None else change_of(latest)
    first, lost, sustained = _mcid_path(later, reaches) if mcid is not None else (None, None, None)
    return MeasureOutcome(
        spec=spec, baseline=baseline, latest=latest, change=change,
        percent_change=_percent(change, reference, spec), mcid=mcid,
        mcid_reached=None if mcid is None or latest is None else reaches(latest),
        first_mcid=first, days_to_mcid=timeline.days(first), visits_to_mcid=timeline.visits(first),
        mcid_sustained=sustained, mcid_lost=lost,
        days_to_latest=timeline.days(latest), visits_to_latest=timeline.visits(latest),
        direction=spec.direction, series=series, follow_ups=follow)
