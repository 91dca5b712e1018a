"""Questionnaire scoring: definition checks, answer validation, scores and red flags.

Pure logic on plain dicts (the JSON definition format served by ``GET /questionnaires/{code}``):
no Flask, no database. The HTTP layer calls :func:`validate_definition` before storing a
definition and :func:`score_response` on every response, and turns :class:`DefinitionErrors` /
:class:`AnswerErrors` into 422 problem details.

Clinical rules that shape this module (see docs/domain.md):

* A missing answer is never scored as 0. A rule without ``min_answered`` needs every listed item;
  a rule with it (KOOS-PF: 6 of 11) scores the mean of the answered items, or leaves the score
  empty (``None``) when too few were answered, and the result names the missing items.
* Totals are rounded half-up with :mod:`decimal`: sums to integers, means to one decimal.
* Red flags are data in the definition (which answers raise which flag), evaluated here; a flag
  asks for clinician review and never states a diagnosis.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from importlib import resources
from typing import Any

__all__ = [
    "BUILTIN_CODES",
    "CONTEXT_KEYS",
    "AnswerErrors",
    "DefinitionErrors",
    "RedFlag",
    "ScoreResult",
    "evaluate_condition",
    "improvement",
    "load_builtin_definitions",
    "mcid_reached",
    "score_response",
    "validate_definition",
]

Errors = dict[str, list[str]]
Number = int | float | Decimal

# Built-ins in the order of the instrument table in docs/domain.md, so listings are stable.
BUILTIN_CODES: tuple[str, ...] = ("nprs", "kujala", "lefs", "koos_pf", "psfs", "groc", "runner_intake")

ITEM_TYPES: tuple[str, ...] = ("choice", "integer", "decimal", "text", "boolean", "date")
SCORABLE_TYPES: frozenset[str] = frozenset({"choice", "integer", "decimal"})
SCORING_METHODS: tuple[str, ...] = ("sum", "mean", "transformed_mean", "single_item", "none")
# Only averaging rules can tolerate missing items without biasing the score (a sum with a
# missing item would silently count it as 0).
MEAN_METHODS: frozenset[str] = frozenset({"mean", "transformed_mean"})

# Values the caller passes in alongside the answers. Restricted to known names so that a
# custom definition cannot reference a context value that is never supplied (its red flag
# would silently never fire).
CONTEXT_KEYS: frozenset[str] = frozenset({"age_years"})

DEFAULT_TEXT_MAX_LENGTH = 2000
MAX_PRECISION = 4
MAX_CODE_LENGTH = 40
MAX_ID_LENGTH = 64
# Conditions nest all/any/not; real rules need a handful of levels, and a bound keeps evaluation safe.
MAX_CONDITION_DEPTH = 10

DEFINITION_KEYS = (
    "code",
    "version",
    "title",
    "description",
    "citation",
    "items",
    "scoring",
    "range",
    "higher_is_better",
    "mcid",
    "red_flags",
    "loinc",
)
ITEM_REQUIRED_KEYS = ("id", "text", "type", "required")
ITEM_OPTIONAL_KEYS = ("options", "min", "max", "max_length", "enable_when")
TYPE_SPECIFIC_KEYS: dict[str, frozenset[str]] = {
    "choice": frozenset({"options"}),
    "integer": frozenset({"min", "max"}),
    "decimal": frozenset({"min", "max"}),
    "text": frozenset({"max_length"}),
    "boolean": frozenset(),
    "date": frozenset(),
}
OPTION_KEYS = ("code", "text", "points")
SCORING_KEYS = ("method", "items", "precision", "min_answered", "subscales")
SUBSCALE_KEYS = ("code", "title", "method", "items", "precision")
RULE_OPTIONAL_KEYS = ("transform", "min_answered")
MCID_KEYS = ("points", "percent", "source")
RED_FLAG_KEYS = ("code", "title", "message", "when")

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "gte": operator.ge,
    "lte": operator.le,
    "gt": operator.gt,
    "lt": operator.lt,
}
COMPARISON_SYMBOLS = {"gte": "≥", "lte": "≤", "gt": ">", "lt": "<"}
ITEM_OPERATORS = ("equals", "in", "answered", *COMPARISONS)
CONTEXT_OPERATORS = ("equals", "in", *COMPARISONS)

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
OPTION_CODE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
LOINC_CODE = re.compile(r"^\d{1,7}-\d$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AnswerErrors(Exception):
    """Answers that cannot be accepted; ``errors`` maps item ids (or ``"answers"``) to messages."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"{len(errors)} invalid answer(s): {', '.join(errors)}")
        self.errors = errors


class DefinitionErrors(Exception):
    """A definition that cannot be stored; ``errors`` maps dotted paths to messages."""

    def __init__(self, errors: Errors) -> None:
        super().__init__(f"{len(errors)} problem(s) in the definition: {', '.join(errors)}")
        self.errors = errors


@dataclass(frozen=True)
class RedFlag:
    code: str
    title: str
    message: str


