"""Every request has an id, echoed or made, and the logs name requests by their route, never by patient data."""
from __future__ import annotations

import logging

from tests.factories import MADDIE


def test_request_id_is_echoed_or_made(anonymous):
    assert anonymous.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    made = anonymous.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert made and made != "bad id with spaces"


def test_logs_carry_no_patient_data(as_front_desk, app_logs):
    with app_logs.at_level(logging.DEBUG, logger="clinic_api"):
        created = as_front_desk.post("/api/v1/patients", json={**MADDIE, "last_name": "Zebedeeson"})
        as_front_desk.get("/api/v1/patients", query_string={"q": "Zebedeeson"})
        as_front_desk.get(created.headers["Location"])
        as_front_desk.post("/api/v1/patients", json={**MADDIE, "last_name": "Zebedeeson", "sex": "?"})

    assert created.status_code == 201
    logged = "\n".join(record.getMessage() for record in app_logs.records)
    assert "Zebedeeson" not in logged and "Maddie" not in logged and "1994-05-17" not in logged
    assert "POST /api/v1/patients 201" in logged  # the request is logged, by its route pattern
    assert "GET /api/v1/patients/<uuid:patient_id> 200" in logged
