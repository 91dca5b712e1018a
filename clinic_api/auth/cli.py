"""``flask --app wsgi users ...``: staff accounts from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select, update

from clinic_api.audit import service as audit
from clinic_api.auth import service
from clinic_api.auth.models import AccessToken, User
from clinic_api.auth.passwords import generate_password
from clinic_api.core.access import ADMIN, ROLES
from clinic_api.core.errors import DomainError
from clinic_api.core.types import utcnow
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


@users_cli.command("revoke-tokens")
@click.option("--all", "every_user", is_flag=True, help="Revoke the tokens of every account.")
@click.option("--email", help="Revoke the tokens of this account only.")
def revoke_tokens(every_user: bool, email: str | None) -> None:
    """Sign everyone (--all) or one account (--email) out at once: every token not yet revoked or expired is
    revoked in one UPDATE, and the revocation is audited. Tokens are opaque and kept in the database, so
    changing SECRET_KEY revokes none of them: this command does."""
    if every_user == (email is not None):
        raise click.UsageError("Give either --all or --email EMAIL.")
    now = utcnow()
    # Not yet expired, even if idle: an idle token is refused today, but would live again if the idle
    # timeout were raised.
    revoking = update(AccessToken).where(AccessToken.revoked_at.is_(None), AccessToken.expires_at > now)
    user = None
    if email is not None:
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No account has the email {email}.")
        revoking = revoking.where(AccessToken.user_id == user.id)
    revoked = db.session.execute(revoking.values(revoked_at=now)).rowcount
    audit.record("auth.tokens_revoke", "user" if user else "access_tokens", user.id if user else None,
                 details={"scope": "user" if user else "all", "revoked": revoked, "via": "cli"})
    db.session.commit()
    whose = user.email if user else "every account"
    click.echo(f"Revoked {revoked} tokens of {whose}.")
