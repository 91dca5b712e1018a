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
    from tests.episodes.test_red_flags_and_due import intake

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


def test_visit_list_with_pain_scores_and_addenda_is_bounded(count_queries, as_therapist, as_front_desk,
                                                           create_episode):
    from tests.flows.test_therapist_day import EVALUATION

    episode = create_episode()
    url = f"/api/v1/episodes/{episode['id']}/visits"
    first = as_therapist.post(url, json=EVALUATION).get_json()
    as_therapist.post(f"/api/v1/visits/{first['id']}/sign")
    few = statements_for(count_queries, as_therapist, url)
    for day in range(2, 14):
        visit = as_therapist.post(url, json={**EVALUATION, "visit_type": "follow_up",
                                             "visit_date": f"2026-09-{day:02d}"}).get_json()
        as_therapist.post(f"/api/v1/visits/{visit['id']}/sign")
        as_therapist.post(f"/api/v1/visits/{visit['id']}/addenda", json={"text": "Late entry."})

    many = statements_for(count_queries, as_therapist, url)
    listed = as_therapist.get(url).get_json()["items"]

    assert len(listed) == 13 and all(len(v["pain_scores"]) == 2 for v in listed)
    assert sum(len(v["addenda"]) for v in listed) == 12
    assert 0 < few == many <= 8
    assert statements_for(count_queries, as_front_desk, url) <= many
