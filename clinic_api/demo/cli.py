"""``flask --app wsgi demo``: fills an empty database with the demo clinic (see the package docstring)."""
from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from clinic_api.auth import service as auth
from clinic_api.auth.models import User
from clinic_api.auth.passwords import generate_password, password_problems
from clinic_api.core.errors import DomainError
from clinic_api.core.sql import long_statements
from clinic_api.core.types import today, utcnow
from clinic_api.demo.cast import STAFF, THERAPISTS, staff_email
from clinic_api.demo.clinic import plan_clinic
from clinic_api.demo.course import PatientPlan, Schedule
from clinic_api.demo.writer import Staff, Writer
from clinic_api.extensions import db
from clinic_api.outcomes import summaries
from clinic_api.patients.models import Patient

PROGRESS_EVERY = 20


def _password(email: str) -> str:
    while True:  # a generated password is refused only if it happens to spell the email's name
        password = generate_password()
        if not password_problems(password, email=email):
            return password


def _staff() -> tuple[Staff, list[tuple[str, str, str]]]:
    """The demo's three therapists and front desk, created (argon2 runs for these four only) or, when they
    exist already (``--force`` on a demo database), reused; the new accounts' passwords."""
    users, created = {}, []
    for key, full_name, role in STAFF:
        email = staff_email(key)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password = _password(email)
            user = auth.create_user(email=email, full_name=full_name, role=role, password=password)
            created.append((role, email, password))
        elif user.role != role or not user.active:
            raise click.ClickException(f"{email} exists but is not an active {role} account.")
        users[key] = user
    db.session.commit()
    desk = next(users[key] for key, _name, role in STAFF if role == "front_desk")
    return Staff(desk, {key: users[key] for key in THERAPISTS}), created


@contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on a terminal; otherwise a line every PROGRESS_EVERY patients."""
    started = time.perf_counter()
    if sys.stdout.isatty():
        with click.progressbar(length=total, label="Writing the demo clinic") as bar:
            yield lambda: bar.update(1)
        return
    done = [0]

    def advance() -> None:
        done[0] += 1
        if done[0] % PROGRESS_EVERY == 0 or done[0] == total:
            click.echo(f"  {done[0]}/{total} patients ({time.perf_counter() - started:.1f} s)")
    yield advance


def _write(writer: Writer, plan: PatientPlan, counts: Counter[str], told: list[str]) -> None:
    try:
        with summaries.deferred():  # the patient's outcome summaries worked out once, not per record
            patient = writer.patient(plan, counts)
        if plan.story:
            told.append(f"{patient.first_name} {patient.last_name} (MRN {patient.mrn}, {plan.story})")
        db.session.commit()  # one patient at a time: progress is real, and memory stays flat
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{plan.first_name} {plan.last_name} could not be written: {error.detail} "
                                   f"{error.errors or ''}".strip()) from error


def _report(counts: Counter[str], told: list[str], seconds: float) -> None:
    episodes = ", ".join(f"{counts[f'episodes {status}']} {status}" for status in ("pending", "active", "discharged"))
    click.echo(f"Created {counts['patients']} patients in {seconds:.1f} s: episodes {episodes}; "
               f"{counts['visits']} signed visits, {counts['responses']} questionnaire responses "
               f"({counts['follow-up responses']} follow-ups), {counts['pain scores']} pain scores, "
               f"{counts['runs']} runs, {counts['goals']} goals; red flags raised: {counts['red flags']} "
               "(each reviewed before its evaluation, or open on an intake still pending).")
    if told:
        click.echo("Testimonials: " + "; ".join(told) + ".")


def _passwords(created: list[tuple[str, str, str]]) -> None:
    if created:
        click.echo("Staff accounts (passwords shown once; change them with POST /api/v1/auth/password):")
    for role, email, password in created:
        click.echo(f"  {role:10} {email:28} {password}")


@click.command("demo")
@click.option("--patients", type=click.IntRange(2, 10_000), default=200, show_default=True,
              help="How many patients (the two testimonials among them).")
@click.option("--seed", type=int, default=2026, show_default=True, help="The same seed gives the same clinic.")
@click.option("--force", is_flag=True, help="Add the demo beside the patients on file (nothing is deleted).")
@click.option("--if-empty", is_flag=True, help="On a database that holds patients, do nothing (exit 0).")
@with_appcontext
def demo_command(patients: int, seed: int, force: bool, if_empty: bool) -> None:
    """Fill an empty database with a deterministic demo clinic for runners: staff, patients, a year of care."""
    long_statements(db.session, local=False)
    on_file = db.session.scalar(select(func.count()).select_from(Patient)) or 0
    if on_file and not force:
        if if_empty:
            click.echo(f"The database holds {on_file} patients; the demo is not added.")
            return
        raise click.ClickException(f"The database holds {on_file} patients: the demo fills an empty clinic. Use "
                                   "--force to add it beside them (nothing is deleted).")
    started = time.perf_counter()
    staff, created = _staff()
    counts: Counter[str] = Counter()
    told: list[str] = []
    writer = Writer(staff, utcnow(), confirm_new=force)
    plans = plan_clinic(patients=patients, seed=seed, today=today(),
                        schedule=Schedule.from_settings(current_app.config["MEASURE_SCHEDULE"]))
    try:
        with _progress(patients) as advance:
            for plan in plans:
                _write(writer, plan, counts, told)
                advance()
        _report(counts, told, time.perf_counter() - started)
    finally:
        _passwords(created)
