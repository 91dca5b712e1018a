"""Registering and finding patients; opening, changing and discharging episodes of care."""
from __future__ import annotations

import re
import secrets
import unicodedata
import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, select

from clinic_api.audit import service as audit
from clinic_api.auth.models import User
from clinic_api.core.access import THERAPIST
from clinic_api.core.errors import Conflict, NotFound, RuleViolation
from clinic_api.core.pagination import Page, paginate
from clinic_api.core.types import today, utcnow
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.visits import records

PROFILE_COLUMNS = {"weekly_distance_km": "weekly_distance_km", "years_running": "years_running"}
GOAL_RACE_COLUMNS = {"name": "goal_race_name", "date": "goal_race_date", "distance_km": "goal_race_distance_km"}


def fold(text: str) -> str:
    """Lower case without accents, so that "müller" finds "Müller" and "MULLER" alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _like_escape(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


# ---- patients -------------------------------------------------------------------------------------

def get_patient(patient_id: uuid.UUID) -> Patient:
    patient = db.session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("Patient")
    return patient


def read_patient(patient_id: uuid.UUID) -> Patient:
    patient = get_patient(patient_id)
    audit.record("patient.read", "patient", patient.id, patient_id=patient.id)
    return patient


def _new_mrn() -> str:
    while True:
        mrn = f"C{secrets.randbelow(10**7):07d}"
        if db.session.scalar(select(Patient.id).where(Patient.mrn == mrn)) is None:
            return mrn


def _apply(patient: Patient, fields: dict[str, Any]) -> None:
    profile = fields.pop("running_profile", ...)
    for name, value in fields.items():
        setattr(patient, name, value)
    if profile is None:
        profile = {name: None for name in PROFILE_COLUMNS} | {"goal_race": None}
    if profile is not ...:
        for name, column in PROFILE_COLUMNS.items():
            if name in profile:
                setattr(patient, column, profile[name])
        if "goal_race" in profile:
            race = profile["goal_race"] or dict.fromkeys(GOAL_RACE_COLUMNS)
            for name, column in GOAL_RACE_COLUMNS.items():
                if name in race:
                    setattr(patient, column, race[name])
    patient.search_text = fold(f"{patient.first_name} {patient.last_name} {patient.mrn}")


def _ensure_mrn_free(mrn: str, patient_id: uuid.UUID | None = None) -> None:
    holder = db.session.scalar(select(Patient.id).where(Patient.mrn == mrn))
    if holder is not None and holder != patient_id:
        raise Conflict("Another patient has this MRN.", errors={"mrn": ["Already in use."]})


def create_patient(fields: dict[str, Any]) -> Patient:
    if fields.get("mrn"):
        _ensure_mrn_free(fields["mrn"])
    else:
        fields["mrn"] = _new_mrn()
    patient = Patient()
    _apply(patient, fields)
    db.session.add(patient)
    db.session.flush()
    audit.record("patient.create", "patient", patient.id, patient_id=patient.id)
    return patient


def search_patients(args: dict[str, Any]) -> Page:
    query: Select = select(Patient).order_by(Patient.created_at.desc(), Patient.id)
    if not args.get("include_archived"):
        query = query.where(Patient.archived_at.is_(None))
    for word in fold(args.get("q") or "").split():
        query = query.where(Patient.search_text.like(f"%{_like_escape(word)}%", escape="\\"))
    if args.get("date_of_birth"):
        query = query.where(Patient.date_of_birth == args["date_of_birth"])
    page = paginate(query, args["page"], args["per_page"])
    audit.record_reads("patient.list", "patient", ((p.id, p.id) for p in page.items))
    return page


def _ensure_not_archived(patient: Patient) -> None:
    if patient.archived_at is not None:
        raise Conflict("The patient is archived; their record is read-only.")


def update_patient(patient: Patient, changes: dict[str, Any]) -> Patient:
    _ensure_not_archived(patient)
    if "mrn" in changes:
        _ensure_mrn_free(changes["mrn"], patient.id)
    changed = sorted(changes)
    _apply(patient, changes)
    audit.record("patient.update", "patient", patient.id, patient_id=patient.id, details={"fields": changed})
    return patient


def archive_patient(patient: Patient) -> None:
    if patient.archived_at is None:
        patient.archived_at = utcnow()
        audit.record("patient.archive", "patient", patient.id, patient_id=patient.id)


# ---- episodes of care -----------------------------------------------------------------------------

def get_episode(episode_id: uuid.UUID, *, for_update: bool = False) -> EpisodeOfCare:
    """The episode; ``for_update`` locks its row (PostgreSQL) so that a discharge and a new entry in the
    episode cannot pass each other's checks at the same time. SQLite serialises writers anyway."""
    episode = db.session.get(EpisodeOfCare, episode_id, with_for_update=for_update)
    if episode is None:
        raise NotFound("Episode of care")
    return episode


