"""The therapist's day: visit notes and their lifecycle, pain scores, runs of the return to running, goals."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from blinker import Signal
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import contains_eager

from clinic_api.audit import service as audit
from clinic_api.auth import service as auth
from clinic_api.auth.models import User
from clinic_api.core import signals
from clinic_api.core.access import ADMIN
from clinic_api.core.errors import Conflict, Forbidden, RuleViolation
from clinic_api.core.lookup import get_or_404, grouped
from clinic_api.core.pagination import Page, paginate
from clinic_api.core.sql import week_start
from clinic_api.core.types import clinic_date, clinic_zone, today, utcnow
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare
from clinic_api.patients.service import (
    ensure_active,
    ensure_not_entered_in_error,
    episode_patient_id,
    get_episode,
    lock_entry,
    patients_of_episodes,
)
from clinic_api.questionnaires import service as questionnaires
from clinic_api.visits.models import PAIN_CONTEXTS, Addendum, EnteredInError, Goal, PainScore, RunLog, Visit
from clinic_api.visits.running import is_return_week, week_judgement, weeks_since_start  # the pure week rule

R = TypeVar("R", PainScore, RunLog, Goal)
M = TypeVar("M", PainScore, RunLog)
CLOCK_SKEW = timedelta(minutes=5)
SOAP_FIELDS = ("subjective", "objective", "assessment", "plan")
# Measures a goal's target may name besides questionnaire codes.
RUN_MEASURES = ("weekly_distance_km", "longest_run_km", "run_pain_max")
PAIN_MEASURES = tuple(f"pain_{context}" for context in PAIN_CONTEXTS)


def _patient_of(episode: EpisodeOfCare) -> Callable[[Any], uuid.UUID]:
    return lambda _entry: episode.patient_id


def _read(model: type[R], entry_id: uuid.UUID, label: str, action: str, resource_type: str) -> R:
    """One entry of an episode (pain score, run, goal), its read audited."""
    found = get_or_404(model, entry_id, label)
    audit.record(action, resource_type, found.id, patient_id=episode_patient_id(found.episode_id))
    return found


def _stamp_in_error(entry: EnteredInError, by: User, reason: str) -> None:
    entry.entered_in_error_at, entry.entered_in_error_by, entry.entered_in_error_reason = utcnow(), by.id, reason


def _mark_in_error(entry: M, by: User, reason: str, *, resource_type: str, signal: Signal) -> M:
    """A run or pain score locked with its episode, marked entered in error: kept as written, read by id with
    who marked it, when and why, and out of the lists and counts. A discharged episode's entries may be
    marked (it corrects the record, it adds nothing); an episode marked entered in error takes nothing more."""
    episode = get_episode(entry.episode_id)
    ensure_not_entered_in_error(episode)
    if entry.entered_in_error_at is not None:
        raise Conflict(f"The {resource_type.replace('_', ' ')} is marked entered in error already; a corrected "
                       "entry is a new one.")
    _stamp_in_error(entry, by, reason)
    audit.record(f"{resource_type}.entered_in_error", resource_type, entry.id, patient_id=episode.patient_id,
                 details={"reason": reason})
    signal.send(entry, episode_id=episode.id)
    return entry


# ---- visits ---------------------------------------------------------------------------------------

def lock_visit(visit_id: uuid.UUID) -> Visit:
    """The visit, to change, sign or amend: its episode's row is locked first, then its own."""
    return lock_entry(Visit, visit_id, "Visit")[0]


def _visit_read_action(with_notes: bool) -> str:
    # Reading a note is its own event; the front desk's appointment-level view is recorded as such.
    return "visit_note.read" if with_notes else "visit.read"


def read_visit(visit_id: uuid.UUID, *, with_notes: bool) -> Visit:
    visit = get_or_404(Visit, visit_id, "Visit")
    audit.record_reads(_visit_read_action(with_notes), "visit", [(visit.id, episode_patient_id(visit.episode_id))])
    return visit


