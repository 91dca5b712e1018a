"""The measure schedule: which outcome measures an episode needs now.

The body region's baseline set first, then a re-measure every ``REMEASURE_DAYS`` days or
``REMEASURE_VISITS`` visits, GROC once a discharge visit is logged, so that it is taken before the
episode closes, and the baseline set again as a follow-up ``FOLLOW_UP_DAYS`` after the discharge (see
``MEASURE_SCHEDULE`` in ``config/``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, false, literal, or_

from clinic_api.audit import service as audit
from clinic_api.core.types import clinic_date, clinic_day_of, today, utcnow
from clinic_api.patients.models import EpisodeOfCare
from clinic_api.questionnaires import service as questionnaires
from clinic_api.visits import service as visits


@dataclass(frozen=True)
class DueMeasure:
    questionnaire: str
    title: str
    reason: str
    last_taken_at: datetime | None


def due_measures(episode: EpisodeOfCare) -> list[DueMeasure]:
    """The measures to administer now, each with why (baseline, remeasure, discharge)."""
    audit.record("episode.due_read", "episode_of_care", episode.id, patient_id=episode.patient_id)
    visit_dates, discharging = visits.visit_dates(episode.id)
    schedule = current_app.config["MEASURE_SCHEDULE"]
    baseline = schedule["baseline"].get(episode.body_region, schedule["baseline"]["default"])
    last_taken = questionnaires.last_taken(episode.id)
    titles = questionnaires.titles([*baseline, *schedule["at_discharge"]])
    now = utcnow()
    every = timedelta(days=schedule["remeasure_days"])
    due: list[DueMeasure] = []
    for code in baseline:
        taken = last_taken.get(code)
        if taken is None:
            due.append(DueMeasure(code, titles.get(code, code), "baseline", None))
        elif code not in schedule["once"] and episode.status == "active" and (
                now - taken >= every
                or sum(1 for day in visit_dates if day > clinic_date(taken)) >= schedule["remeasure_visits"]):
            due.append(DueMeasure(code, titles.get(code, code), "remeasure", taken))
    if episode.status == "discharged" or discharging:
        for code in schedule["at_discharge"]:
            if code not in last_taken:
                due.append(DueMeasure(code, titles.get(code, code), "discharge", None))
    return due + _follow_ups_due(episode, baseline, schedule, titles)


def _follow_ups_due(episode: EpisodeOfCare, baseline: list[str], schedule: dict, titles: dict[str, str],
                    ) -> list[DueMeasure]:
    """Once ``follow_up_days`` have passed since the discharge, each repeatable baseline measure not yet
    taken as a follow-up."""
    if episode.status != "discharged" or today() < episode.discharge_date + timedelta(days=schedule["follow_up_days"]):
        return []
    followed = questionnaires.last_taken(episode.id, follow_up=True)
    return [DueMeasure(code, titles.get(code, code), "follow_up", None)
            for code in baseline if code not in schedule["once"] and code not in followed]


# ---- the same schedule in SQL, for the worklists: how many measures each episode has due ---------------

def _in_baseline(code: str, schedule: dict) -> Any:
    """SQL: the episode's body region asks for ``code`` in its baseline set."""
    regions = [region for region in schedule["baseline"] if region != "default"]
    asked = [EpisodeOfCare.body_region == region for region in regions if code in schedule["baseline"][region]]
    if code in schedule["baseline"]["default"]:
        asked.append(EpisodeOfCare.body_region.not_in(regions))
    return or_(*asked) if asked else false()


def _due_terms(code: str, schedule: dict) -> list[Any]:
    """SQL, one boolean per reason ``due_measures`` could give for ``code``."""
    now, terms = utcnow(), []
    last = questionnaires.last_taken_sql(EpisodeOfCare.id, code)
    if any(code in codes for codes in schedule["baseline"].values()):
        remeasure = and_(EpisodeOfCare.status == "active", last.is_not(None), or_(
            last <= now - timedelta(days=schedule["remeasure_days"]),
            visits.visits_after(EpisodeOfCare.id, clinic_day_of(last)) >= schedule["remeasure_visits"]))
        renewed = false() if code in schedule["once"] else remeasure
        terms.append(and_(_in_baseline(code, schedule), or_(last.is_(None), renewed)))
        if code not in schedule["once"]:
            followed = questionnaires.last_taken_sql(EpisodeOfCare.id, code, follow_up=True)
            follow_up_from = today() - timedelta(days=schedule["follow_up_days"])
            terms.append(and_(_in_baseline(code, schedule), EpisodeOfCare.status == "discharged",
                              EpisodeOfCare.discharge_date <= follow_up_from, followed.is_(None)))
    if code in schedule["at_discharge"]:
        closing = or_(EpisodeOfCare.status == "discharged", visits.has_discharge_visit(EpisodeOfCare.id))
        terms.append(and_(closing, last.is_(None)))
    return terms


def due_count_sql() -> Any:
    """SQL: the number of measures ``due_measures`` lists for the episode row, counted in the database."""
    schedule = current_app.config["MEASURE_SCHEDULE"]
    codes = dict.fromkeys([*(code for codes in schedule["baseline"].values() for code in codes),
                           *schedule["at_discharge"]])
    return sum((case((term, 1), else_=0) for code in codes for term in _due_terms(code, schedule)), literal(0))
