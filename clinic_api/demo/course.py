"""A patient's course of care as plain values: what the front desk and the therapist will enter, on which
day, with which scores. Pure (the standard library, a ``random.Random`` and dates): the same seed and the
same today give the same course.

The figures follow one line per patient: a ``Trajectory`` (how much of the way to recovered, day by day:
fast and slow responders, plateaus, non-responders) applied to a ``Severity`` (where the patient starts in
each pain context and measure, and how far they could get). Runs, pain scores, measures and the words of
the notes are all read from it, so they agree with each other.
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from clinic_api.demo import answers, notes
from clinic_api.demo.cast import Condition
from clinic_api.visits.running import is_return_week, monday_of, week_judgement

INTAKE_MINUTE, VISIT_MINUTE, FOLLOW_UP_MINUTE = 8 * 60 + 30, 10 * 60, 9 * 60 + 15
# Each measure at its own minute after the start, so that each is re-measured a whole number of days later.
MINUTE_OF = {"nprs": 2, "kujala": 4, "lefs": 6, "psfs": 8, "groc": 10}
RUN_DAYS = {1: (5,), 2: (2, 5), 3: (1, 3, 6), 4: (1, 3, 5, 6), 5: (0, 1, 3, 4, 6), 6: (0, 1, 2, 3, 5, 6)}
RUN_WALK_PACE = {"1:1": 2.5, "2:1": 1.6, "4:1": 0.8}  # minutes per km slower than the runner's easy pace
RUN_WALK_KM = {"1:1": 3.0, "2:1": 4.5, "4:1": 6.0}  # the longest run/walk of each stage
RUNNING_FROM = 0.15  # the share of the way to recovered at which running starts again
GRADED_PAIN_MAX = 4.5  # the graded return starts at pain the monitoring model accepts, not the intake's worst


def clamp(value: float, low: int = 0, high: int = 10) -> int:
    return max(low, min(high, int(value + 0.5) if value >= 0 else -int(-value + 0.5)))


# ---- the plan ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Response:
    """A questionnaire response: its answers, day and minute at the clinic, who enters it, what it scores."""

    code: str
    answers: dict[str, Any]
    day: date
    minute: int
    by: str  # "desk" or "therapist"
    score: float | None = None
    follow_up: bool = False


@dataclass(frozen=True)
class VisitPlan:
    day: date
    visit_type: str
    pain: dict[str, int]
    note: dict[str, str]
    interventions: list[dict[str, Any]]
    home_exercises: list[dict[str, Any]]
    responses: list[Response]


@dataclass(frozen=True)
class RunPlan:
    day: date
    distance_km: Decimal
    duration_min: Decimal
    run_walk: str | None
    surface: str
    pain_during: int
    pain_after: int
    notes: str | None = None

    @property
    def max_pain(self) -> int:
        return max(self.pain_during, self.pain_after)


@dataclass
class GoalPlan:
    """A goal set at the evaluation; ``status`` is where it ends (met on ``status_date``, or settled at the
    discharge, or still active)."""

    text: str
    measure: str
    value: Decimal
    target_date: date | None
    status: str = "active"
    status_date: date | None = None


@dataclass(frozen=True)
class DischargePlan:
    day: date
    reason: str
    note: str


@dataclass
class EpisodePlan:
    condition: Condition
    side: str
    start: date
    onset: date
    referral: str
    therapist: str
    assigned: bool  # the front desk names the therapist when it opens the episode
    intake: list[Response]
    red_flags: dict[str, str]  # flag code -> the therapist's note when acknowledging it
    visits: list[VisitPlan] = field(default_factory=list)
    runs: list[RunPlan] = field(default_factory=list)
    goals: list[GoalPlan] = field(default_factory=list)
    discharge: DischargePlan | None = None
    follow_ups: list[Response] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "discharged" if self.discharge else "active" if self.visits else "pending"


# ---- the measure schedule ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    """The app's measure schedule (``MEASURE_SCHEDULE``), which the demo follows as a clinic would."""

    baseline: Mapping[str, Sequence[str]]
    once: Sequence[str]
    remeasure_days: int
    remeasure_visits: int
    at_discharge: Sequence[str]
    follow_up_days: int

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Schedule:
        return cls(settings["baseline"], tuple(settings["once"]), settings["remeasure_days"],
                   settings["remeasure_visits"], tuple(settings["at_discharge"]), settings["follow_up_days"])

    def baseline_for(self, region: str) -> list[str]:
        return list(self.baseline.get(region, self.baseline["default"]))

    def repeated(self, region: str) -> list[str]:
        return [code for code in self.baseline_for(region) if code not in self.once]

    def due(self, last: date, visit_days: Sequence[date], day: date) -> bool:
        return ((day - last).days >= self.remeasure_days
                or sum(1 for visit_day in visit_days if visit_day > last) >= self.remeasure_visits)


