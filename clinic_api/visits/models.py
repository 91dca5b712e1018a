from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_api.core.sql import one_of
from clinic_api.core.types import utcnow
from clinic_api.extensions import db

VISIT_TYPES = ("initial_evaluation", "follow_up", "re_evaluation", "discharge")
VISIT_STATUSES = ("draft", "signed")
PAIN_CONTEXTS = ("current", "worst_24h", "best_24h", "during_running", "after_running", "stairs_down",
                 "stairs_up", "squatting", "sitting", "night")
SURFACES = ("road", "track", "trail", "treadmill", "grass", "mixed", "other")
GOAL_STATUSES = ("active", "met", "not_met", "discontinued")
NOTE_MAX = 20_000


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint(one_of("visit_type", VISIT_TYPES), name="visit_type"),
        CheckConstraint(one_of("status", VISIT_STATUSES), name="status"),
        CheckConstraint("(status = 'signed') = (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
                        name="signed_stamped"),
        Index("ix_visits_episode_date", "episode_id", "visit_date"),
        # One initial evaluation per episode, even under two concurrent first visits.
        Index("uq_visits_initial_evaluation", "episode_id", unique=True,
              sqlite_where=text("visit_type = 'initial_evaluation'"),
              postgresql_where=text("visit_type = 'initial_evaluation'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes_of_care.id"))
    therapist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    visit_date: Mapped[date]
    visit_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    subjective: Mapped[str | None] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(Text)
    interventions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    home_exercises: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Loaded with a page of visits in one extra query each, whatever the number of visits.
    pain_scores: Mapped[list[PainScore]] = relationship(
        lazy="selectin", order_by="(PainScore.recorded_at, PainScore.created_at)", back_populates="visit")
    addenda: Mapped[list[Addendum]] = relationship(lazy="selectin", order_by="Addendum.created_at")


class Addendum(db.Model):
    """A correction or late entry to a signed visit: signed by its author when written, never changed."""

    __tablename__ = "visit_addenda"
    __table_args__ = (Index("ix_visit_addenda_visit", "visit_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PainScore(db.Model):
    __tablename__ = "pain_scores"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 10", name="score"),
        CheckConstraint(one_of("context", PAIN_CONTEXTS), name="context"),
        Index("ix_pain_scores_episode_recorded", "episode_id", "recorded_at"),
        Index("ix_pain_scores_visit", "visit_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes_of_care.id"))
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    score: Mapped[int]
    context: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(2000))
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    visit: Mapped[Visit | None] = relationship(lazy="raise", back_populates="pain_scores")


class RunLog(db.Model):
    """One run of the graded return to running."""

    __tablename__ = "run_logs"
    __table_args__ = (
        CheckConstraint("distance_km >= 0 AND distance_km <= 300", name="distance_km"),
        CheckConstraint("duration_min > 0 AND duration_min <= 4320", name="duration_min"),
        CheckConstraint("pain_during IS NULL OR (pain_during >= 0 AND pain_during <= 10)", name="pain_during"),
        CheckConstraint("pain_after IS NULL OR (pain_after >= 0 AND pain_after <= 10)", name="pain_after"),
        CheckConstraint("surface IS NULL OR " + one_of("surface", SURFACES), name="surface"),
        Index("ix_run_logs_episode_date", "episode_id", "run_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes_of_care.id"))
    run_date: Mapped[date]
    distance_km: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    duration_min: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    run_walk: Mapped[str | None] = mapped_column(String(11))
    surface: Mapped[str | None] = mapped_column(String(10))
    pain_during: Mapped[int | None]
    pain_after: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(String(2000))
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Goal(db.Model):
    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(one_of("status", GOAL_STATUSES), name="status"),
        CheckConstraint("(target_measure IS NULL) = (target_value IS NULL)", name="target_complete"),
        Index("ix_goals_episode", "episode_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes_of_care.id"))
    text: Mapped[str] = mapped_column(String(1000))
    target_date: Mapped[date | None]
    target_measure: Mapped[str | None] = mapped_column(String(40))
    target_value: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    status: Mapped[str] = mapped_column(String(14), default="active")
    status_date: Mapped[date]
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def target(self) -> dict[str, Any] | None:
        if self.target_measure is None:
            return None
        return {"measure": self.target_measure, "value": self.target_value}
