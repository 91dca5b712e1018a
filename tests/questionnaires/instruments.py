"""The built-in instruments and answers to them, shared by the engine's tests.

Expected totals in the tests are worked by hand in the comments from the published scoring rules
(each instrument's ``citation`` and ``mcid.source``), not taken from the engine.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from clinic_api.questionnaires.builtins import BUILTIN_CODES, load_builtin_definitions
from clinic_api.questionnaires.engine import AnswerErrors, score_response

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


BLANK = "Must not be blank (leave the item out or send null when it is unanswered)."
