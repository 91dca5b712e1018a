"""Bulk data for benchmarks: patients with knee episodes, NPRS responses, signed visits with pain scores, runs.

Rows are inserted with Core executemany in batches, so that 100 000 rows take seconds, not minutes.
"""
from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from clinic_api.auth.models import User
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.patients.service import fold
from clinic_api.questionnaires.models import Questionnaire, QuestionnaireResponse
from clinic_api.visits.models import PainScore, RunLog, Visit

FIRST = ["Maddie", "Ana", "Jürgen", "Kofi", "Mei", "Lars", "Aisha", "Tom", "Inès", "Ravi", "Sofia", "Noah"]
LAST = ["Runner", "Müller", "Okafor", "Chen", "Larsen", "Haddad", "Smith", "Dubois", "Patel", "García"]


def _batches(rows: list[dict], size: int = 5000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


NOTE = "Runner with anterior knee pain on stairs and long runs. " * 15  # about 900 characters per SOAP part


def generate(patients: int, responses_per_episode: int = 6, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    therapist = db.session.scalar(select(User).where(User.role == "therapist").limit(1))
    nprs = db.session.scalar(select(Questionnaire).where(Questionnaire.code == "nprs"))
    now = datetime.now(UTC)
    patient_rows, episode_rows, response_rows, visit_rows, pain_rows, run_rows = [], [], [], [], [], []
    for number in range(patients):
        patient_id, episode_id = uuid.uuid4(), uuid.uuid4()
        first, last, mrn = rng.choice(FIRST), rng.choice(LAST), f"B{number:09d}"
        patient_rows.append({
            "id": patient_id, "mrn": mrn, "first_name": first, "last_name": last,
            "search_text": fold(f"{first} {last} {mrn}"),
            "date_of_birth": date(1960 + rng.randrange(45), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            "sex": rng.choice(["female", "male"]), "weekly_distance_km": rng.randrange(15, 90),
            "created_at": now - timedelta(minutes=patients - number), "updated_at": now})
        start = (now - timedelta(days=rng.randrange(30, 700))).date()
        episode_rows.append({
            "id": episode_id, "patient_id": patient_id, "body_region": "knee", "side": rng.choice(["left", "right"]),
            "diagnosis_code": rng.choice(["M22.2X1", "M22.2X2", "M76.31", "M76.51"]),
            "diagnosis_text": "Patellofemoral pain", "therapist_id": therapist.id, "start_date": start,
            "status": "active", "created_at": now, "updated_at": now})
        pain = rng.randrange(5, 9)
        for visit in range(responses_per_episode):
            response_rows.append({
                "id": uuid.uuid4(), "episode_id": episode_id, "questionnaire_id": nprs.id,
                "questionnaire_code": "nprs", "questionnaire_version": 1, "answers": {"pain": pain},
                "taken_at": datetime.combine(start + timedelta(days=7 * visit), datetime.min.time(), UTC),
                "source": "staff", "entered_by": therapist.id, "total": pain, "subscales": {},
                "missing_items": [], "red_flags": [], "created_at": now})
            visit_id, day = uuid.uuid4(), start + timedelta(days=7 * visit)
            visit_rows.append({
                "id": visit_id, "episode_id": episode_id, "therapist_id": therapist.id, "visit_date": day,
                "visit_type": "initial_evaluation" if visit == 0 else "follow_up", "status": "signed",
                "subjective": NOTE, "objective": NOTE, "assessment": NOTE, "plan": NOTE,
                "interventions": [{"code": "97110", "description": "Therapeutic exercise", "minutes": 30}],
                "home_exercises": [{"name": "Step-down", "sets": 3, "reps": 12}], "signed_by": therapist.id,
                "signed_at": now, "created_at": now, "updated_at": now})
            for context in ("current", "stairs_down"):
                pain_rows.append({"id": uuid.uuid4(), "episode_id": episode_id, "visit_id": visit_id, "score": pain,
                                  "context": context, "recorded_at": datetime.combine(day, datetime.min.time(), UTC),
                                  "recorded_by": therapist.id, "created_at": now})
            run_rows.append({"id": uuid.uuid4(), "episode_id": episode_id, "run_date": day + timedelta(days=2),
                             "distance_km": 3 + 3 * visit, "duration_min": 20 + 18 * visit, "pain_during": pain,
                             "pain_after": pain, "recorded_by": therapist.id, "created_at": now})
            pain = max(0, pain - rng.randrange(0, 3))
    tables = ((Patient, patient_rows), (EpisodeOfCare, episode_rows), (QuestionnaireResponse, response_rows),
              (Visit, visit_rows), (PainScore, pain_rows), (RunLog, run_rows))
    for table, rows in tables:
        for batch in _batches(rows):
            db.session.execute(insert(table), batch)
    db.session.commit()
    return {table.__tablename__: len(rows) for table, rows in tables}
