"""The measure schedule: which outcome measures an episode needs now.

The body region's baseline set first, then a re-measure every ``REMEASURE_DAYS`` days or
``REMEASURE_VISITS`` visits, GROC once a discharge visit is logged, so that it is taken before the
episode closes, and the baseline set again as a follow-up ``FOLLOW_UP_DAYS`` after the discharge (see
``MEASURE_SCHEDULE`` in ``config/``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from clinic_api.audit import service as audit
from clinic_api.core.types import clinic_date, today, utcnow
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
