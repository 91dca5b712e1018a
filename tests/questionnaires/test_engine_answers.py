"""Answer errors, each naming its item, and the red flags answers raise (pure logic: no app)."""

from __future__ import annotations

from typing import Any

import pytest

from clinic_api.questionnaires.definitions import check_definition
from clinic_api.questionnaires.engine import AnswerErrors, RedFlag, score_response
from tests.questionnaires.instruments import BLANK, BUILTINS, all_options, definition, intake, rejected

# --------------------------------------------------------------------------------------------
# Answer errors: each names its item
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "item", "value", "message"),
    [
        ("kujala", "limp", "sometimes", "Not one of: none, slight_or_periodical, constant."),
        ("kujala", "limp", 5, "Not one of: none, slight_or_periodical, constant."),
        ("nprs", "pain", 11, "Must be between 0 and 10."),
        ("nprs", "pain", -1, "Must be between 0 and 10."),
        ("nprs", "pain", True, "Must be a whole number."),
        ("nprs", "pain", 3.5, "Must be a whole number."),
        ("nprs", "pain", "3", "Must be a whole number."),
        ("groc", "global_change", 8, "Must be between -7 and 7."),
        ("runner_intake", "weekly_distance_now_km", 300.5, "Must be between 0 and 300."),
        ("runner_intake", "weekly_distance_now_km", "40", "Must be a number."),
        ("runner_intake", "weekly_distance_now_km", float("nan"), "Must be a number."),
        ("runner_intake", "weekly_distance_now_km", False, "Must be a number."),
        ("runner_intake", "cadence_spm", 99, "Must be between 100 and 250."),
        ("runner_intake", "onset_date", "2025-02-30", "Must be a date in the form YYYY-MM-DD."),
        ("runner_intake", "onset_date", "12/03/2025", "Must be a date in the form YYYY-MM-DD."),
        ("runner_intake", "onset_date", 20250312, "Must be a date in the form YYYY-MM-DD."),
        ("runner_intake", "side", "up", "Not one of: left, right, both."),
        ("runner_intake", "night_pain_wakes", "yes", "Must be true or false."),
        ("runner_intake", "night_pain_wakes", 1, "Must be true or false."),
        ("runner_intake", "main_complaint", 42, "Must be text."),
        ("runner_intake", "main_complaint", "   ", BLANK),
        ("runner_intake", "main_complaint", "knee\x00pain", "Must not contain NUL characters."),
        ("runner_intake", "main_complaint", "knee\udc00pain", "Must not contain unpaired surrogate code points."),
        ("runner_intake", "main_complaint", "x" * 2001, "Must be at most 2000 characters."),
        ("runner_intake", "goal_race_name", "x" * 201, "Must be at most 200 characters."),
    ],
)
def test_a_bad_value_is_reported_on_its_item(code: str, item: str, value: Any, message: str) -> None:
    valid = {
        "kujala": all_options("kujala", max),
        "nprs": {"pain": 4},
        "groc": {"global_change": 1},
        "runner_intake": intake(),
    }[code]
    assert rejected(code, {**valid, item: value}, {"age_years": 30}) == {item: [message]}


def test_an_unknown_item_is_reported_under_its_own_key() -> None:
    assert rejected("nprs", {"pain": 4, "pain_yesterday": 6}) == {"pain_yesterday": ["Unknown item."]}


def test_a_missing_required_item_is_an_error_never_a_zero() -> None:
    answers = all_options("kujala", max)
    del answers["swelling"]
    assert rejected("kujala", answers) == {"swelling": ["Missing answer: this item is required."]}
    answers["swelling"] = None  # null is "unanswered", so the same error
    assert rejected("kujala", answers) == {"swelling": ["Missing answer: this item is required."]}


def test_every_bad_item_is_listed_at_once() -> None:
    answers = intake(side="middle", pain_now=12, cadence_spm=3.5, hopping_ok=True)
    del answers["main_complaint"], answers["pain_on_hopping"]
    errors = rejected("runner_intake", answers, {"age_years": 30})
    assert errors == {
        "main_complaint": ["Missing answer: this item is required."],
        "side": ["Not one of: left, right, both."],
        "pain_now": ["Must be between 0 and 10."],
        "cadence_spm": ["Must be a whole number."],
        "pain_on_hopping": ["Missing answer: this item is required."],
        "hopping_ok": ["Unknown item."],
    }


