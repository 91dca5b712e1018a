"""The condition language of red flags and ``enable_when``: evaluate, describe and validate.

A condition tests one answer (``{"item": "night_pain_wakes", "equals": true}``), one fact the caller
supplies (``{"context": "age_years", "lt": 18}``), or combines others with ``all``, ``any`` and
``not``. Red flags are data in the definition so that a clinic changes a screen without code; a flag
asks for clinician review and never states a diagnosis (see the red flags of
``clinic_api/questionnaires/definitions/runner_intake.json``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from clinic_api.questionnaires.engine.errors import Collector
from clinic_api.questionnaires.engine.numbers import describe as describe_value
from clinic_api.questionnaires.engine.numbers import is_number, to_fraction

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "gte": operator.ge,
    "lte": operator.le,
    "gt": operator.gt,
    "lt": operator.lt,
}
COMPARISON_SYMBOLS = {"gte": "≥", "lte": "≤", "gt": ">", "lt": "<"}
GROUPS = ("all", "any", "not")
ITEM_OPERATORS = ("equals", "in", "answered", *COMPARISONS)
CONTEXT_OPERATORS = ("equals", "in", *COMPARISONS)

# Values the caller passes in alongside the answers, with their kind. Restricted to known names so that a
# custom definition cannot reference a context value that is never supplied (its red flag would silently
# never fire). ``body_region`` is the episode's (``knee``, ``lumbar_spine``, ...): a screen asks the
# questions of the region being treated (cauda equina signs for the lumbar spine).
CONTEXT_KEYS: dict[str, str] = {"age_years": "number", "body_region": "text"}

# Real rules need a handful of levels; a bound keeps evaluation of a stored definition safe.
MAX_CONDITION_DEPTH = 10


class Subject(Protocol):
    """What validation needs of the item a condition tests: its type's operand rules."""

    def comparison_problem(self, value: object) -> str | None: ...

    def operand_problem(self, value: object) -> str | None: ...


def _same_value(actual: object, expected: object) -> bool:
    # True == 1 in Python; a boolean answer must never match a number and vice versa.
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual is expected
    if is_number(actual) and is_number(expected):
        return to_fraction(actual) == to_fraction(expected)  # type: ignore[arg-type]
    return actual == expected