@dataclass(frozen=True)
class ScoreResult:
    """A scored response.

    ``total`` is ``None`` when the instrument is not scored (method ``none``) or too few items
    were answered for its published rule. ``answered_items`` lists every answered item and
    ``missing_items`` the items used in scoring (total or subscales) that were not answered,
    both in the definition's order.
    """

    total: Decimal | None
    subscales: dict[str, Decimal | None]
    min: Decimal | None
    max: Decimal | None
    higher_is_better: bool | None
    answered_items: tuple[str, ...]
    missing_items: tuple[str, ...]
    red_flags: tuple[RedFlag, ...]


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _to_decimal(value: Number) -> Decimal:
    # str() first: a float such as 0.1 becomes Decimal("0.1"), not its binary expansion.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def _to_fraction(value: Number) -> Fraction:
    return Fraction(_to_decimal(value))


def _round_half_up(value: Fraction, precision: int) -> Decimal:
    # Exact rational arithmetic up to here; 60 significant digits make the one division exact
    # for every terminating decimal a score can produce, so ties really are ties.
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def _format_number(value: Number | Fraction) -> str:
    if isinstance(value, Fraction):
        value = _round_half_up(value, MAX_PRECISION)
    text = format(_to_decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return _format_number(value)  # type: ignore[arg-type]
    return str(value)


# --------------------------------------------------------------------------------------------
# Conditions (red flags and enable_when)
# --------------------------------------------------------------------------------------------


def _same_value(actual: object, expected: object) -> bool:
    # True == 1 in Python; a boolean answer must never match a number and vice versa.
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual is expected
    if _is_number(actual) and _is_number(expected):
        return _to_fraction(actual) == _to_fraction(expected)  # type: ignore[arg-type]
    return actual == expected


def evaluate_condition(
    condition: Mapping[str, Any], answers: Mapping[str, Any], context: Mapping[str, Any]
) -> bool:
    """Evaluate a red-flag / enable_when condition against answers and caller context.

    A condition on an unanswered item (or a context value the caller did not supply) is false;
    ``{"item": id, "answered": true}`` is the one operator that tests presence itself.
    """
    if "all" in condition:
        return all(evaluate_condition(part, answers, context) for part in condition["all"])
    if "any" in condition:
        return any(evaluate_condition(part, answers, context) for part in condition["any"])
    if "not" in condition:
        return not evaluate_condition(condition["not"], answers, context)
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
    if "equals" in condition:
        return _same_value(actual, condition["equals"])
    if "in" in condition:
        return any(_same_value(actual, expected) for expected in condition["in"])
    for name, compare in COMPARISONS.items():
        if name in condition:
            expected = condition[name]
            if not (_is_number(actual) and _is_number(expected)):
                return False
            return compare(_to_fraction(actual), _to_fraction(expected))
    raise ValueError(f"Condition without an operator: {condition!r}")


def _condition_items(condition: Mapping[str, Any]) -> set[str]:
    if "all" in condition or "any" in condition:
        parts = condition.get("all") or condition.get("any") or []
        return set().union(*(_condition_items(part) for part in parts))
    if "not" in condition:
        return _condition_items(condition["not"])
    return {condition["item"]} if "item" in condition else set()


def _describe_condition(condition: Mapping[str, Any]) -> str:
    if "all" in condition:
        return "all of (" + "; ".join(_describe_condition(c) for c in condition["all"]) + ")"
    if "any" in condition:
        return "any of (" + "; ".join(_describe_condition(c) for c in condition["any"]) + ")"
    if "not" in condition:
        return "not (" + _describe_condition(condition["not"]) + ")"
    subject = condition.get("item", condition.get("context"))
    if "answered" in condition:
        return f"{subject} is answered" if condition["answered"] else f"{subject} is not answered"
    if "equals" in condition:
        return f"{subject} is {_describe(condition['equals'])}"
    if "in" in condition:
        return f"{subject} is one of: " + ", ".join(_describe(v) for v in condition["in"])
    for name, symbol in COMPARISON_SYMBOLS.items():
        if name in condition:
            return f"{subject} {symbol} {_describe(condition[name])}"
    return "a condition holds"


# --------------------------------------------------------------------------------------------
# Definition validation
# --------------------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.errors: Errors = {}

    def add(self, path: str, message: str) -> None:
        messages = self.errors.setdefault(path, [])
        if message not in messages:
            messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)


def _join(*parts: object) -> str:
    return ".".join(str(p) for p in parts if p != "")


def _check_keys(
    obj: Mapping[str, Any], required: Iterable[str], optional: Iterable[str], path: str, out: _Collector
) -> None:
    allowed = set(required) | set(optional)
    for key in required:
        if key not in obj:
            out.add(_join(path, key), "Missing key.")
    for key in obj:
        if key not in allowed:
            out.add(_join(path, key), "Unknown key.")