def test_answers_must_be_an_object() -> None:
    assert rejected("nprs", [4]) == {"answers": ["Must be an object mapping item ids to answers."]}  # type: ignore[arg-type]


def test_decimal_items_accept_integers_and_floats() -> None:
    result = score_response(
        definition("runner_intake"), intake(weekly_distance_before_km=40, weekly_distance_now_km=12.5)
    )
    assert {"weekly_distance_before_km", "weekly_distance_now_km"} <= set(result.answered_items)


def test_text_items_default_to_2000_characters() -> None:
    notes = {
        "code": "notes",
        "version": 1,
        "title": "Notes",
        "description": "",
        "citation": None,
        "items": [{"id": "note", "text": "Anything else?", "type": "text", "required": False}],
        "scoring": {"method": "none", "items": [], "precision": None, "min_answered": None, "subscales": []},
        "range": None,
        "higher_is_better": None,
        "mcid": None,
        "red_flags": [],
        "loinc": None,
    }
    check_definition(notes)
    assert score_response(notes, {"note": "x" * 2000}).answered_items == ("note",)
    with pytest.raises(AnswerErrors) as caught:
        score_response(notes, {"note": "x" * 2001})
    assert caught.value.errors == {"note": ["Must be at most 2000 characters."]}


# --------------------------------------------------------------------------------------------
# Red flags (runner intake)
# --------------------------------------------------------------------------------------------


def flag_codes(answers: dict[str, Any], age: int | None = 35) -> list[str]:
    context = {} if age is None else {"age_years": age}
    return [flag.code for flag in score_response(definition("runner_intake"), answers, context).red_flags]


def test_a_clear_screen_raises_no_flag() -> None:
    assert flag_codes(intake()) == []


@pytest.mark.parametrize(
    ("answer", "flag"),
    [
        ("fever_or_unwell_hot_swollen_knee", "infection"),
        ("night_pain_wakes", "tumour"),
        ("unexplained_weight_loss", "tumour"),
        ("locking_or_giving_way", "internal_derangement"),
        ("large_swelling_after_injury", "internal_derangement"),
        ("unable_to_bear_weight_four_steps", "fracture_ottawa"),
        ("calf_pain_swelling", "dvt"),
        ("leg_numbness_tingling", "neurological"),
        ("pain_at_rest_or_night_with_focal_bone_tenderness", "bone_stress_injury"),
        ("pain_on_hopping", "bone_stress_injury"),
        ("hip_or_groin_pain", "femoral_neck_stress_fracture"),
    ],
)
def test_each_screen_answer_raises_its_flag_and_only_it(answer: str, flag: str) -> None:
    assert flag_codes(intake(**{answer: True})) == [flag]
    assert flag_codes(intake(**{answer: False})) == []


def test_paediatric_hip_flag_depends_on_age() -> None:
    # Hip disorders refer pain to the knee in children and adolescents (the paediatric_hip flag of
    # clinic_api/questionnaires/definitions/runner_intake.json).
    answers = intake(hip_or_thigh_pain=True)
    assert flag_codes(answers, age=15) == ["paediatric_hip"]
    assert flag_codes(answers, age=17) == ["paediatric_hip"]
    assert flag_codes(answers, age=18) == []
    assert flag_codes(answers, age=40) == []
    assert flag_codes(answers, age=None) == []  # unknown age: the caller must pass it
    assert flag_codes(intake(), age=15) == []


def test_flags_come_with_their_title_and_message_in_definition_order() -> None:
    result = score_response(
        definition("runner_intake"),
        intake(calf_pain_swelling=True, fever_or_unwell_hot_swollen_knee=True),
        {"age_years": 50},
    )
    assert [f.code for f in result.red_flags] == ["infection", "dvt"]
    assert all(isinstance(f, RedFlag) and f.title for f in result.red_flags)


def test_flag_messages_ask_for_review_and_never_diagnose() -> None:
    for flag in BUILTINS["runner_intake"]["red_flags"]:
        assert "A clinician must review this before treatment" in flag["message"], flag["code"]
        assert "you have" not in flag["message"].lower()
        assert "diagnos" not in flag["message"].lower()
