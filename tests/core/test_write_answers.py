"""A write's answer is what a GET right after it returns, ETag included: a client that saves twice in a row,
each time with the ETag of its last answer, is never told that someone else changed the record."""
from __future__ import annotations

import time

from tests.factories import API, PASSWORD, read


def saved_twice(client, url: str, first: dict, second: dict) -> None:
    etag = client.get(url).headers["ETag"]
    time.sleep(0.002)  # a new updated_at is a new instant
    answer = client.patch(url, json=first, headers={"If-Match": etag})
    assert answer.status_code == 200, answer.get_json()
    shown = client.get(url)
    assert answer.headers["ETag"] == shown.headers["ETag"]
    assert answer.get_json() == shown.get_json()
    again = client.patch(url, json=second, headers={"If-Match": answer.headers["ETag"]})
    assert again.status_code == 200, again.get_json()
    assert again.headers["ETag"] == client.get(url).headers["ETag"]


def test_a_patient_saved_twice_with_the_answers_etag(as_front_desk, create_patient):
    url = f"{API}/patients/{create_patient()['id']}"
    saved_twice(as_front_desk, url, {"phone": "+1 555 010 0100"}, {"phone": "+1 555 010 0101"})


def test_an_episode_saved_twice_with_the_answers_etag(as_therapist, episode):
    url = f"{API}/episodes/{episode['id']}"
    saved_twice(as_therapist, url, {"referral_source": "GP"}, {"referral_source": "Sports physician"})


def test_a_draft_visit_saved_twice_with_the_answers_etag(as_therapist, evaluation):
    url = f"{API}/visits/{evaluation['id']}"
    saved_twice(as_therapist, url, {"plan": "Add step-downs."}, {"plan": "Add step-downs and hopping."})


def test_a_goal_saved_twice_with_the_answers_etag(as_therapist, create_goal, episode):
    url = f"{API}/goals/{create_goal(episode['id'])['id']}"
    saved_twice(as_therapist, url, {"text": "Run 8 km pain-free"}, {"text": "Run 10 km pain-free"})


def test_a_staff_account_saved_twice_with_the_answers_etag(as_admin):
    created = as_admin.post(f"{API}/users", json={"email": "locum@clinic.test", "full_name": "Locum",
                                                  "role": "therapist", "password": PASSWORD})
    assert created.status_code == 201, created.get_json()
    saved_twice(as_admin, created.headers["Location"], {"full_name": "Locum A"}, {"full_name": "Locum B"})


def test_a_signature_answers_the_visit_as_a_get_shows_it(as_therapist, evaluation):
    url = f"{API}/visits/{evaluation['id']}"
    answer = as_therapist.post(url + "/sign")
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["ETag"] == as_therapist.get(url).headers["ETag"]
    assert answer.get_json() == read(as_therapist, url)


def test_a_discharge_answers_the_episode_as_a_get_shows_it(as_therapist, signed_evaluation, episode):
    answer = as_therapist.post(f"{API}/episodes/{episode['id']}/discharge",
                               json={"discharge_date": "2026-09-01", "reason": "goals_met"})
    assert answer.status_code == 200, answer.get_json()
    shown = as_therapist.get(f"{API}/episodes/{episode['id']}")
    assert answer.get_json() == shown.get_json()
    assert answer.headers["ETag"] == shown.headers["ETag"]
