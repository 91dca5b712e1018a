"""A client generated from the served OpenAPI document accepts every real answer: each answer below is
validated against the schema the document gives for its operation and status."""
from __future__ import annotations

from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from tests.factories import API, intake


@pytest.fixture
def conforms(anonymous):
    spec = anonymous.get("/openapi.json").get_json()

    def check(answer: Any, path: str, method: str) -> None:
        responses = spec["paths"][path][method]["responses"]
        documented = responses.get(str(answer.status_code)) or responses["default"]
        if "$ref" in documented:
            documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        schema = documented["content"][answer.content_type]["schema"]
        # The operation's schema, with the document's components beside it for its $refs to resolve.
        OAS30Validator({**schema, "components": spec["components"]}).validate(answer.get_json())

    return check


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
