"""What a definition schema cannot check: how the parts of a definition refer to each other.

The schema (``DefinitionIn``) has checked each object's own shape; here the engine checks that item
ids are unique, that conditions and scoring rules name items that exist and can be used that way, and
that the declared range is exactly what the scoring rule can produce, so that a score's ``min`` and
``max`` never lie about the instrument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from clinic_api.questionnaires.engine import conditions
from clinic_api.questionnaires.engine.errors import Collector, DefinitionErrors, spoken_list
from clinic_api.questionnaires.engine.items import ITEM_TYPES, ItemType
from clinic_api.questionnaires.engine.methods import SCORING_METHODS, Span
from clinic_api.questionnaires.engine.numbers import format_number, round_half_up, to_decimal


@dataclass(frozen=True)
class KnownItem:
    """An item with a unique id, where it stands and the rules of its type."""

    index: int
    item: Mapping[str, Any]
    kind: ItemType

    @property
    def always_answered(self) -> bool:
        return self.item["required"] is True and "enable_when" not in self.item

    @property
    def bounds(self) -> tuple[Fraction, Fraction] | None:
        return self.kind.bounds(self.item)

    def comparison_problem(self, value: object) -> str | None:
        return self.kind.comparison_problem(self.item, value)

    def operand_problem(self, value: object) -> str | None:
        return self.kind.operand_problem(self.item, value)


def validate_definition(definition: Mapping[str, Any]) -> None:
    """Check the references inside a definition the schema has loaded; raise :class:`DefinitionErrors`.

    Use ``clinic_api.questionnaires.definitions.check_definition`` for a document as it arrives: it
    runs the schema first, as ``POST /questionnaires`` does.
    """
    out = Collector()
    items = _known_items(definition["items"], out)
    for item_id, known in items.items():
        if "enable_when" in known.item:
            path = f"items.{known.index}.enable_when"
            conditions.validate(known.item["enable_when"], path, items, out, item_id)
    scoring = definition["scoring"]
    usable = _check_rule(scoring, "scoring", items, out)
    scored = set(scoring["items"])
    _check_unique(out, "scoring.subscales", "subscale", (sub["code"] for sub in scoring["subscales"]))
    for number, subscale in enumerate(scoring["subscales"]):
        _check_rule(subscale, f"scoring.subscales.{number}", items, out)
        scored.update(subscale["items"])
    _check_scored_points(scored, items, out)
    declared = definition.get("range")
    if SCORING_METHODS[scoring["method"]].scored and declared is not None:
        _check_reachable(scoring, usable, items, declared, out)
    _check_unique(out, "red_flags", "red flag", (flag["code"] for flag in definition["red_flags"]))
    for number, flag in enumerate(definition["red_flags"]):
        conditions.validate(flag["when"], f"red_flags.{number}.when", items, out)
    if out:
        raise DefinitionErrors(out.errors)


def _known_items(items: Sequence[Mapping[str, Any]], out: Collector) -> dict[str, KnownItem]:
    known: dict[str, KnownItem] = {}
    for index, item in enumerate(items):
        item_id = item["id"]
        if item_id in known:
            out.add(f"items.{index}.id", f"Duplicate item id '{item_id}' (also items.{known[item_id].index}).")
        else:
            known[item_id] = KnownItem(index, item, ITEM_TYPES[item["type"]])
    return known


def _check_unique(out: Collector, path: str, what: str, codes: Iterable[str]) -> None:
    seen: set[str] = set()
    for number, code in enumerate(codes):
        if code in seen:
            out.add(f"{path}.{number}.code", f"Duplicate {what} code '{code}'.")
        seen.add(code)


def _check_rule(rule: Mapping[str, Any], path: str, items: Mapping[str, KnownItem], out: Collector) -> list[str]:
    """Check the items one rule lists; answer those it can score (they exist, once, of a scored type)."""
    if not SCORING_METHODS[rule["method"]].scored:
        return []
    scorable = spoken_list(name for name, kind in ITEM_TYPES.items() if kind.scorable)
    usable: list[str] = []
    for item_id in rule["items"]:
        known = items.get(item_id)
        if known is None:
            out.add(f"{path}.items", f"Unknown item '{item_id}'.")
        elif item_id in usable:
            out.add(f"{path}.items", f"Item '{item_id}' is listed twice.")
        elif not known.kind.scorable:
            out.add(f"{path}.items", f"Item '{item_id}' is a {known.kind.name} item; only {scorable} items are scored.")
        else:
            usable.append(item_id)
    if rule.get("min_answered") is None:
        # Without a published rule for missing items every scored item must always be answered:
        # otherwise a missing answer would have to be guessed (Kujala 1993; Binkley 1999).
        for item_id in rule["items"]:
            known = items.get(item_id)
            if known is not None and not known.always_answered:
                out.add(
                    f"{path}.items",
                    f"Item '{item_id}' may be left unanswered, but the rule has no min_answered: "
                    "make it required (without enable_when) or set min_answered.",
                )
    return usable


def _check_scored_points(scored: set[str], items: Mapping[str, KnownItem], out: Collector) -> None:
    for item_id in sorted(scored & set(items), key=lambda i: items[i].index):
        known = items[item_id]
        out.merge(f"items.{known.index}", known.kind.scored_problems(known.item))


def _check_reachable(
    rule: Mapping[str, Any],
    usable: list[str],
    items: Mapping[str, KnownItem],
    declared: Mapping[str, Any],
    out: Collector,
) -> None:
    spans = [
        Span(bounds[0], bounds[1], items[item_id].always_answered)
        for item_id in usable
        if (bounds := items[item_id].bounds) is not None
    ]
    reachable = SCORING_METHODS[rule["method"]].reachable(rule, spans)
    if reachable is None:
        return
    low, high = (round_half_up(value, rule["precision"]) for value in reachable)
    if (low, high) == (to_decimal(declared["min"]), to_decimal(declared["max"])):
        return
    complete = len(spans) == len(rule["items"])
    note = "" if complete else " (counting only the listed items that exist and have numeric points)"
    out.add(
        "range",
        f"Does not match what the scoring rule can produce: {format_number(low)} to {format_number(high)}{note}.",
    )
