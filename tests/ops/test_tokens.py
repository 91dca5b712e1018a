"""``flask users revoke-tokens``: every live token (or one account's) revoked at once, audited; a revoked token
answers 401 at once. Tokens are opaque rows in the database: a new SECRET_KEY leaves them valid."""
from __future__ import annotations

from sqlalchemy import select

from clinic_api import create_app
from clinic_api.audit.models import AuditEvent
from clinic_api.extensions import db
from tests.conftest import ApiClient, dispose
from tests.factories import API, STAFF, assert_problem, created

ME = f"{API}/auth/me"


def revoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["users", "revoke-tokens", *args])


def revocations(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.tokens_revoke")))


def test_revoking_every_token_signs_everyone_out(fresh_app, new_staff):
    therapist, desk = new_staff(fresh_app, "therapist"), new_staff(fresh_app, "front_desk")
    assert created(therapist.get(ME), 200)["email"] == STAFF["therapist"][0]
    assert created(desk.get(ME), 200)

    result = revoke(fresh_app, "--all")

    assert result.exit_code == 0, result.output
    assert "Revoked 2 tokens of every account." in result.output
    assert_problem(therapist.get(ME), 401)
    assert_problem(desk.get(ME), 401)
    [event] = revocations(fresh_app)
    assert event.details == {"scope": "all", "revoked": 2, "via": "cli"}
    assert event.user_id is None  # a command, not a member of staff


def test_a_second_run_finds_nothing_left_to_revoke(fresh_app, new_staff):
    new_staff(fresh_app, "therapist")
    assert "Revoked 1 tokens" in revoke(fresh_app, "--all").output
    assert "Revoked 0 tokens" in revoke(fresh_app, "--all").output
    assert [event.details["revoked"] for event in revocations(fresh_app)] == [1, 0]


def test_revoking_one_account_leaves_the_others_signed_in(fresh_app, new_staff):
    therapist, desk = new_staff(fresh_app, "therapist"), new_staff(fresh_app, "front_desk")

    result = revoke(fresh_app, "--email", STAFF["therapist"][0].upper())

    assert result.exit_code == 0, result.output
    assert f"Revoked 1 tokens of {STAFF['therapist'][0]}." in result.output
    assert_problem(therapist.get(ME), 401)
    assert created(desk.get(ME), 200)
    [event] = revocations(fresh_app)
    assert event.resource_id == str(therapist.user.id)
    assert event.details["scope"] == "user"


def test_the_command_needs_exactly_one_scope_and_a_known_account(fresh_app, new_staff):
    therapist = new_staff(fresh_app, "therapist")
    for args in ((), ("--all", "--email", STAFF["therapist"][0])):
        result = revoke(fresh_app, *args)
        assert result.exit_code == 2 and "Give either --all or --email" in result.output
    unknown = revoke(fresh_app, "--email", "nobody@clinic.test")
    assert unknown.exit_code == 1 and "No account has the email nobody@clinic.test" in unknown.output
    assert created(therapist.get(ME), 200)  # nothing was revoked
    assert revocations(fresh_app) == []


def test_a_new_secret_key_does_not_revoke_tokens(fresh_app, new_staff):
    """Why the command exists: rotating SECRET_KEY signs nobody out."""
    therapist = new_staff(fresh_app, "therapist")
    rotated = create_app({"SQLALCHEMY_DATABASE_URI": fresh_app.config["SQLALCHEMY_DATABASE_URI"],
                          "SECRET_KEY": "another-secret-entirely"}, environment="test")
    try:
        assert rotated.config["SECRET_KEY"] != fresh_app.config["SECRET_KEY"]
        assert created(ApiClient(rotated.test_client(), therapist.token).get(ME), 200)
    finally:
        dispose(rotated)
