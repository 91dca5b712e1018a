"""The kept outcome summaries: each episode's measures and return to running, as ``outcomes.service`` works them
out, stored so that the clinic report reads one row per episode and measure instead of every score.

They are derived data: ``outcomes.summaries`` replaces an episode's rows from its records whenever a record event
names it (once per request, just before the commit), and ``flask --app wsgi outcomes rebuild`` rebuilds them all.
An episode entered in error has none. Each measure's row also carries its episode's filter columns (status, body
region, diagnosis, therapist, start and discharge dates: ``EPISODE_COLUMNS``), copied from the same episode when
the rows are replaced, so that the report reads ``outcome_summaries`` alone, without joining each row to its
episode (every change of these columns is an episode event, which replaces the rows). ``days_in_care`` is kept
only once the episode is discharged (an open episode's grows each day without any write): a report works it out
from ``start_date`` for the others.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic_api.extensions import db

# The episode's columns a report filters on, kept on both tables.
EPISODE_COLUMNS = ("status", "body_region", "diagnosis_code", "therapist_id", "start_date", "discharge_date")
SCORE = Numeric(8, 2)  # like questionnaire_responses.total (pain scores are whole numbers)


class EpisodeColumns:
    """The episode's columns a report filters on (``EPISODE_COLUMNS``), copied from the episode on both tables."""

    status: Mapped[str] = mapped_column(String(20))
    body_region: Mapped[str] = mapped_column(String(20))
    diagnosis_code: Mapped[str | None] = mapped_column(String(8))
    therapist_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    start_date: Mapped[date]
    discharge_date: Mapped[date | None]


class OutcomeSummary(EpisodeColumns, db.Model):
    """One measure of one episode (``service.Measure``): baseline, latest, change and MCID, with their records."""

    __tablename__ = "outcome_summaries"
    __table_args__ = (
        UniqueConstraint("episode_id", "measure_key", name="uq_outcome_summaries_episode_measure"),
        Index("ix_outcome_summaries_measure_key", "measure_key"),
        # The report's filters beside the measure: a filtered report reads the matching rows of each status.
        Index("ix_outcome_summaries_status_start_date", "status", "start_date"),
        Index("ix_outcome_summaries_status_discharge_date", "status", "discharge_date"),
        Index("ix_outcome_summaries_therapist_id", "therapist_id"),
        Index("ix_outcome_summaries_diagnosis_code", "diagnosis_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes_of_care.id"))
    measure_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(14))
    questionnaire_code: Mapped[str | None] = mapped_column(String(40))
    headline: Mapped[bool]
    higher_is_better: Mapped[bool]
    baseline_value: Mapped[Decimal | None] = mapped_column(SCORE)
    baseline_at: Mapped[datetime | None]
    baseline_source: Mapped[uuid.UUID | None]
    latest_value: Mapped[Decimal | None] = mapped_column(SCORE)
    latest_at: Mapped[datetime | None]
    latest_source: Mapped[uuid.UUID | None]
    change: Mapped[Decimal | None] = mapped_column(SCORE)
    percent_change: Mapped[Decimal | None] = mapped_column(Numeric(9, 1))
    mcid_reached: Mapped[bool | None]
    first_mcid_at: Mapped[datetime | None]
    days_to_mcid: Mapped[int | None]
    visits_to_mcid: Mapped[int | None]
    scores_count: Mapped[int]
    follow_ups_count: Mapped[int]
    last_follow_up_value: Mapped[Decimal | None] = mapped_column(SCORE)


class EpisodeOutcomeSummary(EpisodeColumns, db.Model):
    """One episode in brief (``service.EpisodeOutcome``): its status and dates, visits and return to running."""

    __tablename__ = "episode_outcome_summaries"
    __table_args__ = (
        Index("ix_episode_outcome_summaries_status", "status"),
        Index("ix_episode_outcome_summaries_start_date", "start_date"),
        Index("ix_episode_outcome_summaries_discharge_date", "discharge_date"),
        Index("ix_episode_outcome_summaries_diagnosis_code", "diagnosis_code"),
        Index("ix_episode_outcome_summaries_therapist_id", "therapist_id"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes_of_care.id"), primary_key=True)
    visits_count: Mapped[int]
    days_in_care: Mapped[int | None]
    has_pre_injury_distance: Mapped[bool]
    returned_to_run: Mapped[bool | None]
    return_week_start: Mapped[date | None]
    weeks_to_return: Mapped[int | None]
