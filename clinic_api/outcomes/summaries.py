"""The kept outcome summaries (``outcomes.models``): each episode's measures, as ``service.episode_outcome`` works
them out, stored for the clinic report.

``refresh(episode_ids)`` works those episodes out again from their records through the very code of the outcome
endpoints (``service._outcomes``, which reads them with ``service._records``) and replaces their rows, in SQL, in
the caller's transaction; an episode entered in error is left without any. ``rebuild()`` does it for every episode,
a batch at a time.

They are kept current by the record events (``core.signals``): each event adds its episode to the request's set
(``flask.g``), and the set is refreshed once, just before the request's commit (``core.lifecycle.before_commit``),
so a request that writes ten pain scores works the episode out once, and a rejected request, which writes nothing,
refreshes nothing. Outside a request (the command line, a service called directly) an event refreshes at once.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, has_request_context
from sqlalchemy import delete, insert, select

from clinic_api.core import lifecycle, signals
from clinic_api.extensions import db
from clinic_api.outcomes.arithmetic import Point
from clinic_api.outcomes.models import EPISODE_COLUMNS, EpisodeOutcomeSummary, OutcomeSummary
from clinic_api.outcomes.service import EpisodeOutcome, Measure, _outcomes
from clinic_api.patients.models import EpisodeOfCare

BATCH = 200
_TOUCHED = "outcome_episodes_touched"


@dataclass(frozen=True)
class Refreshed:
    episodes: int
    measures: int


def _source(point: Point | None) -> uuid.UUID | None:
    return None if point is None else uuid.UUID(point.source_id)


def measure_row(episode: EpisodeOfCare, measure: Measure) -> dict[str, Any]:
    """The ``outcome_summaries`` row of one measure: its figures exactly as the endpoint answers them, with its
    episode's filter columns (``models.EPISODE_COLUMNS``)."""
    outcome, episode_id = measure.outcome, episode.id
    baseline, latest, follow_ups = outcome.baseline, outcome.latest, outcome.follow_ups
    return {
        "id": uuid.uuid4(), "episode_id": episode_id, "measure_key": outcome.key, "kind": measure.kind,
        "questionnaire_code": measure.questionnaire, "headline": measure.headline,
        "higher_is_better": outcome.spec.higher_is_better,
        "baseline_value": baseline and baseline.value, "baseline_at": baseline and baseline.time,
        "baseline_source": _source(baseline),
        "latest_value": latest and latest.value, "latest_at": latest and latest.time, "latest_source": _source(latest),
        "change": outcome.change, "percent_change": outcome.percent_change, "mcid_reached": outcome.mcid_reached,
        "first_mcid_at": outcome.first_mcid and outcome.first_mcid.time, "days_to_mcid": outcome.days_to_mcid,
        "visits_to_mcid": outcome.visits_to_mcid, "scores_count": len(outcome.series),
        "follow_ups_count": len(follow_ups), "last_follow_up_value": follow_ups[-1].value if follow_ups else None,
        **{name: getattr(episode, name) for name in EPISODE_COLUMNS},
    }


def episode_row(outcome: EpisodeOutcome) -> dict[str, Any]:
    """The ``episode_outcome_summaries`` row; ``days_in_care`` only once discharged (it grows daily until then)."""
    episode, back = outcome.episode, outcome.return_to_run
    has_distance = back.reason != "no_pre_injury_distance"
    return {
        "episode_id": episode.id, "status": episode.status, "body_region": episode.body_region,
        "diagnosis_code": episode.diagnosis_code, "therapist_id": episode.therapist_id,
        "start_date": episode.start_date, "discharge_date": episode.discharge_date,
        "visits_count": outcome.visits_count,
        "days_in_care": outcome.days_in_care if episode.discharge_date is not None else None,
        "has_pre_injury_distance": has_distance, "returned_to_run": back.reached if has_distance else None,
        "return_week_start": back.week_start, "weeks_to_return": back.weeks_since_start,
    }


def refresh(episode_ids: Iterable[uuid.UUID]) -> Refreshed:
    """Replace the summary rows of these episodes by what their records say now (a fixed number of statements
    whatever their number and length); never commits."""
    ids = sorted(set(episode_ids))
    if not ids:
        return Refreshed(0, 0)
    db.session.execute(delete(OutcomeSummary).where(OutcomeSummary.episode_id.in_(ids)))
    db.session.execute(delete(EpisodeOutcomeSummary).where(EpisodeOutcomeSummary.episode_id.in_(ids)))
    episodes = db.session.scalars(select(EpisodeOfCare).where(
        EpisodeOfCare.id.in_(ids), EpisodeOfCare.status != "entered_in_error").order_by(EpisodeOfCare.id)).all()
    outcomes = _outcomes(episodes)
    measures = [measure_row(outcome.episode, measure) for outcome in outcomes for measure in outcome.measures]
    if outcomes:
        db.session.execute(insert(EpisodeOutcomeSummary), [episode_row(outcome) for outcome in outcomes])
    if measures:
        db.session.execute(insert(OutcomeSummary), measures)
    return Refreshed(len(outcomes), len(measures))


def rebuild(batch_size: int = BATCH, after_batch: Callable[[], None] | None = None) -> Refreshed:
    """Refresh every episode, ``batch_size`` at a time in the order of their ids (``after_batch`` runs after each:
    the command line commits there and clears the session, so memory stays bounded)."""
    episodes = measures = 0
    last: uuid.UUID | None = None
    while True:
        query = select(EpisodeOfCare.id).order_by(EpisodeOfCare.id).limit(batch_size)
        batch: Sequence[uuid.UUID] = db.session.scalars(
            query if last is None else query.where(EpisodeOfCare.id > last)).all()
        if not batch:
            return Refreshed(episodes, measures)
        done = refresh(batch)
        episodes, measures, last = episodes + done.episodes, measures + done.measures, batch[-1]
        if after_batch is not None:
            after_batch()


# ---- kept current by the record events -------------------------------------------------------------------

_deferred: ContextVar[set[uuid.UUID] | None] = ContextVar("outcome_summaries_deferred", default=None)


def _touched(_sender: Any, episode_id: uuid.UUID | None = None, **_details: Any) -> None:
    if episode_id is None:
        return
    collecting = _deferred.get()
    if has_request_context():
        g.setdefault(_TOUCHED, set()).add(episode_id)
    elif collecting is not None:
        collecting.add(episode_id)
    else:
        refresh([episode_id])


@contextmanager
def deferred() -> Iterator[None]:
    """Outside a request, many writes (a command writing a whole episode) refresh their episodes once, when
    the block ends, instead of once per event."""
    touched: set[uuid.UUID] = set()
    token = _deferred.set(touched)
    try:
        yield
    finally:
        _deferred.reset(token)
    if touched:
        refresh(touched)


def refresh_touched() -> None:
    """The request's touched episodes, refreshed once, before its commit (``core.lifecycle.before_commit``)."""
    touched = g.pop(_TOUCHED, None)
    if touched:
        refresh(touched)


_connected = False


def connect() -> None:
    """Connect the receivers to every record event and the refresh to the commit, once per process (tests make
    many apps; blinker would otherwise call a receiver once per connection)."""
    global _connected
    if _connected:
        return
    for signal in signals.RECORD_EVENTS:
        signal.connect(_touched, weak=False)
    lifecycle.before_commit(refresh_touched)
    _connected = True


def disconnect() -> None:
    """Undo ``connect`` (tests that write records the way they were written before the summaries)."""
    global _connected
    for signal in signals.RECORD_EVENTS:
        signal.disconnect(_touched)
    _connected = False


def init_app(_app: Flask) -> None:
    connect()
