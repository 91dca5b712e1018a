"""One class per item type: its own definition keys, how an answer is checked, what a condition may
compare it with, and the points it scores.

A new item type is one subclass registered in :data:`ITEM_TYPES`: the schema's list of types, the
definition checks, answer validation and scoring all look the type up there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from typing import Any, ClassVar

from clinic_api.questionnaires.engine.errors import Collector, Errors, spoken_list
from clinic_api.questionnaires.engine.numbers import (
    describe,
    format_number,
    is_integer,
    is_number,
    to_decimal,
    to_fraction,
)

Item = Mapping[str, Any]
Checked = tuple[str | None, Any]  # (the problem, or None and the answer as it is stored)

DEFAULT_TEXT_MAX_LENGTH = 2000
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ItemType:
    """The rules of one type of item; stateless, one instance per type in :data:`ITEM_TYPES`."""

    name: ClassVar[str]
    keys: ClassVar[tuple[str, ...]] = ()  # the type-specific keys an item of this type may carry
    scorable: ClassVar[bool] = False  # whether a scoring rule may list it
    comparable: ClassVar[bool] = False  # whether gte/lte/gt/lt apply to its answers

    def check(self, item: Item) -> Errors:
        """Errors by key in the keys that belong to item types. The definition schema runs this on every
        item, so that a type's format rules live with the type and are written once."""
        out = Collector()
        for key in type_specific_keys():
            if key in item and key not in self.keys:
                out.add(key, f"Not allowed for a {self.name} item.")
        self.check_own_keys(item, out)
        return out.errors

    def check_own_keys(self, item: Item, out: Collector) -> None:
        """Problems with the keys in :attr:`keys`; the schema has already checked their JSON types."""

    def scored_problems(self, item: Item) -> Errors:
        """Problems that only arise once a scoring rule lists the item, by key."""
        return {}

    def bounds(self, item: Item) -> tuple[Fraction, Fraction] | None:
        """The lowest and highest points an answer can score, or None when that is not known."""
        return None

    def check_answer(self, item: Item, raw: object) -> Checked:
        """Every problem is named on the item, so a form can show it beside the question."""
        raise NotImplementedError

    def points(self, item: Item, value: Any) -> Fraction:
        raise ValueError(f"A {self.name} item is not scored.")

    def comparison_problem(self, item: Item, value: object) -> str | None:
        comparable = spoken_list(name for name, kind in ITEM_TYPES.items() if kind.comparable)
        return f"Comparisons apply to {comparable} items, not to a {self.name} item."

    def operand_problem(self, item: Item, value: object) -> str | None:
        """What is wrong with ``value`` as an ``equals``/``in`` operand (answers stored as text here)."""
        if not isinstance(value, str):
            return f"Must be a string for a {self.name} item."
        return None


class ChoiceType(ItemType):
    """One option of a list, scored by the option's points as the instrument prints them."""

    name = "choice"
    keys = ("options",)
    scorable = True

    def check_own_keys(self, item: Item, out: Collector) -> None:
        options = item.get("options")
        if not isinstance(options, list) or len(options) < 2:
            out.add("options", "A choice item needs a list of at least 2 options.")
            return
        seen: set[str] = set()
        for number, option in enumerate(options):
            code = option.get("code")
            if code in seen:
                out.add(f"options.{number}.code", f"Duplicate option code '{code}'.")
            elif code is not None:
                seen.add(code)

    def scored_problems(self, item: Item) -> Errors:
        # Null points are fine on an unscored choice (side: left/right) but never on a scored one.
        return {
            f"options.{number}.points": ["Must be a number: this item is used in scoring."]
            for number, option in enumerate(item["options"])
            if option["points"] is None
        }

    def bounds(self, item: Item) -> tuple[Fraction, Fraction] | None:
        points = [option["points"] for option in item["options"]]
        if any(p is None for p in points):
            return None
        return min(map(to_fraction, points)), max(map(to_fraction, points))

    def check_answer(self, item: Item, raw: object) -> Checked:
        codes = _codes(item)
        if isinstance(raw, str) and raw in codes:
            return None, raw
        return "Not one of: " + ", ".join(codes) + ".", None

    def points(self, item: Item, value: Any) -> Fraction:
        for option in item["options"]:
            if option["code"] == value:
                return to_fraction(option["points"])
        raise ValueError(f"Unknown option {value!r} for item {item['id']!r}.")

    def operand_problem(self, item: Item, value: object) -> str | None:
        codes = _codes(item)
        if value not in codes:
            return f"'{describe(value)}' is not an option code of this item (" + ", ".join(codes) + ")."
        return None