DEFAULT_SCHEDULE = Schedule({"knee": ["runner_intake", "nprs", "kujala", "lefs"],
                             "default": ["running_injury_intake", "nprs", "lefs", "psfs"]},
                            ("runner_intake", "running_injury_intake"), 14, 4, ("groc",), 90)


# ---- how a patient fares ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Trajectory:
    """How far along the way to recovered a patient is, day by day: ``cap`` of it after ``span`` days."""

    kind: str  # fast, slow, plateau, non_responder
    span: int
    cap: float

    def at(self, days: int) -> float:
        return self.cap * min(1.0, max(0, days) / self.span)


@dataclass(frozen=True)
class Severity:
    """Where a patient starts (pain by context, Kujala, LEFS, PSFS ratings) and the best they would reach."""

    pain: dict[str, int]
    kujala: tuple[int, int]
    lefs: tuple[int, int]
    psfs: tuple[tuple[int, ...], tuple[int, ...]]

    def pain_at(self, context: str, improvement: float) -> int:
        return clamp(self.pain[context] * (1 - improvement))

    def score(self, code: str, improvement: float) -> Any:
        if code == "nprs":
            return self.pain_at("current", improvement)
        if code == "psfs":
            return tuple(clamp(low + (high - low) * improvement)
                         for low, high in zip(*self.psfs, strict=True))
        low, high = self.kujala if code == "kujala" else self.lefs
        return clamp(low + (high - low) * improvement, 0, 100)


@dataclass(frozen=True)
class Runner:
    weekly_km: Decimal
    pace: float  # easy pace, minutes per km
    surface: str


def measure(code: str, value: Any, day: date, minute: int, by: str, *, activities: Sequence[str] = (),
            follow_up: bool = False) -> Response:
    """A response to ``code`` scoring ``value`` (PSFS: the ratings of ``activities``)."""
    if code == "psfs":
        return Response(code, answers.psfs_answers(tuple(activities), value), day, minute, by,
                        answers.psfs_mean(value), follow_up)
    if code in ("nprs", "groc"):
        return Response(code, answers.single_answer(code, value), day, minute, by, value, follow_up)
    if code in ("kujala", "lefs"):
        return Response(code, answers.choice_answers(code, value), day, minute, by, value, follow_up)
    raise ValueError(f"The demo does not answer {code!r}; its schedule may name nprs, kujala, lefs, psfs, groc "
                     "and the intakes.")


# ---- runs -------------------------------------------------------------------------------------------

def _run_walk(improvement: float) -> str | None:
    return "1:1" if improvement < 0.3 else "2:1" if improvement < 0.45 else "4:1" if improvement < 0.6 else None


def _distances(km: float, interval: str | None, improvement: float) -> list[float]:
    """A week's runs: two or three short run/walks at first, then up to six runs with a long one at the weekend."""
    if interval is not None:
        count = 2 if improvement < 0.3 else 3
        return [min(RUN_WALK_KM[interval], km / count)] * count
    count = max(2, min(6, round(km / 8)))
    if count < 3:
        return [km * 0.45, km * 0.55]
    return [*([km * 0.65 / (count - 1)] * (count - 1)), km * 0.35]


