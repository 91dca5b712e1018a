"""The whole clinic planned from one seed: who comes, with what, when, and how each course goes (pending
intakes, courses in progress, discharges with and without follow-ups, drop-outs), laid over the past year up
to today. Pure: ``plan_clinic`` yields one ``PatientPlan`` at a time, so memory stays flat."""
from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from clinic_api.demo import answers, stories
from clinic_api.demo.care import Chart, Outcome, plan_goals, plan_runs, settle_goals
from clinic_api.demo.cast import (
    AREA_CODES,
    CONDITIONS,
    FEMALE_NAMES,
    LAST_NAMES,
    MALE_NAMES,
    RACES,
    REFERRALS,
    THERAPISTS,
    Condition,
)
from clinic_api.demo.course import (
    DischargePlan,
    EpisodePlan,
    PatientPlan,
    Runner,
    RunPlan,
    Schedule,
    Severity,
    Trajectory,
    return_week,
)

# A course is "treated": started any day of the year, it is discharged if it ended by today and still in care
# otherwise. The first patients take these kinds in this order, so that even a small clinic shows every state
# ("discharged" starts early enough to have ended, "active" late enough not to have); then by these shares.
FIRST_KINDS = ("discharged", "pending", "active", "dropout", "non_attendance", "discharged", "active", "discharged")
KINDS = (("treated", 81), ("pending", 5), ("dropout", 7), ("non_attendance", 7))
RESPONDERS = (("fast", 35), ("slow", 40), ("plateau", 13), ("non_responder", 12))
# Visits planned by responder; fast and slow responders are seen until the visit after their return to
# running, up to MAX_VISITS.
VISITS = {"fast": (4, 6), "slow": (7, 10), "plateau": (6, 9), "non_responder": (5, 7)}
MAX_VISITS = 12
LATER_GAPS = {"fast": (10, 14), "slow": (7, 10), "plateau": (7, 14), "non_responder": (7, 10)}
RUN_DELAY = {"pfp": (5, 10), "itbs": (5, 10), "mtss": (12, 21), "achilles": (7, 14)}
FOLLOW_UP_SHARE = {"goals_met": 0.65, "plateau": 0.5, "patient_request": 0.4, "referred_out": 0.3}
TRAINING_CHANGES = ("distance", "hills", "shoes", "surface", "speed_work")
RED_FLAG_SHARE = 0.07


@dataclass(frozen=True)
class RedFlagCase:
    """An intake answer that raises a flag, what the therapist found on review, and whether it was referred."""

    item: str
    code: str
    note: str
    referred: bool = False


RED_FLAG_CASES = (
    RedFlagCase("night_pain_wakes", "tumour", "Night pain is positional and settles within minutes of moving; no "
                "weight loss, no history of cancer, not unwell. No referral; re-screened at each visit."),
    RedFlagCase("locking_or_giving_way", "internal_derangement", "Giving way going down stairs from quadriceps "
                "inhibition; no true locking, no effusion; Lachman, McMurray and Thessaly negative. No referral."),
    RedFlagCase("calf_pain_swelling", "dvt", "Calf tightness after a long run; calf girths equal, no swelling or "
                "deep-vein tenderness, Wells score 0. No referral needed."),
    RedFlagCase("leg_numbness_tingling", "neurological", "Tingling over the top of the foot from tight lacing; "
                "sensation, reflexes, power and slump test normal. Lacing changed; no referral."),
    RedFlagCase("pain_on_hopping", "bone_stress_injury", "Hopping reproduces focal pain at the posteromedial tibia, "
                "tender over less than 5 cm: bone stress injury suspected. Referred the same day to the sports "
                "physician for MRI; no running until cleared.", referred=True),
)


def _weighted(rng: random.Random, choices: tuple) -> object:
    return rng.choices([choice for choice, _share in choices], [share for _choice, share in choices])[0]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _person(rng: random.Random, start: date, used: set[tuple[str, str, date]]) -> tuple[str, str, str, date]:
    """A name (unique with the date of birth) and a birth date making them 18 to 64 at the start."""
    while True:
        sex = "female" if rng.random() < 0.6 else "male"
        first = rng.choice(FEMALE_NAMES if sex == "female" else MALE_NAMES)
        last = rng.choice(LAST_NAMES)
        age = rng.randint(18, 64)
        born = _years_before(start, age + 1) + timedelta(days=rng.randint(1, 364))
        if (first, last, born) not in used:
            used.add((first, last, born))
            return first, last, sex, born


