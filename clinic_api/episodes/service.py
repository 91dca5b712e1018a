"""The episode of care as a whole: opening, changing and discharging it, reviewing its red flags, and
the rules that span the record domains (its dates bound every entry; a discharge waits for signed notes).

The rows belong to ``patients`` and the entries to ``questionnaires`` and ``visits``; this layer sits
above them all and asks each through its service.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import EllipsisType
from typing import Any

from flask import current_app
from sqlalchemy import case, select

from clinic_api.audit import service as audit
from clinic_api.auth import service as auth
from clinic_api.auth.models import User
from clinic_api.core import signals
from clinic_api.core.access import THERAPIST
from clinic_api.core.errors import Conflict, Forbidden, RuleViolation
from clinic_api.core.pagination import Page, paginate_rows
from clinic_api.core.types import today, utcnow
from clinic_api.episodes import schedule
from clinic_api.extensions import db
from clinic_api.patients import service as patients
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.questionnaires import service as questionnaires
from clinic_api.questionnaires.models import EpisodeRedFlag
from clinic_api.visits import service as visits


@dataclass(frozen=True)
class EpisodeView:
    """An episode as the API shows it: its row and its open red flags."""

    episode: EpisodeOfCare
    red_flags: Sequence[EpisodeRedFlag]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.episode, name)


def _views(episodes: Sequence[EpisodeOfCare]) -> list[EpisodeView]:
    flags = questionnaires.open_red_flags([episode.id for episode in episodes])
    return [EpisodeView(episode, flags[episode.id]) for episode in episodes]


def view(episode: EpisodeOfCare) -> EpisodeView:
    return _views([episode])[0]


def read_episode(episode_id: uuid.UUID) -> EpisodeView:
    episode = patients.get_episode(episode_id)
    audit.record("episode.read", "episode_of_care", episode.id, patient_id=episode.patient_id)
    return view(episode)


def episode_to_change(episode_id: uuid.UUID) -> EpisodeView:
    """The episode locked for a change, as a GET shows it (its ETag is compared with this)."""
    return view(patients.lock_episode(episode_id))


def list_patient_episodes(patient: Patient, *, page: int, per_page: int, status: str | None = None,
                          include_entered_in_error: bool = False) -> Page:
    query = (select(EpisodeOfCare).where(EpisodeOfCare.patient_id == patient.id)
             .order_by(EpisodeOfCare.start_date.desc(), EpisodeOfCare.created_at.desc()))
    if status:
        query = query.where(EpisodeOfCare.status == status)
    elif not include_entered_in_error:
        query = query.where(EpisodeOfCare.status != "entered_in_error")
    found = audit.audited_page(query, page=page, per_page=per_page, action="episode.list",
                               resource_type="episode_of_care", patient_of=lambda episode: episode.patient_id)
    return Page(items=_views(found.items), page=found.page, per_page=found.per_page, total=found.total)


def _check_dates(onset: date | None, start: date, born: date) -> None:
    if onset is not None and onset > start:
        raise RuleViolation("onset_date", "Must not be after start_date.")
    for name, day in (("onset_date", onset), ("start_date", start)):
        if day is not None and day < born:
            raise RuleViolation(name, "Must not be before the patient's date of birth.")


def _check_diagnosis(diagnosis_code: str | None, diagnosis_text: str | None) -> None:
    """A diagnosis is its ICD-10-CM code and its text, together."""
    if (diagnosis_code is None) != (diagnosis_text is None):
        missing = "diagnosis_text" if diagnosis_text is None else "diagnosis_code"
        raise RuleViolation(missing, "Give the diagnosis as diagnosis_code and diagnosis_text together.")


def open_episode(patient: Patient, opened_by: User, *, body_region: str, side: str, start_date: date,
                 diagnosis_code: str | None = None, diagnosis_text: str | None = None, onset_date: date | None = None,
                 referral_source: str | None = None, therapist_id: uuid.UUID | None = None,
                 pre_injury_weekly_km: Decimal | EllipsisType | None = ...) -> EpisodeView:
    """A new episode: active with its diagnosis (a therapist's), pending without (the front desk's intake,
    completed by a therapist later). Its running baseline is the profile's unless given (``None`` included)."""
    patients.ensure_not_archived(patient)
    if diagnosis_code is not None and opened_by.role != THERAPIST:
        raise Forbidden("Only a therapist gives the diagnosis: the front desk opens a pending episode for the "
                        "intake, without diagnosis_code and diagnosis_text.")
    _check_diagnosis(diagnosis_code, diagnosis_text)
    if therapist_id is None and opened_by.role == THERAPIST:
        therapist_id = opened_by.id
    if therapist_id is not None:
        auth.ensure_active_therapist(therapist_id)
    _check_dates(onset_date, start_date, patient.date_of_birth)
    status = "active" if diagnosis_code is not None else "pending"
    episode = EpisodeOfCare(patient_id=patient.id, status=status, body_region=body_region, side=side,
                            diagnosis_code=diagnosis_code, diagnosis_text=diagnosis_text, start_date=start_date,
                            onset_date=onset_date, referral_source=referral_source, therapist_id=therapist_id,
                            pre_injury_weekly_km=patient.weekly_distance_km if pre_injury_weekly_km is ...
                            else pre_injury_weekly_km)
    db.session.add(episode)
    db.session.flush()
    audit.record("episode.create", "episode_of_care", episode.id, patient_id=patient.id)
    signals.episode_opened.send(episode, episode_id=episode.id)
    return view(episode)