def list_visits(episode: EpisodeOfCare, *, page: int, per_page: int, with_notes: bool, status: str | None = None,
                visit_type: str | None = None, include_entered_in_error: bool = False) -> Page:
    """The episode's visits that count (drafts, and signed notes not marked entered in error), unless
    ``include_entered_in_error`` (or ``status`` voided) asks for the others too."""
    query = _visits_query(select(Visit).where(Visit.episode_id == episode.id), status, visit_type,
                          include_entered_in_error).order_by(Visit.visit_date, Visit.created_at)
    return audit.audited_page(query, page=page, per_page=per_page, action=_visit_read_action(with_notes),
                              resource_type="visit", patient_of=_patient_of(episode))


def _visits_query(query: Any, status: str | None, visit_type: str | None, include_entered_in_error: bool) -> Any:
    if status:
        query = query.where(Visit.status == status)
    if not include_entered_in_error and status != "voided":
        query = query.where(Visit.counts)
    if visit_type:
        query = query.where(Visit.visit_type == visit_type)
    return query


@dataclass(frozen=True)
class VisitRow:
    """A visit on the worklist, with its patient."""

    visit: Visit
    patient: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.visit, name)


def list_visits_across(caller: User, *, page: int, per_page: int, with_notes: bool, status: str | None = None,
                       visit_type: str | None = None, include_entered_in_error: bool = False,
                       visit_date: date | None = None, since: date | None = None, until: date | None = None,
                       therapist_id: Any = None) -> Page:
    """Visits across episodes, by day and author (``therapist_id="me"``: the caller's), in date order:
    with ``status=draft`` a therapist's unsigned notes; each with its patient (one query for the page)."""
    query = _visits_query(select(Visit), status, visit_type, include_entered_in_error)
    author = caller.id if therapist_id == "me" else therapist_id
    if visit_date is not None:
        query = query.where(Visit.visit_date == visit_date)
    if since is not None:
        query = query.where(Visit.visit_date >= since)
    if until is not None:
        query = query.where(Visit.visit_date <= until)
    if author is not None:
        query = query.where(Visit.therapist_id == author)
    found = paginate(query.order_by(Visit.visit_date, Visit.created_at, Visit.id), page, per_page)
    patients = patients_of_episodes({visit.episode_id for visit in found.items})
    rows = [VisitRow(visit, patients[visit.episode_id]) for visit in found.items]
    audit.record_reads(_visit_read_action(with_notes), "visit", [(row.id, row.patient.id) for row in rows])
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)


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
        select(Visit.id, Visit.visit_date).where(Visit.episode_id == episode.id, Visit.counts,
                                                 Visit.visit_type == "initial_evaluation")).first()
    if visit_type == "initial_evaluation":
        if initial is not None and initial.id != visit_id:
            raise Conflict("The episode already has its initial evaluation; log a follow_up or re_evaluation.",
                           errors={"visit_type": ["The episode already has an initial_evaluation."]})
        earlier = select(func.min(Visit.visit_date)).where(Visit.episode_id == episode.id, Visit.counts)
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


def _pain_score(episode: EpisodeOfCare, by: User, *, score: int, context: str, recorded_at: datetime,
                visit_id: uuid.UUID | None = None, note: str | None = None) -> PainScore:
    return PainScore(episode_id=episode.id, visit_id=visit_id, score=score, context=context,
                     recorded_at=recorded_at, note=note, recorded_by=by.id)


def _add_visit_pain_scores(visit: Visit, episode: EpisodeOfCare, scores: Sequence[Mapping[str, Any]],
                           by: User) -> None:
    errors: dict[str, list[str]] = {}
    rows = []
    for index, fields in enumerate(scores):
        recorded_at = fields.get("recorded_at") or _default_recorded_at(visit.visit_date)
        message = _recorded_at_problem(episode, recorded_at)
        if message:
            errors[f"pain_scores.{index}.recorded_at"] = [message]
        rows.append(_pain_score(episode, by, **{**fields, "recorded_at": recorded_at, "visit_id": visit.id}))
    if errors:
        raise RuleViolation.many(errors)
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        signals.pain_score_recorded.send(row, episode_id=episode.id)


