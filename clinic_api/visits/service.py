"""The therapist's day: visit notes and their lifecycle, pain scores, runs of the return to running, goals."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from clinic_api.audit import service as audit
from clinic_api.auth.models import User
from clinic_api.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from clinic_api.core.pagination import Page, paginate
from clinic_api.core.sql import week_start
from clinic_api.core.types import clinic_date, clinic_zone, today, utcnow
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.patients.service import ensure_active, get_episode
from clinic_api.questionnaires.models import Questionnaire
from clinic_api.visits.models import PAIN_CONTEXTS, Addendum, Goal, PainScore, RunLog, Visit

T = TypeVar("T")
R = TypeVar("R", PainScore, RunLog, Goal)
CLOCK_SKEW = timedelta(minutes=5)
SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")
PAIN_FREE_MAX = 2
# Measures a goal's target may name besides questionnaire codes.
RUN_MEASURES = ("weekly_distance_km", "longest_run_km", "run_pain_max")
PAIN_MEASURES = tuple(f"pain_{context}" for context in PAIN_CONTEXTS)


# ---- visits ---------------------------------------------------------------------------------------

def _found(model: type[T], object_id: uuid.UUID, label: str, for_update: bool = False) -> T:
    found = db.session.get(model, object_id, with_for_update=for_update)
    if found is None:
        raise NotFound(label)
    return found


def _read(model: type[R], object_id: uuid.UUID, label: str, action: str, resource_type: str) -> R:
    """One pain score, run or goal, its read audited."""
    found = _found(model, object_id, label)
    audit.record(action, resource_type, found.id, patient_id=_patient_id(found.episode_id))
    return found


def get_visit(visit_id: uuid.UUID) -> Visit:
    return _found(Visit, visit_id, "Visit")


def lock_visit(visit_id: uuid.UUID) -> Visit:
    """The visit, to change, sign or amend: its episode's row is locked first, then its own (PostgreSQL).

    Every write in an episode takes the episode's lock first, so that writers queue in one order (a
    sign cannot slip between a pain score's check and its insert, and no two writers deadlock)."""
    visit = get_visit(visit_id)
    get_episode(visit.episode_id, for_update=True)
    db.session.refresh(visit, with_for_update=True)
    return visit


def _patient_id(episode_id: uuid.UUID) -> uuid.UUID:
    return db.session.scalar(select(EpisodeOfCare.patient_id).where(EpisodeOfCare.id == episode_id))


def _audit_visit_reads(visits: Iterable[Visit], patient_id: uuid.UUID, with_notes: bool) -> None:
    # Reading a note is its own event; the front desk's appointment-level view is recorded as such.
    action = "visit_note.read" if with_notes else "visit.read"
    audit.record_reads(action, "visit", ((v.id, patient_id) for v in visits))


def read_visit(visit_id: uuid.UUID, with_notes: bool) -> Visit:
    visit = get_visit(visit_id)
    _audit_visit_reads([visit], _patient_id(visit.episode_id), with_notes)
    return visit


def list_visits(episode: EpisodeOfCare, args: dict[str, Any], with_notes: bool) -> Page:
    query = select(Visit).where(Visit.episode_id == episode.id).order_by(Visit.visit_date, Visit.created_at)
    if args.get("status"):
        query = query.where(Visit.status == args["status"])
    if args.get("visit_type"):
        query = query.where(Visit.visit_type == args["visit_type"])
    page = paginate(query, args["page"], args["per_page"])
    _audit_visit_reads(page.items, episode.patient_id, with_notes)
    return page


def _check_visit_date(episode: EpisodeOfCare, visit_date: date) -> None:
    if visit_date < episode.start_date:
        raise RuleViolation("visit_date", "Must not be before the episode's start_date.")
    if episode.discharge_date is not None and visit_date > episode.discharge_date:
        raise RuleViolation("visit_date", "Must not be after the episode's discharge_date.")
    if visit_date > today() + timedelta(days=1):
        raise RuleViolation("visit_date", "Must not be more than a day in the future.")


