"""'Today' is the clinic's date, in its configured time zone (CLINIC_TIMEZONE)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import config
from clinic_api import create_app
from clinic_api.core.types import today
from tests.factories import post_episode, post_patient, visits_url


@pytest.mark.parametrize(("zone", "offset"), [("UTC", 0), ("Pacific/Kiritimati", 14), ("Etc/GMT+12", -12)])
def test_today_is_the_date_in_the_clinics_time_zone(zone, offset):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "CLINIC_TIMEZONE": zone}, environment="test")

    with app.app_context():
        before = (datetime.now(UTC) + timedelta(hours=offset)).date()
        day = today()
        after = (datetime.now(UTC) + timedelta(hours=offset)).date()

    assert day in (before, after)


def test_an_unknown_time_zone_stops_the_start(monkeypatch):
    monkeypatch.setenv("CLINIC_TIMEZONE", "Mars/Olympus_Mons")

    with pytest.raises(RuntimeError, match="CLINIC_TIMEZONE"):
        config.load("test")


def test_a_visit_without_a_date_takes_the_clinics_date(new_app, new_staff):
    therapist = new_staff(new_app(CLINIC_TIMEZONE="Pacific/Kiritimati"))  # UTC+14: always ahead of UTC's date
    episode = post_episode(therapist, post_patient(therapist)["id"])

    visit = therapist.post(visits_url(episode["id"]), json={"visit_type": "initial_evaluation"}).get_json()

    assert visit["visit_date"] == (datetime.now(UTC) + timedelta(hours=14)).date().isoformat()