def create_visit(episode: EpisodeOfCare, author: User, *, visit_type: str, visit_date: date | None = None,
                 pain_scores: Sequence[Mapping[str, Any]] = (), **note: Any) -> Visit:
    """A visit logged as a draft note by its author; ``note`` holds the SOAP parts, interventions and
    home exercises given."""
    ensure_active(episode, "visits")
    visit_date = visit_date or today()
    _check_visit_date(episode, visit_date)
    _check_visit_order(episode, visit_type, visit_date)
    visit = Visit(episode_id=episode.id, therapist_id=author.id, status="draft", pain_scores=[], addenda=[],
                  visit_type=visit_type, visit_date=visit_date,
                  **{"interventions": [], "home_exercises": [], **note})
    db.session.add(visit)
    db.session.flush()
    _add_visit_pain_scores(visit, episode, pain_scores, author)
    db.session.expire(visit, ["pain_scores"])
    audit.record("visit.create", "visit", visit.id, patient_id=episode.patient_id,
                 details={"visit_type": visit.visit_type, "pain_scores": len(pain_scores)})
    signals.visit_created.send(visit, episode_id=episode.id)
    return visit


def _ensure_author_of_draft(visit: Visit, user: User, doing: str) -> None:
    if visit.status == "signed":
        raise Conflict("The visit is signed and never changes; add an addendum instead.")
    if visit.status == "voided":
        raise Conflict("The visit is voided and never changes; log a new visit instead.")
    if visit.therapist_id != user.id:
        raise Forbidden(f"Only the visit's author may {doing} it.")


def update_visit(visit: Visit, changes: Mapping[str, Any], user: User) -> Visit:
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
    signals.visit_changed.send(visit, episode_id=episode.id, fields=sorted(changes))
    return visit


def _ensure_flags_reviewed(visit: Visit) -> None:
    """A red flag asks for clinician review before treatment: the initial evaluation, which starts the
    treatment, is not signed while a flag of the episode is open; its acknowledgement unblocks it."""
    if visit.visit_type != "initial_evaluation":
        return
    flags = questionnaires.open_red_flags([visit.episode_id])[visit.episode_id]
    if flags:
        raise Conflict(f"{len(flags)} red flag(s) of the episode await review: acknowledge each (POST "
                       "/episodes/{id}/red-flags/{flag}/acknowledge, with what was done) before signing the "
                       "initial evaluation.", extensions={"open_red_flags": [
                           {"id": str(flag.id), "code": flag.code, "title": flag.title} for flag in flags]})


def sign_visit(visit: Visit, user: User) -> Visit:
    _ensure_author_of_draft(visit, user, "sign")
    missing = {name: ["A signed note needs all four SOAP parts."] for name in SOAP_FIELDS
               if not (getattr(visit, name) or "").strip()}
    if missing:
        raise RuleViolation.many(missing)
    _ensure_flags_reviewed(visit)
    visit.status, visit.signed_by, visit.signed_at = "signed", user.id, utcnow()
    audit.record("visit.sign", "visit", visit.id, patient_id=episode_patient_id(visit.episode_id))
    signals.visit_signed.send(visit, episode_id=visit.episode_id)
    return visit


def add_addendum(visit: Visit, text: str, author: User) -> Addendum:
    if visit.status == "voided":
        raise Conflict("The visit is voided; it takes no addenda.")
    if visit.status != "signed":
        raise Conflict("The visit is a draft: change it directly; addenda are for signed notes.")
    if visit.entered_in_error_at is not None:
        raise Conflict("The note is marked entered in error; it takes no addenda.")
    addendum = Addendum(visit_id=visit.id, author_id=author.id, text=text, created_at=utcnow())
    db.session.add(addendum)
    db.session.flush()
    db.session.expire(visit, ["addenda"])
    audit.record("visit.addendum", "visit", visit.id, patient_id=episode_patient_id(visit.episode_id),
                 details={"addendum_id": str(addendum.id)})
    return addendum


def read_addendum(addendum_id: uuid.UUID) -> Addendum:
    """One addendum; reading it is reading the note it belongs to."""
    addendum = get_or_404(Addendum, addendum_id, "Addendum")
    episode_id = db.session.scalar(select(Visit.episode_id).where(Visit.id == addendum.visit_id))
    audit.record("visit_note.read", "visit", addendum.visit_id, patient_id=episode_patient_id(episode_id),
                 details={"addendum_id": str(addendum.id)})
    return addendum