def read_episode(episode_id: uuid.UUID) -> EpisodeOfCare:
    episode = get_episode(episode_id)
    audit.record("episode.read", "episode_of_care", episode.id, patient_id=episode.patient_id)
    return episode


def _ensure_therapist(user_id: uuid.UUID) -> None:
    therapist = db.session.get(User, user_id)
    if therapist is None or therapist.role != THERAPIST or not therapist.active:
        raise RuleViolation("therapist_id", "Must be an active therapist's id.")


def _check_dates(onset: date | None, start: date, born: date) -> None:
    if onset is not None and onset > start:
        raise RuleViolation("onset_date", "Must not be after start_date.")
    for name, day in (("onset_date", onset), ("start_date", start)):
        if day is not None and day < born:
            raise RuleViolation(name, "Must not be before the patient's date of birth.")


def open_episode(patient: Patient, fields: dict[str, Any], opened_by: User) -> EpisodeOfCare:
    _ensure_not_archived(patient)
    if fields.get("therapist_id") is None:
        fields["therapist_id"] = opened_by.id if opened_by.role == THERAPIST else None
    if fields["therapist_id"] is not None:
        _ensure_therapist(fields["therapist_id"])
    _check_dates(fields.get("onset_date"), fields["start_date"], patient.date_of_birth)
    episode = EpisodeOfCare(patient_id=patient.id, status="active", **fields)
    db.session.add(episode)
    db.session.flush()
    audit.record("episode.create", "episode_of_care", episode.id, patient_id=patient.id)
    return episode


def list_episodes(patient: Patient, args: dict[str, Any]) -> Page:
    query = (select(EpisodeOfCare).where(EpisodeOfCare.patient_id == patient.id)
             .order_by(EpisodeOfCare.start_date.desc(), EpisodeOfCare.created_at.desc()))
    if args.get("status"):
        query = query.where(EpisodeOfCare.status == args["status"])
    page = paginate(query, args["page"], args["per_page"])
    audit.record_reads("episode.list", "episode_of_care", ((e.id, e.patient_id) for e in page.items))
    return page


def ensure_active(episode: EpisodeOfCare, what: str = "changes") -> None:
    if episode.status != "active":
        raise Conflict(f"The episode of care is discharged; it takes no {what}.")


def update_episode(episode: EpisodeOfCare, changes: dict[str, Any]) -> EpisodeOfCare:
    ensure_active(episode)
    if changes.get("therapist_id") is not None:
        _ensure_therapist(changes["therapist_id"])
    born = db.session.scalar(select(Patient.date_of_birth).where(Patient.id == episode.patient_id))
    _check_dates(changes.get("onset_date", episode.onset_date), changes.get("start_date", episode.start_date), born)
    if "start_date" in changes:
        records.ensure_start_before_entries(episode, changes["start_date"])
    for name, value in changes.items():
        setattr(episode, name, value)
    audit.record("episode.update", "episode_of_care", episode.id, patient_id=episode.patient_id,
                 details={"fields": sorted(changes)})
    return episode


def discharge_episode(episode: EpisodeOfCare, fields: dict[str, Any]) -> EpisodeOfCare:
    if episode.status == "discharged":
        raise Conflict("The episode of care is already discharged.")
    discharge_date = fields.get("discharge_date") or today()
    if discharge_date < episode.start_date:
        raise RuleViolation("discharge_date", "Must not be before the episode's start_date.")
    records.ensure_ready_for_discharge(episode, discharge_date)
    episode.status = "discharged"
    episode.discharge_date = discharge_date
    episode.discharge_reason = fields["reason"]
    episode.discharge_note = fields.get("note")
    audit.record("episode.discharge", "episode_of_care", episode.id, patient_id=episode.patient_id)
    return episode