def evaluate(condition: Mapping[str, Any], answers: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """Evaluate a (validated) condition against answers and caller context.

    A condition on an unanswered item (or a context value the caller did not supply) is false, so a
    screen never raises a flag from an answer nobody gave; ``{"item": id, "answered": true}`` is the
    one operator that tests presence itself.
    """
    if "all" in condition:
        return all(evaluate(part, answers, context) for part in condition["all"])
    if "any" in condition:
        return any(evaluate(part, answers, context) for part in condition["any"])
    if "not" in condition:
        return not evaluate(condition["not"], answers, context)
    if "item" in condition:
        actual = answers.get(condition["item"])
        if "answered" in condition:
            return (actual is not None) is bool(condition["answered"])
    elif "context" in condition:
        actual = context.get(condition["context"])
    else:
        raise ValueError(f"Not a condition: {condition!r}")
    if actual is None:
        return False
    return _compare(condition, actual)


def _compare(condition: Mapping[str, Any], actual: object) -> bool:
    if "equals" in condition:
        return _same_value(actual, condition["equals"])
    if "in" in condition:
        return any(_same_value(actual, expected) for expected in condition["in"])
    for name, compare in COMPARISONS.items():
        if name in condition:
            expected = condition[name]
            if not (is_number(actual) and is_number(expected)):
                return False
            return compare(to_fraction(actual), to_fraction(expected))
    raise ValueError(f"Condition without an operator: {condition!r}")


def referenced_items(condition: Mapping[str, Any]) -> set[str]:
    """The items a condition reads, so that an answer already refused is not judged again through it."""
    if "all" in condition or "any" in condition:
        parts = condition.get("all") or condition.get("any") or []
        return set().union(*(referenced_items(part) for part in parts))
    if "not" in condition:
        return referenced_items(condition["not"])
    return {condition["item"]} if "item" in condition else set()


def describe(condition: Mapping[str, Any]) -> str:
    """The condition in words, for the message that tells why an item was not asked."""
    if "all" in condition:
        return "all of (" + "; ".join(describe(c) for c in condition["all"]) + ")"
    if "any" in condition:
        return "any of (" + "; ".join(describe(c) for c in condition["any"]) + ")"
    if "not" in condition:
        return "not (" + describe(condition["not"]) + ")"
    subject = condition.get("item", condition.get("context"))
    if "answered" in condition:
        return f"{subject} is answered" if condition["answered"] else f"{subject} is not answered"
    if "equals" in condition:
        return f"{subject} is {describe_value(condition['equals'])}"
    if "in" in condition:
        return f"{subject} is one of: " + ", ".join(describe_value(v) for v in condition["in"])
    for name, symbol in COMPARISON_SYMBOLS.items():
        if name in condition:
            return f"{subject} {symbol} {describe_value(condition[name])}"
    return "a condition holds"


def validate(
    condition: object,
    path: str,
    items: Mapping[str, Subject],
    out: Collector,
    self_id: str | None = None,
    depth: int = 1,
) -> None:
    """Check a condition where it stands in the definition; ``self_id`` is the item it enables, if any.

    The language is recursive, so it is checked here in full rather than by the schema, which only
    sees an object.
    """
    if not isinstance(condition, dict):
        out.add(path, "Must be a condition object.")
        return
    if depth > MAX_CONDITION_DEPTH:
        out.add(path, f"Conditions may nest at most {MAX_CONDITION_DEPTH} levels deep.")
        return
    for group in ("all", "any"):
        if group in condition:
            if set(condition) != {group}:
                out.add(path, f"'{group}' must be the only key of its condition.")
            parts = condition[group]
            if not isinstance(parts, list) or not parts:
                out.add(f"{path}.{group}", "Must be a non-empty list of conditions.")
                return
            for number, part in enumerate(parts):
                validate(part, f"{path}.{group}.{number}", items, out, self_id, depth + 1)
            return
    if "not" in condition:
        if set(condition) != {"not"}:
            out.add(path, "'not' must be the only key of its condition.")
        validate(condition["not"], f"{path}.not", items, out, self_id, depth + 1)
        return
    _validate_test(condition, path, items, out, self_id)


def _validate_test(
    condition: dict[str, Any], path: str, items: Mapping[str, Subject], out: Collector, self_id: str | None
) -> None:
    if "item" in condition:
        subject_key, allowed = "item", ITEM_OPERATORS
    elif "context" in condition:
        subject_key, allowed = "context", CONTEXT_OPERATORS
    else:
        out.add(path, f"Unknown condition: use one of {', '.join(('item', 'context', *GROUPS))}.")
        return
    operators = [key for key in condition if key != subject_key]
    unknown = [key for key in operators if key not in allowed]
    if unknown:
        out.add(path, f"Unknown operator(s) {', '.join(sorted(unknown))}; use one of: {', '.join(allowed)}.")
        return
    if len(operators) != 1:
        out.add(path, f"Needs exactly one operator: one of {', '.join(allowed)}.")
        return
    op = operators[0]
    if subject_key == "context":
        _validate_context(condition["context"], op, condition[op], path, out)
        return
    subject = condition["item"]
    found = items.get(subject) if isinstance(subject, str) else None
    if found is None:
        out.add(f"{path}.item", f"Unknown item '{subject}'.")
    elif subject == self_id:
        out.add(f"{path}.item", "An item's enable_when cannot depend on the item itself.")
    else:
        _validate_operand(found, op, condition[op], f"{path}.{op}", out)


def _validate_context(name: object, op: str, expected: object, path: str, out: Collector) -> None:
    if not (isinstance(name, str) and name in CONTEXT_KEYS):
        out.add(f"{path}.context", f"Unknown context value; known: {', '.join(sorted(CONTEXT_KEYS))}.")
    values = expected if op == "in" else [expected]
    kind = CONTEXT_KEYS.get(name) if isinstance(name, str) else None
    if op == "in" and (not isinstance(expected, list) or not expected):
        out.add(f"{path}.in", "Must be a non-empty list.")
    elif kind == "text" and op not in ("equals", "in"):
        out.add(f"{path}.{op}", f"A text context value takes equals or in, not {op}.")
    elif kind == "text" and not all(isinstance(v, str) for v in values):  # type: ignore[union-attr]
        out.add(f"{path}.{op}", f"Must be text ({name} is text).")
    elif kind == "number" and not all(is_number(v) for v in values):  # type: ignore[union-attr]
        out.add(f"{path}.{op}", f"Must be a number ({name} is a number).")


def _validate_operand(subject: Subject, op: str, expected: object, where: str, out: Collector) -> None:
    if op == "answered":
        if expected is not True:
            out.add(where, "Must be true (use 'not' for an unanswered item).")
        return
    if op in COMPARISONS:
        problem = subject.comparison_problem(expected)
        if problem:
            out.add(where, problem)
        return
    if op == "in" and (not isinstance(expected, list) or not expected):
        out.add(where, "Must be a non-empty list.")
        return
    for value in expected if op == "in" else [expected]:  # type: ignore[union-attr]
        problem = subject.operand_problem(value)
        if problem:
            out.add(where, problem)