def _ensure_no_visit_after_initial(visit: Visit, doing: str) -> None:
    """An initial evaluation leaves the count last: while other visits of its episode count, it stays."""
    if visit.visit_type != "initial_evaluation":
        return
    others = db.session.scalar(select(func.count()).where(Visit.episode_id == visit.episode_id, Visit.counts,
                                                          Visit.id != visit.id))
    if others:
        raise Conflict(f"The initial evaluation cannot be {doing} while {others} other visit(s) of the episode "
                       "count; void or mark those first.")


def void_visit(visit: Visit, by: User, *, reason: str) -> Visit:
    """A draft withdrawn by its author (a duplicate, a cancelled visit), locked with ``lock_visit``."""
    ensure_not_entered_in_error(get_episode(visit.episode_id))
    if visit.status == "voided":
        raise Conflict("The visit is voided already.")
    if visit.status == "signed":
        raise Conflict("The note is signed and is never voided; if it was written in the wrong chart, mark it "
                       "entered in error (POST /visits/{id}/entered-in-error).")
    if visit.therapist_id != by.id:
        raise Forbidden("Only the visit's author may void it.")
    _ensure_no_visit_after_initial(visit, "voided")
    visit.status, visit.voided_at, visit.voided_by, visit.void_reason = "voided", utcnow(), by.id, reason
    audit.record("visit.void", "visit", visit.id, patient_id=episode_patient_id(visit.episode_id),
                 details={"reason": reason})
    signals.visit_voided.send(visit, episode_id=visit.episode_id)
    return visit


def mark_visit_entered_in_error(visit: Visit, by: User, *, reason: str) -> Visit:
    """A signed note written in the wrong chart, locked with ``lock_visit``: it stays signed, marked."""
    ensure_not_entered_in_error(get_episode(visit.episode_id))
    if visit.status == "draft":
        raise Conflict("The note is a draft: its author voids it instead (POST /visits/{id}/void).")
    if visit.status == "voided":
        raise Conflict("The visit is voided; it counts no more.")
    if visit.entered_in_error_at is not None:
        raise Conflict("The note is marked entered in error already.")
    if by.role != ADMIN and visit.therapist_id != by.id:
        raise Forbidden("Only the note's author or an admin may mark it entered in error.")
    _ensure_no_visit_after_initial(visit, "marked entered in error")
    _stamp_in_error(visit, by, reason)
    audit.record("visit.entered_in_error", "visit", visit.id, patient_id=episode_patient_id(visit.episode_id),
                 details={"reason": reason})
    signals.visit_entered_in_error.send(visit, episode_id=visit.episode_id)
    return visit


def _drafts() -> Any:
    """Drafts of the episodes still in the record, each with its episode and patient loaded."""
    return (select(Visit).join(Visit.episode).join(EpisodeOfCare.patient)
            .where(Visit.status == "draft", EpisodeOfCare.status != "entered_in_error")
            .options(contains_eager(Visit.episode).contains_eager(EpisodeOfCare.patient)))


def list_drafts(*, therapist_id: uuid.UUID, page: int, per_page: int) -> Page:
    """An author's unsigned notes, oldest first, for an admin to hand over (each shown is a recorded read)."""
    query = _drafts().where(Visit.therapist_id == therapist_id).order_by(Visit.visit_date, Visit.created_at,
                                                                          Visit.id)
    return audit.audited_page(query, page=page, per_page=per_page, action="visit.draft_list", resource_type="visit",
                              patient_of=lambda visit: visit.episode.patient_id)


def reassign_draft(visit: Visit, *, therapist_id: uuid.UUID) -> Visit:
    """A draft, locked with ``lock_visit``, given to another active therapist (its author left, say)."""
    if visit.status != "draft":
        raise Conflict(f"The visit is {visit.status}; only a draft changes author.")
    ensure_not_entered_in_error(get_episode(visit.episode_id))
    auth.ensure_active_therapist(therapist_id)
    previous, visit.therapist_id = visit.therapist_id, therapist_id
    audit.record("visit.reassign", "visit", visit.id, patient_id=episode_patient_id(visit.episode_id),
                 details={"from_therapist_id": str(previous), "to_therapist_id": str(therapist_id)})
    signals.visit_reassigned.send(visit, episode_id=visit.episode_id, previous_therapist_id=previous)
    db.session.flush()
    return db.session.scalars(_drafts().where(Visit.id == visit.id)).one()


