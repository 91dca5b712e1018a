"""Bulk data for benchmarks, inserted with Core executemany in batches so that 100 000 rows take seconds, not minutes.

- ``generate(patients)``: knee episodes with NPRS responses, signed visits with pain scores and runs, all alike
  (``bench.run``'s paths).
- ``OutcomeClinic`` / ``generate_outcomes(episodes)``: the demo clinic's own courses (``clinic_api.demo``'s pure
  planning: fast and slow responders, plateaus, drop-outs, pending intakes, discharges and follow-ups), one episode
  per patient, every questionnaire response scored by the questionnaire engine, then the kept outcome summaries
  worked out by ``outcomes.summaries.refresh`` (what ``rebuild`` runs), a batch at a time (``bench.outcomes``).
  Nothing goes through the services: no audit events, no record events; the same seed and today give the same
  rows (ids and clock times aside).

    .venv/bin/python -m bench.generate --episodes 10000 --database-url sqlite:///clinic-bench.db
"""
from __future__ import annotations

import argparse
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from time import perf_counter
from typing import Any

import flask_migrate
from flask import current_app
from sqlalchemy import JSON, Table, insert, select, text

from clinic_api import create_app
from clinic_api.auth import service as auth
from clinic_api.auth.models import User
from clinic_api.core.types import clinic_date, clinic_zone, utcnow
from clinic_api.core.types import today as clinic_today
from clinic_api.demo.cast import STAFF, THERAPISTS
from clinic_api.demo.clinic import plan_clinic
from clinic_api.demo.course import PatientPlan, Response, Schedule
from clinic_api.extensions import db
from clinic_api.outcomes import summaries
from clinic_api.outcomes.models import EpisodeOutcomeSummary, OutcomeSummary
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.patients.service import fold
from clinic_api.questionnaires.engine import ScoreResult, score_response
from clinic_api.questionnaires.models import EpisodeRedFlag, Questionnaire, QuestionnaireResponse
from clinic_api.visits.models import Goal, PainScore, RunLog, Visit

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


# ---- the demo clinic's courses, in bulk ---------------------------------------------------------------------

BENCH_PASSWORD = "Bench-Outcomes-Passphrase-2026"  # the benchmark's own throw-away staff, in its own database
SUMMARY_CHECK_SAMPLE = 25
ANALYZE_EVERY = 10  # batches


@dataclass(frozen=True)
class Generated:
    """What ``OutcomeClinic.add`` inserted, with the seconds spent planning/inserting and on the summaries."""

    counts: dict[str, int]
    insert_seconds: float
    summary_seconds: float


def _bench_staff() -> dict[str, User]:
    """The demo's staff (desk and therapists) as accounts of this database: created once, reused after."""
    users = {}
    for key, full_name, role in STAFF:
        email = f"bench-{key}@clinic.test"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = auth.create_user(email=email, full_name=full_name, role=role, password=BENCH_PASSWORD)
        users[key] = user
    db.session.flush()
    return users


