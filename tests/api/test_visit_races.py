"""Two therapists logging an episode's first visit at the same moment: one initial evaluation survives."""
from __future__ import annotations

import threading

from tests.api.test_therapist_day import EVALUATION
from tests.conftest import KNEE_EPISODE, MADDIE, PASSWORD


def test_concurrent_initial_evaluations_leave_one(fresh_app):
    from clinic_api.auth import service
    from clinic_api.extensions import db

    with fresh_app.app_context():
        user = service.create_user(email="pt@clinic.test", full_name="PT", role="therapist", password=PASSWORD)
        token = service.issue_token(user).access_token
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = fresh_app.test_client()
    patient = client.post("/api/v1/patients", json=MADDIE, headers=headers).get_json()
    episode = client.post(f"/api/v1/patients/{patient['id']}/episodes", json=KNEE_EPISODE, headers=headers).get_json()
    url = f"/api/v1/episodes/{episode['id']}/visits"
    answers: list[int] = []
    barrier = threading.Barrier(2)

    def evaluate() -> None:
        own_client = fresh_app.test_client()
        barrier.wait()
        answers.append(own_client.post(url, json=EVALUATION, headers=headers).status_code)

    threads = [threading.Thread(target=evaluate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [201, 409]
    assert client.get(url, headers=headers).get_json()["total"] == 1