def _check_visit_order(episode: EpisodeOfCare, visit_type: str, visit_date: date,
                       visit_id: uuid.UUID | None = None) -> None:
    """The first visit of an episode is its initial evaluation, and an episode has only one."""
    initial = db.session.execute(
        select(Visit.id, Visit.visit_date).where(Visit.episode_id == episode.id,
                                                 Visit.visit_type == "initial_evaluation")).first()
    if visit_type == "initial_evaluation":
        if initial is not None and initial.id != visit_id:
            raise Conflict("The episode already has its initial evaluation; log a follow_up or re_evaluation.",
                           errors={"visit_type": ["The episode already has an initial_evaluation."]})
        earlier = select(func.min(Visit.visit_date)).where(Visit.episode_id == episode.id)
        if visit_id is not None:
            earlier = earlier.where(Visit.id != visit_id)
        first_other = db.session.scalar(earlier)
        if first_other is not None and first_other < visit_date:
            raise RuleViolation("visit_date", "The initial evaluation must not come after another visit.")
    elif initial is None or initial.id == visit_id:
        raise RuleViolation("visit_type", "The first visit of an episode must be its initial_evaluation.")
    elif visit_date < initial.visit_date:
        raise RuleViolation("visit_date", f"Must not be before the initial evaluation ({initial.visit_date}).")


def _default_recorded_at(visit_date: date) -> datetime:
    """Now for a visit of today (or ahead); midday at the clinic for one logged after the day."""
    if visit_date >= today():
        return utcnow()
    return datetime.combine(visit_date, time(12), clinic_zone()).astimezone(UTC)


def _add_visit_pain_scores(visit: Visit, episode: EpisodeOfCare, scores: list[dict[str, Any]],
                           by: User) -> None:
    errors: dict[str, list[str]] = {}
    rows = []
    for index, fields in enumerate(scores):
        recorded_at = fields.get("recorded_at") or _default_recorded_at(visit.visit_date)
        message = _recorded_at_problem(episode, recorded_at)
        if message:
            errors[f"pain_scores.{index}.recorded_at"] = [message]
        rows.append(PainScore(episode_id=episode.id, visit_id=visit.id, score=fields["score"],
                              context=fields["context"], recorded_at=recorded_at, note=fields.get("note"),
                              recorded_by=by.id))
    if errors:
        raise RuleViolation.many(errors)
    db.session.add_all(rows)


def create_visit(episode: EpisodeOfCare, fields: dict[str, Any], author: User) -> Visit:
    ensure_active(episode, "visits")
    fields.setdefault("visit_date", today())
    _check_visit_date(episode, fields["visit_date"])
    _check_visit_order(episode, fields["visit_type"], fields["visit_date"])
    scores = fields.pop("pain_scores", [])
    visit = Visit(episode_id=episode.id, therapist_id=author.id, status="draft", pain_scores=[], addenda=[],
                  **{"interventions": [], "home_exercises": [], **fields})
    db.session.add(visit)
    db.session.flush()
    _add_visit_pain_scores(visit, episode, scores, author)
    db.session.flush()
    db.session.expire(visit, ["pain_scores"])
    audit.record("visit.create", "visit", visit.id, patient_id=episode.patient_id,
                 details={"visit_type": visit.visit_type, "pain_scores": len(scores)})
    return visit


def _ensure_author_of_draft(visit: Visit, user: User, doing: str) -> None:
    if visit.status == "signed":
        raise Conflict("The visit is signed and never changes; add an addendum instead.")
    if visit.therapist_id != user.id:
        raise Forbidden(f"Only the visit's author may {doing} it.")