def _non_empty_string(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


@dataclass
class _ItemInfo:
    index: int
    item: dict[str, Any]
    type: str
    option_codes: tuple[str, ...]
    valid_range: tuple[Fraction, Fraction] | None  # scoring range (points or values) if well-formed


def _validate_items(items: object, out: _Collector) -> dict[str, _ItemInfo]:
    known: dict[str, _ItemInfo] = {}
    if not isinstance(items, list) or not items:
        out.add("items", "Must be a non-empty list of items.")
        return known
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        path = f"items.{index}"
        if not isinstance(item, dict):
            out.add(path, "Must be an object.")
            continue
        _check_keys(item, ITEM_REQUIRED_KEYS, ITEM_OPTIONAL_KEYS, path, out)
        item_id = item.get("id")
        id_ok = isinstance(item_id, str) and bool(SNAKE_CASE.match(item_id)) and len(item_id) <= MAX_ID_LENGTH
        if "id" in item and not id_ok:
            out.add(f"{path}.id", f"Must be snake_case (a-z, 0-9, _), at most {MAX_ID_LENGTH} characters.")
        if id_ok:
            assert isinstance(item_id, str)
            if item_id in first_index:
                out.add(f"{path}.id", f"Duplicate item id '{item_id}' (also items.{first_index[item_id]}).")
                id_ok = False
            else:
                first_index[item_id] = index
        if "text" in item and not _non_empty_string(item["text"]):
            out.add(f"{path}.text", "Must be a non-empty string.")
        if "required" in item and not isinstance(item["required"], bool):
            out.add(f"{path}.required", "Must be true or false.")
        item_type = item.get("type")
        if item_type not in ITEM_TYPES:
            if "type" in item:
                out.add(f"{path}.type", "Must be one of: " + ", ".join(ITEM_TYPES) + ".")
            continue
        for key in ("options", "min", "max", "max_length"):
            if key in item and key not in TYPE_SPECIFIC_KEYS[item_type]:
                out.add(f"{path}.{key}", f"Not allowed for a {item_type} item.")
        codes: tuple[str, ...] = ()
        valid_range: tuple[Fraction, Fraction] | None = None
        if item_type == "choice":
            codes, valid_range = _validate_options(item.get("options"), path, out)
        elif item_type in ("integer", "decimal"):
            valid_range = _validate_bounds(item, item_type, path, out)
        elif item_type == "text" and "max_length" in item:
            max_length = item["max_length"]
            if not _is_integer(max_length) or max_length < 1:
                out.add(f"{path}.max_length", "Must be a whole number of at least 1.")
        if id_ok:
            assert isinstance(item_id, str)
            known[item_id] = _ItemInfo(index, item, item_type, codes, valid_range)
    return known


def _validate_options(
    options: object, path: str, out: _Collector
) -> tuple[tuple[str, ...], tuple[Fraction, Fraction] | None]:
    if not isinstance(options, list) or len(options) < 2:
        out.add(f"{path}.options", "A choice item needs a list of at least 2 options.")
        return (), None
    codes: list[str] = []
    points: list[Fraction] = []
    all_numeric = True
    for number, option in enumerate(options):
        option_path = f"{path}.options.{number}"
        if not isinstance(option, dict):
            out.add(option_path, "Must be an object with code, text and points.")
            all_numeric = False
            continue
        _check_keys(option, OPTION_KEYS, (), option_path, out)
        code = option.get("code")
        if not (isinstance(code, str) and OPTION_CODE.match(code) and len(code) <= MAX_ID_LENGTH):
            out.add(f"{option_path}.code", "Must be a code of a-z, 0-9 and _ (for example 'slight_pain').")
        elif code in codes:
            out.add(f"{option_path}.code", f"Duplicate option code '{code}'.")
        else:
            codes.append(code)
        if "text" in option and not _non_empty_string(option["text"]):
            out.add(f"{option_path}.text", "Must be a non-empty string.")
        value = option.get("points")
        if value is None:
            # Allowed for unscored items (e.g. side: left/right); checked against scoring later.
            all_numeric = False
        elif not _is_number(value):
            out.add(f"{option_path}.points", "Must be a number (or null for an item that is not scored).")
            all_numeric = False
        else:
            points.append(_to_fraction(value))
    valid_range = (min(points), max(points)) if all_numeric and points else None
    return tuple(codes), valid_range


def _validate_bounds(
    item: Mapping[str, Any], item_type: str, path: str, out: _Collector
) -> tuple[Fraction, Fraction] | None:
    check = _is_integer if item_type == "integer" else _is_number
    kind = "a whole number" if item_type == "integer" else "a number"
    ok = True
    for key in ("min", "max"):
        if key not in item:
            out.add(f"{path}.{key}", f"Required for a {item_type} item.")
            ok = False
        elif not check(item[key]):
            out.add(f"{path}.{key}", f"Must be {kind}.")
            ok = False
    if not ok:
        return None
    low, high = _to_fraction(item["min"]), _to_fraction(item["max"])
    if low > high:
        out.add(f"{path}.min", "Must not be greater than max.")
        return None
    return low, high


def _validate_condition(
    condition: object,
    path: str,
    items: Mapping[str, _ItemInfo],
    out: _Collector,
    self_id: str | None = None,
    depth: int = 1,
) -> None:
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
                _validate_condition(part, f"{path}.{group}.{number}", items, out, self_id, depth + 1)
            return
    if "not" in condition:
        if set(condition) != {"not"}:
            out.add(path, "'not' must be the only key of its condition.")
        _validate_condition(condition["not"], f"{path}.not", items, out, self_id, depth + 1)
        return
    if "item" in condition:
        subject_key, allowed = "item", ITEM_OPERATORS
    elif "context" in condition:
        subject_key, allowed = "context", CONTEXT_OPERATORS
    else:
        out.add(path, "Unknown condition: use one of item, context, all, any, not.")
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
    expected = condition[op]
    subject = condition[subject_key]
    if subject_key == "context":
        if subject not in CONTEXT_KEYS:
            out.add(f"{path}.context", f"Unknown context value; known: {', '.join(sorted(CONTEXT_KEYS))}.")
        values = expected if op == "in" else [expected]
        if op == "in" and (not isinstance(expected, list) or not expected):
            out.add(f"{path}.in", "Must be a non-empty list.")
        elif not all(_is_number(v) for v in values):
            out.add(f"{path}.{op}", "Must be a number (context values are numbers).")
        return
    info = items.get(subject) if isinstance(subject, str) else None
    if info is None:
        out.add(f"{path}.item", f"Unknown item '{subject}'.")
        return
    if subject == self_id:
        out.add(f"{path}.item", "An item's enable_when cannot depend on the item itself.")
        return
    _validate_operand(info, op, expected, path, out)


def _validate_operand(info: _ItemInfo, op: str, expected: object, path: str, out: _Collector) -> None:
    where = f"{path}.{op}"
    if op == "answered":
        if expected is not True:
            out.add(where, "Must be true (use 'not' for an unanswered item).")
        return
    if op in COMPARISONS:
        if info.type not in ("integer", "decimal"):
            out.add(where, f"Comparisons apply to integer and decimal items, not to a {info.type} item.")
        elif not _is_number(expected):
            out.add(where, "Must be a number.")
        return
    if op == "in":
        if not isinstance(expected, list) or not expected:
            out.add(where, "Must be a non-empty list.")
            return
        values = expected
    else:
        values = [expected]
    for value in values:
        problem = _operand_problem(info, value)
        if problem:
            out.add(where, problem)


def _operand_problem(info: _ItemInfo, value: object) -> str | None:
    if info.type == "choice":
        if value not in info.option_codes:
            return (
                f"'{_describe(value)}' is not an option code of this item ("
                + ", ".join(info.option_codes)
                + ")."
            )
    elif info.type == "boolean":
        if not isinstance(value, bool):
            return "Must be true or false for a boolean item."
    elif info.type in ("integer", "decimal"):
        if not _is_number(value):
            return "Must be a number for a number item."
    elif not isinstance(value, str):
        return f"Must be a string for a {info.type} item."
    return None


@dataclass
class _Rule:
    """A rule as far as it could be understood, so the range can be checked alongside other errors."""

    method: str
    items: list[str]  # the listed items that exist and can be scored
    precision: int | None  # None when invalid
    min_answered: int | None
    transform: tuple[Fraction, Fraction] | None
    complete: bool  # every listed item exists and can be scored


def _validate_rule(
    rule: object, path: str, items: Mapping[str, _ItemInfo], out: _Collector, *, top_level: bool
) -> _Rule | None:
    """Check one scoring rule (the total or a subscale); return what could be understood of it."""
    if not isinstance(rule, dict):
        out.add(path, "Must be an object.")
        return None
    if top_level:
        _check_keys(rule, SCORING_KEYS, ("transform",), path, out)
    else:
        _check_keys(rule, SUBSCALE_KEYS, RULE_OPTIONAL_KEYS, path, out)
        if "title" in rule and not _non_empty_string(rule["title"]):
            out.add(f"{path}.title", "Must be a non-empty string.")
    method = rule.get("method")
    methods = SCORING_METHODS if top_level else tuple(m for m in SCORING_METHODS if m != "none")
    if method not in methods:
        out.add(f"{path}.method", "Must be one of: " + ", ".join(methods) + ".")
        return None
    listed = rule.get("items")
    if not isinstance(listed, list):
        out.add(f"{path}.items", "Must be a list of item ids.")
        return None
    precision = rule.get("precision")
    min_answered = rule.get("min_answered")
    if method == "none":
        if listed:
            out.add(f"{path}.items", "Must be empty when the method is none.")
        if precision is not None and not _is_integer(precision):
            out.add(f"{path}.precision", "Must be null or a whole number.")
        if min_answered is not None:
            out.add(f"{path}.min_answered", "Must be null when the method is none.")
        if "transform" in rule:
            out.add(f"{path}.transform", "Only a transformed_mean has a transform.")
        return _Rule("none", [], 0, None, None, complete=True)

    if not listed:
        out.add(f"{path}.items", "A scored rule needs at least one item.")
    usable: list[str] = []
    for item_id in listed:
        info = items.get(item_id) if isinstance(item_id, str) else None
        if info is None:
            out.add(f"{path}.items", f"Unknown item '{item_id}'.")
        elif item_id in usable:
            out.add(f"{path}.items", f"Item '{item_id}' is listed twice.")
        elif info.type not in SCORABLE_TYPES:
            out.add(
                f"{path}.items",
                f"Item '{item_id}' is a {info.type} item; only choice, integer and decimal items are scored.",
            )
        else:
            usable.append(item_id)
    if method == "single_item" and len(listed) != 1:
        out.add(f"{path}.items", "single_item scores exactly one item.")

    if not _is_integer(precision) or not 0 <= precision <= MAX_PRECISION:
        out.add(f"{path}.precision", f"Must be a whole number from 0 to {MAX_PRECISION}.")
        precision = None

    if min_answered is not None:
        if method not in MEAN_METHODS:
            out.add(
                f"{path}.min_answered",
                "Only mean and transformed_mean may score with missing items; use null.",
            )
            min_answered = None
        elif not _is_integer(min_answered) or not 1 <= min_answered <= max(len(listed), 1):
            out.add(f"{path}.min_answered", f"Must be a whole number from 1 to {len(listed)} (or null).")
            min_answered = None
    else:
        # Without a published rule for missing items every scored item must always be
        # answered: otherwise a missing answer would have to be guessed (domain.md).
        for item_id in listed:
            info = items.get(item_id) if isinstance(item_id, str) else None
            if info is not None and (info.item.get("required") is not True or "enable_when" in info.item):
                out.add(
                    f"{path}.items",
                    f"Item '{item_id}' may be left unanswered, but the rule has no min_answered: "
                    "make it required (without enable_when) or set min_answered.",
                )

    transform = rule.get("transform")
    parsed_transform: tuple[Fraction, Fraction] | None = None
    if method == "transformed_mean":
        if not isinstance(transform, dict):
            out.add(f"{path}.transform", 'Required: {"offset": number, "factor": number}.')
        else:
            _check_keys(transform, ("offset", "factor"), (), f"{path}.transform", out)
            offset, factor = transform.get("offset"), transform.get("factor")
            if not _is_number(offset):
                out.add(f"{path}.transform.offset", "Must be a number.")
            if not _is_number(factor) or factor == 0:
                out.add(f"{path}.transform.factor", "Must be a non-zero number.")
            if _is_number(offset) and _is_number(factor) and factor != 0:
                parsed_transform = (_to_fraction(offset), _to_fraction(factor))
    elif "transform" in rule:
        out.add(f"{path}.transform", "Only a transformed_mean has a transform.")

    return _Rule(
        method, usable, precision, min_answered, parsed_transform, complete=len(usable) == len(listed)
    )


def _mean_extreme(
    rule: _Rule, items: Mapping[str, _ItemInfo], bounds: dict[str, Fraction], lowest: bool
) -> Fraction:
    """The lowest (or highest) mean the answered subset can reach.

    Items that are always asked (required, unconditional) are always in the mean; optional
    ones may be left out, down to min_answered. Taking optional items from the most extreme
    end, and more of them only while they pull the mean further, gives the exact extreme.
    """
    always = [
        i for i in rule.items if items[i].item.get("required") is True and "enable_when" not in items[i].item
    ]
    optional = sorted((bounds[i] for i in rule.items if i not in always), reverse=not lowest)
    chosen = [bounds[i] for i in always]
    needed = min(rule.min_answered or len(rule.items), len(rule.items))
    for value in optional:
        if len(chosen) >= needed:
            current = sum(chosen, Fraction(0)) / len(chosen)
            if (value >= current) if lowest else (value <= current):
                break
        chosen.append(value)
    return sum(chosen, Fraction(0)) / len(chosen)


def _reachable_range(rule: _Rule, items: Mapping[str, _ItemInfo]) -> tuple[Fraction, Fraction] | None:
    """The lowest and highest total the rule can produce from its usable items (None if unknowable)."""
    if rule.precision is None or (rule.method == "transformed_mean" and rule.transform is None):
        return None
    if rule.method == "single_item" and (len(rule.items) != 1 or not rule.complete):
        return None
    ranges = {i: items[i].valid_range for i in rule.items}
    lows = {i: r[0] for i, r in ranges.items() if r is not None}
    highs = {i: r[1] for i, r in ranges.items() if r is not None}
    if not lows:
        return None
    if len(lows) != len(rule.items):
        rule = _Rule(
            rule.method, list(lows), rule.precision, rule.min_answered, rule.transform, complete=False
        )
    if rule.method == "sum":
        return sum(lows.values(), Fraction(0)), sum(highs.values(), Fraction(0))
    if rule.method == "single_item":
        return lows[rule.items[0]], highs[rule.items[0]]
    low = _mean_extreme(rule, items, lows, lowest=True)
    high = _mean_extreme(rule, items, highs, lowest=False)
    if rule.method == "transformed_mean" and rule.transform is not None:
        offset, factor = rule.transform
        ends = (offset + factor * low, offset + factor * high)
        return min(ends), max(ends)
    return low, high


def _check_reachable(
    rule: _Rule, items: Mapping[str, _ItemInfo], low: Decimal, high: Decimal, out: _Collector
) -> None:
    reachable = _reachable_range(rule, items)
    if reachable is None or rule.precision is None:
        return
    low_r, high_r = (_round_half_up(v, rule.precision) for v in reachable)
    if (low_r, high_r) == (low, high):
        return
    complete = rule.complete and all(items[i].valid_range is not None for i in rule.items)
    note = "" if complete else " (counting only the listed items that exist and have numeric points)"
    out.add(
        "range",
        f"Does not match what the scoring rule can produce: {_format_number(low_r)} to "
        f"{_format_number(high_r)}{note}.",
    )


def _validate_mcid(mcid: object, out: _Collector) -> None:
    if mcid is None:
        return
    if not isinstance(mcid, dict):
        out.add("mcid", "Must be null or an object with points, percent and source.")
        return
    _check_keys(mcid, MCID_KEYS, (), "mcid", out)
    for key in ("points", "percent"):
        value = mcid.get(key)
        if value is not None and (not _is_number(value) or value < 0):
            out.add(f"mcid.{key}", "Must be null or a number ≥ 0.")
    if mcid.get("points") is None and mcid.get("percent") is None:
        out.add("mcid", "Needs points, percent or both.")
    if "source" in mcid and not _non_empty_string(mcid["source"]):
        out.add("mcid.source", "Must cite the source of the MCID.")


def validate_definition(definition: dict[str, Any]) -> None:
    """Check a whole definition and raise :class:`DefinitionErrors` listing every problem."""
    out = _Collector()
    if not isinstance(definition, dict):
        raise DefinitionErrors({"definition": ["Must be an object."]})
    _check_keys(definition, DEFINITION_KEYS, (), "", out)

    code = definition.get("code")
    if "code" in definition and not (
        isinstance(code, str) and SNAKE_CASE.match(code) and len(code) <= MAX_CODE_LENGTH
    ):
        out.add("code", f"Must be snake_case (a-z, 0-9, _), at most {MAX_CODE_LENGTH} characters.")
    version = definition.get("version")
    if "version" in definition and not (_is_integer(version) and version >= 1):
        out.add("version", "Must be a whole number, 1 or more.")
    if "title" in definition and not _non_empty_string(definition["title"]):
        out.add("title", "Must be a non-empty string.")
    if "description" in definition and not isinstance(definition["description"], str):
        out.add("description", "Must be a string.")
    citation = definition.get("citation")
    if citation is not None and not _non_empty_string(citation):
        out.add("citation", "Must be null or a non-empty string.")
    loinc = definition.get("loinc")
    if loinc is not None and not (isinstance(loinc, str) and LOINC_CODE.match(loinc)):
        out.add("loinc", "Must be null or a LOINC code such as 72514-3.")

    items = _validate_items(definition.get("items"), out)
    for item_id, info in items.items():
        if "enable_when" in info.item:
            _validate_condition(
                info.item["enable_when"], f"items.{info.index}.enable_when", items, out, item_id
            )

    scoring = definition.get("scoring")
    rule = _validate_rule(scoring, "scoring", items, out, top_level=True) if "scoring" in definition else None
    scored_ids: set[str] = set(rule.items) if rule else set()
    if isinstance(scoring, dict):
        scored_ids.update(i for i in scoring.get("items") or [] if isinstance(i, str))
        subscales = scoring.get("subscales")
        if not isinstance(subscales, list):
            if "subscales" in scoring:
                out.add("scoring.subscales", "Must be a list (empty when there are none).")
        else:
            subscale_codes: set[str] = set()
            for number, subscale in enumerate(subscales):
                path = f"scoring.subscales.{number}"
                _validate_rule(subscale, path, items, out, top_level=False)
                if not isinstance(subscale, dict):
                    continue
                scored_ids.update(i for i in subscale.get("items") or [] if isinstance(i, str))
                sub_code = subscale.get("code")
                if not (isinstance(sub_code, str) and SNAKE_CASE.match(sub_code)):
                    out.add(f"{path}.code", "Must be snake_case.")
                elif sub_code in subscale_codes:
                    out.add(f"{path}.code", f"Duplicate subscale code '{sub_code}'.")
                else:
                    subscale_codes.add(sub_code)

    # Null points are fine on an unscored choice (side: left/right) but never on a scored one.
    for item_id in sorted(scored_ids & set(items), key=lambda i: items[i].index):
        info = items[item_id]
        if info.type == "choice":
            for number, option in enumerate(info.item.get("options") or []):
                if isinstance(option, dict) and "points" in option and option["points"] is None:
                    out.add(
                        f"items.{info.index}.options.{number}.points",
                        "Must be a number: this item is used in scoring.",
                    )

    not_scored = rule is not None and rule.method == "none"
    declared = definition.get("range")
    if not_scored:
        for key in ("range", "higher_is_better", "mcid"):
            if definition.get(key) is not None:
                out.add(key, "Must be null for an instrument that is not scored.")
    elif "range" in definition:
        if not isinstance(declared, dict):
            out.add("range", "Must be an object with min and max.")
        else:
            _check_keys(declared, ("min", "max"), (), "range", out)
            low, high = declared.get("min"), declared.get("max")
            if not (_is_number(low) and _is_number(high)):
                out.add("range", "min and max must be numbers.")
            elif low > high:
                out.add("range.min", "Must not be greater than max.")
            elif rule is not None:
                _check_reachable(rule, items, _to_decimal(low), _to_decimal(high), out)
    if not not_scored:
        if "higher_is_better" in definition and not isinstance(definition["higher_is_better"], bool):
            out.add("higher_is_better", "Must be true or false for a scored instrument.")
        _validate_mcid(definition.get("mcid"), out)

    red_flags = definition.get("red_flags")
    if "red_flags" in definition:
        if not isinstance(red_flags, list):
            out.add("red_flags", "Must be a list (empty when there are none).")
        else:
            flag_codes: set[str] = set()
            for number, flag in enumerate(red_flags):
                path = f"red_flags.{number}"
                if not isinstance(flag, dict):
                    out.add(path, "Must be an object.")
                    continue
                _check_keys(flag, RED_FLAG_KEYS, (), path, out)
                flag_code = flag.get("code")
                if not (isinstance(flag_code, str) and SNAKE_CASE.match(flag_code)):
                    out.add(f"{path}.code", "Must be snake_case.")
                elif flag_code in flag_codes:
                    out.add(f"{path}.code", f"Duplicate red flag code '{flag_code}'.")
                else:
                    flag_codes.add(flag_code)
                for key in ("title", "message"):
                    if key in flag and not _non_empty_string(flag[key]):
                        out.add(f"{path}.{key}", "Must be a non-empty string.")
                if "when" in flag:
                    _validate_condition(flag["when"], f"{path}.when", items, out)

    if out:
        raise DefinitionErrors(out.errors)


# --------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------


def _check_answer(item: Mapping[str, Any], raw: object) -> tuple[str | None, Any]:
    """Return (problem, normalised value) for one non-null answer."""
    item_type = item["type"]
    if item_type == "choice":
        codes = [option["code"] for option in item["options"]]
        if isinstance(raw, str) and raw in codes:
            return None, raw
        return "Not one of: " + ", ".join(codes) + ".", None
    if item_type in ("integer", "decimal"):
        if item_type == "integer" and not _is_integer(raw):
            return "Must be a whole number.", None
        if not _is_number(raw):
            return "Must be a number.", None
        value = _to_decimal(raw)  # type: ignore[arg-type]
        if not _to_decimal(item["min"]) <= value <= _to_decimal(item["max"]):
            return f"Must be between {_format_number(item['min'])} and {_format_number(item['max'])}.", None
        return None, raw if item_type == "integer" else value
    if item_type == "text":
        if not isinstance(raw, str):
            return "Must be text.", None
        if not raw.strip():
            return "Must not be blank (leave the item out or send null when it is unanswered).", None
        if "\x00" in raw:
            return "Must not contain NUL characters.", None
        if any("\ud800" <= ch <= "\udfff" for ch in raw):
            return "Must not contain unpaired surrogate code points.", None
        limit = item.get("max_length", DEFAULT_TEXT_MAX_LENGTH)
        if len(raw) > limit:
            return f"Must be at most {limit} characters.", None
        return None, raw
    if item_type == "boolean":
        if isinstance(raw, bool):
            return None, raw
        return "Must be true or false.", None
    if item_type == "date":
        if isinstance(raw, str) and ISO_DATE.match(raw):
            try:
                date.fromisoformat(raw)
            except ValueError:
                pass
            else:
                return None, raw
        return "Must be a date in the form YYYY-MM-DD.", None
    raise ValueError(f"Unknown item type {item_type!r}; validate the definition first.")


def _validate_answers(
    definition: Mapping[str, Any], answers: object, context: Mapping[str, Any]
) -> dict[str, Any]:
    if not isinstance(answers, Mapping):
        raise AnswerErrors({"answers": ["Must be an object mapping item ids to answers."]})
    items = definition["items"]
    by_id = {item["id"]: item for item in items}
    problems: Errors = {}
    values: dict[str, Any] = {}
    for item in items:
        item_id = item["id"]
        raw = answers.get(item_id)
        if raw is None:
            continue
        problem, value = _check_answer(item, raw)
        if problem:
            problems[item_id] = [problem]
        else:
            values[item_id] = value

    # Enablement cannot be judged from an answer that is itself invalid: such an item is
    # reported once, not again as "not applicable"/"missing" on the items that depend on it.
    given = dict(values)
    invalid = set(problems)
    for item in items:
        item_id = item["id"]
        condition = item.get("enable_when")
        if condition is not None and _condition_items(condition) & invalid:
            continue
        enabled = condition is None or evaluate_condition(condition, given, context)
        if not enabled:
            if answers.get(item_id) is not None:
                problems[item_id] = [
                    f"Not applicable: this item is only asked when {_describe_condition(condition)}."
                ]
                values.pop(item_id, None)
        elif item.get("required") and item_id not in values and item_id not in problems:
            problems[item_id] = ["Missing answer: this item is required."]

    for key in answers:
        if key not in by_id:
            problems[str(key)] = ["Unknown item."]
    if problems:
        order = {item["id"]: n for n, item in enumerate(items)}
        raise AnswerErrors(dict(sorted(problems.items(), key=lambda kv: order.get(kv[0], len(order)))))
    return values


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def _item_points(item: Mapping[str, Any], value: Any) -> Fraction:
    if item["type"] == "choice":
        for option in item["options"]:
            if option["code"] == value:
                return _to_fraction(option["points"])
        raise ValueError(f"Unknown option {value!r} for item {item['id']!r}.")
    return _to_fraction(value)


def _score_rule(
    rule: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]], values: Mapping[str, Any]
) -> Decimal | None:
    method = rule["method"]
    if method == "none":
        return None
    listed: Sequence[str] = rule["items"]
    answered = [item_id for item_id in listed if item_id in values]
    min_answered = rule.get("min_answered")
    if min_answered is None:
        if len(answered) != len(listed):
            # validate_definition makes every such item required, so answer validation has
            # already refused the response; never fall back to counting a gap as 0.
            missing = ", ".join(i for i in listed if i not in values)
            raise ValueError(f"Scored items unanswered without a min_answered rule: {missing}.")
    elif len(answered) < min_answered:
        return None
    points = [_item_points(by_id[item_id], values[item_id]) for item_id in answered]
    total = sum(points, Fraction(0))
    if method == "sum":
        result = total
    elif method == "single_item":
        result = points[0]
    else:
        result = total / len(points)
        if method == "transformed_mean":
            transform = rule["transform"]
            result = _to_fraction(transform["offset"]) + _to_fraction(transform["factor"]) * result
    return _round_half_up(result, rule["precision"])


