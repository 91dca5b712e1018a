"""Requests in the same episode at the same moment: the rules hold on both databases. And the clinic's day."""
from __future__ import annotations

import threading

import pytest

from tests.conftest import KNEE_EPISODE, MADDIE, PASSWORD
from tests.flows.test_therapist_day import EVALUATION


def at_once(app, headers, *calls):
    """Send the requests (method, url, body) from separate threads released together; answers in order."""
    answers: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def send(index: int, method: str, url: str, body) -> None:
        client = app.test_client()
        barrier.wait()
        answers[index] = client.open(url, method=method, json=body, headers=headers)

    threads = [threading.Thread(target=send, args=(index, *call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def therapist_headers(fresh_app):
    from clinic_api.auth import service
    from clinic_api.extensions import db

    with fresh_app.app_context():
        user = service.create_user(email="pt@clinic.test", full_name="PT", role="therapist", password=PASSWORD)
        token = service.issue_token(user).access_token
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def new_episode(client, headers):
    patient = client.post("/api/v1/patients", json=MADDIE, headers=headers).get_json()
    return client.post(f"/api/v1/patients/{patient['id']}/episodes", json=KNEE_EPISODE, headers=headers).get_json()


def test_concurrent_initial_evaluations_leave_one(fresh_app, therapist_headers):
    client = fresh_app.test_client()
    url = f"/api/v1/episodes/{new_episode(client, therapist_headers)['id']}/visits"

    answers = at_once(fresh_app, therapist_headers, ("POST", url, EVALUATION), ("POST", url, EVALUATION))

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    assert client.get(url, headers=therapist_headers).get_json()["total"] == 1


@pytest.mark.parametrize("attempt", range(3))
def test_a_pain_score_racing_a_signature_never_changes_the_signed_note(fresh_app, therapist_headers, attempt):
    client = fresh_app.test_client()
    episode = new_episode(client, therapist_headers)
    visit = client.post(f"/api/v1/episodes/{episode['id']}/visits", json=EVALUATION,
                        headers=therapist_headers).get_json()

    signed, scored = at_once(fresh_app, therapist_headers, ("POST", f"/api/v1/visits/{visit['id']}/sign", None),
                             ("POST", f"/api/v1/episodes/{episode['id']}/pain-scores",
                              {"score": 2, "context": "current", "visit_id": visit["id"]}))

    assert signed.status_code == 200, signed.get_json()
    assert scored.status_code in (201, 409), scored.get_json()
    shown = client.get(f"/api/v1/visits/{visit['id']}", headers=therapist_headers).get_json()
    assert shown["pain_scores"] == signed.get_json()["pain_scores"]
    assert len(shown["pain_scores"]) == (3 if scored.status_code == 201 else 2)


def test_a_draft_changed_while_a_pain_score_is_added_to_it_deadlocks_neither(fresh_app, therapist_headers):
    client = fresh_app.test_client()
    episode = new_episode(client, therapist_headers)
    visit = client.post(f"/api/v1/episodes/{episode['id']}/visits", json=EVALUATION,
                        headers=therapist_headers).get_json()
    etag = client.get(f"/api/v1/visits/{visit['id']}", headers=therapist_headers).headers["ETag"]

    changed, scored = at_once(fresh_app, {**therapist_headers, "If-Match": etag},
                              ("PATCH", f"/api/v1/visits/{visit['id']}", {"plan": "Add hopping."}),
                              ("POST", f"/api/v1/episodes/{episode['id']}/pain-scores",
                               {"score": 2, "context": "current", "visit_id": visit["id"]}))

    assert scored.status_code == 201, scored.get_json()
    # The score landing first changes the note's ETag: the change is then stale (412), never a deadlock (503).
    assert changed.status_code in (200, 412), changed.get_json()


def test_a_visit_without_a_date_takes_the_clinics_date(tmp_path):
    from datetime import UTC, datetime, timedelta

    from clinic_api.auth import service
    from clinic_api.extensions import db
    from tests.conftest import database, migrated_app

    with database(str(tmp_path), "kiritimati") as url:
        app = migrated_app(url, CLINIC_TIMEZONE="Pacific/Kiritimati")  # UTC+14: always ahead of UTC's date
        with app.app_context():
            user = service.create_user(email="pt@clinic.test", full_name="PT", role="therapist", password=PASSWORD)
            headers = {"Authorization": f"Bearer {service.issue_token(user).access_token}"}
            db.session.commit()
        client = app.test_client()
        episode = new_episode(client, headers)

        visit = client.post(f"/api/v1/episodes/{episode['id']}/visits", headers=headers,
                            json={"visit_type": "initial_evaluation"}).get_json()

        assert visit["visit_date"] == (datetime.now(UTC) + timedelta(hours=14)).date().isoformat()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
