"""The rule of a week of running, pure: how a Monday-to-Sunday week compares with the runner's usual week.

One definition of "a pain-free week at the pre-injury distance", used by ``visits.service.weekly_runs``
(the weekly totals the API shows) and by the outcome layer (``outcomes.arithmetic.return_to_run``).
No Flask, no database: the standard library only (checked by an import contract in pyproject.toml).

Pain-free means every run's pain, during and after, rated at most 2/10 (``PAIN_FREE_MAX``): the "safe"
zone, 0-2 on a 0-10 scale, of the pain-monitoring model that guides loading in patellofemoral pain
(Thomeé R. Phys Ther 1997;77(12):1690-1703) and in tendinopathy (Silbernagel KG et al. Am J Sports Med
2007;35(6):897-906).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TypedDict

PAIN_FREE_MAX = 2


class WeekJudgement(TypedDict):
    percent_of_pre_injury: Decimal | None
    at_pre_injury_distance: bool | None
    pain_free: bool | None


def monday_of(day: date) -> date:
    """The Monday that starts ``day``'s week (weeks run Monday to Sunday, as ISO 8601 counts them)."""
    return day - timedelta(days=day.weekday())


def weeks_since_start(week_start: date, episode_start: date) -> int:
    """Whole weeks from the Monday of the episode's first week to ``week_start``: 0 in that first week."""
    return (monday_of(week_start) - monday_of(episode_start)).days // 7


def week_judgement(distance: Decimal, runs: int, max_pain: int | None, *, all_rated: bool,
                   pre_injury: Decimal | None) -> WeekJudgement:
    """How a week of running compares with the runner's usual week: share of it, reached, pain-free.

    Pain-free means every run's pain, during and after, was rated at most 2/10: a week with an unrated
    run is not known to be pain-free (null), and a week without runs is neither. Without a pre-injury
    distance (none, or 0) the week is not compared, only judged for pain."""
    if not runs:
        pain_free = None
    elif max_pain is not None and max_pain > PAIN_FREE_MAX:
        pain_free = False
    else:
        pain_free = True if all_rated else None
    if not pre_injury:
        return {"percent_of_pre_injury": None, "at_pre_injury_distance": None, "pain_free": pain_free}
    percent = (distance * 100 / pre_injury).quantize(Decimal("0.1"))
    return {"percent_of_pre_injury": percent, "at_pre_injury_distance": distance >= pre_injury,
            "pain_free": pain_free}


def is_return_week(judgement: WeekJudgement) -> bool:
    """A return to running: the week reached the pre-injury distance and is known to be pain-free."""
    return judgement["at_pre_injury_distance"] is True and judgement["pain_free"] is True
