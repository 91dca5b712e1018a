"""Login failures for an unknown email and for a wrong password should take about the same time.

    .venv/bin/python -m bench.login_timing
"""
from __future__ import annotations

import statistics
import tempfile
import time

import flask_migrate

from clinic_api import create_app
from clinic_api.auth import service as auth
from clinic_api.extensions import db

ROUNDS = 40


def main() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tempfile.mkdtemp()}/login.db",
                      "LOGIN_MAX_FAILURES_PER_ACCOUNT": 10**6, "LOGIN_MAX_FAILURES_PER_ADDRESS": 10**6},
                     environment="test")
    with app.app_context():
        flask_migrate.upgrade()
        auth.create_user(email="pt@clinic.test", full_name="PT", role="therapist", password="Bench-Passphrase-2026")
        db.session.commit()
    client = app.test_client()
    cases = {"wrong password": {"email": "pt@clinic.test", "password": "not-the-password"},
             "unknown email": {"email": "nobody@clinic.test", "password": "not-the-password"},
             "right password": {"email": "pt@clinic.test", "password": "Bench-Passphrase-2026"}}
    results = {label: [] for label in cases}
    for _ in range(ROUNDS):  # interleaved, so drift of the machine hits every case alike
        for label, body in cases.items():
            started = time.perf_counter()
            status = client.post("/api/v1/auth/login", json=body).status_code
            results[label].append((time.perf_counter() - started) * 1000)
            assert status == (200 if label == "right password" else 401), (label, status)
    for label, timings in results.items():
        print(f"{label:15} median {statistics.median(timings):7.1f} ms   "
              f"p10 {sorted(timings)[ROUNDS // 10]:7.1f}   p90 {sorted(timings)[ROUNDS * 9 // 10]:7.1f}")


if __name__ == "__main__":
    main()
