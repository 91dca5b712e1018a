from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_api.core.sql import one_of
from clinic_api.core.types import utcnow
from clinic_api.extensions import db

SEXES = ("female", "male", "other", "unknown")  # FHIR AdministrativeGender
BODY_REGIONS = ("lumbar_spine", "pelvis", "hip", "thigh", "knee", "lower_leg", "ankle", "foot", "other")
SIDES = ("left", "right", "bilateral", "not_applicable")
# entered_in_error: opened by mistake (the wrong patient, a duplicate); kept, read by id, out of every list.
EPISODE_STATUSES = ("active", "discharged", "entered_in_error")
DISCHARGE_REASONS = ("goals_met", "plateau", "patient_request", "referred_out", "non_attendance", "other")


class Patient(db.Model):
    __tablename__ = "patients"
    __table_args__ = (
        CheckConstraint(one_of("sex", SEXES), name="sex"),
        CheckConstraint("weekly_distance_km IS NULL OR (weekly_distance_km >= 0 AND weekly_distance_km <= 400)",
                        name="weekly_distance_km"),
        CheckConstraint("years_running IS NULL OR (years_running >= 0 AND years_running <= 90)",
                        name="years_running"),
        CheckConstraint("goal_race_distance_km IS NULL OR (goal_race_distance_km > 0 AND "
                        "goal_race_distance_km <= 400)", name="goal_race_distance_km"),
        Index("ix_patients_created_at", "created_at"),
        Index("ix_patients_last_first", "last_name", "first_name"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    mrn: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Case- and accent-folded "first last mrn", so that search behaves alike on SQLite and PostgreSQL.
    search_text: Mapped[str] = mapped_column(String(240))
    date_of_birth: Mapped[date]
    sex: Mapped[str] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(24))
    weekly_distance_km: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    years_running: Mapped[int | None]
    goal_race_name: Mapped[str | None] = mapped_column(String(120))
    goal_race_date: Mapped[date | None]
    goal_race_distance_km: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def running_profile(self) -> dict[str, object]:
        goal_race = None
        if self.goal_race_name or self.goal_race_date or self.goal_race_distance_km is not None:
            goal_race = {"name": self.goal_race_name, "date": self.goal_race_date,
                         "distance_km": self.goal_race_distance_km}
        return {"weekly_distance_km": self.weekly_distance_km, "years_running": self.years_running,
                "goal_race": goal_race}


class EpisodeOfCare(db.Model):
    __tablename__ = "episodes_of_care"
    __table_args__ = (
        CheckConstraint(one_of("body_region", BODY_REGIONS), name="body_region"),
        CheckConstraint(one_of("side", SIDES), name="side"),
        CheckConstraint(one_of("status", EPISODE_STATUSES), name="status"),
        CheckConstraint("discharge_reason IS NULL OR " + one_of("discharge_reason", DISCHARGE_REASONS),
                        name="discharge_reason"),
        CheckConstraint("onset_date IS NULL OR onset_date <= start_date", name="onset_before_start"),
        CheckConstraint("discharge_date IS NULL OR discharge_date >= start_date", name="discharge_after_start"),
        CheckConstraint("(status = 'discharged') = (discharge_date IS NOT NULL)", name="discharged_has_date"),
        CheckConstraint("(status = 'entered_in_error') = (entered_in_error_at IS NOT NULL)",
                        name="entered_in_error_stamped"),
        CheckConstraint("pre_injury_weekly_km IS NULL OR (pre_injury_weekly_km >= 0 AND pre_injury_weekly_km <= 400)",
                        name="pre_injury_weekly_km"),
        Index("ix_episodes_of_care_patient_start", "patient_id", "start_date"),
        Index("ix_episodes_of_care_therapist", "therapist_id"),
        Index("ix_episodes_of_care_diagnosis", "diagnosis_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    body_region: Mapped[str] = mapped_column(String(20))
    side: Mapped[str] = mapped_column(String(20))
    diagnosis_code: Mapped[str] = mapped_column(String(8))
    diagnosis_text: Mapped[str] = mapped_column(String(200))
    onset_date: Mapped[date | None]
    referral_source: Mapped[str | None] = mapped_column(String(200))
    therapist_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="active")
    discharge_date: Mapped[date | None]
    discharge_reason: Mapped[str | None] = mapped_column(String(20))
    discharge_note: Mapped[str | None] = mapped_column(String(2000))
    # The running baseline of this episode's return to run: the profile's usual weekly distance when the
    # episode opened, correctable while it is active, frozen with it at discharge (a later edit of the
    # profile, for the next injury say, must not rewrite an old episode's outcome).
    pre_injury_weekly_km: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    entered_in_error_at: Mapped[datetime | None]
    entered_in_error_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    entered_in_error_reason: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    patient: Mapped[Patient] = relationship(lazy="raise")