def _severity(rng: random.Random) -> Severity:
    now = rng.randint(2, 6)
    pain = {"current": now, "stairs_down": min(10, now + rng.randint(1, 3)),
            "squatting": min(10, now + rng.randint(0, 2)), "worst_24h": min(10, now + rng.randint(1, 3)),
            "stairs_up": min(10, now + rng.randint(0, 2)), "during_running": rng.randint(4, 8)}
    return Severity(pain, (rng.randint(52, 80), rng.randint(90, 98)), (rng.randint(42, 66), rng.randint(72, 80)),
                    (tuple(rng.randint(2, 6) for _ in range(3)), tuple(rng.randint(8, 10) for _ in range(3))))


def _trajectory(rng: random.Random, responder: str) -> Trajectory:
    if responder == "fast":
        return Trajectory(responder, rng.randint(28, 42), rng.uniform(0.92, 1.0))
    if responder == "slow":
        return Trajectory(responder, rng.randint(56, 84), rng.uniform(0.88, 1.0))
    if responder == "plateau":
        return Trajectory(responder, rng.randint(28, 42), rng.uniform(0.3, 0.5))
    return Trajectory(responder, 28, rng.uniform(0.0, 0.15))


def _visit_offsets(rng: random.Random, count: int) -> list[int]:
    """Days from the start of each visit: weekly at first (twice a week for some), then further apart."""
    twice_weekly = rng.random() < 0.2
    later = rng.choice(((7, 10), (10, 14)))
    offsets = [0]
    for number in range(1, count):
        if twice_weekly and number <= 2:
            gap = rng.randint(3, 4)
        else:
            gap = rng.randint(6, 8) if number <= 3 else rng.randint(*later)
        offsets.append(offsets[-1] + gap)
    return offsets


def _start(rng: random.Random, window: str, today: date, span: int) -> date:
    """How long ago an episode of this kind started: "active" too recently for any course to have ended (the
    shortest ends on day 12), "discharged" long enough ago for the longest to have (day 137)."""
    back = {"pending": (0, 2), "active": (3, 10), "discharged": (150, 362), "treated": (3, 362),
            "dropout": (min(span + 21, 330), 330)}.get(window, (min(span + 2, 362), 362))
    start = today - timedelta(days=rng.randint(*back))
    return start - timedelta(days=1) if start.weekday() == 6 else start  # the clinic is closed on Sundays


def _red_flag(rng: random.Random, condition: Condition) -> RedFlagCase | None:
    if rng.random() >= RED_FLAG_SHARE:
        return None
    asked = answers.screen_items(condition)
    cases = [case for case in RED_FLAG_CASES if case.item in asked and (not case.referred or condition.key == "mtss")]
    return rng.choice(cases)


def _race(rng: random.Random, start: date, today: date) -> tuple[str, date, Decimal] | None:
    """The race the runner trains for, when it falls within the year shown (nothing is dated after today)."""
    if rng.random() >= 0.35:
        return None
    name, distance = rng.choice(RACES)
    day = start + timedelta(days=rng.randint(21, 120))
    return (name, day, Decimal(distance)) if day <= today else None


@dataclass(frozen=True)
class Case:
    """What is decided about an episode before it is planned: its kind, trajectory and visit days (``count``
    of ``offsets`` unless the course runs on to the return to running)."""

    kind: str  # pending, treated (active or discharged, as its dates fall), dropout, non_attendance
    window: str  # when it starts: as its kind, or "active" (too recently to have ended), "discharged" (long ago)
    trajectory: Trajectory
    offsets: list[int]
    count: int
    gap: int  # days from the last visit to a discharge without a visit
    red_flag: RedFlagCase | None
    leaves_early: bool = False  # a responder who asks to stop, managing, before the return to running

    @property
    def referred(self) -> bool:
        return self.red_flag is not None and self.red_flag.referred and self.kind != "pending"

    def days(self, start: date) -> list[date]:
        days = [start + timedelta(days=offset) for offset in self.offsets]
        return [day + timedelta(days=1) if day.weekday() == 6 else day for day in days]

    def course(self, days: list[date], runs: list[RunPlan], weekly_km: Decimal) -> list[date]:
        """The visit days of the whole course: a responder's run to the visit after the return to running."""
        if self.trajectory.kind in ("fast", "slow") and self.kind == "treated" and not self.leaves_early:
            week = return_week(runs, weekly_km)
            after = [day for day in days if week and day >= week[-1].day]
            if after:
                return [day for day in days if day <= after[0]]
        return days[:self.count]


