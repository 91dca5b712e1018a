"""The condition language of red flags and enable_when (pure logic: no app)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from clinic_api.questionnaires.engine import evaluate_condition


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
