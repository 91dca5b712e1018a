"""'Today' is the clinic's date, in its configured time zone."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import config
from clinic_api import create_app
from clinic_api.core.types import today


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