def update_visit(visit: Visit, changes: dict[str, Any], user: User) -> Visit:
    _ensure_author_of_draft(visit, user, "change")
    episode = get_episode(visit.episode_id)
    ensure_active(episode, "changes to its visits")
    visit_date = changes.get("visit_date", visit.visit_date)
    visit_type = changes.get("visit_type", visit.visit_type)
    if "visit_date" in changes:
        _check_visit_date(episode, visit_date)
    if "visit_date" in changes or "visit_type" in changes:
        _check_visit_order(episode, visit_type, visit_date, visit.id)
    for name, value in changes.items():
        setattr(visit, name, value)
    audit.record("visit.update", "visit", visit.id, patient_id=episode.patient_id,
                 details={"fields": sorted(changes)})
    return visit


def sign_visit(visit: Visit, user: User) -> Visit:
    _ensure_author_of_draft(visit, user, "sign")
    missing = {name: ["A signed note needs all four SOAP parts."] for name in SOAP_FIELDS
               if not (getattr(visit, name) or "").strip()}
    if missing:
        raise RuleViolation.many(missing)
    visit.status, visit.signed_by, visit.signed_at = "signed", user.id, utcnow()
    audit.record("visit.sign", "visit", visit.id, patient_id=_patient_id(visit.episode_id))
    return visit


def add_addendum(visit: Visit, text: str, author: User) -> Addendum:
    if visit.status != "signed":
        raise Conflict("The visit is a draft: change it directly; addenda are for signed notes.")
    addendum = Addendum(visit_id=visit.id, author_id=author.id, text=text, created_at=utcnow())
    db.session.add(addendum)
    db.session.flush()
    db.session.expire(visit, ["addenda"])
    audit.record("visit.addendum", "visit", visit.id, patient_id=_patient_id(visit.episode_id),
                 details={"addendum_id": str(addendum.id)})
    return addendum


# ---- pain scores ----------------------------------------------------------------------------------

def _recorded_at_problem(episode: EpisodeOfCare, recorded_at: datetime) -> str | None:
    if recorded_at > utcnow() + CLOCK_SKEW:
        return "Must not be in the future."
    if clinic_date(recorded_at) < episode.start_date:
        return "Must not be before the episode's start_date."
    return None


def record_pain_score(episode: EpisodeOfCare, fields: dict[str, Any], by: User) -> PainScore:
    ensure_active(episode, "pain scores")
    recorded_at = fields.get("recorded_at") or utcnow()
    message = _recorded_at_problem(episode, recorded_at)
    if message:
        raise RuleViolation("recorded_at", message)
    visit_id = fields.get("visit_id")
    if visit_id is not None:
        visit = db.session.get(Visit, visit_id, with_for_update=True)  # after the episode's lock: see lock_visit
        if visit is None or visit.episode_id != episode.id:
            raise RuleViolation("visit_id", "No such visit in this episode.")
        if visit.status == "signed":
            raise Conflict("The visit is signed and never changes; record the score without visit_id.",
                           errors={"visit_id": ["The visit is signed."]})
        if visit.therapist_id != by.id:
            raise Forbidden("Only the visit's author adds pain scores to its note.")
    score = PainScore(episode_id=episode.id, visit_id=visit_id, score=fields["score"], context=fields["context"],
                      recorded_at=recorded_at, note=fields.get("note"), recorded_by=by.id)
    db.session.add(score)
    db.session.flush()
    audit.record("pain_score.create", "pain_score", score.id, patient_id=episode.patient_id)
    return score


def list_pain_scores(episode: EpisodeOfCare, args: dict[str, Any]) -> Page:
    query = (select(PainScore).where(PainScore.episode_id == episode.id)
             .order_by(PainScore.recorded_at, PainScore.created_at))
    if args.get("context"):
        query = query.where(PainScore.context.in_(args["context"]))
    if args.get("since") is not None:
        query = query.where(PainScore.recorded_at >= args["since"])
    if args.get("until") is not None:
        query = query.where(PainScore.recorded_at <= args["until"])
    page = paginate(query, args["page"], args["per_page"])
    audit.record_reads("pain_score.read", "pain_score", ((s.id, episode.patient_id) for s in page.items))
    return page


