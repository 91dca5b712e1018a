"""The demo clinic, made once for the module that reads it: ``demo_clinic`` is a new migrated database (SQLite,
or PostgreSQL with TEST_DATABASE_URL) filled by ``flask demo --patients 12``, with the command's output and
the staff passwords it printed; ``run_demo(app, *args)`` runs the command on an app (of ``new_app``, say);
``fingerprint(app)`` tells two clinics apart by what they hold (names, dates, scores), not by their ids."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.questionnaires.models import QuestionnaireResponse
from clinic_api.visits.models import Goal, PainScore, RunLog, Visit
from tests.conftest import database, dispose, migrated_app

DEMO_PATIENTS = 12
PASSWORD_LINE = re.compile(r"^\s+(therapist|front_desk|admin)\s+(\S+@\S+)\s+(\S+)$", re.MULTILINE)


@dataclass(frozen=True)
class Demo:
    app: Flask
    args: tuple[str, ...]
    output: str
    exit_code: int

    @property
    def patients(self) -> int:
        return int(self.args[self.args.index("--patients") + 1])

    @property
    def passwords(self) -> dict[str, tuple[str, str]]:
        """email -> (role, password), as the command printed them."""
        return {email: (role, password) for role, email, password in PASSWORD_LINE.findall(self.output)}


def _run_demo(app: Flask, *args: str) -> Demo:
    result = app.test_cli_runner().invoke(args=["demo", *args])
    return Demo(app, args, result.output, result.exit_code)


@pytest.fixture(scope="session")
def run_demo() -> Callable[..., Demo]:
    return _run_demo


@pytest.fixture(scope="module")
def demo_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with database(str(tmp_path_factory.mktemp("demo")), "demo") as url:
        app = migrated_app(url)
        demo = _run_demo(app, "--patients", str(DEMO_PATIENTS))
        assert demo.exit_code == 0, demo.output
        yield demo
        dispose(app)


def _value(value: Any) -> str:
    # A moment counts by its day: an entry of today is stamped with the clock, which moves between two runs.
    return str(value.date() if isinstance(value, datetime) else value)


def _rows(query: Any) -> list[tuple]:
    return sorted(tuple(_value(value) for value in row) for row in db.session.execute(query).all())


def _of_patients(*columns: Any, entry: Any = None) -> list[tuple]:
    """The columns with the patient's name, of every patient (or of every ``entry`` of an episode)."""
    query = select(Patient.first_name, Patient.last_name, *columns)
    if entry is not None:
        query = query.select_from(entry)
        if entry is not EpisodeOfCare:
            query = query.join(EpisodeOfCare, entry.episode_id == EpisodeOfCare.id)
        query = query.join(Patient, EpisodeOfCare.patient_id == Patient.id)
    return _rows(query)


def _fingerprint(app: Flask) -> dict[str, list[tuple]]:
    """What the clinic holds, row by row, by the patient's name: no ids, MRNs or creation times."""
    response = QuestionnaireResponse
    with app.app_context():
        return {
            "patients": _of_patients(Patient.date_of_birth, Patient.sex, Patient.weekly_distance_km,
                                     Patient.goal_race_date),
            "episodes": _of_patients(EpisodeOfCare.start_date, EpisodeOfCare.status, EpisodeOfCare.diagnosis_code,
                                     EpisodeOfCare.discharge_date, EpisodeOfCare.discharge_reason,
                                     entry=EpisodeOfCare),
            "visits": _of_patients(Visit.visit_date, Visit.visit_type, Visit.status, Visit.assessment, entry=Visit),
            "responses": _of_patients(response.questionnaire_code, response.taken_at, response.total,
                                      response.follow_up, entry=response),
            "pain_scores": _of_patients(PainScore.context, PainScore.recorded_at, PainScore.score, entry=PainScore),
            "runs": _of_patients(RunLog.run_date, RunLog.distance_km, RunLog.duration_min, RunLog.pain_during,
                                 RunLog.pain_after, entry=RunLog),
            "goals": _of_patients(Goal.text, Goal.status, Goal.status_date, entry=Goal),
        }


@pytest.fixture(scope="session")
def fingerprint() -> Callable[[Flask], dict[str, list[tuple]]]:
    return _fingerprint