def _entry_span(episode: EpisodeOfCare) -> tuple[date | None, date | None]:
    """The first and last day of the episode's visits, runs, pain scores and questionnaire responses."""
    days = visits.entry_days(episode.id) + questionnaires.response_days(episode.id)
    return (min(days), max(days)) if days else (None, None)


def update_episode(episode: EpisodeOfCare, changes: Mapping[str, Any], by: User) -> EpisodeView:
    """A change of an episode locked with ``episode_to_change``. A pending episode given its diagnosis
    becomes active (its therapist, unless named, the one who completes it): its evaluation can then be logged."""
    if episode.status != "pending":
        patients.ensure_active(episode)
    if changes.get("therapist_id") is not None:
        auth.ensure_active_therapist(changes["therapist_id"])
    completing = episode.status == "pending" and ("diagnosis_code" in changes or "diagnosis_text" in changes)
    if completing:
        _check_diagnosis(changes.get("diagnosis_code"), changes.get("diagnosis_text"))
        changes = {"therapist_id": episode.therapist_id or by.id, **changes, "status": "active"}
    born = patients.get_patient(episode.patient_id).date_of_birth
    _check_dates(changes.get("onset_date", episode.onset_date), changes.get("start_date", episode.start_date), born)
    if "start_date" in changes:
        first, _ = _entry_span(episode)
        if first is not None and changes["start_date"] > first:
            raise RuleViolation("start_date", f"Must not be after the episode's first entry ({first.isoformat()}).")
    for name, value in changes.items():
        setattr(episode, name, value)
    audit.record("episode.update", "episode_of_care", episode.id, patient_id=episode.patient_id,
                 details={"fields": sorted(changes)})
    signals.episode_changed.send(episode, episode_id=episode.id, fields=sorted(changes))
    return view(episode)


def _ensure_ready_for_discharge(episode: EpisodeOfCare, discharge_date: date) -> None:
    """Every note signed, and nothing recorded after the discharge date."""
    drafts = visits.draft_visits(episode.id)
    if drafts:
        raise Conflict(f"{len(drafts)} visit note(s) of the episode are unsigned; sign them before discharging.",
                       extensions={"draft_visits": [{"id": str(d.id), "visit_date": d.visit_date.isoformat(),
                                                     "therapist_id": str(d.therapist_id)} for d in drafts]})
    _, last = _entry_span(episode)
    if last is not None and discharge_date < last:
        raise RuleViolation("discharge_date", f"Must not be before the episode's last entry ({last.isoformat()}).")


def _settle_goals(episode: EpisodeOfCare, settlements: Sequence[Mapping[str, Any]], on: date) -> None:
    """No goal stays active on a closed episode: the request gives each its final status, or is refused."""
    still_active = visits.settle_goals(episode, settlements, on)
    if still_active:
        raise Conflict(f"{len(still_active)} goal(s) of the episode are still active; give each its final status "
                       "in `goals` ([{id, status}]: met, not_met or discontinued).",
                       extensions={"active_goals": [{"id": str(goal.id), "text": goal.text}
                                                    for goal in still_active]})


def discharge_episode(episode: EpisodeOfCare, *, reason: str, discharge_date: date | None = None,
                      note: str | None = None, goals: Sequence[Mapping[str, Any]] = ()) -> EpisodeView:
    """The discharge of an episode locked with ``patients.lock_episode`` (its goals are locked next)."""
    if episode.status != "active":
        raise Conflict(f"The episode of care is {patients.STATE_WORDS[episode.status]} already.")
    discharge_date = discharge_date or today()
    if discharge_date < episode.start_date:
        raise RuleViolation("discharge_date", "Must not be before the episode's start_date.")
    _ensure_ready_for_discharge(episode, discharge_date)
    _settle_goals(episode, goals, discharge_date)
    episode.status = "discharged"
    episode.discharge_date = discharge_date
    episode.discharge_reason = reason
    episode.discharge_note = note
    audit.record("episode.discharge", "episode_of_care", episode.id, patient_id=episode.patient_id)
    signals.episode_discharged.send(episode, episode_id=episode.id)
    return view(episode)


def reopen_episode(episode: EpisodeOfCare, by: User, *, reason: str) -> EpisodeView:
    """A discharge undone (discharged too early, the pain came back) within ``EPISODE_REOPEN_DAYS``: the
    discharge's date, reason and note are cleared here and kept in the audit event. Follow-up responses
    stay follow-ups."""
    window = current_app.config["EPISODE_REOPEN_DAYS"]
    if episode.status != "discharged":
        raise Conflict("Only a discharged episode can be reopened.")
    if today() > episode.discharge_date + timedelta(days=window):
        raise Conflict(f"The episode was discharged on {episode.discharge_date}; it can be reopened within "
                       f"{window} days of its discharge. Open a new episode instead.")
    audit.record("episode.reopen", "episode_of_care", episode.id, patient_id=episode.patient_id,
                 details={"reason": reason, "discharge_date": episode.discharge_date.isoformat(),
                          "discharge_reason": episode.discharge_reason, "discharge_note": episode.discharge_note})
    episode.status, episode.discharge_date, episode.discharge_reason, episode.discharge_note = (
        "active", None, None, None)
    signals.episode_reopened.send(episode, episode_id=episode.id, by=by)
    return view(episode)