def _case(rng: random.Random, kind: str, condition: Condition) -> Case:
    trajectory = _trajectory(rng, _weighted(rng, RESPONDERS))
    red_flag = _red_flag(rng, condition)
    if red_flag is not None and red_flag.referred and kind != "pending":
        return Case("treated", kind, trajectory, [0], 1, rng.randint(1, 3), red_flag)
    count = {"dropout": rng.randint(2, 3), "non_attendance": rng.randint(2, 4)}.get(kind) \
        or rng.randint(*VISITS[trajectory.kind])
    gap = rng.randint(21, 42) if kind == "non_attendance" else 0
    treated = kind in ("treated", "active", "discharged")
    leaves_early = rng.random() < {"fast": 0.05, "slow": 0.25}.get(trajectory.kind, 0.0)
    return Case("treated" if treated else kind, kind, trajectory,
                _visit_offsets(rng, MAX_VISITS if treated else count), count, gap, red_flag, leaves_early)


def _outcome(case: Case, runs: list[RunPlan], runner: Runner, days: list[date], today: date) -> Outcome:
    if case.kind == "dropout" or days[-1] > today:
        return Outcome()
    if case.kind == "non_attendance":
        return Outcome("non_attendance", days[-1] + timedelta(days=case.gap), with_visit=False)
    if return_week([run for run in runs if run.day <= days[-1]], runner.weekly_km):
        return Outcome("goals_met", days[-1])
    return Outcome({"plateau": "plateau", "non_responder": "referred_out"}.get(case.trajectory.kind,
                                                                                "patient_request"), days[-1])


def _refer(rng: random.Random, chart: Chart, case: Case) -> None:
    """A red flag that needs a doctor: the evaluation, then the referral (no goals, no running)."""
    start = chart.plan.start
    chart.visit(rng, start, "initial_evaluation", 0.0, "Referred to the sports physician today (see the red-flag "
                "review); home programme without impact until cleared.")
    chart.plan.discharge = DischargePlan(start + timedelta(days=case.gap), "referred_out",
                                         "Referred to the sports physician for MRI: tibial bone stress injury "
                                         "suspected (focal tenderness, painful hop test). No running until cleared.")


def _visits(rng: random.Random, chart: Chart, case: Case, days: list[date], outcome: Outcome, runner: Runner) -> float:
    """The visits in order; the improvement at the last one."""
    improvement = 0.0
    for index, day in enumerate(days):
        discharging = outcome.reason is not None and outcome.with_visit and index == len(days) - 1
        visit_type = ("initial_evaluation" if index == 0 else "discharge" if discharging
                      else "re_evaluation" if index in (4, 8) else "follow_up")
        improvement = max(0.0, min(1.0, case.trajectory.at((day - chart.plan.start).days) + rng.uniform(-0.04, 0.04)))
        chart.visit(rng, day, visit_type, improvement,
                    outcome.summary(chart, runner, len(days)) if discharging else "")
    return improvement


def _follow_up(rng: random.Random, chart: Chart, outcome: Outcome, improvement: float, today: date) -> None:
    """For some, the baseline set again three months after the discharge; most hold their gains."""
    if outcome.reason is None or not outcome.with_visit:
        return
    first = outcome.day + timedelta(days=chart.schedule.follow_up_days)
    if first + timedelta(days=14) > today or rng.random() >= FOLLOW_UP_SHARE[outcome.reason]:
        return
    later = improvement - 0.25 if rng.random() < 0.12 else improvement + rng.uniform(-0.03, 0.05)
    chart.follow_up(first + timedelta(days=rng.randint(0, 14)), max(0.0, min(1.0, later)))