def visits_after(episode_id: Any, day: Any) -> Any:
    """SQL for the measure schedule: how many visits of the episode that count fall after ``day``."""
    return (select(func.count(Visit.id)).where(Visit.episode_id == episode_id, Visit.counts, Visit.visit_date > day)
            .scalar_subquery())


def has_discharge_visit(episode_id: Any) -> Any:
    """SQL for the measure schedule: whether a discharge visit that counts is logged in the episode."""
    return (select(Visit.id).where(Visit.episode_id == episode_id, Visit.counts, Visit.visit_type == "discharge")
            .exists())


def visit_dates(episode_id: uuid.UUID) -> tuple[list[date], bool]:
    """The dates of the episode's visits that count, in order, and whether a discharge visit is among them."""
    rows = db.session.execute(select(Visit.visit_date, Visit.visit_type)
                              .where(Visit.episode_id == episode_id, Visit.counts)).all()
    return sorted(row.visit_date for row in rows), any(row.visit_type == "discharge" for row in rows)


def draft_visits(episode_id: uuid.UUID) -> list[Any]:
    """The episode's unsigned notes (id, date, author), oldest first; a voided draft is none."""
    return list(db.session.execute(select(Visit.id, Visit.visit_date, Visit.therapist_id)
                                   .where(Visit.episode_id == episode_id, Visit.status == "draft")
                                   .order_by(Visit.visit_date)).all())


def has_signed_note(episode_id: uuid.UUID) -> bool:
    """Whether a signed note counts in the episode (one marked entered in error does not)."""
    return db.session.scalar(select(Visit.id).where(Visit.episode_id == episode_id, Visit.status == "signed",
                                                    Visit.counts).limit(1)) is not None


def entry_days(episode_id: uuid.UUID) -> list[date]:
    """The first and last day of the episode's visits, runs and pain scores that count (those that exist)."""
    days: list[date] = []
    for column, key, counts in ((Visit.visit_date, Visit.episode_id, Visit.counts),
                                (RunLog.run_date, RunLog.episode_id, RunLog.entered_in_error_at.is_(None)),
                                (PainScore.recorded_at, PainScore.episode_id, _pain_score_counts())):
        first, last = db.session.execute(select(func.min(column), func.max(column))
                                         .where(key == episode_id, counts)).one()
        days += [clinic_date(day) if isinstance(day, datetime) else day for day in (first, last) if day is not None]
    return days


# ---- pain scores ----------------------------------------------------------------------------------

def _recorded_at_problem(episode: EpisodeOfCare, recorded_at: datetime) -> str | None:
    if recorded_at > utcnow() + CLOCK_SKEW:
        return "Must not be in the future."
    if clinic_date(recorded_at) < episode.start_date:
        return "Must not be before the episode's start_date."
    return None


def _pain_score_counts() -> ColumnElement[bool]:
    """A pain score counts unless it, or the visit it was taken at, no longer counts."""
    return and_(PainScore.entered_in_error_at.is_(None),
                ~select(Visit.id).where(Visit.id == PainScore.visit_id, ~Visit.counts).exists())


def _visit_to_score(episode: EpisodeOfCare, visit_id: uuid.UUID, by: User) -> Visit:
    """The draft note a pain score joins: of this episode, by that note's author only."""
    visit = db.session.get(Visit, visit_id, with_for_update=True)  # after the episode's lock: see lock_entry
    if visit is None or visit.episode_id != episode.id:
        raise RuleViolation("visit_id", "No such visit in this episode.")
    if visit.status != "draft":
        raise Conflict(f"The visit is {visit.status} and never changes; record the score without visit_id.",
                       errors={"visit_id": [f"The visit is {visit.status}."]})
    if visit.therapist_id != by.id:
        raise Forbidden("Only the visit's author adds pain scores to its note.")
    return visit


