"""An episode of care planned day by day: the intake and its baseline set, the visits with their pain scores
and the measures due at each (the app's schedule: a re-measure every so many days or visits, the set and GROC
at the discharge visit), the runs of the return to running, the goals and how they end, the discharge and the
follow-ups after it. Pure, like ``course``."""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from clinic_api.demo import notes
from clinic_api.demo.answers import intake_code
from clinic_api.demo.course import (
    FOLLOW_UP_MINUTE,
    INTAKE_MINUTE,
    MINUTE_OF,
    VISIT_MINUTE,
    EpisodePlan,
    GoalPlan,
    Response,
    Runner,
    RunPlan,
    Schedule,
    Severity,
    Trajectory,
    VisitPlan,
    clamp,
    measure,
    return_week,
    week_of_runs,
    week_summary,
)
from clinic_api.visits.running import monday_of

NAMES = {"kujala": "Kujala", "lefs": "LEFS", "psfs": "PSFS", "nprs": "NPRS"}
PAIN_GOALS = {"stairs_down": "Go down stairs without pain", "worst_24h": "A whole day without pain",
              "stairs_up": "Climb stairs without pain"}


class Chart:
    """An episode's plan written in date order, keeping what the schedule asks about: when each measure was
    last taken, the visits so far, each measure's first and latest score, the first pain scores."""

    def __init__(self, plan: EpisodePlan, schedule: Schedule, severity: Severity, *, weekly_km: Decimal,
                 changes: Sequence[str]):
        self.plan, self.schedule, self.severity = plan, schedule, severity
        self.weekly_km, self.changes = weekly_km, tuple(changes)
        self.last_taken: dict[str, date] = {}
        self.baseline: dict[str, Any] = {}
        self.latest: dict[str, Any] = {}
        self.visit_days: list[date] = []
        self.first_pain: dict[str, int] = {}
        self.latest_pain: dict[str, int] = {}

    @property
    def condition(self) -> Any:
        return self.plan.condition

    def take(self, code: str, value: Any, day: date, minute: int, by: str, follow_up: bool = False) -> Response:
        response = measure(code, value, day, minute, by, activities=self.condition.activities, follow_up=follow_up)
        if not follow_up:
            self.last_taken[code] = day
            self.baseline.setdefault(code, response.score)
            self.latest[code] = response.score
        return response

    def open_with_intake(self, answers: dict[str, Any]) -> None:
        """The intake and the baseline set, filled in at the front desk on the first day."""
        day = self.plan.start
        self.plan.intake.append(Response(intake_code(self.condition), answers, day, INTAKE_MINUTE, "desk"))
        for code in self.schedule.repeated(self.condition.region):
            self.plan.intake.append(self.take(code, self.severity.score(code, 0.0), day,
                                              INTAKE_MINUTE + MINUTE_OF[code], "desk"))

    def _measures(self, day: date, improvement: float, discharging: bool, rng: random.Random,
                  scores: dict[str, Any]) -> list[Response]:
        codes = [code for code in self.schedule.repeated(self.condition.region)
                 if discharging or self.schedule.due(self.last_taken[code], self.visit_days, day)]
        if discharging:
            codes += self.schedule.at_discharge
        groc = clamp(7 * improvement + rng.uniform(-0.8, 0.8), -7, 7) if discharging else 0
        return [self.take(code, scores.get(code, groc if code == "groc" else self.severity.score(code, improvement)),
                          day, VISIT_MINUTE + MINUTE_OF[code], "therapist") for code in codes]

    def _pain(self, improvement: float, last_week: Sequence[RunPlan]) -> dict[str, int]:
        pain = {context: self.severity.pain_at(context, improvement) for context in self.condition.contexts}
        if last_week:
            pain["during_running"] = max(run.pain_during for run in last_week)
        return pain

    def visit(self, rng: random.Random, day: date, visit_type: str, improvement: float, summary: str = "", *,
              pain: dict[str, int] | None = None, scores: dict[str, Any] | None = None,
              note: dict[str, str] | None = None) -> None:
        """A visit: its pain scores, the measures due, its note written from those figures. ``summary`` is the
        discharge's (or an evaluation's plan); ``pain``, ``scores`` and ``note`` give a told story's own."""
        self.visit_days.append(day)
        runs = self.plan.runs
        past_week = [run for run in runs if day - timedelta(days=6) <= run.day <= day]
        pain = self._pain(improvement, past_week) | (pain or {})
        self.first_pain = self.first_pain or dict(pain)
        self.latest_pain = pain
        responses = [] if visit_type == "initial_evaluation" else self._measures(
            day, improvement, visit_type == "discharge", rng, scores or {})
        facts = notes.VisitFacts(self.condition, self.plan.side, notes.level_of(improvement), pain, self.first_pain,
                                 {response.code: response.score for response in responses}, self.baseline,
                                 week_summary(runs, day - timedelta(days=6), day),
                                 week_summary(runs, day + timedelta(days=1), day + timedelta(days=7)))
        self.plan.visits.append(VisitPlan(day, visit_type, pain, note or self._note(facts, visit_type, summary),
                                          notes.interventions(visit_type, facts), notes.home_exercises(facts),
                                          responses))

    def _note(self, facts: notes.VisitFacts, visit_type: str, summary: str) -> dict[str, str]:
        if visit_type == "initial_evaluation":
            note = notes.evaluation(facts, weekly_km=self.weekly_km, changes=self.changes,
                                    days_of_pain=(self.plan.start - self.plan.onset).days)
            return note | ({"plan": summary} if summary else {})
        if visit_type == "discharge":
            return notes.discharge(facts, summary)
        return notes.follow_up(facts)

    def follow_up(self, day: date, improvement: float, scores: dict[str, Any] | None = None) -> None:
        """The baseline set again after the discharge (less what is asked once), filled in by the patient."""
        for code in self.schedule.repeated(self.condition.region):
            value = (scores or {}).get(code, self.severity.score(code, improvement))
            self.plan.follow_ups.append(self.take(code, value, day, FOLLOW_UP_MINUTE + MINUTE_OF[code], "desk",
                                                  follow_up=True))

    def changes_said(self) -> str:
        """The outcome in figures, for the discharge note: each measure first and last, the main pain."""
        said = [f"{NAMES[code]} {self.baseline[code]:g} → {self.latest[code]:g}" for code in self.latest
                if code in NAMES]
        context = self.condition.main_pain
        if context in self.latest_pain:
            said.append(f"{notes.PAIN_WORDS[context]} {self.first_pain[context]} → {self.latest_pain[context]}/10")
        return "; ".join(said) + "."