def _treat(rng: random.Random, chart: Chart, case: Case, runner: Runner, today: date) -> None:
    """The course after the intake: visits, runs and goals, and how it ends (by today, or not yet)."""
    plan = chart.plan
    if case.referred:
        _refer(rng, chart, case)
        return
    planned = case.days(plan.start)
    first_run = plan.start + timedelta(days=rng.randint(*RUN_DELAY[plan.condition.key]))
    # Planned a week past the last visit, so that each note's plan for the week ahead is what follows it.
    plan.runs = plan_runs(rng, runner, case.trajectory, chart.severity, plan.start,
                          (first_run, planned[-1] + timedelta(days=7)), plan.condition.where)
    days = case.course(planned, plan.runs, runner.weekly_km)
    outcome = _outcome(case, plan.runs, runner, days, today)
    plan.goals = plan_goals(chart, runner, today)
    improvement = _visits(rng, chart, case, [day for day in days if day <= today], outcome, runner)
    # Logged up to the discharge, or today while in care; a patient who stopped coming logs no more.
    runs_until = today if case.kind == "treated" and outcome.reason is None else days[-1]
    plan.runs = [run for run in plan.runs if run.day <= runs_until]
    if outcome.reason is not None:
        plan.discharge = DischargePlan(outcome.day, outcome.reason,
                                       f"{outcome.summary(chart, runner, len(days))} {chart.changes_said()}")
    settle_goals(plan, runner.weekly_km, "discontinued" if outcome.reason == "non_attendance" else "not_met")
    _follow_up(rng, chart, outcome, improvement, today)


def _patient(rng: random.Random, kind: str, today: date, schedule: Schedule,
             used: set[tuple[str, str, date]]) -> PatientPlan:
    condition = _weighted(rng, CONDITIONS)
    case = _case(rng, kind, condition)
    start = _start(rng, case.window, today, case.offsets[-1] + case.gap)
    first, last, sex, born = _person(rng, start, used)
    runner = Runner(Decimal(5 * round(rng.triangular(15, 80, 35) / 5)), round(rng.uniform(4.6, 6.8), 2),
                    rng.choice(("road", "road", "road", "trail", "track", "grass", "mixed")))
    years = rng.randint(1, max(1, min(25, (start - born).days // 365 - 14)))
    race = _race(rng, start, today)
    side = rng.choice(("left", "right"))
    plan = EpisodePlan(condition, side, start, start - timedelta(days=rng.randint(14, 120)), rng.choice(REFERRALS),
                       rng.choice(THERAPISTS), rng.random() < 0.5, [],
                       {case.red_flag.code: case.red_flag.note} if case.red_flag else {})
    severity = _severity(rng)
    changes = tuple(change for change in TRAINING_CHANGES if rng.random() < 0.3)
    chart = Chart(plan, schedule, severity, weekly_km=runner.weekly_km, changes=changes)
    now = severity.pain["current"]
    chart.open_with_intake(answers.intake_answers(
        condition, side=side, onset=plan.onset, pain=(now, severity.pain["worst_24h"], max(0, now - 2)),
        weekly_km=(float(runner.weekly_km), float(round(runner.weekly_km * Decimal(rng.randint(0, 5)) / 10))),
        years_running=years, changes=changes, race=(race[0], race[1], float(race[2])) if race else None,
        red_flags=(case.red_flag.item,) if case.red_flag else ()))
    if case.kind != "pending":
        _treat(rng, chart, case, runner, today)
    email = f"{_ascii(first)}.{_ascii(last)}@example.org"
    phone = f"+1 {rng.choice(AREA_CODES)} 555 01{rng.randint(0, 99):02d}"
    return PatientPlan(first, last, sex, born, email, phone, runner, years, race, plan)


def _kinds(rng: random.Random, count: int) -> list[str]:
    first = list(FIRST_KINDS[:count])
    return first + [str(_weighted(rng, KINDS)) for _ in range(count - len(first))]


def plan_clinic(*, patients: int, seed: int, today: date, schedule: Schedule) -> Iterator[PatientPlan]:
    """``patients`` patients, the clinic's two testimonials first, from ``seed``, over the year up to ``today``."""
    rng = random.Random(seed)
    told = stories.testimonials(today, schedule)[:patients]
    used = {(story.first_name, story.last_name, story.date_of_birth) for story in told}
    yield from told
    for kind in _kinds(rng, patients - len(told)):
        yield _patient(rng, kind, today, schedule, used)
