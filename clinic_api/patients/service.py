"""Registering and finding patients; the episode rows and the rules every layer above applies to them
(an episode exists, is active, is locked before anything in it changes)."""
from __future__ import annotations

import re
import secrets
import unicodedata
import uuid
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, select

from clinic_api.audit import service as audit
from clinic_api.core.errors import Conflict
from clinic_api.core.lifecycle import keep_writes_if_refused
from clinic_api.core.lookup import get_or_404
from clinic_api.core.pagination import Page
from clinic_api.core.types import utcnow
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient

PROFILE_COLUMNS = {"weekly_distance_km": "weekly_distance_km", "years_running": "years_running"}
GOAL_RACE_COLUMNS = {"name": "goal_race_name", "date": "goal_race_date", "distance_km": "goal_race_distance_km"}


def fold(text: str) -> str:
    """Lower case without accents, so that "müller" finds "Müller" and "MULLER" alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def like_escape(text: str) -> str:
    """Text to match literally in a LIKE pattern (escape character: backslash)."""
    return re.sub(r"([\\%_])", r"\\\1", text)


# ---- patients -------------------------------------------------------------------------------------

def get_patient(patient_id: uuid.UUID, *, for_update: bool = False) -> Patient:
    return get_or_404(Patient, patient_id, "Patient", for_update=for_update)


def read_patient(patient_id: uuid.UUID) -> Patient:
    patient = get_patient(patient_id)
    audit.record("patient.read", "patient", patient.id, patient_id=patient.id)
    return patient


def _new_mrn() -> str:
    while True:
        mrn = f"C{secrets.randbelow(10**7):07d}"
        if db.session.scalar(select(Patient.id).where(Patient.mrn == mrn)) is None:
            return mrn


def _apply(patient: Patient, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name != "running_profile":
            setattr(patient, name, value)
    profile = fields.get("running_profile", ...)
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


def _ensure_not_a_duplicate(first_name: str, last_name: str, date_of_birth: date) -> None:
    """One person, one chart: the same folded name and date of birth (archived patients included) is a
    409 naming the records found, their read audited, unless the request confirms another person."""
    name = like_escape(fold(f"{first_name} {last_name}"))
    found = list(db.session.scalars(select(Patient).where(Patient.date_of_birth == date_of_birth,
                                                          Patient.search_text.like(f"{name} %", escape="\\"))
                                    .order_by(Patient.created_at).limit(10)))
    if found:
        audit.record_reads("patient.duplicate_check", "patient", [(patient.id, patient.id) for patient in found])
        keep_writes_if_refused()  # the refusal showed these records: their read stays in the trail
        raise Conflict("A patient with this name and date of birth is registered already; open that record, or "
                       "send confirm_new: true if this is another person.", extensions={"possible_duplicates": [
                           {"id": str(p.id), "mrn": p.mrn, "first_name": p.first_name, "last_name": p.last_name,
                            "date_of_birth": p.date_of_birth.isoformat(), "archived": p.archived_at is not None}
                           for p in found]})


def create_patient(*, first_name: str, last_name: str, date_of_birth: date, sex: str, mrn: str | None = None,
                   email: str | None = None, phone: str | None = None,
                   running_profile: Mapping[str, Any] | None = None, confirm_new: bool = False) -> Patient:
    if not confirm_new:
        _ensure_not_a_duplicate(first_name, last_name, date_of_birth)
    if mrn:
        _ensure_mrn_free(mrn)
    patient = Patient()
    _apply(patient, {"mrn": mrn or _new_mrn(), "first_name": first_name, "last_name": last_name,
                     "date_of_birth": date_of_birth, "sex": sex, "email": email, "phone": phone,
                     "running_profile": running_profile})
    db.session.add(patient)
    db.session.flush()
    audit.record("patient.create", "patient", patient.id, patient_id=patient.id)
    return patient


def search_patients(*, page: int, per_page: int, q: str | None = None, date_of_birth: date | None = None,
                    include_archived: bool = False) -> Page:
    query: Select = select(Patient).order_by(Patient.created_at.desc(), Patient.id)
    if not include_archived:
        query = query.where(Patient.archived_at.is_(None))
    for word in fold(q or "").split():
        query = query.where(Patient.search_text.like(f"%{like_escape(word)}%", escape="\\"))
    if date_of_birth:
        query = query.where(Patient.date_of_birth == date_of_birth)
    return audit.audited_page(query, page=page, per_page=per_page, action="patient.list", resource_type="patient",
                              patient_of=lambda patient: patient.id)


def patients_of_episodes(episode_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Patient]:
    """The patient of each episode, in one query (for a page of worklist rows)."""
    if not episode_ids:
        return {}
    rows = db.session.execute(select(EpisodeOfCare.id, Patient).join(Patient, Patient.id == EpisodeOfCare.patient_id)
                              .where(EpisodeOfCare.id.in_(list(episode_ids)))).all()
    return {row[0]: row[1] for row in rows}


def patient_episodes(patient_id: uuid.UUID) -> list[EpisodeOfCare]:
    """Every episode of the patient that is in the record (none entered in error), latest start first."""
    return list(db.session.scalars(
        select(EpisodeOfCare).where(EpisodeOfCare.patient_id == patient_id, EpisodeOfCare.status != "entered_in_error")
        .order_by(EpisodeOfCare.start_date.desc(), EpisodeOfCare.created_at.desc(), EpisodeOfCare.id)))


def ensure_not_archived(patient: Patient) -> None:
    if patient.archived_at is not None:
        raise Conflict("The patient is archived; their record is read-only.")


def update_patient(patient: Patient, changes: Mapping[str, Any]) -> Patient:
    ensure_not_archived(patient)
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


# ---- the episode rows ---------------------------------------------------------------------------

def get_episode(episode_id: uuid.UUID, *, for_update: bool = False) -> EpisodeOfCare:
    return get_or_404(EpisodeOfCare, episode_id, "Episode of care", for_update=for_update)


def lock_episode(episode_id: uuid.UUID) -> EpisodeOfCare:
    """The episode, its row locked (PostgreSQL) until the commit: every write in an episode takes this
    lock first, so that a discharge and a new entry (or a sign and a pain score) cannot pass each other's
    checks, and writers queue in one order and never deadlock. SQLite serialises writers anyway."""
    return get_episode(episode_id, for_update=True)


class InEpisode(Protocol):
    id: Any
    episode_id: uuid.UUID


E = TypeVar("E", bound=InEpisode)


def lock_entry(model: type[E], entry_id: uuid.UUID, label: str) -> tuple[E, EpisodeOfCare]:
    """An entry of an episode (a visit, a goal, ...) to change: its episode is locked first, then the entry."""
    entry = get_or_404(model, entry_id, label)
    episode = lock_episode(entry.episode_id)
    db.session.refresh(entry, with_for_update=True)
    return entry, episode


def episode_patient_id(episode_id: uuid.UUID) -> uuid.UUID:
    return db.session.scalar(select(EpisodeOfCare.patient_id).where(EpisodeOfCare.id == episode_id))


STATE_WORDS = {"pending": "pending (awaiting its evaluation: a therapist completes it with the diagnosis)",
               "discharged": "discharged", "entered_in_error": "marked entered in error"}


def ensure_active(episode: EpisodeOfCare, what: str = "changes") -> None:
    if episode.status != "active":
        raise Conflict(f"The episode of care is {STATE_WORDS.get(episode.status, episode.status)}; "
                       f"it takes no {what}.")


def ensure_not_entered_in_error(episode: EpisodeOfCare) -> None:
    if episode.status == "entered_in_error":
        raise Conflict("The episode of care is marked entered in error; it takes nothing more.")
