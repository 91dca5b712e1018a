"""Scores of the built-in instruments: hand-worked examples and properties over generated answers.

Expected totals are worked by hand in the comments from the published scoring rules, not taken from
the engine (pure logic: no app, no database).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clinic_api.questionnaires.builtins import BUILTIN_CODES
from clinic_api.questionnaires.engine import AnswerErrors, ScoreResult, evaluate_condition, score_response
from tests.questionnaires.instruments import (
    BLANK,
    BUILTINS,
    SCORED_CODES,
    all_options,
    definition,
    intake,
    item_ids,
    rejected,
)

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
    assert result.missing_items == ()
    assert "weekly_distance_before_km" in result.answered_items
    assert result.red_flags == ()


def test_null_answers_to_optional_items_are_unanswered() -> None:
    answers = intake(cadence_spm=None, goal_race_name=None)
    result = score_response(definition("runner_intake"), answers, {"age_years": 30})
    assert "cadence_spm" not in result.answered_items


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
        assert d["range"]["min"] <= result.total <= d["range"]["max"]
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