def _run_note(rng: random.Random, pain: int, where: str) -> str | None:
    if pain >= 3:
        return rng.choice((f"Ache {where} from halfway; walked the last part.", "Sore the next morning."))
    if pain == 2:
        return rng.choice((None, "Slight ache at the end, gone by evening.", "A little stiff after, fine by evening."))
    return rng.choice((None, None, "Felt easy.", f"Nothing {where} at all.", "Good run."))


def week_of_runs(rng: random.Random, runner: Runner, improvement: float, run_pain: int, monday: date,
                 window: tuple[date, date], where: str) -> list[RunPlan]:
    """The week's runs: none until the patient is ready, then run/walk, then a share of the usual week that
    grows with the recovery, the pain falling with it; only the days inside ``window``."""
    if improvement < RUNNING_FROM:
        return []
    km = float(runner.weekly_km) * min(1.08, 0.12 + 1.1 * improvement)
    interval = _run_walk(improvement)
    pace = runner.pace + RUN_WALK_PACE.get(interval or "", 0.0)
    distances = _distances(km, interval, improvement)
    runs = []
    for offset, planned in zip(RUN_DAYS[len(distances)], distances, strict=True):
        day = monday + timedelta(days=offset)
        if not window[0] <= day <= window[1]:
            continue
        distance = max(1.0, round(planned, 1))
        during = clamp(min(GRADED_PAIN_MAX, run_pain) * (1 - improvement)
                       + rng.uniform(-0.7, 0.7) * (1.2 - improvement))
        after = clamp(during + rng.choice((-1, 0, 0, 1) if improvement < 0.75 else (-1, 0, 0, 0)))
        minutes = distance * pace * rng.uniform(0.97, 1.03)
        runs.append(RunPlan(day, Decimal(f"{distance:.1f}"), Decimal(f"{minutes:.1f}"), interval,
                            "treadmill" if interval == "1:1" else runner.surface, during, after,
                            _run_note(rng, max(during, after), where)))
    return runs


def week_summary(runs: Sequence[RunPlan], first: date, last: date) -> notes.Week | None:
    """The runs from ``first`` to ``last`` (both included) as a note tells them; ``None`` without runs."""
    chosen = [run for run in runs if first <= run.day <= last]
    if not chosen:
        return None
    return notes.Week(len(chosen), sum((run.distance_km for run in chosen), Decimal(0)),
                      max(run.max_pain for run in chosen), chosen[-1].run_walk)


def return_week(runs: Sequence[RunPlan], pre_injury_km: Decimal) -> list[RunPlan]:
    """The runs of the first pain-free week at the pre-injury distance (the rule of ``visits.running``, the one
    the weekly totals use), or none."""
    weeks: dict[date, list[RunPlan]] = {}
    for run in sorted(runs, key=lambda run: run.day):
        weeks.setdefault(monday_of(run.day), []).append(run)
    for week in weeks.values():
        judgement = week_judgement(sum((run.distance_km for run in week), Decimal(0)), len(week),
                                   max(run.max_pain for run in week), all_rated=True, pre_injury=pre_injury_km)
        if is_return_week(judgement):
            return week
    return []


@dataclass
class PatientPlan:
    """A patient as the front desk registers them, with their one episode of care; ``story`` names the
    clinic's testimonials."""

    first_name: str
    last_name: str
    sex: str
    date_of_birth: date
    email: str
    phone: str
    runner: Runner
    years_running: int
    race: tuple[str, date, Decimal] | None
    episode: EpisodePlan
    story: str | None = None

    def registration(self) -> dict[str, Any]:
        race = None if self.race is None else dict(zip(("name", "date", "distance_km"), self.race, strict=True))
        return {"first_name": self.first_name, "last_name": self.last_name, "date_of_birth": self.date_of_birth,
                "sex": self.sex, "email": self.email, "phone": self.phone,
                "running_profile": {"weekly_distance_km": self.runner.weekly_km, "years_running": self.years_running,
                                    "goal_race": race}}
