"""The built-in instruments' data files: what the published forms pin down (pure data, no app)."""

from __future__ import annotations

import pytest

from clinic_api.questionnaires.builtins import BUILTIN_CODES, load_builtin_definitions
from clinic_api.questionnaires.definitions import check_definition
from tests.questionnaires.instruments import BUILTINS, definition


def test_builtins_load_in_the_documented_order() -> None:
    assert [d["code"] for d in load_builtin_definitions()] == list(BUILTIN_CODES)
    assert list(BUILTIN_CODES) == ["nprs", "kujala", "lefs", "koos_pf", "psfs", "groc", "runner_intake",
                                   "running_injury_intake"]


def test_each_load_returns_fresh_copies() -> None:
    first = load_builtin_definitions()
    first[0]["items"].clear()
    assert load_builtin_definitions()[0]["items"]


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_every_builtin_passes_check_definition_unchanged(code: str) -> None:
    # The same check as POST /questionnaires, and loading adds, trims or coerces nothing.
    assert check_definition(definition(code)) == BUILTINS[code]


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_every_builtin_has_exactly_the_public_keys_and_a_cited_mcid(code: str) -> None:
    d = BUILTINS[code]
    assert list(d) == [
        "code", "version", "title", "description", "citation", "items", "scoring", "range",
        "higher_is_better", "mcid", "red_flags", "loinc",
    ]  # fmt: skip
    assert d["version"] == 1
    if d["scoring"]["method"] != "none":  # the intake forms are not scored: no MCID
        assert d["citation"]
        assert d["mcid"]["source"]


def test_kujala_points_are_the_1993_version() -> None:
    # Kujala 1993 (Arthroscopy 9:159) pins these; some web versions differ (limp "constant" 2, squatting partial
    # weight bearing 1), which must not creep in.
    expected = {
        "limp": [5, 3, 0],
        "support": [5, 3, 0],
        "walking": [5, 3, 2, 0],
        "stairs": [10, 8, 5, 0],
        "squatting": [5, 4, 3, 2, 0],
        "running": [10, 8, 6, 3, 0],
        "jumping": [10, 7, 2, 0],
        "prolonged_sitting": [10, 8, 6, 4, 0],
        "pain": [10, 8, 6, 3, 0],
        "swelling": [10, 8, 6, 4, 0],
        "abnormal_kneecap_movements": [10, 6, 4, 2, 0],
        "thigh_atrophy": [5, 3, 0],
        "flexion_deficiency": [5, 3, 0],
    }
    items = BUILTINS["kujala"]["items"]
    assert [item["id"] for item in items] == list(expected)
    for item in items:
        assert [o["points"] for o in item["options"]] == expected[item["id"]], item["id"]
        assert item["required"] is True
    limp = items[0]["options"]
    assert [(o["code"], o["text"]) for o in limp] == [
        ("none", "None"),
        ("slight_or_periodical", "Slight or periodical"),
        ("constant", "Constant"),
    ]


def test_lefs_items_are_in_the_published_order() -> None:
    texts = [item["text"] for item in BUILTINS["lefs"]["items"]]
    assert len(texts) == 20
    assert texts[0] == "Any of your usual work, housework or school activities"
    assert texts[5] == "Squatting"
    assert texts[15:19] == [
        "Running on even ground",
        "Running on uneven ground",
        "Making sharp turns while running fast",
        "Hopping",
    ]
    assert texts[19] == "Rolling over in bed"
    for item in BUILTINS["lefs"]["items"]:
        assert [o["points"] for o in item["options"]] == [0, 1, 2, 3, 4]
        assert item["options"][0]["text"] == "Extreme difficulty or unable to perform activity"
        assert item["options"][4]["text"] == "No difficulty"


def test_koos_pf_unconfirmed_wording_is_marked_as_placeholder() -> None:
    for item in BUILTINS["koos_pf"]["items"]:
        assert item["text"].startswith("[placeholder wording:")
        assert all(o["text"].startswith("[placeholder wording:") for o in item["options"])
