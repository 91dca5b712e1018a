from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic_api.core.sql import one_of
from clinic_api.core.types import utcnow
from clinic_api.extensions import db

SOURCES = ("patient", "staff")


class Questionnaire(db.Model):
    """One version of an instrument's definition. Never changed: a change is a new version."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("code", "version"), CheckConstraint("version >= 1", name="version"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    builtin: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionnaireResponse(db.Model):
    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        CheckConstraint(one_of("source", SOURCES), name="source"),
        Index("ix_questionnaire_responses_episode_code_taken", "episode_id", "questionnaire_code", "taken_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes_of_care.id"))
    questionnaire_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("questionnaires.id"))
    # Denormalised from the definition so that outcome reports aggregate by measure in SQL.
    questionnaire_code: Mapped[str] = mapped_column(String(40))
    questionnaire_version: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    taken_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(10))
    entered_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    total: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    subscales: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    missing_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    red_flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("questionnaire_responses.id"), unique=True)
    replaced_at: Mapped[datetime | None]
    # Taken after the discharge (a "3 months after" measure): never the in-care latest, never a bound of
    # the episode's dates.
    follow_up: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(lazy="joined", innerjoin=True)


class EpisodeRedFlag(db.Model):
    """A red flag raised by a response; shown on the episode until a therapist acknowledges it."""

    __tablename__ = "episode_red_flags"
    __table_args__ = (Index("ix_episode_red_flags_episode_open", "episode_id", "acknowledged_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes_of_care.id"))
    response_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("questionnaire_responses.id"))
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(String(1000))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(String(2000))
