"""Definition checks: the schema and the engine together, as POST /questionnaires runs them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clinic_api.questionnaires.definitions import check_definition
from clinic_api.questionnaires.engine import DefinitionErrors, score_response
from tests.questionnaires.instruments import definition


def definition_errors(d: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(DefinitionErrors) as caught:
        check_definition(d)
    return caught.value.errors


def test_a_broken_definition_reports_each_problem_under_its_path() -> None:
    d = definition("kujala")
    d["items"][1]["id"] = "limp"  # duplicate id
    d["items"][2]["options"][0]["points"] = None  # a scored option without points
    d["items"][3]["options"][1]["points"] = None  # another one: the range counts neither item
    d["scoring"]["items"].append("ghost")  # scoring names an unknown item
    d["range"]["max"] = 120  # unreachable
    errors = definition_errors(d)
    assert errors["items.1.id"] == ["Duplicate item id 'limp' (also items.0)."]
    assert errors["items.2.options.0.points"] == ["Must be a number: this item is used in scoring."]
    assert "Unknown item 'ghost'." in errors["scoring.items"]
    assert "Unknown item 'support'." in errors["scoring.items"]  # its id was overwritten above
    assert len(errors["range"]) == 1 and errors["range"][0].startswith(
        "Does not match what the scoring rule can produce: 0 to 80"
    )


def test_points_that_are_not_a_number_are_refused_by_the_schema_before_any_reference_is_checked() -> None:
    # As on POST: the schema refuses a malformed definition, and the engine sees only well-formed ones.
    d = definition("kujala")
    d["items"][3]["options"][1]["points"] = "8"  # points that are not a number
    d["scoring"]["items"].append("ghost")  # not reported until the shape is right
    assert definition_errors(d) == {"items.3.options.1.points": ["Must be a number."]}


def test_an_unreachable_range_is_computed_from_the_items() -> None:
    d = definition("lefs")
    d["range"] = {"min": 0, "max": 100}
    assert definition_errors(d) == {"range": ["Does not match what the scoring rule can produce: 0 to 80."]}
    k = definition("koos_pf")
    k["scoring"]["transform"]["factor"] = 25  # would give 100 to 200
    assert definition_errors(k) == {
        "range": ["Does not match what the scoring rule can produce: 100 to 200."]
    }


def test_top_level_shape_errors() -> None:
    d = definition("nprs")
    d["code"] = "NPRS-v2"
    d["version"] = 0
    d["colour"] = "red"
    del d["title"]
    d["mcid"] = {"points": -1, "percent": None, "source": ""}
    d["loinc"] = "abc"
    errors = definition_errors(d)
    assert set(errors) == {"code", "version", "colour", "title", "mcid.points", "mcid.source", "loinc"}
    assert errors["colour"] == ["Unknown field."]
    assert errors["title"] == ["Missing data for required field."]


def test_item_shape_errors() -> None:
    d = definition("kujala")
    d["items"][0]["type"] = "slider"
    d["items"][1]["options"] = d["items"][1]["options"][:1]
    d["items"][2]["options"][1]["code"] = d["items"][2]["options"][0]["code"]
    d["items"].append({"id": "reps", "text": "Reps", "type": "integer", "required": True, "min": 5, "max": 1})
    d["items"].append({"id": "Bad Id", "text": "", "type": "boolean", "required": "yes", "options": []})
    errors = definition_errors(d)
    assert "items.0.type" in errors
    assert errors["items.1.options"] == ["A choice item needs a list of at least 2 options."]
    assert errors["items.2.options.1.code"] == ["Duplicate option code 'unlimited'."]
    assert errors["items.13.min"] == ["Must not be greater than max."]
    assert {"items.14.id", "items.14.text", "items.14.required", "items.14.options"} <= set(errors)


def test_scoring_rule_errors() -> None:
    d = definition("kujala")
    d["scoring"]["min_answered"] = 10  # a sum cannot skip items without biasing the total
    d["scoring"]["precision"] = -1
    assert definition_errors(d) == {
        "scoring.min_answered": ["Only mean and transformed_mean may score with missing items; use null."],
        "scoring.precision": ["Must be greater than or equal to 0 and less than or equal to 4."],
    }
    p = definition("psfs")
    p["scoring"]["items"].append("activity_1_name")
    p["scoring"]["min_answered"] = None
    errors = definition_errors(p)["scoring.items"]
    assert (
        "Item 'activity_1_name' is a text item; only choice, integer and decimal items are scored." in errors
    )
    # Without min_answered an optional item could only be scored by guessing its answer:
    assert any(e.startswith("Item 'activity_4' may be left unanswered") for e in errors)


def test_condition_errors_are_reported_where_they_are() -> None:
    d = definition("runner_intake")
    d["red_flags"][0]["when"] = {"item": "fever", "equals": True}
    d["red_flags"][1]["when"] = {"any": [{"item": "night_pain_wakes", "matches": True}]}
    d["red_flags"][2]["when"] = {"context": "weight_kg", "gt": 100}
    d["red_flags"][3]["when"] = {"item": "side", "equals": "middle"}
    d["red_flags"][4]["code"] = d["red_flags"][3]["code"]
    d["items"][0]["enable_when"] = {"item": "main_complaint", "answered": True}
    errors = definition_errors(d)
    assert errors["red_flags.0.when.item"] == ["Unknown item 'fever'."]
    assert "red_flags.1.when.any.0" in errors
    assert "red_flags.2.when.context" in errors
    assert errors["red_flags.3.when.equals"] == [
        "'middle' is not an option code of this item (left, right, both)."
    ]
    assert errors["red_flags.4.code"] == ["Duplicate red flag code 'fracture_ottawa'."]
    assert errors["items.0.enable_when.item"] == ["An item's enable_when cannot depend on the item itself."]


def test_a_clinic_can_add_its_own_instrument_as_data() -> None:
    # A UWRI-shaped instrument (Nelson 2019: 9 items, 0-36, MCID 8); texts are placeholders,
    # the point is that a new instrument needs no code.
    levels = [
        {"code": f"level_{n}", "text": f"[placeholder wording: level {n}]", "points": n} for n in range(5)
    ]
    uwri = {
        "code": "uwri",
        "version": 1,
        "title": "UWRI (clinic test copy)",
        "description": "",
        "citation": "Nelson 2019",
        "items": [
            {
                "id": f"q{n}",
                "text": f"[placeholder wording: UWRI item {n}]",
                "type": "choice",
                "required": True,
                "options": levels,
            }
            for n in range(1, 10)
        ],
        "scoring": {
            "method": "sum",
            "items": [f"q{n}" for n in range(1, 10)],
            "precision": 0,
            "min_answered": None,
            "subscales": [
                {
                    "code": "first_three",
                    "title": "Items 1-3",
                    "method": "mean",
                    "items": ["q1", "q2", "q3"],
                    "precision": 1,
                }
            ],
        },
        "range": {"min": 0, "max": 36},
        "higher_is_better": True,
        "mcid": {"points": 8, "percent": None, "source": "Nelson 2020"},
        "red_flags": [],
        "loinc": None,
    }
    check_definition(uwri)
    answers = {f"q{n}": f"level_{n % 5}" for n in range(1, 10)}
    # points 1,2,3,4,0,1,2,3,4 = 20; subscale (1+2+3)/3 = 2.0
    result = score_response(uwri, answers)
    assert result.total == Decimal(20)
    assert result.subscales == {"first_three": Decimal("2.0")}