def read_pain_score(score_id: uuid.UUID) -> PainScore:
    return _read(PainScore, score_id, "Pain score", "pain_score.read", "pain_score")


# ---- runs -----------------------------------------------------------------------------------------

def record_run(episode: EpisodeOfCare, fields: dict[str, Any], by: User) -> RunLog:
    ensure_active(episode, "runs")
    if fields["run_date"] > today() + timedelta(days=1):
        raise RuleViolation("run_date", "Must not be in the future.")
    if fields["run_date"] < episode.start_date:
        raise RuleViolation("run_date", "Must not be before the episode's start_date.")
    run = RunLog(episode_id=episode.id, recorded_by=by.id, **fields)
    db.session.add(run)
    db.session.flush()
    audit.record("run.create", "run", run.id, patient_id=episode.patient_id)
    return run


def _runs_query(episode: EpisodeOfCare, args: dict[str, Any]) -> Select:
    query = select(RunLog).where(RunLog.episode_id == episode.id)
    if args.get("since") is not None:
        query = query.where(RunLog.run_date >= args["since"])
    if args.get("until") is not None:
        query = query.where(RunLog.run_date <= args["until"])
    return query


def list_runs(episode: EpisodeOfCare, args: dict[str, Any]) -> Page:
    page = paginate(_runs_query(episode, args).order_by(RunLog.run_date, RunLog.created_at),
                    args["page"], args["per_page"])
    audit.record_reads("run.read", "run", ((r.id, episode.patient_id) for r in page.items))
    return page


def read_run(run_id: uuid.UUID) -> RunLog:
    return _read(RunLog, run_id, "Run", "run.read", "run")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def week_judgement(distance: Decimal, runs: int, max_pain: int | None, *, all_rated: bool,
                   pre_injury: Decimal | None) -> dict[str, Any]:
    """How a week of running compares with the runner's usual week: share of it, reached, pain-free.

    Pain-free means every run's pain, during and after, was rated at most 2/10: a week with an unrated
    run is not known to be pain-free (null), and a week without runs is neither."""
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