class _Scorer:
    """Scores a response with the questionnaire engine on the definition the database holds (its latest version),
    as ``record_response`` does; the same answers at the same age score alike, so measures are scored once."""

    def __init__(self) -> None:
        self.definitions: dict[str, Questionnaire] = {}
        self.cache: dict[tuple, ScoreResult] = {}

    def definition(self, code: str) -> Questionnaire:
        if code not in self.definitions:
            self.definitions[code] = db.session.scalar(
                select(Questionnaire).where(Questionnaire.code == code).order_by(Questionnaire.version.desc()).limit(1))
        return self.definitions[code]

    def score(self, code: str, answers: dict[str, Any], age: int, region: str) -> ScoreResult:
        key = (code, json.dumps(answers, sort_keys=True, default=str), age, region)
        if key not in self.cache:
            self.cache[key] = score_response(self.definition(code).definition, answers,
                                             {"age_years": age, "body_region": region})
        return self.cache[key]


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class OutcomeClinic:
    """The demo clinic planned for ``episodes`` patients (one episode each) from ``seed`` up to ``today``, written
    ``add(count)`` plans at a time: ``add(10_000)`` then ``add(90_000)`` gives the 100 000 clinic with its first
    10 000 measured on the way."""

    def __init__(self, episodes: int, *, seed: int = 2026, today: date | None = None, batch: int = 500) -> None:
        self.today = today or clinic_today()
        self.schedule = Schedule.from_settings(current_app.config["MEASURE_SCHEDULE"])
        self.plans = plan_clinic(patients=episodes, seed=seed, today=self.today, schedule=self.schedule)
        self.batch, self.written = batch, 0
        self.staff = _bench_staff()
        self.scorer = _Scorer()
        self.now = utcnow()
        self.tables: dict[type, list[dict[str, Any]]] = {}

    @property
    def therapist(self) -> User:
        return self.staff[THERAPISTS[0]]

    # -- rows of one plan -----------------------------------------------------------------------------------

    def _moment(self, day: date, minute: int) -> datetime:
        at = datetime.combine(day, time(minute // 60, minute % 60), clinic_zone()).astimezone(UTC)
        return min(at, self.now)

    def _pain_time(self, day: date) -> datetime:  # visits.service._default_recorded_at
        return self.now if day >= self.today else datetime.combine(day, time(12), clinic_zone()).astimezone(UTC)

    def _row(self, table: type, **row: Any) -> dict[str, Any]:
        self.tables.setdefault(table, []).append(row)
        return row

    def _response(self, episode: dict[str, Any], born: date, response: Response, therapist: uuid.UUID,
                  acknowledged: dict[str, str]) -> None:
        taken_at = self._moment(response.day, response.minute)
        result = self.scorer.score(response.code, response.answers, _age(born, clinic_date(taken_at)),
                                   episode["body_region"])
        definition = self.scorer.definition(response.code)
        row = self._row(
            QuestionnaireResponse, id=uuid.uuid4(), episode_id=episode["id"], questionnaire_id=definition.id,
            questionnaire_code=definition.code, questionnaire_version=definition.version,
            answers=dict(response.answers), taken_at=taken_at, source="patient",
            entered_by=self.staff["leo"].id if response.by == "desk" else therapist, total=result.total,
            subscales={key: None if value is None else str(value) for key, value in result.subscales.items()},
            missing_items=list(result.missing_items),
            red_flags=[{"code": flag.code, "title": flag.title, "message": flag.message} for flag in result.red_flags],
            replaces_id=None, replaced_at=None, follow_up=response.follow_up, created_at=self.now)
        for flag in result.red_flags:
            note = acknowledged.get(flag.code)
            self._row(EpisodeRedFlag, id=uuid.uuid4(), episode_id=episode["id"], response_id=row["id"],
                      code=flag.code, title=flag.title, message=flag.message, raised_at=self.now,
                      acknowledged_at=self.now if note else None, acknowledged_by=therapist if note else None,
                      acknowledgement_note=note)

    def _patient(self, number: int, plan: PatientPlan) -> uuid.UUID:
        now, care = self.now, plan.episode
        mrn = f"D{number:09d}"
        race = plan.race or (None, None, None)
        patient = self._row(
            Patient, id=uuid.uuid4(), mrn=mrn, first_name=plan.first_name, last_name=plan.last_name,
            search_text=fold(f"{plan.first_name} {plan.last_name} {mrn}"), date_of_birth=plan.date_of_birth,
            sex=plan.sex, email=plan.email, phone=plan.phone, weekly_distance_km=plan.runner.weekly_km,
            years_running=plan.years_running, goal_race_name=race[0], goal_race_date=race[1],
            goal_race_distance_km=race[2], archived_at=None, created_at=now, updated_at=now)
        therapist = self.staff[care.therapist].id
        pending = care.status == "pending"
        discharge = care.discharge
        episode = self._row(
            EpisodeOfCare, id=uuid.uuid4(), patient_id=patient["id"], body_region=care.condition.region,
            side=care.side, diagnosis_code=None if pending else care.condition.codes[care.side],
            diagnosis_text=None if pending else care.condition.texts[care.side], onset_date=care.onset,
            referral_source=care.referral, therapist_id=therapist if care.assigned or not pending else None,
            start_date=care.start, status=care.status, discharge_date=discharge and discharge.day,
            discharge_reason=discharge and discharge.reason, discharge_note=discharge and discharge.note,
            pre_injury_weekly_km=plan.runner.weekly_km, entered_in_error_at=None, entered_in_error_by=None,
            entered_in_error_reason=None, created_at=now, updated_at=now)
        acknowledged = {} if pending else care.red_flags
        for response in care.intake:
            self._response(episode, plan.date_of_birth, response, therapist, acknowledged)
        for visit in care.visits:
            visit_id = uuid.uuid4()
            self._row(Visit, id=visit_id, episode_id=episode["id"], therapist_id=therapist, visit_date=visit.day,
                      visit_type=visit.visit_type, status="signed", interventions=visit.interventions,
                      home_exercises=visit.home_exercises, signed_by=therapist, signed_at=now, voided_at=None,
                      voided_by=None, void_reason=None, entered_in_error_at=None, entered_in_error_by=None,
                      entered_in_error_reason=None, created_at=now, updated_at=now,
                      **{part: visit.note.get(part) for part in ("subjective", "objective", "assessment", "plan")})
            for context, score in visit.pain.items():
                self._row(PainScore, id=uuid.uuid4(), episode_id=episode["id"], visit_id=visit_id, score=score,
                          context=context, recorded_at=self._pain_time(visit.day), note=None, recorded_by=therapist,
                          entered_in_error_at=None, entered_in_error_by=None, entered_in_error_reason=None,
                          created_at=now)
            for response in visit.responses:
                self._response(episode, plan.date_of_birth, response, therapist, acknowledged)
        for run in care.runs:
            self._row(RunLog, id=uuid.uuid4(), episode_id=episode["id"], run_date=run.day, distance_km=run.distance_km,
                      duration_min=run.duration_min, run_walk=run.run_walk, surface=run.surface,
                      pain_during=run.pain_during, pain_after=run.pain_after, notes=run.notes, recorded_by=therapist,
                      entered_in_error_at=None, entered_in_error_by=None, entered_in_error_reason=None,
                      created_at=now)
        for goal in care.goals:
            self._row(Goal, id=uuid.uuid4(), episode_id=episode["id"], text=goal.text, target_date=goal.target_date,
                      target_measure=goal.measure, target_value=goal.value, status=goal.status,
                      status_date=goal.status_date or care.start, created_by=therapist, created_at=now,
                      updated_at=now)
        for response in care.follow_ups:
            self._response(episode, plan.date_of_birth, response, therapist, acknowledged)
        return episode["id"]

    # -- writing --------------------------------------------------------------------------------------------

    def _flush(self, counts: Counter[str]) -> list[uuid.UUID]:
        ids = [row["id"] for row in self.tables.get(EpisodeOfCare, [])]
        for table in INSERT_ORDER:
            rows = self.tables.pop(table, [])
            counts[table.__tablename__] += len(rows)
            _insert(table.__table__, rows)
        return ids

    def add_plan(self, number: int, plan: PatientPlan) -> uuid.UUID:
        """One more plan (a course of the benchmarks' own), written with its summaries and committed."""
        episode_id = self._patient(number, plan)
        self._flush(Counter())
        summaries.refresh([episode_id])
        db.session.commit()
        return episode_id

    def add(self, count: int, progress: Callable[[int], None] | None = None) -> Generated:
        """The next ``count`` plans written and their summaries worked out, committed a batch at a time."""
        counts: Counter[str] = Counter()
        inserting = summarising = 0.0
        for batch_number, _start in enumerate(range(0, count, self.batch)):
            started = perf_counter()
            for plan in islice(self.plans, min(self.batch, count - counts["episodes_of_care"])):
                self._patient(self.written, plan)
                self.written += 1
            ids = self._flush(counts)
            db.session.commit()
            middle = perf_counter()
            refreshed = summaries.refresh(ids)
            counts["episode_outcome_summaries"] += refreshed.episodes
            counts["outcome_summaries"] += refreshed.measures
            db.session.commit()
            db.session.expunge_all()
            if (batch_number + 1) % ANALYZE_EVERY == 0 and db.session.get_bind().dialect.name == "postgresql":
                # Bulk-loaded tables outrun autovacuum's statistics: without fresh ones the summaries' reads by
                # episode turn into parallel sequential scans, and 100 000 episodes take twice as long.
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            inserting, summarising = inserting + middle - started, summarising + perf_counter() - middle
            if progress is not None:
                progress(self.written)
        return Generated(dict(counts), inserting, summarising)


def _insert(table: Table, rows: list[dict[str, Any]]) -> None:
    """Core executemany on SQLite (the ORM's bulk insert runs a statement per row here); COPY on PostgreSQL, whose
    driver would otherwise send a statement per row down its pipeline (3x slower)."""
    if not rows:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        for batch in _batches(rows):
            db.session.execute(table.insert(), batch)
        return
    columns = list(rows[0])
    as_json = {column.name for column in table.columns if isinstance(column.type, JSON)}
    names = ", ".join(f'"{column}"' for column in columns)
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[column]) if column in as_json else row[column] for column in columns])


