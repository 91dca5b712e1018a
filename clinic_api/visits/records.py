"""The dated entries an episode holds, for the rules on the episode itself: its start may not move past
its first entry, its discharge may not come before its last one or while a note is unsigned; and the
visits that the measure schedule counts.

Of the other domains only models are imported here, so the patients service can ask without an import cycle."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from clinic_api.core.errors import Conflict, RuleViolation
from clinic_api.core.types import clinic_date
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare
from clinic_api.questionnaires.models import QuestionnaireResponse
from clinic_api.visits.models import PainScore, RunLog, Visit


def _day(value: date | datetime | None) -> date | None:
    return clinic_date(value) if isinstance(value, datetime) else value


def visit_dates(episode: EpisodeOfCare) -> tuple[list[date], bool]:
    """The episode's visit dates in order, and whether a discharge visit is among them."""
    rows = db.session.execute(select(Visit.visit_date, Visit.visit_type).where(Visit.episode_id == episode.id)).all()
    return sorted(row.visit_date for row in rows), any(row.visit_type == "discharge" for row in rows)


def entry_span(episode: EpisodeOfCare) -> tuple[date | None, date | None]:
    """The first and last day of the episode's visits, runs, pain scores and questionnaire responses."""
    days: list[date] = []
    for column, key in ((Visit.visit_date, Visit.episode_id), (RunLog.run_date, RunLog.episode_id),
                        (PainScore.recorded_at, PainScore.episode_id),
                        (QuestionnaireResponse.taken_at, QuestionnaireResponse.episode_id)):
        first, last = db.session.execute(select(func.min(column), func.max(column)).where(key == episode.id)).one()
        days += [day for day in (_day(first), _day(last)) if day is not None]
    return (min(days), max(days)) if days else (None, None)


def ensure_start_before_entries(episode: EpisodeOfCare, start_date: date) -> None:
    first, _ = entry_span(episode)
    if first is not None and start_date > first:
        raise RuleViolation("start_date", f"Must not be after the episode's first entry ({first.isoformat()}).")


def ensure_ready_for_discharge(episode: EpisodeOfCare, discharge_date: date) -> None:
    """Every note signed, and nothing recorded after the discharge date."""
    drafts = db.session.execute(select(Visit.id, Visit.visit_date, Visit.therapist_id)
                                .where(Visit.episode_id == episode.id, Visit.status == "draft")
                                .order_by(Visit.visit_date)).all()
    if drafts:
        raise Conflict(f"{len(drafts)} visit note(s) of the episode are unsigned; sign them before discharging.",
                       extensions={"draft_visits": [{"id": str(d.id), "visit_date": d.visit_date.isoformat(),
                                                     "therapist_id": str(d.therapist_id)} for d in drafts]})
    _, last = entry_span(episode)
    if last is not None and discharge_date < last:
        raise RuleViolation("discharge_date", f"Must not be before the episode's last entry ({last.isoformat()}).")
