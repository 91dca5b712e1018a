"""The questionnaire scoring engine, tested directly (pure logic: no app, no database).

Expected totals are worked by hand in the comments from the published scoring rules
(docs/domain.md), not taken from the engine.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clinic_api.questionnaires.scoring import (
    BUILTIN_CODES,
    AnswerErrors,
    DefinitionErrors,
    RedFlag,
    ScoreResult,
    evaluate_condition,
    improvement,
    load_builtin_definitions,
    mcid_reached,
    score_response,
    validate_definition,
)

BUILTINS: dict[str, dict[str, Any]] = {d["code"]: d for d in load_builtin_definitions()}
SCORED_CODES = [code for code in BUILTIN_CODES if BUILTINS[code]["scoring"]["method"] != "none"]


def definition(code: str) -> dict[str, Any]:
    return copy.deepcopy(BUILTINS[code])


def item_ids(code: str) -> list[str]:
    return [item["id"] for item in BUILTINS[code]["items"]]


def option_by_points(item: dict[str, Any], pick: Callable[..., Any]) -> str:
    return pick(item["options"], key=lambda option: option["points"])["code"]


def all_options(code: str, pick: Callable[..., Any]) -> dict[str, str]:
    """Every item answered with its highest (pick=max) or lowest (pick=min) scoring option."""
    return {item["id"]: option_by_points(item, pick) for item in BUILTINS[code]["items"]}


def rejected(
    code: str, answers: dict[str, Any], context: dict[str, Any] | None = None
) -> dict[str, list[str]]:
    with pytest.raises(AnswerErrors) as caught:
        score_response(definition(code), answers, context)
    return caught.value.errors


RED_FLAG_SCREEN = [
    "fever_or_unwell_hot_swollen_knee",
    "night_pain_wakes",
    "unexplained_weight_loss",
    "locking_or_giving_way",
    "large_swelling_after_injury",
    "unable_to_bear_weight_four_steps",
    "calf_pain_swelling",
    "leg_numbness_tingling",
    "hip_or_thigh_pain",
    "pain_at_rest_or_night_with_focal_bone_tenderness",
    "pain_on_hopping",
    "hip_or_groin_pain",
]


def intake(**answers: Any) -> dict[str, Any]:
    """A minimal complete intake: complaint, side, pain now, and a clear red-flag screen."""
    base: dict[str, Any] = {
        "main_complaint": "Ache around the left kneecap on long runs and going down stairs",
        "side": "left",
        "pain_now": 3,
        **{item: False for item in RED_FLAG_SCREEN},
    }
    base.update(answers)
    return base


# --------------------------------------------------------------------------------------------
# The built-in definitions
# --------------------------------------------------------------------------------------------


def test_builtins_load_in_the_documented_order() -> None:
    assert [d["code"] for d in load_builtin_definitions()] == list(BUILTIN_CODES)
    assert list(BUILTIN_CODES) == ["nprs", "kujala", "lefs", "koos_pf", "psfs", "groc", "runner_intake"]


def test_each_load_returns_fresh_copies() -> None:
    first = load_builtin_definitions()
    first[0]["items"].clear()
    assert load_builtin_definitions()[0]["items"]


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_every_builtin_passes_validate_definition(code: str) -> None:
    validate_definition(definition(code))


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_every_builtin_has_exactly_the_public_keys_and_a_cited_mcid(code: str) -> None:
    d = BUILTINS[code]
    assert list(d) == [
        "code", "version", "title", "description", "citation", "items", "scoring", "range",
        "higher_is_better", "mcid", "red_flags", "loinc",
    ]  # fmt: skip
    assert d["version"] == 1
    if code != "runner_intake":
        assert d["citation"]
        assert d["mcid"]["source"]


def test_kujala_points_are_the_1993_version() -> None:
    # domain.md pins these; some web versions differ (limp "constant" 2, squatting partial
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


# --------------------------------------------------------------------------------------------
# Scores: hand-worked examples
# --------------------------------------------------------------------------------------------


def test_nprs_is_the_answer_and_lower_is_better() -> None:
    nprs = definition("nprs")
    assert score_response(nprs, {"pain": 0}).total == Decimal(0)
    assert score_response(nprs, {"pain": 10}).total == Decimal(10)
    result = score_response(nprs, {"pain": 6})
    assert result == ScoreResult(
        total=Decimal(6),
        subscales={},
        min=Decimal(0),
        max=Decimal(10),
        higher_is_better=False,
        answered_items=("pain",),
        missing_items=(),
        red_flags=(),
    )
    assert nprs["loinc"] == "72514-3"


def test_kujala_best_worst_and_a_typical_runner() -> None:
    assert score_response(definition("kujala"), all_options("kujala", max)).total == Decimal(100)
    assert score_response(definition("kujala"), all_options("kujala", min)).total == Decimal(0)
    runner = {
        "limp": "none",  # 5
        "support": "full_support_without_pain",  # 5
        "walking": "unlimited",  # 5
        "stairs": "slight_pain_when_descending",  # 8
        "squatting": "painful_each_time",  # 3
        "running": "slight_pain_from_start",  # 6
        "jumping": "slight_difficulty",  # 7
        "prolonged_sitting": "pain_after_exercise",  # 8
        "pain": "occasionally_severe",  # 3
        "swelling": "none",  # 10
        "abnormal_kneecap_movements": "none",  # 10
        "thigh_atrophy": "slight",  # 3
        "flexion_deficiency": "none",  # 5
    }
    # 5+5+5+8+3+6+7+8+3+10+10+3+5 = 78
    result = score_response(definition("kujala"), runner)
    assert result.total == Decimal(78)
    assert str(result.total) == "78"  # sums are stored as integers
    assert result.missing_items == ()
    assert result.answered_items == tuple(item_ids("kujala"))


def test_lefs_best_worst_and_a_runner_with_knee_pain() -> None:
    assert score_response(definition("lefs"), all_options("lefs", max)).total == Decimal(80)
    assert score_response(definition("lefs"), all_options("lefs", min)).total == Decimal(0)
    codes = [o["code"] for o in BUILTINS["lefs"]["items"][0]["options"]]  # codes for points 0..4
    # Daily life mostly fine, running and hopping hard:
    points = [3, 2, 4, 4, 4, 2, 4, 4, 3, 4, 4, 3, 2, 4, 3, 1, 1, 1, 0, 4]
    # 3+2+4+4+4 = 17; +2+4+4+3+4 = 34; +4+3+2+4+3 = 50; +1+1+1+0+4 = 57
    answers = {item_id: codes[p] for item_id, p in zip(item_ids("lefs"), points, strict=True)}
    assert score_response(definition("lefs"), answers).total == Decimal(57)


def koos(*levels: str | None) -> dict[str, str | None]:
    return {f"pf{n}": level for n, level in enumerate(levels, start=1)}


def test_koos_pf_best_and_worst() -> None:
    best = score_response(definition("koos_pf"), koos(*["none"] * 11))
    worst = score_response(definition("koos_pf"), koos(*["extreme"] * 11))
    assert (best.total, worst.total) == (Decimal("100.0"), Decimal("0.0"))
    assert str(best.total) == "100.0"  # transformed scores carry one decimal


def test_koos_pf_rounds_half_up_to_one_decimal() -> None:
    # 1 + 2 + 3 + 1 = 7 over 11 items: 100 - 25 x 7/11 = 84.0909… → 84.1
    answers = koos("mild", "moderate", "severe", "mild", *["none"] * 7)
    assert score_response(definition("koos_pf"), answers).total == Decimal("84.1")
    # A true tie: 8 answered, 6 x mild = 6; 100 - 25 x 6/8 = 81.25 → 81.3 (half-up; half-even
    # and Python's round() would give 81.2).
    answers = koos(*["mild"] * 6, "none", "none")
    result = score_response(definition("koos_pf"), answers)
    assert result.total == Decimal("81.3")
    assert result.missing_items == ("pf9", "pf10", "pf11")


def test_koos_pf_scores_with_six_answered_and_lists_the_missing() -> None:
    # 1 + 2 + 1 + 0 + 3 + 2 = 9 over 6 answered: 100 - 25 x 1.5 = 62.5
    answers = koos(None, "mild", None, "moderate", "mild", None, "none", "severe", None, "moderate", None)
    result = score_response(definition("koos_pf"), answers)
    assert result.total == Decimal("62.5")
    assert result.answered_items == ("pf2", "pf4", "pf5", "pf7", "pf8", "pf10")
    assert result.missing_items == ("pf1", "pf3", "pf6", "pf9", "pf11")


def test_koos_pf_with_five_answered_is_not_scored_and_not_an_error() -> None:
    # Fewer than half answered: Crossley 2018 leaves the score empty; never fill gaps with 0.
    result = score_response(definition("koos_pf"), koos(*["none"] * 5))
    assert result.total is None
    assert result.answered_items == ("pf1", "pf2", "pf3", "pf4", "pf5")
    assert result.missing_items == ("pf6", "pf7", "pf8", "pf9", "pf10", "pf11")
    assert (result.min, result.max, result.higher_is_better) == (Decimal(0), Decimal(100), True)


def psfs(*activities: tuple[str | None, int | None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for n, (name, rating) in enumerate(activities, start=1):
        answers[f"activity_{n}_name"] = name
        answers[f"activity_{n}"] = rating
    return answers


def test_psfs_mean_of_ratings() -> None:
    best = score_response(definition("psfs"), psfs(("Running 10 km", 10), ("Stairs", 10), ("Squat", 10)))
    worst = score_response(definition("psfs"), psfs(("Running 10 km", 0), ("Stairs", 0), ("Squat", 0)))
    assert (best.total, worst.total) == (Decimal("10.0"), Decimal("0.0"))
    # (3 + 5 + 4 + 6) / 4 = 4.5
    four = psfs(("Running 10 km", 3), ("Going down stairs", 5), ("Sitting in the cinema", 4), ("Hills", 6))
    result = score_response(definition("psfs"), four)
    assert result.total == Decimal("4.5")
    assert result.missing_items == ("activity_5",)
    # (2 + 3 + 3) / 3 = 2.666… → 2.7
    three = psfs(("Running", 2), ("Stairs", 3), ("Squat", 3))
    assert score_response(definition("psfs"), three).total == Decimal("2.7")


def test_psfs_pairs_each_rating_with_its_activity() -> None:
    three = psfs(("Running", 2), ("Stairs", 3), ("Squat", 3))
    # A rating without its activity's name:
    errors = rejected("psfs", {**three, "activity_4": 5})
    assert errors == {
        "activity_4": ["Not applicable: this item is only asked when activity_4_name is answered."]
    }
    # A named activity without its rating:
    errors = rejected("psfs", {**three, "activity_5_name": "Hopping"})
    assert errors == {"activity_5": ["Missing answer: this item is required."]}
    # Activities 1-3 are required, name and rating alike:
    errors = rejected("psfs", psfs(("Running", 2), (None, 3), ("Squat", None)))
    assert errors == {
        "activity_2_name": ["Missing answer: this item is required."],
        "activity_3": ["Missing answer: this item is required."],
    }


def test_an_invalid_activity_name_is_reported_once_not_again_on_its_rating() -> None:
    three = psfs(("Running", 2), ("Stairs", 3), ("Squat", 3))
    errors = rejected("psfs", {**three, "activity_4_name": "   ", "activity_4": 5})
    assert errors == {"activity_4_name": [BLANK]}


def test_groc_is_the_answer() -> None:
    groc = definition("groc")
    assert score_response(groc, {"global_change": -7}).total == Decimal(-7)
    assert score_response(groc, {"global_change": 7}).total == Decimal(7)
    assert score_response(groc, {"global_change": 3}).total == Decimal(3)


def test_runner_intake_is_not_scored() -> None:
    result = score_response(
        definition("runner_intake"),
        intake(weekly_distance_before_km=42.5, weekly_distance_now_km=10, goal_race_date="2026-10-04"),
        {"age_years": 34},
    )
    assert result.total is None
    assert result.subscales == {}
    assert (result.min, result.max, result.higher_is_better) == (None, None, None)
    assert result.missing_items == ()
    assert "weekly_distance_before_km" in result.answered_items
    assert result.red_flags == ()


def test_null_answers_to_optional_items_are_unanswered() -> None:
    answers = intake(cadence_spm=None, goal_race_name=None)
    result = score_response(definition("runner_intake"), answers, {"age_years": 30})
    assert "cadence_spm" not in result.answered_items


# --------------------------------------------------------------------------------------------
# Answer errors: each names its item
# --------------------------------------------------------------------------------------------


BLANK = "Must not be blank (leave the item out or send null when it is unanswered)."


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
    validate_definition(notes)
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
    # Hip disorders refer pain to the knee in children and adolescents (domain.md).
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


# --------------------------------------------------------------------------------------------
# The condition language
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"item": "a", "equals": True}, True),
        ({"item": "a", "equals": 1}, False),  # True is not the number 1
        ({"item": "n", "equals": True}, False),
        ({"item": "n", "equals": 1}, True),
        ({"item": "c", "in": ["x", "y"]}, True),
        ({"item": "c", "in": ["z"]}, False),
        ({"item": "d", "gte": 2.5}, True),
        ({"item": "d", "gt": 2.5}, False),
        ({"item": "d", "lte": 2.5}, True),
        ({"item": "d", "lt": 3}, True),
        ({"item": "missing", "equals": False}, False),  # unanswered: false
        ({"item": "missing", "lt": 100}, False),
        ({"not": {"item": "missing", "equals": True}}, True),
        ({"item": "c", "answered": True}, True),
        ({"item": "missing", "answered": True}, False),
        ({"context": "age_years", "lt": 18}, True),
        ({"context": "unknown", "lt": 18}, False),
        ({"all": [{"item": "a", "equals": True}, {"context": "age_years", "gte": 16}]}, True),
        ({"all": [{"item": "a", "equals": True}, {"context": "age_years", "gte": 18}]}, False),
        ({"any": [{"item": "missing", "equals": True}, {"item": "n", "gte": 1}]}, True),
    ],
)
def test_evaluate_condition(condition: dict[str, Any], expected: bool) -> None:
    answers = {"a": True, "n": 1, "c": "x", "d": Decimal("2.5"), "missing": None}
    assert evaluate_condition(condition, answers, {"age_years": 16}) is expected


# --------------------------------------------------------------------------------------------
# validate_definition
# --------------------------------------------------------------------------------------------


def definition_errors(d: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(DefinitionErrors) as caught:
        validate_definition(d)
    return caught.value.errors


def test_a_broken_definition_reports_each_problem_under_its_path() -> None:
    d = definition("kujala")
    d["items"][1]["id"] = "limp"  # duplicate id
    d["items"][2]["options"][0]["points"] = None  # a scored option without points
    d["items"][3]["options"][1]["points"] = "8"  # points that are not a number
    d["scoring"]["items"].append("ghost")  # scoring names an unknown item
    d["range"]["max"] = 120  # unreachable
    errors = definition_errors(d)
    assert errors["items.1.id"] == ["Duplicate item id 'limp' (also items.0)."]
    assert errors["items.2.options.0.points"] == ["Must be a number: this item is used in scoring."]
    assert errors["items.3.options.1.points"] == [
        "Must be a number (or null for an item that is not scored)."
    ]
    assert "Unknown item 'ghost'." in errors["scoring.items"]
    assert "Unknown item 'support'." in errors["scoring.items"]  # its id was overwritten above
    assert len(errors["range"]) == 1 and errors["range"][0].startswith(
        "Does not match what the scoring rule can produce: 0 to 80"
    )


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
    assert errors["colour"] == ["Unknown key."]
    assert errors["title"] == ["Missing key."]


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
        "scoring.precision": ["Must be a whole number from 0 to 4."],
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
    validate_definition(uwri)
    answers = {f"q{n}": f"level_{n % 5}" for n in range(1, 10)}
    # points 1,2,3,4,0,1,2,3,4 = 20; subscale (1+2+3)/3 = 2.0
    result = score_response(uwri, answers)
    assert result.total == Decimal(20)
    assert result.subscales == {"first_three": Decimal("2.0")}


# --------------------------------------------------------------------------------------------
# Properties over generated answers
# --------------------------------------------------------------------------------------------


def value_strategy(item: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = item["type"]
    if kind == "choice":
        return st.sampled_from([o["code"] for o in item["options"]])
    if kind == "integer":
        return st.integers(item["min"], item["max"])
    if kind == "decimal":
        return st.one_of(st.integers(item["min"], item["max"]), st.floats(item["min"], item["max"]))
    if kind == "boolean":
        return st.booleans()
    if kind == "date":
        return st.dates().map(date.isoformat)
    limit = min(item.get("max_length", 2000), 60)
    printable = st.characters(blacklist_categories=("Cs", "Cc"))
    return st.text(printable, min_size=1, max_size=limit).filter(lambda text: bool(text.strip()))


@st.composite
def valid_answers(draw: st.DrawFn, d: dict[str, Any], complete: bool = False) -> dict[str, Any]:
    """Answers the definition accepts: every required item, some optional ones, none disabled."""
    answers = {
        item["id"]: draw(value_strategy(item))
        for item in d["items"]
        if item["required"] or complete or draw(st.booleans())
    }
    for item in d["items"]:
        condition = item.get("enable_when")
        if condition and not evaluate_condition(condition, answers, {}):
            answers.pop(item["id"], None)
    return answers


@pytest.mark.parametrize("code", BUILTIN_CODES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_valid_answers_score_inside_the_declared_range(code: str, data: st.DataObject) -> None:
    d = definition(code)
    answers = data.draw(valid_answers(d, complete=data.draw(st.booleans())))
    result = score_response(d, answers, {"age_years": data.draw(st.integers(5, 95))})
    if d["scoring"]["method"] == "none":
        assert result.total is None
        return
    if result.total is not None:
        assert result.min is not None and result.max is not None
        assert result.min <= result.total <= result.max
    else:
        # Only the published "too few answered" rule may leave a scored instrument empty.
        answered_scored = [i for i in d["scoring"]["items"] if i in result.answered_items]
        assert len(answered_scored) < d["scoring"]["min_answered"]


def item_direction(d: dict[str, Any]) -> int:
    """+1 when a higher item value should move the total towards "better", else -1."""
    direction = 1 if d["higher_is_better"] else -1
    transform = d["scoring"].get("transform")
    if transform and transform["factor"] < 0:
        direction = -direction  # KOOS-PF: more item points = more problems = lower score
    return direction


@pytest.mark.parametrize("code", SCORED_CODES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_better_answer_never_makes_the_total_worse(code: str, data: st.DataObject) -> None:
    d = definition(code)
    answers = data.draw(valid_answers(d, complete=data.draw(st.booleans())))
    before = score_response(d, answers).total
    assume(before is not None)
    direction = item_direction(d)
    by_id = {item["id"]: item for item in d["items"]}
    scored = [i for i in d["scoring"]["items"] if i in answers]
    item = by_id[data.draw(st.sampled_from(scored))]
    current = answers[item["id"]]
    if item["type"] == "choice":
        points = {o["code"]: o["points"] for o in item["options"]}
        better = [c for c, p in points.items() if (p - points[current]) * direction > 0]
        assume(better)
        answers[item["id"]] = data.draw(st.sampled_from(better))
    else:
        limit = item["max"] if direction > 0 else item["min"]
        assume(current != limit)
        low, high = sorted((current + direction, limit))
        answers[item["id"]] = data.draw(st.integers(low, high))
    after = score_response(d, answers).total
    assert after is not None
    assert (after - before) * (1 if d["higher_is_better"] else -1) >= 0


@pytest.mark.parametrize("code", ["kujala", "lefs", "nprs", "groc"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_dropping_any_scored_answer_is_an_error_never_a_lower_score(code: str, data: st.DataObject) -> None:
    d = definition(code)
    answers = data.draw(valid_answers(d, complete=True))
    dropped = data.draw(st.sampled_from(d["scoring"]["items"]))
    del answers[dropped]
    with pytest.raises(AnswerErrors) as caught:
        score_response(d, answers)
    assert caught.value.errors == {dropped: ["Missing answer: this item is required."]}


# --------------------------------------------------------------------------------------------
# Improvement and MCID
# --------------------------------------------------------------------------------------------


def test_improvement_is_signed_so_better_is_positive() -> None:
    assert improvement(7, 5, higher_is_better=False) == Decimal(2)
    assert improvement(5, 7, higher_is_better=False) == Decimal(-2)
    assert improvement(60, 70, higher_is_better=True) == Decimal(10)
    assert improvement(Decimal("62.5"), Decimal("84.1"), higher_is_better=True) == Decimal("21.6")
    assert improvement(7.5, 5, higher_is_better=False) == Decimal("2.5")


@pytest.mark.parametrize(
    ("baseline", "latest", "reached"),
    [
        (7, 5, True),  # 2 points
        (3, 2, True),  # 1 point, but 33 % of baseline ≥ 30 %
        (8, 7, False),  # 1 point, 12.5 %
        (10, 7, True),  # 3 points
        (5, 6, False),  # worse
        (0, 0, False),  # percent undefined at a baseline of 0
    ],
)
def test_nprs_mcid_is_two_points_or_thirty_percent(baseline: int, latest: int, reached: bool) -> None:
    assert mcid_reached(baseline, latest, BUILTINS["nprs"], higher_is_better=False) is reached


def test_kujala_mcid_is_ten_points() -> None:
    assert mcid_reached(60, 69, BUILTINS["kujala"], higher_is_better=True) is False
    assert mcid_reached(60, 70, BUILTINS["kujala"], higher_is_better=True) is True


def test_koos_pf_mcid_is_16_4() -> None:
    assert mcid_reached(Decimal("62.5"), Decimal("78.8"), BUILTINS["koos_pf"], True) is False  # 16.3
    assert mcid_reached(Decimal("62.5"), Decimal("78.9"), BUILTINS["koos_pf"], True) is True  # 16.4


def test_a_clinic_specific_mcid_can_be_passed_directly() -> None:
    # Piva 2009: 1.16 points for patellofemoral pain.
    piva = {"points": 1.16, "percent": None, "source": "Piva 2009"}
    assert mcid_reached(6, 5, piva, higher_is_better=False) is False
    assert mcid_reached(6, 4, piva, higher_is_better=False) is True
    percent_only = {"points": None, "percent": 30, "source": "x"}
    assert mcid_reached(0, 5, percent_only, higher_is_better=True) is False  # % of 0 is undefined


def test_mcid_reached_needs_an_mcid() -> None:
    with pytest.raises(ValueError, match="No MCID"):
        mcid_reached(1, 2, BUILTINS["runner_intake"], higher_is_better=True)
