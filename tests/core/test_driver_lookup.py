"""``core.sql.DriverLookup``: the token check's statement, sent through the driver, reads what SQLAlchemy reads."""
from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError, OperationalError

from clinic_api.auth.models import AccessToken, User
from clinic_api.core.sql import DriverLookup
from clinic_api.extensions import db
from tests.factories import each_statement

TOKENS, USERS = AccessToken.__table__, User.__table__
BY_EMAIL = (select(USERS.c.id, USERS.c.active, USERS.c.created_at, USERS.c.role, TOKENS.c.expires_at,
                   TOKENS.c.revoked_at)
            .join_from(USERS, TOKENS, TOKENS.c.user_id == USERS.c.id, isouter=True)
            .where(USERS.c.email == bindparam("email")))


def test_a_row_has_the_values_and_types_sqlalchemy_gives_it(fresh_app, new_staff):
    new_staff(fresh_app, "therapist")
    with fresh_app.app_context():
        email = db.session.scalar(select(USERS.c.email))
        expected = tuple(db.session.execute(BY_EMAIL, {"email": email}).one())
        seen: list[str] = []
        with each_statement(fresh_app, lambda connection, cursor, sql, *args: seen.append(sql)):
            row = DriverLookup(BY_EMAIL).first(db.session.connection(), {"email": email})
            missing = DriverLookup(BY_EMAIL).first(db.session.connection(), {"email": "nobody@clinic.test"})

    assert row == expected and [type(value) for value in row] == [type(value) for value in expected]
    assert row[2].utcoffset() is not None and row[2].utcoffset().total_seconds() == 0  # aware, in UTC
    assert missing is None
    assert len(seen) == 2 and all("FROM users" in sql for sql in seen)  # the engine's listeners see each one


def test_a_parameter_its_type_would_convert_is_refused(fresh_app):
    lookup = DriverLookup(select(TOKENS.c.id).where(TOKENS.c.expires_at > bindparam("now")))
    with fresh_app.app_context(), pytest.raises(ValueError, match="now: a parameter the column type converts"):
        lookup.first(db.session.connection(), {"now": None})


def test_a_connection_the_driver_closed_is_sqlalchemys_error_and_is_invalidated(fresh_app, new_staff):
    """The cursor is opened as SQLAlchemy opens its own: a lost connection is its error (PostgreSQL: an
    OperationalError, answered 503), and the connection is not handed out again."""
    new_staff(fresh_app, "therapist")
    with fresh_app.app_context():
        connection = db.engine.connect()
        connection.connection.driver_connection.close()
        with pytest.raises(DBAPIError) as raised:
            DriverLookup(BY_EMAIL).first(connection, {"email": "pt@clinic.test"})
        connection.close()
        with db.engine.connect() as again:
            assert DriverLookup(BY_EMAIL).first(again, {"email": "pt@clinic.test"}) is not None
        dialect = db.engine.dialect.name

    if dialect == "postgresql":
        assert isinstance(raised.value, OperationalError) and raised.value.connection_invalidated