def record_pain_score(episode: EpisodeOfCare, by: User, *, score: int, context: str,
                      recorded_at: datetime | None = None, visit_id: uuid.UUID | None = None,
                      note: str | None = None) -> PainScore:
    ensure_active(episode, "pain scores")
    visit = _visit_to_score(episode, visit_id, by) if visit_id is not None else None
    # A score added to a visit's note defaults to the visit's day, as the scores sent with the visit do.
    recorded_at = recorded_at or (_default_recorded_at(visit.visit_date) if visit is not None else utcnow())
    message = _recorded_at_problem(episode, recorded_at)
    if message:
        raise RuleViolation("recorded_at", message)
    row = _pain_score(episode, by, score=score, context=context, recorded_at=recorded_at, visit_id=visit_id,
                      note=note)
    db.session.add(row)
    db.session.flush()
    audit.record("pain_score.create", "pain_score", row.id, patient_id=episode.patient_id)
    signals.pain_score_recorded.send(row, episode_id=episode.id)
    return row


def list_pain_scores(episode: EpisodeOfCare, *, page: int, per_page: int, context: Sequence[str] | None = None,
                     since: datetime | None = None, until: datetime | None = None,
                     include_entered_in_error: bool = False) -> Page:
    query = (select(PainScore).where(PainScore.episode_id == episode.id)
             .order_by(PainScore.recorded_at, PainScore.created_at))
    if not include_entered_in_error:
        query = query.where(_pain_score_counts())
    if context:
        query = query.where(PainScore.context.in_(context))
    if since is not None:
        query = query.where(PainScore.recorded_at >= since)
    if until is not None:
        query = query.where(PainScore.recorded_at <= until)
    return audit.audited_page(query, page=page, per_page=per_page, action="pain_score.read",
                              resource_type="pain_score", patient_of=_patient_of(episode))


def read_pain_score(score_id: uuid.UUID) -> PainScore:
    return _read(PainScore, score_id, "Pain score", "pain_score.read", "pain_score")


def lock_pain_score(score_id: uuid.UUID) -> PainScore:
    """The pain score, to mark: its episode's row is locked first, then its own."""
    return lock_entry(PainScore, score_id, "Pain score")[0]


def mark_pain_score_entered_in_error(score: PainScore, by: User, *, reason: str) -> PainScore:
    return _mark_in_error(score, by, reason, resource_type="pain_score", signal=signals.pain_score_entered_in_error)


# ---- runs -----------------------------------------------------------------------------------------

def record_run(episode: EpisodeOfCare, by: User, *, run_date: date, **run: Any) -> RunLog:
    """A run of the return to running; ``run`` holds its distance, duration, intervals, surface, pain, notes."""
    ensure_active(episode, "runs")
    if run_date > today() + timedelta(days=1):
        raise RuleViolation("run_date", "Must not be in the future.")
    if run_date < episode.start_date:
        raise RuleViolation("run_date", "Must not be before the episode's start_date.")
    row = RunLog(episode_id=episode.id, recorded_by=by.id, run_date=run_date, **run)
    db.session.add(row)
    db.session.flush()
    audit.record("run.create", "run", row.id, patient_id=episode.patient_id)
    signals.run_recorded.send(row, episode_id=episode.id)
    return row


def list_runs(episode: EpisodeOfCare, *, page: int, per_page: int, since: date | None = None,
              until: date | None = None, include_entered_in_error: bool = False) -> Page:
    query = select(RunLog).where(RunLog.episode_id == episode.id).order_by(RunLog.run_date, RunLog.created_at)
    if not include_entered_in_error:
        query = query.where(RunLog.entered_in_error_at.is_(None))
    if since is not None:
        query = query.where(RunLog.run_date >= since)
    if until is not None:
        query = query.where(RunLog.run_date <= until)
    return audit.audited_page(query, page=page, per_page=per_page, action="run.read", resource_type="run",
                              patient_of=_patient_of(episode))


def read_run(run_id: uuid.UUID) -> RunLog:
    return _read(RunLog, run_id, "Run", "run.read", "run")


