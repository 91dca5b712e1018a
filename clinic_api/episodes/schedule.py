"""The measure schedule: which outcome measures an episode needs now.

The body region's baseline set first, then a re-measure every ``REMEASURE_DAYS`` days or
``REMEASURE_VISITS`` visits, and GROC once a discharge visit is logged, so that it is taken before the
episode closes (see ``MEASURE_SCHEDULE`` in ``config/``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from clinic_api.audit import service as audit
from clinic_api.core.types import clinic_date, utcnow
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
    return due