def score_response(
    definition: dict[str, Any], answers: dict[str, Any], context: dict[str, Any] | None = None
) -> ScoreResult:
    """Validate ``answers`` against a (validated) definition, then score them and raise flags.

    ``context`` carries facts about the patient that conditions may use: ``age_years``.
    Raises :class:`AnswerErrors` naming every bad item; nothing is scored until all are valid.
    """
    context = dict(context or {})
    values = _validate_answers(definition, answers, context)
    items = definition["items"]
    by_id = {item["id"]: item for item in items}
    scoring = definition["scoring"]

    total = _score_rule(scoring, by_id, values)
    subscales = {sub["code"]: _score_rule(sub, by_id, values) for sub in scoring.get("subscales") or []}

    scored = set(scoring.get("items") or [])
    for sub in scoring.get("subscales") or []:
        scored.update(sub["items"])
    answered_items = tuple(item["id"] for item in items if item["id"] in values)
    missing_items = tuple(item["id"] for item in items if item["id"] in scored and item["id"] not in values)

    flags = tuple(
        RedFlag(flag["code"], flag["title"], flag["message"])
        for flag in definition.get("red_flags") or []
        if evaluate_condition(flag["when"], values, context)
    )
    declared = definition.get("range")
    return ScoreResult(
        total=total,
        subscales=subscales,
        min=_to_decimal(declared["min"]) if declared else None,
        max=_to_decimal(declared["max"]) if declared else None,
        higher_is_better=definition.get("higher_is_better"),
        answered_items=answered_items,
        missing_items=missing_items,
        red_flags=flags,
    )


