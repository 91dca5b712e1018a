"""Answers checked against a definition, then scored, with the red flags they raise.

Clinical rules that shape this module:

* A missing answer is never scored as 0. A rule without ``min_answered`` needs every listed item
  (Kujala 1993, Arthroscopy 9:159; LEFS, Binkley 1999, Phys Ther 79:371); a rule with it (KOOS-PF:
  6 of 11, Crossley 2018, Br J Sports Med 52:1130) scores the mean of the answered items, or leaves
  the score empty (``None``) when too few were answered, and the result names the missing items.
* Totals are rounded half-up (see :mod:`.numbers`) to the rule's precision.
* Red flags are data in the definition (which answers raise which flag), evaluated here; a flag asks
  for clinician review and never states a diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clinic_api.questionnaires.engine import conditions
from clinic_api.questionnaires.engine.errors import AnswerErrors, Errors
from clinic_api.questionnaires.engine.items import ITEM_TYPES
from clinic_api.questionnaires.engine.methods import SCORING_METHODS
from clinic_api.questionnaires.engine.numbers import round_half_up

Item = Mapping[str, Any]


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
    answered_items: tuple[str, ...]
    missing_items: tuple[str, ...]
    red_flags: tuple[RedFlag, ...]


def validate_answers(definition: Mapping[str, Any], answers: object, context: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as stored (null answers dropped), or :class:`AnswerErrors` naming every bad item."""
    if not isinstance(answers, Mapping):
        raise AnswerErrors({"answers": ["Must be an object mapping item ids to answers."]})
    items: Sequence[Item] = definition["items"]
    values, problems = _check_values(items, answers)
    _check_enabled(items, answers, context, values, problems)
    known = {item["id"] for item in items}
    for key in answers:
        if key not in known:
            problems[str(key)] = ["Unknown item."]
    if problems:
        order = {item["id"]: n for n, item in enumerate(items)}
        raise AnswerErrors(dict(sorted(problems.items(), key=lambda kv: order.get(kv[0], len(order)))))
    return values


def _check_values(items: Sequence[Item], answers: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    values: dict[str, Any] = {}
    problems: Errors = {}
    for item in items:
        raw = answers.get(item["id"])
        if raw is None:
            continue
        problem, value = ITEM_TYPES[item["type"]].check_answer(item, raw)
        if problem:
            problems[item["id"]] = [problem]
        else:
            values[item["id"]] = value
    return values, problems


def _check_enabled(
    items: Sequence[Item],
    answers: Mapping[str, Any],
    context: Mapping[str, Any],
    values: dict[str, Any],
    problems: Errors,
) -> None:
    """Drop answers to items that were not to be asked, and require the required ones that were.

    Enablement cannot be judged from an answer that is itself invalid: such an item is reported
    once, not again as "not applicable"/"missing" on the items that depend on it.
    """
    given = dict(values)
    invalid = set(problems)
    for item in items:
        item_id = item["id"]
        condition = item.get("enable_when")
        if condition is not None and conditions.referenced_items(condition) & invalid:
            continue
        if condition is not None and not conditions.evaluate(condition, given, context):
            if answers.get(item_id) is not None:
                reason = conditions.describe(condition)
                problems[item_id] = [f"Not applicable: this item is only asked when {reason}."]
                values.pop(item_id, None)
        elif item.get("required") and item_id not in values and item_id not in problems:
            problems[item_id] = ["Missing answer: this item is required."]


def _score_rule(rule: Mapping[str, Any], by_id: Mapping[str, Item], values: Mapping[str, Any]) -> Decimal | None:
    method = SCORING_METHODS[rule["method"]]
    if not method.scored:
        return None
    listed: Sequence[str] = rule["items"]
    answered = [item_id for item_id in listed if item_id in values]
    min_answered = rule.get("min_answered")
    if min_answered is None:
        if len(answered) != len(listed):
            # Definition validation makes every such item required, so answer validation has
            # already refused the response; never fall back to counting a gap as 0.
            missing = ", ".join(i for i in listed if i not in values)
            raise ValueError(f"Scored items unanswered without a min_answered rule: {missing}.")
    elif len(answered) < min_answered:
        return None
    points = [ITEM_TYPES[by_id[i]["type"]].points(by_id[i], values[i]) for i in answered]
    return round_half_up(method.combine(rule, points), rule["precision"])


def score_response(
    definition: dict[str, Any], answers: dict[str, Any], context: dict[str, Any] | None = None
) -> ScoreResult:
    """Validate ``answers`` against a (validated) definition, then score them and raise flags.

    ``context`` carries facts about the patient that conditions may use: ``age_years``.
    Raises :class:`AnswerErrors` naming every bad item; nothing is scored until all are valid.
    """
    context = dict(context or {})
    values = validate_answers(definition, answers, context)
    items = definition["items"]
    by_id = {item["id"]: item for item in items}
    scoring = definition["scoring"]
    subscales = scoring.get("subscales") or []
    scored = set(scoring.get("items") or []).union(*(sub["items"] for sub in subscales))
    return ScoreResult(
        total=_score_rule(scoring, by_id, values),
        subscales={sub["code"]: _score_rule(sub, by_id, values) for sub in subscales},
        answered_items=tuple(item["id"] for item in items if item["id"] in values),
        missing_items=tuple(item["id"] for item in items if item["id"] in scored and item["id"] not in values),
        red_flags=tuple(
            RedFlag(flag["code"], flag["title"], flag["message"])
            for flag in definition.get("red_flags") or []
            if conditions.evaluate(flag["when"], values, context)
        ),
    )
