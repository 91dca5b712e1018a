"""``flask --app wsgi users ...``: staff accounts from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from clinic_api.auth import service
from clinic_api.auth.models import User
from clinic_api.auth.passwords import generate_password
from clinic_api.core.access import ADMIN, ROLES
from clinic_api.core.errors import DomainError
from clinic_api.extensions import db

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "full_name", required=True, help="Full name, e.g. \"Dana Physio\".")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(email: str, role: str, full_name: str, password_stdin: bool) -> None:
    """Create a staff account; without --password-stdin a strong password is generated and printed once."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    try:
        user = service.create_user(email=email, full_name=full_name, role=role, password=password)
    except DomainError as error:
        db.session.rollback()
        message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in (error.errors or {}).items())
        raise click.ClickException(message or error.detail) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} ({user.id}).")
    if not password_stdin:
        click.echo(f"Password (shown once): {password}")


@users_cli.command("bootstrap-admin")
@click.option("--email", default="admin@clinic.local", show_default=True)
def bootstrap_admin(email: str) -> None:
    """Create a first admin when there is none, and print its one-time password."""
    if db.session.scalar(select(User.id).where(User.role == ADMIN, User.active.is_(True)).limit(1)):
        click.echo("An admin account exists; nothing to do.")
        return
    password = generate_password()
    service.create_user(email=email, full_name="Clinic Administrator", role=ADMIN, password=password)
    db.session.commit()
    click.echo(f"Created the first admin: {email}")
    click.echo(f"One-time password (shown once, change it with POST /api/v1/auth/password): {password}")