# --------------------------------------------------------------------------------------------
# Change and MCID
# --------------------------------------------------------------------------------------------


def _as_decimal(value: object, name: str) -> Decimal:
    if not _is_number(value):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    return _to_decimal(value)  # type: ignore[arg-type]


def improvement(baseline: Number, latest: Number, higher_is_better: bool) -> Decimal:
    """Change from baseline to latest, signed so that improvement is positive (domain.md)."""
    first, last = _as_decimal(baseline, "baseline"), _as_decimal(latest, "latest")
    return last - first if higher_is_better else first - last


def mcid_reached(
    baseline: Number, latest: Number, definition_or_mcid: Mapping[str, Any], higher_is_better: bool
) -> bool:
    """Whether the improvement reaches the MCID: its points, or its percent of baseline.

    ``definition_or_mcid`` is a definition (its ``mcid`` is used) or an ``mcid`` object itself,
    so a clinic can pass a condition-specific value (e.g. NPRS 1.16 points for PFP, Piva 2009).
    The percent criterion (NPRS: 30 %, Farrar 2001) applies only when baseline is not 0.
    Raises ValueError when there is no MCID to compare with.
    """
    if "points" in definition_or_mcid or "percent" in definition_or_mcid:
        mcid: Mapping[str, Any] | None = definition_or_mcid
    else:
        mcid = definition_or_mcid.get("mcid")
    if not mcid or (mcid.get("points") is None and mcid.get("percent") is None):
        raise ValueError("No MCID is defined for this instrument.")
    change = improvement(baseline, latest, higher_is_better)
    points = mcid.get("points")
    if points is not None and change >= _as_decimal(points, "mcid.points"):
        return True
    percent = mcid.get("percent")
    base = _as_decimal(baseline, "baseline")
    if percent is not None and base != 0 and change > 0:
        return change * 100 >= _as_decimal(percent, "mcid.percent") * abs(base)
    return False


# --------------------------------------------------------------------------------------------
# Built-in instruments
# --------------------------------------------------------------------------------------------


def load_builtin_definitions() -> list[dict[str, Any]]:
    """The built-in definitions shipped in ``definitions/``, in :data:`BUILTIN_CODES` order.

    Each call parses the files afresh, so callers may change what they get back.
    """
    folder = resources.files(__package__ or "clinic_api.questionnaires").joinpath("definitions")
    return [json.loads(folder.joinpath(f"{code}.json").read_text(encoding="utf-8")) for code in BUILTIN_CODES]