def lock_run(run_id: uuid.UUID) -> RunLog:
    """The run, to mark: its episode's row is locked first, then its own."""
    return lock_entry(RunLog, run_id, "Run")[0]


def mark_run_entered_in_error(run: RunLog, by: User, *, reason: str) -> RunLog:
    return _mark_in_error(run, by, reason, resource_type="run", signal=signals.run_entered_in_error)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def weekly_runs(episode: EpisodeOfCare) -> dict[str, Any]:
    """Monday-to-Sunday totals, summed in SQL, with the gaps filled so a chart has every week."""
    week = week_start(RunLog.run_date).label("week")
    rows = db.session.execute(
        select(week, func.count(RunLog.id), func.sum(RunLog.distance_km), func.sum(RunLog.duration_min),
               func.max(RunLog.distance_km), func.max(RunLog.pain_during), func.max(RunLog.pain_after),
               func.count(RunLog.pain_during) + func.count(RunLog.pain_after))
        .where(RunLog.episode_id == episode.id, RunLog.entered_in_error_at.is_(None))
        .group_by(week).order_by(week)).all()
    pre_injury = episode.pre_injury_weekly_km
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
            if return_to_run is None and is_return_week(judgement):
                return_to_run = {"week_start": monday,
                                 "weeks_since_start": weeks_since_start(monday, episode.start_date)}
            monday += timedelta(days=7)
    return {"episode_id": episode.id, "pre_injury_weekly_km": pre_injury, "weeks": weeks,
            "return_to_run": return_to_run}


# ---- goals ----------------------------------------------------------------------------------------

def lock_goal(goal_id: uuid.UUID) -> Goal:
    """The goal, to change: its episode's row is locked first, then its own (the one order of every writer)."""
    return lock_entry(Goal, goal_id, "Goal")[0]


def _check_target(target: Mapping[str, Any] | None) -> None:
    if not target:
        return
    measure = target["measure"]
    if measure in RUN_MEASURES or measure in PAIN_MEASURES:
        return
    if not questionnaires.is_questionnaire_code(measure):
        raise RuleViolation("target.measure", "Unknown measure: use a questionnaire code, "
                            + ", ".join(RUN_MEASURES) + " or pain_<context>.")


def _check_goal_dates(episode: EpisodeOfCare, target_date: date | None, status_date: date | None) -> None:
    if target_date is not None and target_date < episode.start_date:
        raise RuleViolation("target_date", "Must not be before the episode's start_date.")
    if status_date is not None:
        if status_date > today():
            raise RuleViolation("status_date", "Must not be in the future.")
        if status_date < episode.start_date:
            raise RuleViolation("status_date", "Must not be before the episode's start_date.")


