"""Benchmark the main read and write paths at clinic scale; prints latency and SQL statements per request.

    .venv/bin/python -m bench.run                      # SQLite in a temporary folder, 20 000 patients
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.run
    BENCH_PATIENTS=100000 .venv/bin/python -m bench.run

The database must be empty (PostgreSQL: a new database). Requests go through the WSGI app in-process
(no network), so the figures are the app's and the database's own cost.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time

import flask_migrate
from sqlalchemy import event, select

from bench.generate import generate
from clinic_api import create_app
from clinic_api.auth import service as auth
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    patients = int(os.environ.get("BENCH_PATIENTS", "20000"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"}, environment="test")
    with app.app_context():
        flask_migrate.upgrade()
        therapist = auth.create_user(email="bench-pt@clinic.test", full_name="Bench PT", role="therapist",
                                     password="Bench-Passphrase-2026")
        db.session.commit()
        started = time.perf_counter()
        counts = generate(patients)
        print(f"database: {db.engine.url.get_backend_name()}  generated {counts} in "
              f"{time.perf_counter() - started:.1f}s")
        token = auth.issue_token(therapist).access_token
        db.session.commit()
        some_patient = db.session.scalar(select(Patient.id).offset(patients // 2).limit(1))
        some_episode = db.session.scalar(select(EpisodeOfCare.id).where(EpisodeOfCare.patient_id == some_patient))
        engine = db.engine

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *args: statements.__setitem__(0, statements[0] + 1))
    cases = [
        ("GET  /patients?q=müller (search, page of 25)", "GET", "/api/v1/patients?q=m%C3%BCller", None),
        ("GET  /patients?q=B000012345 (MRN)", "GET", "/api/v1/patients?q=B000012345", None),
        ("GET  /patients (newest 100)", "GET", "/api/v1/patients?per_page=100", None),
        ("GET  /patients/{id}", "GET", f"/api/v1/patients/{some_patient}", None),
        ("GET  /episodes/{id}/responses", "GET", f"/api/v1/episodes/{some_episode}/responses", None),
        ("GET  /episodes/{id}/due", "GET", f"/api/v1/episodes/{some_episode}/due", None),
        ("POST /episodes/{id}/responses (nprs)", "POST", f"/api/v1/episodes/{some_episode}/responses",
         {"questionnaire": "nprs", "answers": {"pain": 2}}),
        ("GET  /episodes/{id}/visits (notes, pain, addenda)", "GET", f"/api/v1/episodes/{some_episode}/visits",
         None),
        ("GET  /episodes/{id}/pain-scores", "GET", f"/api/v1/episodes/{some_episode}/pain-scores", None),
        ("GET  /episodes/{id}/runs/weekly", "GET", f"/api/v1/episodes/{some_episode}/runs/weekly", None),
        ("POST /episodes/{id}/visits (follow-up, 2 pain scores)", "POST", f"/api/v1/episodes/{some_episode}/visits",
         {"visit_type": "follow_up", "subjective": "Better.", "pain_scores": [
             {"score": 2, "context": "current"}, {"score": 3, "context": "stairs_down"}]}),
        ("POST /episodes/{id}/pain-scores", "POST", f"/api/v1/episodes/{some_episode}/pain-scores",
         {"score": 2, "context": "after_running"}),
    ]
    print(f"{'request':56} {'median ms':>10} {'p95 ms':>8} {'SQL/request':>12}   ({ROUNDS} rounds)")
    for label, method, path, body in cases:
        timings = []
        statements[0] = 0
        for _ in range(ROUNDS):
            started = time.perf_counter()
            response = client.open(path, method=method, json=body, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code < 300, (label, response.status_code, response.get_json())
        timings.sort()
        print(f"{label:56} {statistics.median(timings):10.2f} {timings[int(len(timings) * 0.95) - 1]:8.2f} "
              f"{statements[0] / ROUNDS:12.1f}")


if __name__ == "__main__":
    main()
