"""A client generated from the served OpenAPI document accepts every real answer: each answer below is
validated against the schema the document gives for its operation and status (conftest's ``conforms``)."""
from __future__ import annotations

from tests.factories import API, intake


def test_an_unscored_intake_with_its_null_score_is_as_documented(as_front_desk, episode, conforms):
    answer = as_front_desk.post(f"{API}/episodes/{episode['id']}/responses", json=intake())
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["score"] is None
    conforms(answer, "/api/v1/episodes/{episode_id}/responses", "post")


def test_a_discharge_refused_for_unsigned_notes_is_as_documented(as_therapist, evaluation, episode, conforms):
    answer = as_therapist.post(f"{API}/episodes/{episode['id']}/discharge", json={"reason": "goals_met"})
    assert answer.status_code == 409
    assert answer.get_json()["draft_visits"][0]["id"] == evaluation["id"]
    conforms(answer, "/api/v1/episodes/{episode_id}/discharge", "post")


def test_visits_as_the_front_desk_and_as_a_therapist_are_as_documented(as_front_desk, as_therapist, evaluation,
                                                                         conforms):
    for client in (as_front_desk, as_therapist):
        conforms(client.get(f"{API}/visits/{evaluation['id']}"), "/api/v1/visits/{visit_id}", "get")
        conforms(client.get(f"{API}/episodes/{evaluation['episode_id']}/visits"),
                 "/api/v1/episodes/{episode_id}/visits", "get")


def test_the_answers_to_a_body_the_api_cannot_read_are_documented(as_front_desk, conforms, app):
    # The document has no catch-all "default" answer (so that a contract check tells an undocumented status): an
    # operation with a JSON body lists 400, 413 and 415 itself (core.api.Blueprint.arguments).
    url, path = f"{API}/patients", "/api/v1/patients"
    malformed = as_front_desk.post(url, data='{"first_name": ', content_type="application/json")
    not_json = as_front_desk.post(url, data="first_name=Maddie", content_type="text/plain")
    too_large = as_front_desk.post(url, data="[" + " " * app.config["MAX_CONTENT_LENGTH"] + "]",
                                   content_type="application/json")

    assert [malformed.status_code, not_json.status_code, too_large.status_code] == [400, 415, 413]
    for answer in (malformed, not_json, too_large):
        conforms(answer, path, "post")