def _codes(item: Item) -> list[str]:
    return [option["code"] for option in item["options"]]


class NumberType(ItemType):
    """A number within the item's own ``min`` and ``max``, scored as itself (NPRS 0–10, GROC −7…+7)."""

    keys = ("min", "max")
    scorable = True
    comparable = True
    whole: ClassVar[bool]

    def check_own_keys(self, item: Item, out: Collector) -> None:
        check, kind = (is_integer, "a whole number") if self.whole else (is_number, "a number")
        ok = True
        for key in self.keys:
            if key not in item:
                out.add(key, f"Required for a {self.name} item.")
                ok = False
            elif not check(item[key]):
                out.add(key, f"Must be {kind}.")
                ok = False
        if ok and to_fraction(item["min"]) > to_fraction(item["max"]):
            out.add("min", "Must not be greater than max.")

    def bounds(self, item: Item) -> tuple[Fraction, Fraction] | None:
        return to_fraction(item["min"]), to_fraction(item["max"])

    def check_answer(self, item: Item, raw: object) -> Checked:
        if self.whole and not is_integer(raw):
            return "Must be a whole number.", None
        if not is_number(raw):
            return "Must be a number.", None
        value = to_decimal(raw)  # type: ignore[arg-type]
        if not to_decimal(item["min"]) <= value <= to_decimal(item["max"]):
            return f"Must be between {format_number(item['min'])} and {format_number(item['max'])}.", None
        return None, raw if self.whole else value

    def points(self, item: Item, value: Any) -> Fraction:
        return to_fraction(value)

    def comparison_problem(self, item: Item, value: object) -> str | None:
        return None if is_number(value) else "Must be a number."

    def operand_problem(self, item: Item, value: object) -> str | None:
        return None if is_number(value) else "Must be a number for a number item."


class IntegerType(NumberType):
    name = "integer"
    whole = True


class DecimalType(NumberType):
    name = "decimal"
    whole = False


class TextType(ItemType):
    """Free text, bounded (``max_length``, else 2000 characters) so that no answer is unbounded."""

    name = "text"
    keys = ("max_length",)

    def check_answer(self, item: Item, raw: object) -> Checked:
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


class BooleanType(ItemType):
    name = "boolean"

    def check_answer(self, item: Item, raw: object) -> Checked:
        if isinstance(raw, bool):
            return None, raw
        return "Must be true or false.", None

    def operand_problem(self, item: Item, value: object) -> str | None:
        return None if isinstance(value, bool) else "Must be true or false for a boolean item."


class DateType(ItemType):
    """A calendar date, stored as the ISO text the patient gave (onset, goal race)."""

    name = "date"

    def check_answer(self, item: Item, raw: object) -> Checked:
        if isinstance(raw, str) and ISO_DATE.match(raw):
            try:
                date.fromisoformat(raw)
            except ValueError:
                pass
            else:
                return None, raw
        return "Must be a date in the form YYYY-MM-DD.", None


ITEM_TYPES: dict[str, ItemType] = {
    kind.name: kind
    for kind in (ChoiceType(), IntegerType(), DecimalType(), TextType(), BooleanType(), DateType())
}


def type_specific_keys() -> tuple[str, ...]:
    """Every key that belongs to some item type, in registry order (options, min, max, max_length)."""
    return tuple(dict.fromkeys(key for kind in ITEM_TYPES.values() for key in kind.keys))