def plan_runs(rng: random.Random, runner: Runner, trajectory: Trajectory, severity: Severity, start: date,
              window: tuple[date, date], where: str) -> list[RunPlan]:
    runs: list[RunPlan] = []
    monday = monday_of(window[0])
    while monday <= window[1]:
        runs += week_of_runs(rng, runner, trajectory.at((monday - start).days + 3),
                             severity.pain["during_running"], monday, window, where)
        monday += timedelta(days=7)
    return runs


def plan_goals(chart: Chart, runner: Runner, today: date) -> list[GoalPlan]:
    """The goals set at the evaluation: the usual week back pain-free, a score on the region's function
    measure, and no pain where it hurt most."""
    start, severity = chart.plan.start, chart.severity
    target_date = start + timedelta(days=56) if start + timedelta(days=56) <= today else None
    goals = [GoalPlan(f"Back to {runner.weekly_km:g} km a week of running, pain-free", "weekly_distance_km",
                      runner.weekly_km, target_date)]
    if chart.condition.region == "knee":
        target = 85 if severity.kujala[0] < 75 else 90
        goals.append(GoalPlan(f"Kujala score of {target} or more", "kujala", Decimal(target), target_date))
    else:
        target = 70 if severity.lefs[0] < 60 else 75
        goals.append(GoalPlan(f"LEFS of {target} or more", "lefs", Decimal(target), target_date))
    context = chart.condition.main_pain
    goals.append(GoalPlan(PAIN_GOALS[context], f"pain_{context}", Decimal(1), target_date))
    return goals


def _met_on(goal: GoalPlan, plan: EpisodePlan, pre_injury_km: Decimal) -> date | None:
    """The day the record shows the goal reached, if it does."""
    if goal.measure == "weekly_distance_km":
        week = return_week(plan.runs, pre_injury_km)
        return week[-1].day if week else None
    if goal.measure.startswith("pain_"):
        context = goal.measure.removeprefix("pain_")
        return next((visit.day for visit in plan.visits if visit.pain.get(context, 11) <= goal.value), None)
    return next((response.day for visit in plan.visits for response in visit.responses
                 if response.code == goal.measure and response.score >= goal.value), None)


def settle_goals(plan: EpisodePlan, pre_injury_km: Decimal, otherwise: str | None) -> None:
    """Each goal the record shows reached is met on that day; at a discharge the others end ``otherwise``."""
    for goal in plan.goals:
        met_on = _met_on(goal, plan, pre_injury_km)
        if met_on is not None:
            goal.status, goal.status_date = "met", met_on
        elif otherwise is not None and plan.discharge is not None:
            goal.status, goal.status_date = otherwise, plan.discharge.day


@dataclass(frozen=True)
class Outcome:
    """How an episode ends: still active, or discharged on ``day`` for ``reason`` (with a discharge visit or
    without one: a patient who stopped coming)."""

    reason: str | None = None
    day: date | None = None
    with_visit: bool = True

    def summary(self, chart: Chart, runner: Runner, visits: int) -> str:
        back = return_week(chart.plan.runs, runner.weekly_km)
        return {"goals_met": f"Goals met: back to {runner.weekly_km:g} km a week, pain-free." if back
                else "Goals met.",
                "plateau": "No further change over the last visits: discharged to a self-managed programme.",
                "patient_request": "Discharged at the patient's request: managing well on the home programme.",
                "referred_out": f"No meaningful change after {visits} visits: referred to the sports physician "
                                "for imaging and review.",
                "non_attendance": "Did not return after the last visit; two reminder calls unanswered."}[self.reason]