def mark_entered_in_error(episode: EpisodeOfCare, by: User, *, reason: str) -> EpisodeView:
    """An episode opened by mistake (the wrong patient, a duplicate) is kept, marked, and leaves every
    list and count; one that holds a signed note is a real record of care and is corrected otherwise."""
    if episode.status == "entered_in_error":
        raise Conflict("The episode is marked entered in error already.")
    if visits.has_signed_note(episode.id):
        raise Conflict("The episode holds a signed visit note: it is a record of care. Mark that note entered "
                       "in error first if it was written in the wrong chart.")
    episode.status, episode.entered_in_error_at = "entered_in_error", utcnow()
    episode.entered_in_error_by, episode.entered_in_error_reason = by.id, reason
    audit.record("episode.entered_in_error", "episode_of_care", episode.id, patient_id=episode.patient_id,
                 details={"reason": reason})
    signals.episode_entered_in_error.send(episode, episode_id=episode.id)
    return view(episode)


def acknowledge_red_flag(episode_id: uuid.UUID, flag: str, note: str, by: User) -> EpisodeView:
    """A therapist's review of a raised flag (its id, or every open flag of a code), with what was done."""
    episode = patients.lock_episode(episode_id)
    questionnaires.acknowledge_red_flags(episode, flag, note, by)
    return view(episode)


# ---- the worklist across patients ------------------------------------------------------------------

@dataclass(frozen=True)
class WorklistRow:
    """An episode on a worklist: as the episode view shows it, with its patient and its measures due."""

    episode: EpisodeOfCare
    red_flags: Sequence[EpisodeRedFlag]
    patient: Any
    measures_due: int

    def __getattr__(self, name: str) -> Any:
        return getattr(self.episode, name)


def _worklist_filters(query: Any, caller: User, filters: Mapping[str, Any]) -> Any:
    """The worklist's filters, each in SQL; ``therapist_id="me"`` is the caller's caseload."""
    therapist = caller.id if filters.get("therapist_id") == "me" else filters.get("therapist_id")
    exact = {"status": EpisodeOfCare.status, "body_region": EpisodeOfCare.body_region,
             "therapist_id": EpisodeOfCare.therapist_id}
    values = {**filters, "therapist_id": therapist}
    for name, column in exact.items():
        if values.get(name) is not None:
            query = query.where(column == values[name])
    if filters.get("status") is None and not filters.get("include_entered_in_error"):
        query = query.where(EpisodeOfCare.status != "entered_in_error")
    if filters.get("diagnosis_code"):
        prefix = patients.like_escape(filters["diagnosis_code"])
        query = query.where(EpisodeOfCare.diagnosis_code.like(f"{prefix}%", escape="\\"))
    for name, column in (("started", EpisodeOfCare.start_date), ("discharged", EpisodeOfCare.discharge_date)):
        if filters.get(f"{name}_from") is not None:
            query = query.where(column >= filters[f"{name}_from"])
        if filters.get(f"{name}_to") is not None:
            query = query.where(column <= filters[f"{name}_to"])
    return query


def worklist(caller: User, *, page: int, per_page: int, has_open_red_flags: bool | None = None,
             has_measures_due: bool | None = None, **filters: Any) -> Page:
    """Episodes across patients, open red flags first, then the latest started: a therapist's caseload
    (``therapist_id="me"``), the front desk's pending intakes and measures due. Filtered and counted in
    SQL: a page costs the same few statements whatever the number of episodes."""
    flagged = questionnaires.has_open_red_flags_sql(EpisodeOfCare.id)
    due = schedule.due_count_sql()
    query = _worklist_filters(select(EpisodeOfCare, Patient, due.label("measures_due"))
                              .join(Patient, Patient.id == EpisodeOfCare.patient_id), caller, filters)
    if has_open_red_flags is not None:
        query = query.where(flagged if has_open_red_flags else ~flagged)
    if has_measures_due is not None:
        query = query.where(due > 0 if has_measures_due else due == 0)
    query = query.order_by(case((flagged, 0), else_=1), EpisodeOfCare.start_date.desc(),
                           EpisodeOfCare.created_at.desc(), EpisodeOfCare.id)
    found = paginate_rows(query, page, per_page)
    flags = questionnaires.open_red_flags([row.EpisodeOfCare.id for row in found.items])
    rows = [WorklistRow(row.EpisodeOfCare, flags[row.EpisodeOfCare.id], row.Patient, row.measures_due)
            for row in found.items]
    audit.record_reads("episode.list", "episode_of_care", [(row.id, row.patient_id) for row in rows])
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)
