"""Lists run a fixed number of SQL statements whatever the number of rows (no N+1)."""
from __future__ import annotations


def statements_for(count_queries, client, url):
    with count_queries() as counter:
        response = client.get(url, query_string={"per_page": 100})
    assert response.status_code == 200
    return counter.count


def test_patient_search_cost_does_not_grow_with_patients(count_queries, as_front_desk, create_patient):
    create_patient()
    few = statements_for(count_queries, as_front_desk, "/api/v1/patients")
    for number in range(15):
        create_patient(first_name=f"Runner{number}")

    many = statements_for(count_queries, as_front_desk, "/api/v1/patients")

    assert 0 < few == many <= 6


def test_episode_list_with_red_flags_is_bounded(count_queries, as_front_desk, create_patient, create_episode):
    patient = create_patient()
    from tests.api.test_red_flags_and_due import intake

    intake(as_front_desk, create_episode(patient["id"]), calf_pain_swelling=True)
    few = statements_for(count_queries, as_front_desk, f"/api/v1/patients/{patient['id']}/episodes")
    for _ in range(8):
        intake(as_front_desk, create_episode(patient["id"]), calf_pain_swelling=True, night_pain_wakes=True)

    many = statements_for(count_queries, as_front_desk, f"/api/v1/patients/{patient['id']}/episodes")

    assert 0 < few == many <= 7


def test_response_list_is_bounded(count_queries, as_therapist, create_episode):
    episode = create_episode()
    url = f"/api/v1/episodes/{episode['id']}/responses"

    def respond(pain):
        as_therapist.post(url, json={"questionnaire": "nprs", "answers": {"pain": pain},
                                     "taken_at": "2026-09-02T09:00:00+00:00"})
    respond(7)
    few = statements_for(count_queries, as_therapist, url)
    for pain in range(10):
        respond(pain)
    as_therapist.post(url, json={"questionnaire": "groc", "answers": {"global_change": 2},
                                 "taken_at": "2026-09-02T09:00:00+00:00"})

    many = statements_for(count_queries, as_therapist, url)

    assert 0 < few == many <= 6
