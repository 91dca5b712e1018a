from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ColumnElement, ForeignKey, Index, Numeric, String, Text, and_, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_api.core.sql import one_of
from clinic_api.core.types import utcnow
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare

VISIT_TYPES = ("initial_evaluation", "follow_up", "re_evaluation", "discharge")
# voided: a draft withdrawn by its author (a duplicate, a cancelled visit); kept, out of lists and counts.
VISIT_STATUSES = ("draft", "signed", "voided")
PAIN_CONTEXTS = ("current", "worst_24h", "best_24h", "during_running", "after_running", "stairs_down",
                 "stairs_up", "squatting", "sitting", "night")
SURFACES = ("road", "track", "trail", "treadmill", "grass", "mixed", "other")
GOAL_STATUSES = ("active", "met", "not_met", "discontinued")
NOTE_MAX = 20_000
REASON_MAX = 2000
# A run's pace in minutes per kilometre (duration_min / distance_km): 2:30 to 20:00, both included.
PACE_MIN, PACE_MAX = Decimal("2.5"), Decimal("20")
RUN_BOUNDS = (f"distance_km > 0 AND duration_min >= {PACE_MIN} * distance_km "
              f"AND duration_min <= {PACE_MAX} * distance_km")
# The one initial evaluation of an episode is among the visits that count (not voided, not in error).
INITIAL_EVALUATION_SLOT = ("visit_type = 'initial_evaluation' AND status <> 'voided' "
                           "AND entered_in_error_at IS NULL")


class EnteredInError:
    """An entry that may be marked entered in error: kept, read by id with who marked it, when and why,
    and left out of lists and counts."""

    entered_in_error_at: Mapped[datetime | None]
    entered_in_error_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    entered_in_error_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))


def in_error_stamped() -> CheckConstraint:
    # entered_in_error_by may be NULL: runs out of bounds were marked by migration 0006, not by a person.
    return CheckConstraint("(entered_in_error_at IS NULL) = (entered_in_error_reason IS NULL)",
                           name="entered_in_error_stamped")


class Visit(EnteredInError, db.Model):
    """A visit note: a draft, then signed by its author. A draft may be voided by its author; a signed
    note written in the wrong chart is marked entered in error (it stays signed). Neither counts any more."""

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint(one_of("visit_type", VISIT_TYPES), name="visit_type"),
        CheckConstraint(one_of("status", VISIT_STATUSES), name="status"),
        CheckConstraint("(status = 'signed') = (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
                        name="signed_stamped"),
        CheckConstraint("(status = 'voided') = (voided_at IS NOT NULL AND voided_by IS NOT NULL "
                        "AND void_reason IS NOT NULL)", name="voided_stamped"),
        CheckConstraint("entered_in_error_at IS NULL OR (status = 'signed' AND entered_in_error_by IS NOT NULL "
                        "AND entered_in_error_reason IS NOT NULL)", name="entered_in_error_stamped"),
        Index("ix_visits_episode_date", "episode_id", "visit_date"),
        # One initial evaluation per episode among the visits that count, even under two concurrent first visits.
        Index("uq_visits_initial_evaluation", "episode_id", unique=True,
              sqlite_where=text(INITIAL_EVALUATION_SLOT), postgresql_where=text(INITIAL_EVALUATION_SLOT)),
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
    voided_at: Mapped[datetime | None]
    voided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    episode: Mapped[EpisodeOfCare] = relationship(lazy="raise")
    # Loaded with a page of visits in one extra query each, whatever the number of visits.
    pain_scores: Mapped[list[PainScore]] = relationship(
        lazy="selectin", order_by="(PainScore.recorded_at, PainScore.created_at)", back_populates="visit")
    addenda: Mapped[list[Addendum]] = relationship(lazy="selectin", order_by="Addendum.created_at")

    @hybrid_property
    def counts(self) -> bool:
        """A draft or a signed note not marked entered in error: what the rules and counts see."""
        return self.status != "voided" and self.entered_in_error_at is None

    @counts.inplace.expression
    @classmethod
    def _counts_expression(cls) -> ColumnElement[bool]:
        return and_(cls.status != "voided", cls.entered_in_error_at.is_(None))


class Addendum(db.Model):
    """A correction or late entry to a signed visit: signed by its author when written, never changed."""

    __tablename__ = "visit_addenda"
    __table_args__ = (Index("ix_visit_addenda_visit", "visit_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PainScore(EnteredInError, db.Model):
    """A pain score, alone or taken at a visit (it leaves lists and counts with a voided visit or a note
    marked entered in error)."""

    __tablename__ = "pain_scores"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 10", name="score"),
        CheckConstraint(one_of("context", PAIN_CONTEXTS), name="context"),
        in_error_stamped(),
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


class RunLog(EnteredInError, db.Model):
    """One run of the graded return to running."""

    __tablename__ = "run_logs"
    __table_args__ = (
        CheckConstraint("distance_km >= 0 AND distance_km <= 300", name="distance_km"),
        CheckConstraint("duration_min > 0 AND duration_min <= 4320", name="duration_min"),
        CheckConstraint("pain_during IS NULL OR (pain_during >= 0 AND pain_during <= 10)", name="pain_during"),
        CheckConstraint("pain_after IS NULL OR (pain_after >= 0 AND pain_after <= 10)", name="pain_after"),
        CheckConstraint("surface IS NULL OR " + one_of("surface", SURFACES), name="surface"),
        # A run marked entered in error is kept as it was written, whatever its bounds.
        CheckConstraint(f"entered_in_error_at IS NOT NULL OR ({RUN_BOUNDS})", name="bounds"),
        in_error_stamped(),
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
