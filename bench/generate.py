"""Bulk data for benchmarks: patients with knee episodes and a series of NPRS and Kujala responses.

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

FIRST = ["Maddie", "Ana", "Jürgen", "Kofi", "Mei", "Lars", "Aisha", "Tom", "Inès", "Ravi", "Sofia", "Noah"]
LAST = ["Runner", "Müller", "Okafor", "Chen", "Larsen", "Haddad", "Smith", "Dubois", "Patel", "García"]


def _batches(rows: list[dict], size: int = 5000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def generate(patients: int, responses_per_episode: int = 6, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    therapist = db.session.scalar(select(User).where(User.role == "therapist").limit(1))
    nprs = db.session.scalar(select(Questionnaire).where(Questionnaire.code == "nprs"))
    now = datetime.now(UTC)
    patient_rows, episode_rows, response_rows = [], [], []
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
            pain = max(0, pain - rng.randrange(0, 3))
    for table, rows in ((Patient, patient_rows), (EpisodeOfCare, episode_rows),
                        (QuestionnaireResponse, response_rows)):
        for batch in _batches(rows):
            db.session.execute(insert(table), batch)
    db.session.commit()
    return {"patients": len(patient_rows), "episodes": len(episode_rows), "responses": len(response_rows)}
