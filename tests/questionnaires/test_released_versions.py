"""A released version never changes, so each process builds its answer (body and ETag) once: the kept answer is
the one a fresh dump gives, a client's cached copy is confirmed with a 304, and the latest version's path follows a
new version at once."""
from __future__ import annotations

import pytest
from flask import json
from sqlalchemy import select

from clinic_api.extensions import db
from clinic_api.questionnaires.models import Questionnaire
from clinic_api.questionnaires.schemas import DefinitionOut
from tests.factories import UWRI

API = "/api/v1/questionnaires"


def fresh(app, code, version):
    """The body and ETag of a version dumped afresh from its row, as flask-smorest's response and etag would."""
    with app.app_context():
        row = db.session.scalar(select(Questionnaire).where(Questionnaire.code == code,
                                                            Questionnaire.version == version))
        dumped = DefinitionOut().dump({**row.definition, "builtin": row.builtin, "created_at": row.created_at})
        etag = app.blueprints["questionnaires"]._generate_etag(dumped)
        return app.json.response(dumped).get_data(), etag


@pytest.mark.parametrize("path", ["/kujala/versions/1", "/kujala", "/nprs/versions/1"])
def test_the_kept_answer_is_a_fresh_dump_of_the_version(app, as_therapist, path):
    code = path.split("/")[1]
    for _ in range(2):  # the first answer builds it, the second is the kept one
        answer = as_therapist.get(API + path)
        assert answer.status_code == 200
        assert (answer.data, answer.headers["ETag"].strip('"')) == fresh(app, code, 1)
        assert answer.content_type == "application/json"


def test_if_none_match_on_a_released_version_answers_304_with_the_etag_and_no_body(as_front_desk):
    first = as_front_desk.get(API + "/kujala/versions/1")
    etag = first.headers["ETag"]

    again = as_front_desk.get(API + "/kujala/versions/1", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.data == b""
    other = as_front_desk.get(API + "/kujala/versions/1", headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200 and other.data == first.data


def test_a_built_in_version_is_answered_with_the_token_check_alone(as_therapist, count_queries):
    as_therapist.get(API + "/lefs/versions/1")  # built and kept

    with count_queries() as counter:
        answer = as_therapist.get(API + "/lefs/versions/1")

    assert answer.status_code == 200
    assert counter.count == 1, counter.statements  # the token lookup; no definition read, no dump


def test_the_latest_path_follows_a_new_version_at_once(app, as_admin, as_therapist):
    kujala = as_therapist.get(API + "/kujala")
    revised = {k: v for k, v in kujala.get_json().items() if k not in ("builtin", "created_at", "version")}
    revised["title"] = "Kujala AKPS (clinic translation)"
    assert as_admin.post(API, json=revised).status_code == 201

    latest = as_therapist.get(API + "/kujala", headers={"If-None-Match": kujala.headers["ETag"]})

    assert latest.status_code == 200
    assert latest.get_json()["version"] == 2 and latest.get_json()["title"] == revised["title"]
    assert latest.headers["ETag"] != kujala.headers["ETag"]
    assert (latest.data, latest.headers["ETag"].strip('"')) == fresh(app, "kujala", 2)
    first = as_therapist.get(API + "/kujala/versions/1")
    assert first.status_code == 200 and first.data == kujala.data


def test_a_clinic_defined_version_is_kept_as_published(app, as_admin, as_therapist):
    created = as_admin.post(API, json=UWRI)
    assert created.status_code == 201

    for _ in range(2):
        answer = as_therapist.get(API + "/uwri/versions/1")
        assert answer.status_code == 200
        assert json.loads(answer.data) == json.loads(created.data)
        assert answer.headers["ETag"] == created.headers["ETag"]
        assert (answer.data, answer.headers["ETag"].strip('"')) == fresh(app, "uwri", 1)


def test_an_unknown_code_or_version_stays_404_beside_kept_answers(as_therapist):
    assert as_therapist.get(API + "/kujala/versions/1").status_code == 200

    for path in ("/kujala/versions/2", "/womac", "/womac/versions/1"):
        answer = as_therapist.get(API + path)
        assert answer.status_code == 404
        assert answer.content_type == "application/problem+json"
