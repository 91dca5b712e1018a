"""The item type and scoring method classes, where the built-in instruments do not already show a rule.

Each definition here goes through ``check_definition``, as on POST /questionnaires, so each rule is
seen with the field (dotted path) it names.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest

from clinic_api.questionnaires.definitions import check_definition
from clinic_api.questionnaires.engine import ITEM_TYPES, SCORING_METHODS, DefinitionErrors
from clinic_api.questionnaires.engine.methods import Span
from clinic_api.questionnaires.schemas import ItemSchema, ScoringSchema, SubscaleSchema

PROBE: dict[str, Any] = {
    "code": "probe",
    "version": 1,
    "title": "One item of each type",
    "items": [
        {"id": "pain", "text": "Pain now", "type": "integer", "required": True, "min": 0, "max": 10},
        {"id": "km", "text": "Weekly km", "type": "decimal", "required": False, "min": 0, "max": 300},
        {"id": "side", "text": "Side", "type": "choice", "required": False,
         "options": [{"code": code, "text": code.title(), "points": None} for code in ("left", "right")]},
        {"id": "fever", "text": "Fever?", "type": "boolean", "required": False},
        {"id": "onset", "text": "Onset", "type": "date", "required": False},
        {"id": "note", "text": "Anything else?", "type": "text", "required": False},
    ],
    "scoring": {"method": "single_item", "items": ["pain"], "precision": 0},
    "range": {"min": 0, "max": 10},
    "higher_is_better": False,
}


def probe(change: Any = None) -> dict[str, Any]:
    d = copy.deepcopy(PROBE)
    if change:
        change(d)
    return d


def errors_of(d: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(DefinitionErrors) as caught:
        check_definition(d)
    return caught.value.errors


def flagged_when(condition: dict[str, Any]) -> dict[str, Any]:
    return probe(lambda d: d.update(red_flags=[{"code": "f", "title": "F", "message": "Review.", "when": condition}]))


def test_the_probe_is_a_valid_definition() -> None:
    assert check_definition(probe())["red_flags"] == []


def test_the_schema_takes_its_enumerations_from_the_engine() -> None:
    assert list(ITEM_TYPES) == ["choice", "integer", "decimal", "text", "boolean", "date"]
    assert list(SCORING_METHODS) == ["sum", "mean", "transformed_mean", "single_item", "none"]
    assert ItemSchema().fields["type"].validators[0].choices == tuple(ITEM_TYPES)  # type: ignore[attr-defined]
    assert ScoringSchema().fields["method"].validators[0].choices == tuple(SCORING_METHODS)  # type: ignore[attr-defined]
    # An instrument that scores nothing has no parts to score either.
    assert "none" not in SubscaleSchema().fields["method"].validators[0].choices  # type: ignore[attr-defined]


# ---- operand rules of conditions, by item type ------------------------------------------------


@pytest.mark.parametrize(("condition", "path", "message"), [
    ({"item": "side", "gte": 1}, "gte", "Comparisons apply to integer and decimal items, not to a choice item."),
    ({"item": "fever", "lt": 1}, "lt", "Comparisons apply to integer and decimal items, not to a boolean item."),
    ({"item": "km", "gt": "far"}, "gt", "Must be a number."),
    ({"item": "pain", "equals": "high"}, "equals", "Must be a number for a number item."),
    ({"item": "fever", "in": [True, "yes"]}, "in", "Must be true or false for a boolean item."),
    ({"item": "onset", "equals": 20250101}, "equals", "Must be a string for a date item."),
    ({"item": "note", "equals": 3}, "equals", "Must be a string for a text item."),
    ({"item": "side", "in": []}, "in", "Must be a non-empty list."),
    ({"item": "side", "answered": False}, "answered", "Must be true (use 'not' for an unanswered item)."),
    ({"context": "age_years", "in": [12, "teen"]}, "in", "Must be a number (age_years is a number)."),
    ({"context": "body_region", "in": ["lumbar_spine", 3]}, "in", "Must be text (body_region is text)."),
    ({"context": "body_region", "gte": "knee"}, "gte", "A text context value takes equals or in, not gte."),
    ({"context": ["age_years"], "lt": 18}, "context", "Unknown context value; known: age_years, body_region."),
])
def test_each_item_type_says_what_a_condition_may_compare_it_with(condition: dict[str, Any], path: str,
                                                                   message: str) -> None:
    assert errors_of(flagged_when(condition)) == {f"red_flags.0.when.{path}": [message]}


def test_a_number_item_compares_with_numbers_and_a_date_with_text() -> None:
    check_definition(flagged_when({"all": [{"item": "km", "gte": 42.5}, {"item": "onset", "equals": "2025-01-01"}]}))


# ---- definition keys, by item type ------------------------------------------------------------


@pytest.mark.parametrize(("change", "errors"), [
    (lambda d: d["items"][1].pop("max"), {"items.1.max": ["Required for a decimal item."]}),
    (lambda d: d["items"][0].update(min=0.5), {"items.0.min": ["Must be a whole number."]}),
    (lambda d: d["items"][5].update(options=[]), {"items.5.options": ["Not allowed for a text item."]}),
    (lambda d: d["items"][3].update(max_length=10), {"items.3.max_length": ["Not allowed for a boolean item."]}),
    (lambda d: d["items"][2].update(min=0), {"items.2.min": ["Not allowed for a choice item."]}),
])
def test_each_item_type_allows_its_own_keys_only(change: Any, errors: dict[str, list[str]]) -> None:
    assert errors_of(probe(change)) == errors


# ---- the rule of each scoring method ----------------------------------------------------------


def not_scored(d: dict[str, Any]) -> None:
    d.update(range=None, higher_is_better=None, scoring={"method": "none", "items": [], "precision": None})


@pytest.mark.parametrize(("change", "errors"), [
    (lambda d: d["scoring"].update(items=["pain", "km"]), {"scoring.items": ["single_item scores exactly one item."]}),
    (lambda d: d["scoring"].update(precision=None), {"scoring.precision": ["Must be a whole number from 0 to 4."]}),
    (lambda d: d["scoring"].update(transform={"offset": 10, "factor": -1}),
     {"scoring.transform": ["Only a transformed_mean has a transform."]}),
    (lambda d: d["scoring"].update(method="transformed_mean"),
     {"scoring.transform": ['Required: {"offset": number, "factor": number}.']}),
    (lambda d: d["scoring"].update(method="transformed_mean", transform={"offset": 10, "factor": 0}),
     {"scoring.transform.factor": ["Must be a non-zero number."]}),
    (lambda d: d["scoring"].update(method="mean", items=["pain"], min_answered=2),
     {"scoring.min_answered": ["Must be a whole number from 1 to 1 (or null)."]}),
    (lambda d: (not_scored(d), d["scoring"].update(items=["pain"])),
     {"scoring.items": ["Must be empty when the method is none."]}),
    (lambda d: (not_scored(d), d["scoring"].update(min_answered=1)),
     {"scoring.min_answered": ["Must be null when the method is none."]}),
    (lambda d: (not_scored(d), d.update(range={"min": 0, "max": 10})),
     {"range": ["Must be null for an instrument that is not scored."]}),
    (lambda d: d.update(range=None), {"range": ["Must be an object with min and max."]}),
    (lambda d: d.update(higher_is_better=None),
     {"higher_is_better": ["Must be true or false for a scored instrument."]}),
    (lambda d: d.update(mcid={"points": None, "percent": None, "source": "x"}),
     {"mcid": ["Needs points, percent or both."]}),
])
def test_each_scoring_method_checks_its_own_rule(change: Any, errors: dict[str, list[str]]) -> None:
    assert errors_of(probe(change)) == errors


def test_subscales_are_scored_and_their_codes_unique() -> None:
    subscale = {"code": "now", "title": "Now", "method": "sum", "items": ["pain"], "precision": 0}
    d = probe(lambda d: d["scoring"].update(subscales=[subscale, {**subscale, "method": "single_item"}]))
    assert errors_of(d) == {"scoring.subscales.1.code": ["Duplicate subscale code 'now'."]}
    d["scoring"]["subscales"] = [{**subscale, "method": "none"}]
    assert set(errors_of(d)) == {"scoring.subscales.0.method"}


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d.update(version="1"), "version"),
    (lambda d: d["items"][0].update(required="yes"), "items.0.required"),
    (lambda d: d["items"][5].update(max_length=200.0), "items.5.max_length"),
    (lambda d: d["scoring"].update(precision=True), "scoring.precision"),
    (lambda d: d.update(higher_is_better=0), "higher_is_better"),
])
def test_a_definition_is_stored_as_written_never_coerced(change: Any, field: str) -> None:
    assert set(errors_of(probe(change))) == {field}


# ---- reachable ranges and scores, by method ---------------------------------------------------


ALWAYS = Span(Fraction(5), Fraction(10), always=True)
OPTIONAL = Span(Fraction(0), Fraction(4), always=False)


def test_a_sum_reaches_the_sum_of_its_items_ends() -> None:
    assert SCORING_METHODS["sum"].reachable({}, [ALWAYS, OPTIONAL]) == (Fraction(5), Fraction(14))


def test_a_mean_takes_optional_items_only_while_they_pull_it_further() -> None:
    # Lowest: 5, then 0 pulls it to 2.5 and another 0 to 5/3. Highest: 10 alone (a 4 would lower it).
    rule = {"min_answered": 1}
    assert SCORING_METHODS["mean"].reachable(rule, [ALWAYS, OPTIONAL, OPTIONAL]) == (Fraction(5, 3), Fraction(10))
    # With every item needed, the optional ones are in the mean whatever they pull.
    assert SCORING_METHODS["mean"].reachable({}, [ALWAYS, OPTIONAL]) == (Fraction(5, 2), Fraction(7))


def test_a_negative_factor_turns_the_transformed_range_round() -> None:
    rule = {"transform": {"offset": 100, "factor": -25}}
    spans = [Span(Fraction(0), Fraction(4), always=True)]
    assert SCORING_METHODS["transformed_mean"].reachable(rule, spans) == (Fraction(0), Fraction(100))
    assert SCORING_METHODS["transformed_mean"].combine(rule, [Fraction(1), Fraction(2)]) == Fraction(125, 2)


def test_single_item_and_none() -> None:
    assert SCORING_METHODS["single_item"].reachable({}, [OPTIONAL]) == (Fraction(0), Fraction(4))
    assert SCORING_METHODS["single_item"].reachable({}, []) is None
    assert SCORING_METHODS["none"].reachable({}, [ALWAYS]) is None
    assert not SCORING_METHODS["none"].scored