INSERT_ORDER = (Patient, EpisodeOfCare, QuestionnaireResponse, EpisodeRedFlag, Visit, PainScore, RunLog, Goal)


def _summary_rows(episode_ids: list[uuid.UUID]) -> list[tuple]:
    """The kept summary rows of these episodes, without their generated ids, in a stable order."""
    measures = db.session.execute(select(OutcomeSummary).where(OutcomeSummary.episode_id.in_(episode_ids))).scalars()
    episodes = db.session.execute(
        select(EpisodeOutcomeSummary).where(EpisodeOutcomeSummary.episode_id.in_(episode_ids))).scalars()
    rows = [tuple(sorted((column.key, getattr(row, column.key)) for column in row.__table__.columns
                         if column.key != "id")) for row in [*measures, *episodes]]
    return sorted(rows, key=repr)


def check_summaries(sample: int = SUMMARY_CHECK_SAMPLE, seed: int = 1) -> int:
    """The kept summaries of ``sample`` episodes drawn at random equal what ``summaries.rebuild`` works out from
    their records now (rebuilt in a transaction rolled back after); the number of rows compared."""
    ids = db.session.scalars(select(EpisodeOfCare.id).order_by(EpisodeOfCare.id)).all()
    chosen = random.Random(seed).sample(list(ids), min(sample, len(ids)))
    kept = _summary_rows(chosen)
    summaries.refresh(chosen)
    db.session.flush()
    db.session.expire_all()
    rebuilt = _summary_rows(chosen)
    db.session.rollback()
    if kept != rebuilt:
        raise AssertionError(f"The kept summaries of {len(chosen)} sampled episodes differ from a rebuild.")
    return len(kept)


def generate_outcomes(episodes: int, *, seed: int = 2026, today: date | None = None,
                      progress: Callable[[int], None] | None = None) -> Generated:
    """``episodes`` of the demo clinic's courses, with their kept summaries (see ``OutcomeClinic``)."""
    return OutcomeClinic(episodes, seed=seed, today=today).add(episodes, progress)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fill a database (migrated here) with the demo clinic's courses "
                                                 "in bulk, for benchmarks.")
    parser.add_argument("--episodes", type=int, default=10_000, help="how many patients, one episode each")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", required=True, help="an empty database (SQLAlchemy URL)")
    options = parser.parse_args(argv)
    app = create_app({"SQLALCHEMY_DATABASE_URI": options.database_url, "LOG_LEVEL": "WARNING"}, environment="test")
    with app.app_context():
        flask_migrate.upgrade()
        started = perf_counter()
        done = generate_outcomes(options.episodes, seed=options.seed)
        print(f"{done.counts} in {perf_counter() - started:.1f} s ({done.summary_seconds:.1f} s of it on the "
              f"summaries); {check_summaries()} summary rows of a sample equal a rebuild")


if __name__ == "__main__":
    main()
