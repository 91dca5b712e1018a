"""bench/generate.py's bulk clinic is the demo clinic: the same plans, inserted without the services, hold what
``flask demo`` writes through them, and their kept summaries are what a rebuild works out."""
from __future__ import annotations

from bench.generate import check_summaries, generate_outcomes


def test_the_bulk_generator_writes_the_clinic_the_demo_writes(demo_clinic, new_app, fingerprint):
    app = new_app()
    with app.app_context():
        done = generate_outcomes(demo_clinic.patients)  # the demo's default seed, today
        assert done.counts["episodes_of_care"] == demo_clinic.patients
        assert check_summaries(sample=demo_clinic.patients) > 0
    assert fingerprint(app) == fingerprint(demo_clinic.app)
