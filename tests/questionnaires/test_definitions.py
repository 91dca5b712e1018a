"""Instrument definitions: built in, versioned, immutable once published, and extendable without code."""
from __future__ import annotations

import copy

import pytest

from tests.factories import UWRI

BUILTINS = {"nprs", "kujala", "lefs", "koos_pf", "psfs", "groc", "runner_intake", "running_injury_intake"}

# Kujala UM et al., Arthroscopy 1993;9(2):159-163: the points of each item's options, best to worst.
KUJALA_POINTS = [[5, 3, 0], [5, 3, 0], [5, 3, 2, 0], [10, 8, 5, 0], [5, 4, 3, 2, 0], [10, 8, 6, 3, 0],
                 [10, 7, 2, 0], [10, 8, 6, 4, 0], [10, 8, 6, 3, 0], [10, 8, 6, 4, 0], [10, 6, 4, 2, 0],
                 [5, 3, 0], [5, 3, 0]]

def test_every_role_sees_the_built_in_instruments(as_front_desk, as_therapist, as_admin):
    for client in (as_front_desk, as_therapist, as_admin):
        listed = client.get("/api/v1/questionnaires").get_json()
        assert {q["code"] for q in listed["items"]} == BUILTINS
        assert all(q["version"] == 1 and q["builtin"] for q in listed["items"])


def test_kujala_definition_keeps_the_1993_order_and_points(as_therapist):
    response = as_therapist.get("/api/v1/questionnaires/kujala")

    assert response.status_code == 200 and response.headers["ETag"]
    kujala = response.get_json()
    assert kujala["version"] == 1 and kujala["higher_is_better"] is True
    assert kujala["range"] == {"min": 0, "max": 100}
    assert kujala["mcid"]["points"] == 10 and "Crossley" in kujala["mcid"]["source"]
    assert [[o["points"] for o in item["options"]] for item in kujala["items"]] == KUJALA_POINTS
    assert [item["id"] for item in kujala["items"]][:3] == ["limp", "support", "walking"]


@pytest.mark.parametrize(("code", "higher_is_better", "low", "high", "mcid"), [
    ("nprs", False, 0, 10, 2), ("lefs", True, 0, 80, 9), ("koos_pf", True, 0, 100, 16.4),
    ("psfs", True, 0, 10, 2), ("groc", True, -7, 7, 3)])
def test_built_in_ranges_directions_and_mcids(as_therapist, code, higher_is_better, low, high, mcid):
    definition = as_therapist.get(f"/api/v1/questionnaires/{code}/versions/1").get_json()

    assert definition["higher_is_better"] is higher_is_better
    assert definition["range"] == {"min": low, "max": high}
    assert definition["mcid"]["points"] == mcid and definition["mcid"]["source"]


def test_nprs_is_coded_with_loinc(as_therapist):
    assert as_therapist.get("/api/v1/questionnaires/nprs").get_json()["loinc"] == "72514-3"


def test_unknown_instrument_or_version_is_404(as_therapist):
    assert as_therapist.get("/api/v1/questionnaires/womac").status_code == 404
    assert as_therapist.get("/api/v1/questionnaires/kujala/versions/2").status_code == 404


def test_admin_adds_an_instrument_that_scores_without_code(as_admin, as_therapist, create_episode):
    created = as_admin.post("/api/v1/questionnaires", json=UWRI)

    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith("/api/v1/questionnaires/uwri/versions/1")
    assert created.get_json()["version"] == 1 and created.get_json()["builtin"] is False
    episode = create_episode()
    answers = {f"q{n}": f"level_{n % 5}" for n in range(1, 10)}  # 1+2+3+4+0+1+2+3+4 = 20
    response = as_therapist.post(f"/api/v1/episodes/{episode['id']}/responses",
                                 json={"questionnaire": "uwri", "answers": answers})
    assert response.status_code == 201
    assert response.get_json()["score"]["total"] == 20


def test_a_new_version_leaves_the_old_one_as_it_was(as_admin, as_therapist):
    kujala = as_admin.get("/api/v1/questionnaires/kujala").get_json()
    revised = {k: v for k, v in kujala.items() if k not in ("builtin", "created_at", "version")}
    revised["title"] = "Kujala AKPS (clinic translation)"

    created = as_admin.post("/api/v1/questionnaires", json=revised)

    assert created.status_code == 201 and created.get_json()["version"] == 2
    assert as_therapist.get("/api/v1/questionnaires/kujala").get_json()["title"] == revised["title"]
    assert as_therapist.get("/api/v1/questionnaires/kujala/versions/1").get_json() == kujala
    again = as_admin.post("/api/v1/questionnaires", json={**revised, "version": 1})
    assert again.status_code == 409


LEVEL_4 = {"item": "q1", "equals": "level_4"}


def nested(condition, levels):
    """A condition wrapped in any/all until it is ``levels`` deep."""
    for level in range(levels - 1):
        condition = {"any" if level % 2 else "all": [condition]}
    return condition


def broken(change):
    definition = copy.deepcopy(UWRI)
    change(definition)
    return definition


@pytest.mark.parametrize(("definition", "path"), [
    (broken(lambda d: d["items"].append(copy.deepcopy(d["items"][0]))), "items"),
    (broken(lambda d: d["items"][0]["options"][1].update(points="three")), "items.0.options.1.points"),
    (broken(lambda d: d["scoring"]["items"].append("q99")), "scoring.items"),
    (broken(lambda d: d.update(range={"min": 0, "max": 40})), "range"),
    (broken(lambda d: d["items"][0].update(type="slider")), "items.0.type"),
    (broken(lambda d: d.update(red_flags=[{"code": "x", "title": "X", "message": "Review.",
                                           "when": {"item": "nope", "equals": True}}])), "red_flags"),
    (broken(lambda d: d.update(red_flags=[{"code": "x", "title": "X", "message": "Review.",
                                           "when": nested(LEVEL_4, 11)}])), "red_flags.0.when"),
    (broken(lambda d: d.update(code="Has Spaces")), "code"),
    (broken(lambda d: d.pop("items")), "items"),
    (broken(lambda d: d.update(colour="blue")), "colour"),
])
def test_a_bad_definition_is_422_naming_what_is_wrong(as_admin, definition, path):
    response = as_admin.post("/api/v1/questionnaires", json=definition)

    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert any(key == path or key.startswith(path + ".") for key in errors), errors
    assert as_admin.get("/api/v1/questionnaires/uwri").status_code == 404


def test_a_red_flag_rule_ten_levels_deep_is_accepted_and_raises(as_admin, as_therapist, create_episode):
    definition = {**UWRI, "red_flags": [{"code": "deep", "title": "Deep", "message": "Review.",
                                         "when": nested(LEVEL_4, 10)}]}
    published = as_admin.post("/api/v1/questionnaires", json=definition)
    assert published.status_code == 201, published.get_json()
    episode = create_episode()

    response = as_therapist.post(f"/api/v1/episodes/{episode['id']}/responses", json={
        "questionnaire": "uwri", "answers": {f"q{n}": "level_4" for n in range(1, 10)}, "source": "staff"})

    assert response.status_code == 201, response.get_json()
    assert [flag["code"] for flag in response.get_json()["red_flags"]] == ["deep"]


@pytest.mark.parametrize("role", ["as_front_desk", "as_therapist"])
def test_only_admins_publish_definitions(request, role):
    assert request.getfixturevalue(role).post("/api/v1/questionnaires", json=UWRI).status_code == 403
