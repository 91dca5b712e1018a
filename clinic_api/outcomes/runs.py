"""The return to running (Outcome rules): the first Monday-to-Sunday week in which the logged distance
reaches the patient's pre-injury weekly distance with every run's pain at most 2/10, and the weeks it took.

The week rule itself is ``clinic_api.visits.running`` (pure), the one definition that the weekly totals of
the API use too. Part of the :mod:`clinic_api.outcomes.arithmetic` API, which re-exports these names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from clinic_api.visits.running import is_return_week, week_judgement, weeks_since_start

ReturnReason = Literal["no_pre_injury_distance", "unrated_runs", "not_yet"]


@dataclass(frozen=True)
class WeekTotal:
    """A Monday-to-Sunday week of runs: its distance, how many runs, the highest pain of any run (during or
    after), whether every run had both ratings, and the ids of its runs."""

    week_start: date
    distance_km: Decimal
    runs: int
    max_pain: int | None
    all_rated: bool
    source_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.week_start.weekday() != 0:
            raise ValueError(f"week_start {self.week_start} is not a Monday.")
        if self.runs < 0 or self.distance_km < 0:
            raise ValueError(f"The week of {self.week_start} has a negative distance or number of runs.")
        if self.all_rated and self.runs and self.max_pain is None:
            raise ValueError(f"The week of {self.week_start} is all rated but has no highest pain.")


@dataclass(frozen=True)
class ReturnToRun:
    """The first pain-free week at the pre-injury distance, or why there is none.

    Reached: ``week_start``, ``distance_km``, ``weeks_since_start`` (from the Monday of the episode's first
    week) and ``source_ids`` (that week's runs) are set and ``reason`` is ``None``. Not reached: those are
    ``None`` (and ``()``) and ``reason`` says why. ``nearest_week`` is the figure the story can tell then:
    for "unrated_runs" the first week at the distance with an unrated run, otherwise the week with the most
    distance (the first of equals), ``None`` without runs; when reached, the return week itself.
    """

    week_start: date | None
    distance_km: Decimal | None
    weeks_since_start: int | None
    reason: ReturnReason | None
    pre_injury_km: Decimal | None
    nearest_week: WeekTotal | None = None
    source_ids: tuple[str, ...] = ()

    @property
    def reached(self) -> bool:
        return self.reason is None


def return_to_run(weeks: Sequence[WeekTotal], pre_injury_km: Decimal | None, episode_start: date) -> ReturnToRun:
    """The return to running (Outcome rules): the first week whose distance reaches the pre-injury weekly
    distance with every run rated, during and after, at most 2/10 — the rule of ``visits.running``, shared
    with the weekly totals. Without a pre-injury distance (none, or 0) there is no return, not a guess.

    Reasons when there is none: "no_pre_injury_distance"; "unrated_runs", when a week reached the distance
    with no rating above 2/10 but a run left unrated, and no fully rated week qualifies; else "not_yet".
    """
    ordered = sorted(weeks, key=lambda week: week.week_start)
    if len({week.week_start for week in ordered}) != len(ordered):
        raise ValueError("Each week may be given once.")
    most = max((week for week in ordered if week.runs), key=lambda week: week.distance_km, default=None)
    if not pre_injury_km:
        return ReturnToRun(None, None, None, "no_pre_injury_distance", pre_injury_km, most)
    unrated = None
    for week in ordered:
        judgement = week_judgement(week.distance_km, week.runs, week.max_pain, all_rated=week.all_rated,
                                   pre_injury=pre_injury_km)
        if is_return_week(judgement):
            return ReturnToRun(week.week_start, week.distance_km, weeks_since_start(week.week_start, episode_start),
                               None, pre_injury_km, week, week.source_ids)
        if unrated is None and judgement["at_pre_injury_distance"] and judgement["pain_free"] is None:
            unrated = week
    if unrated is not None:
        return ReturnToRun(None, None, None, "unrated_runs", pre_injury_km, unrated)
    return ReturnToRun(None, None, None, "not_yet", pre_injury_km, most)