def weekly_runs(episode: EpisodeOfCare) -> dict[str, Any]:
    """Monday-to-Sunday totals, summed in SQL, with the gaps filled so a chart has every week."""
    week = week_start(RunLog.run_date).label("week")
    rows = db.session.execute(
        select(week, func.count(RunLog.id), func.sum(RunLog.distance_km), func.sum(RunLog.duration_min),
               func.max(RunLog.distance_km), func.max(RunLog.pain_during), func.max(RunLog.pain_after),
               func.count(RunLog.pain_during) + func.count(RunLog.pain_after))
        .where(RunLog.episode_id == episode.id).group_by(week).order_by(week)).all()
    pre_injury = db.session.scalar(select(Patient.weekly_distance_km).where(Patient.id == episode.patient_id))
    audit.record("run.weekly_read", "episode_of_care", episode.id, patient_id=episode.patient_id)
    by_week = {_as_date(row[0]): row for row in rows}
    weeks: list[dict[str, Any]] = []
    return_to_run = None
    if by_week:
        monday, last = min(by_week), max(by_week)
        while monday <= last:
            row = by_week.get(monday)
            runs, distance, duration, longest, pain_during, pain_after, rated = row[1:] if row else (
                0, 0, 0, None, None, None, 0)
            distance = _decimal(distance).quantize(Decimal("0.01"))
            max_pain = max((p for p in (pain_during, pain_after) if p is not None), default=None)
            judgement = week_judgement(distance, runs, max_pain, all_rated=rated == 2 * runs, pre_injury=pre_injury)
            weeks.append({"week_start": monday, "week_end": monday + timedelta(days=6), "runs": runs,
                          "distance_km": distance, "duration_min": _decimal(duration).quantize(Decimal("0.1")),
                          "longest_run_km": longest, "max_pain": max_pain, **judgement})
            if return_to_run is None and judgement["at_pre_injury_distance"] and judgement["pain_free"]:
                start_monday = episode.start_date - timedelta(days=episode.start_date.weekday())
                return_to_run = {"week_start": monday, "weeks_since_start": (monday - start_monday).days // 7}
            monday += timedelta(days=7)
    return {"episode_id": episode.id, "pre_injury_weekly_km": pre_injury, "weeks": weeks,
            "return_to_run": return_to_run}


# ---- goals ----------------------------------------------------------------------------------------

def get_goal(goal_id: uuid.UUID, *, for_update: bool = False) -> Goal:
    return _found(Goal, goal_id, "Goal", for_update)


def _check_target(target: dict[str, Any] | None) -> None:
    if not target:
        return
    measure = target["measure"]
    if measure in RUN_MEASURES or measure in PAIN_MEASURES:
        return
    if db.session.scalar(select(Questionnaire.id).where(Questionnaire.code == measure).limit(1)) is None:
        raise RuleViolation("target.measure", "Unknown measure: use a questionnaire code, "
                            + ", ".join(RUN_MEASURES) + " or pain_<context>.")


def _check_goal_dates(episode: EpisodeOfCare, fields: dict[str, Any]) -> None:
    if fields.get("target_date") is not None and fields["target_date"] < episode.start_date:
        raise RuleViolation("target_date", "Must not be before the episode's start_date.")
    status_date = fields.get("status_date")
    if status_date is not None:
        if status_date > today():
            raise RuleViolation("status_date", "Must not be in the future.")
        if status_date < episode.start_date:
            raise RuleViolation("status_date", "Must not be before the episode's start_date.")


def _apply_goal(goal: Goal, fields: dict[str, Any]) -> None:
    if "target" in fields:
        target = fields.pop("target") or {}
        goal.target_measure, goal.target_value = target.get("measure"), target.get("value")
    for name, value in fields.items():
        setattr(goal, name, value)


def create_goal(episode: EpisodeOfCare, fields: dict[str, Any], by: User) -> Goal:
    ensure_active(episode, "goals")
    _check_target(fields.get("target"))
    _check_goal_dates(episode, fields)
    fields.setdefault("status", "active")
    fields.setdefault("status_date", today())
    goal = Goal(episode_id=episode.id, created_by=by.id)
    _apply_goal(goal, fields)
    db.session.add(goal)
    db.session.flush()
    audit.record("goal.create", "goal", goal.id, patient_id=episode.patient_id)
    return goal


def update_goal(goal: Goal, changes: dict[str, Any]) -> Goal:
    episode = get_episode(goal.episode_id, for_update=True)
    ensure_active(episode, "changes to its goals")
    if "status_date" in changes and "status" not in changes:
        raise RuleViolation("status_date", "Give it with the status it dates.")
    if "status" in changes and changes["status"] != goal.status:
        changes.setdefault("status_date", today())
    _check_target(changes.get("target"))
    _check_goal_dates(episode, {"target_date": changes.get("target_date"), "status_date": changes.get("status_date")})
    fields = sorted(changes)
    _apply_goal(goal, changes)
    audit.record("goal.update", "goal", goal.id, patient_id=episode.patient_id, details={"fields": fields})
    return goal


def list_goals(episode: EpisodeOfCare, args: dict[str, Any]) -> Page:
    query = select(Goal).where(Goal.episode_id == episode.id).order_by(Goal.created_at, Goal.id)
    if args.get("status"):
        query = query.where(Goal.status == args["status"])
    page = paginate(query, args["page"], args["per_page"])
    audit.record_reads("goal.read", "goal", ((g.id, episode.patient_id) for g in page.items))
    return page


def read_goal(goal_id: uuid.UUID) -> Goal:
    return _read(Goal, goal_id, "Goal", "goal.read", "goal")