def _apply_goal(goal: Goal, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name == "target":
            goal.target_measure, goal.target_value = (value or {}).get("measure"), (value or {}).get("value")
        else:
            setattr(goal, name, value)


def create_goal(episode: EpisodeOfCare, by: User, *, text: str, target_date: date | None = None,
                target: Mapping[str, Any] | None = None, status: str = "active",
                status_date: date | None = None) -> Goal:
    ensure_active(episode, "goals")
    _check_target(target)
    _check_goal_dates(episode, target_date, status_date)
    goal = Goal(episode_id=episode.id, created_by=by.id)
    _apply_goal(goal, {"text": text, "target_date": target_date, "target": target, "status": status,
                       "status_date": status_date or today()})
    db.session.add(goal)
    db.session.flush()
    audit.record("goal.create", "goal", goal.id, patient_id=episode.patient_id)
    signals.goal_changed.send(goal, episode_id=episode.id, created=True)
    return goal


def update_goal(goal: Goal, changes: Mapping[str, Any]) -> Goal:
    """A change of a goal locked with ``lock_goal``."""
    episode = get_episode(goal.episode_id)
    ensure_active(episode, "changes to its goals")
    if "status_date" in changes and "status" not in changes:
        raise RuleViolation("status_date", "Give it with the status it dates.")
    if "status" in changes and changes["status"] != goal.status and "status_date" not in changes:
        changes = {**changes, "status_date": today()}
    _check_target(changes.get("target"))
    _check_goal_dates(episode, changes.get("target_date"), changes.get("status_date"))
    _apply_goal(goal, changes)
    audit.record("goal.update", "goal", goal.id, patient_id=episode.patient_id, details={"fields": sorted(changes)})
    signals.goal_changed.send(goal, episode_id=episode.id, created=False)
    return goal


def settle_goals(episode: EpisodeOfCare, settlements: Sequence[Mapping[str, Any]], on: date) -> list[Goal]:
    """At discharge: each goal named gets its final status (met, not met, discontinued) dated ``on``;
    answers the goals still active after that, locked (after the episode's lock, as every writer)."""
    goals = {goal.id: goal for goal in db.session.scalars(
        select(Goal).where(Goal.episode_id == episode.id, Goal.status == "active").order_by(Goal.created_at, Goal.id)
        .with_for_update())}
    errors = {f"goals.{index}.id": ["Not an active goal of this episode."]
              for index, settled in enumerate(settlements) if settled["id"] not in goals}
    if errors:
        raise RuleViolation.many(errors)
    for settled in settlements:
        goal = goals.pop(settled["id"])
        _apply_goal(goal, {"status": settled["status"], "status_date": on})
        audit.record("goal.update", "goal", goal.id, patient_id=episode.patient_id,
                     details={"fields": ["status", "status_date"], "at": "discharge"})
        signals.goal_changed.send(goal, episode_id=episode.id, created=False)
    return list(goals.values())


def list_goals(episode: EpisodeOfCare, *, page: int, per_page: int, status: str | None = None) -> Page:
    query = select(Goal).where(Goal.episode_id == episode.id).order_by(Goal.created_at, Goal.id)
    if status:
        query = query.where(Goal.status == status)
    return audit.audited_page(query, page=page, per_page=per_page, action="goal.read", resource_type="goal",
                              patient_of=_patient_of(episode))


def read_goal(goal_id: uuid.UUID) -> Goal:
    return _read(Goal, goal_id, "Goal", "goal.read", "goal")


# ---- for the outcome layer: an episode's entries that count, for any number of episodes in one query each ----

def _per_episode(query: Any, column: Any, episode_ids: Collection[uuid.UUID], *,
                 entities: bool = False) -> dict[uuid.UUID, list[Any]]:
    found = (db.session.scalars if entities else db.session.execute)(query.where(column.in_(list(episode_ids))))
    return grouped(found.all(), episode_ids, attrgetter("episode_id"))


def counted_visits(episode_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """Each episode's visits that took place (drafts and signed notes; not voided, not entered in error), in
    date order: id, date, type and status."""
    query = (select(Visit.id, Visit.episode_id, Visit.visit_date, Visit.visit_type, Visit.status)
             .where(Visit.counts).order_by(Visit.visit_date, Visit.created_at, Visit.id))
    return _per_episode(query, Visit.episode_id, episode_ids)


def counted_pain_scores(episode_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """Each episode's pain scores that count (neither they nor their visit marked or voided), oldest first."""
    query = (select(PainScore.id, PainScore.episode_id, PainScore.visit_id, PainScore.context, PainScore.score,
                    PainScore.recorded_at).where(_pain_score_counts())
             .order_by(PainScore.recorded_at, PainScore.created_at, PainScore.id))
    return _per_episode(query, PainScore.episode_id, episode_ids)


def counted_runs(episode_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """Each episode's runs that count (not entered in error), by date: what the return to running weighs."""
    query = (select(RunLog.id, RunLog.episode_id, RunLog.run_date, RunLog.distance_km, RunLog.pain_during,
                    RunLog.pain_after).where(RunLog.entered_in_error_at.is_(None))
             .order_by(RunLog.run_date, RunLog.created_at, RunLog.id))
    return _per_episode(query, RunLog.episode_id, episode_ids)


def goals_of_episodes(episode_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Goal]]:
    """Each episode's goals, in the order they were set."""
    query = select(Goal).order_by(Goal.created_at, Goal.id)
    return _per_episode(query, Goal.episode_id, episode_ids, entities=True)
