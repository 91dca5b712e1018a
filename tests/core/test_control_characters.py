"""Control characters never reach the database (PostgreSQL refuses NUL in text): a path segment holding one
names nothing (404), a body string holding one is a 422 on its field, and a value the database still
refuses is a 400, never a 500. Tab, line feed and carriage return stay in free clinical text, exactly."""
from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from clinic_api.core.access import public
from clinic_api.extensions import db
from tests.factories import API, EVALUATION, assert_problem, read


@pytest.mark.parametrize("path", ["/questionnaires/%00", "/questionnaires/%00/versions/1", "/questionnaires/a%1Fb",
                                  "/questionnaires/kujala%C2%85", "/docs/assets/%00.js"])
def test_a_control_character_in_a_path_segment_names_nothing(as_therapist, path):
    assert_problem(as_therapist.get(path if path.startswith("/docs") else API + path), 404)


def test_a_control_character_in_a_red_flag_path_names_nothing(as_therapist, episode):
    assert_problem(as_therapist.post(f"{API}/episodes/{episode['id']}/red-flags/%00/acknowledge",
                                     json={"note": "Reviewed."}), 404)


@pytest.mark.parametrize("email", ["a\u0000b@x.org", "a\u0007b@x.org", "ab@x.org\u009b"])
def test_a_control_character_in_the_login_email_is_a_422_on_it(anonymous, email):
    assert_problem(anonymous.post(f"{API}/auth/login", json={"email": email, "password": "whatever-it-is"}),
                   422, "email")


@pytest.mark.parametrize(("field", "value"), [("first_name", "Mad\u0000die"), ("last_name", "Run\u001bner"),
                                              ("email", "maddie\u0000@example.org")])
def test_a_control_character_in_a_body_string_is_a_422_on_its_field(as_front_desk, field, value):
    from tests.factories import MADDIE

    assert_problem(as_front_desk.post(f"{API}/patients", json={**MADDIE, field: value}), 422, field)


def test_a_control_character_in_a_nested_answer_is_named_by_its_path(as_therapist, episode):
    answer = as_therapist.post(f"{API}/episodes/{episode['id']}/visits",
                               json={**EVALUATION, "home_exercises": [{"name": "Step\u0000downs"}]})
    assert_problem(answer, 422, "home_exercises.0.name")


def test_tab_line_feed_and_carriage_return_stay_in_clinical_text(as_therapist, episode):
    note = "Knee pain\tworse on stairs.\r\nRan 40 km a week.\n"
    visit = as_therapist.post(f"{API}/episodes/{episode['id']}/visits", json={**EVALUATION, "subjective": note})
    assert visit.status_code == 201, visit.get_json()
    assert read(as_therapist, visit.headers["Location"])["subjective"] == note


@pytest.fixture
def app_refusing_a_value(new_app) -> Flask:
    app = new_app()

    @public
    def unstorable():
        # A value only the database can judge: PostgreSQL refuses text that is no integer (DataError).
        db.session.execute(text("SELECT CAST(:value AS INTEGER)"), {"value": "forty"})
        return {"status": "stored"}

    app.add_url_rule("/test-only/unstorable", "unstorable", unstorable)
    return app


def test_a_value_the_database_refuses_is_a_400_problem(app_refusing_a_value):
    if app_refusing_a_value.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite casts any text to a number: it raises no DataError")
    assert_problem(app_refusing_a_value.test_client().get("/test-only/unstorable"), 400)
