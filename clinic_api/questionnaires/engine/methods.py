"""One class per scoring method: the shape of its rule, the range it can reach, and its score.

A scoring rule (the total, or a subscale) names a method and the items it scores. Which methods may
leave items out is clinical: only an average can skip an unanswered item without biasing the score,
and only where the instrument's publication says so (KOOS-PF: at least 6 of 11 answered, Crossley
2018, Br J Sports Med 52:1130). A sum never proceeds with a gap (Kujala 1993, Arthroscopy 9:159;
LEFS, Binkley 1999, Phys Ther 79:371): a missing answer is never scored as 0.

A new method is one subclass registered in :data:`SCORING_METHODS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from clinic_api.questionnaires.engine.errors import Collector, Errors, spoken_list
from clinic_api.questionnaires.engine.numbers import MAX_PRECISION, to_fraction

Rule = Mapping[str, Any]
Extent = tuple[Fraction, Fraction]


@dataclass(frozen=True)
class Span:
    """What one listed item can add to a score: its lowest and highest points, and whether it is
    always answered (required, with no ``enable_when``) or may be left out."""

    low: Fraction
    high: Fraction
    always: bool


class ScoringMethod:
    """A scored method; stateless, one instance per method in :data:`SCORING_METHODS`."""

    name: ClassVar[str]
    scored: ClassVar[bool] = True
    tolerates_missing: ClassVar[bool] = False  # may score with fewer answers (``min_answered``)

    def check(self, rule: Rule) -> Errors:
        """The rule's own shape, by key; the definition schema runs this on the total and each subscale.

        Keys missing from ``rule`` were either left out or refused by their own field already.
        """
        out = Collector()
        listed = rule.get("items")
        if isinstance(listed, list) and not listed:
            out.add("items", "A scored rule needs at least one item.")
        if "precision" in rule and rule["precision"] is None:
            out.add("precision", f"Must be a whole number from 0 to {MAX_PRECISION}.")
        min_answered = rule.get("min_answered")
        if min_answered is not None:
            if not self.tolerates_missing:
                tolerant = spoken_list(m.name for m in SCORING_METHODS.values() if m.tolerates_missing)
                out.add("min_answered", f"Only {tolerant} may score with missing items; use null.")
            elif isinstance(listed, list) and min_answered > max(len(listed), 1):
                out.add("min_answered", f"Must be a whole number from 1 to {len(listed)} (or null).")
        self.check_transform(rule, out)
        return out.errors

    def check_transform(self, rule: Rule, out: Collector) -> None:
        if "transform" in rule:
            out.add("transform", "Only a transformed_mean has a transform.")

    def reachable(self, rule: Rule, spans: Sequence[Span]) -> Extent | None:
        """The lowest and highest unrounded score the listed items can produce (None: not knowable)."""
        raise NotImplementedError

    def combine(self, rule: Rule, points: Sequence[Fraction]) -> Fraction:
        """The unrounded score from the points of the answered items (at least one)."""
        raise NotImplementedError


class Sum(ScoringMethod):
    """Sum of the item points (Kujala 0–100, LEFS 0–80)."""

    name = "sum"

    def reachable(self, rule: Rule, spans: Sequence[Span]) -> Extent | None:
        if not spans:
            return None
        return sum((s.low for s in spans), Fraction(0)), sum((s.high for s in spans), Fraction(0))

    def combine(self, rule: Rule, points: Sequence[Fraction]) -> Fraction:
        return sum(points, Fraction(0))


class Mean(ScoringMethod):
    """Mean of the answered items (PSFS: the mean of 3 to 5 activity ratings, Stratford 1995,
    Physiother Can 47:258)."""

    name = "mean"
    tolerates_missing = True

    def reachable(self, rule: Rule, spans: Sequence[Span]) -> Extent | None:
        if not spans:
            return None
        needed = min(rule.get("min_answered") or len(spans), len(spans))
        return _mean_extreme(spans, needed, lowest=True), _mean_extreme(spans, needed, lowest=False)

    def combine(self, rule: Rule, points: Sequence[Fraction]) -> Fraction:
        return sum(points, Fraction(0)) / len(points)


def _mean_extreme(spans: Sequence[Span], needed: int, *, lowest: bool) -> Fraction:
    """The lowest (or highest) mean the answered subset can reach.

    Items that are always answered are always in the mean; optional ones may be left out, down to
    ``needed`` answers. Taking optional items from the most extreme end, and more of them only while
    they pull the mean further, gives the exact extreme.
    """
    chosen = [s.low if lowest else s.high for s in spans if s.always]
    optional = sorted((s.low if lowest else s.high for s in spans if not s.always), reverse=not lowest)
    for value in optional:
        if len(chosen) >= needed:
            current = sum(chosen, Fraction(0)) / len(chosen)
            if (value >= current) if lowest else (value <= current):
                break
        chosen.append(value)
    return sum(chosen, Fraction(0)) / len(chosen)


class TransformedMean(Mean):
    """``offset + factor × mean``: KOOS-PF is 100 − 25 × the mean of its 0–4 items, so 100 is no
    problems (Crossley 2018, Br J Sports Med 52:1130)."""

    name = "transformed_mean"

    def check_transform(self, rule: Rule, out: Collector) -> None:
        transform = rule.get("transform")
        if transform is None:
            out.add("transform", 'Required: {"offset": number, "factor": number}.')
        elif transform.get("factor") == 0:
            out.add("transform.factor", "Must be a non-zero number.")

    def reachable(self, rule: Rule, spans: Sequence[Span]) -> Extent | None:
        extent = super().reachable(rule, spans)
        if extent is None:
            return None
        ends = tuple(self._transform(rule, value) for value in extent)
        return min(ends), max(ends)

    def combine(self, rule: Rule, points: Sequence[Fraction]) -> Fraction:
        return self._transform(rule, super().combine(rule, points))

    @staticmethod
    def _transform(rule: Rule, mean: Fraction) -> Fraction:
        transform = rule["transform"]
        return to_fraction(transform["offset"]) + to_fraction(transform["factor"]) * mean


class SingleItem(ScoringMethod):
    """The answer is the score (NPRS 0–10, Farrar 2001, Pain 94:149; GROC −7…+7, Jaeschke 1989,
    Control Clin Trials 10:407)."""

    name = "single_item"

    def check(self, rule: Rule) -> Errors:
        errors = super().check(rule)
        listed = rule.get("items")
        if isinstance(listed, list) and len(listed) != 1:
            errors.setdefault("items", []).append("single_item scores exactly one item.")
        return errors

    def reachable(self, rule: Rule, spans: Sequence[Span]) -> Extent | None:
        return (spans[0].low, spans[0].high) if len(spans) == 1 else None

    def combine(self, rule: Rule, points: Sequence[Fraction]) -> Fraction:
        return points[0]


class NotScored(ScoringMethod):
    """An instrument that only collects answers (the runner intake form): no total, no range."""

    name = "none"
    scored = False

    def check(self, rule: Rule) -> Errors:
        out = Collector()
        if rule.get("items"):
            out.add("items", "Must be empty when the method is none.")
        if rule.get("min_answered") is not None:
            out.add("min_answered", "Must be null when the method is none.")
        self.check_transform(rule, out)
        return out.errors

    def reachable(self, rule: Rule, spans: Sequence[Span]) -> Extent | None:
        return None


SCORING_METHODS: dict[str, ScoringMethod] = {
    method.name: method for method in (Sum(), Mean(), TransformedMean(), SingleItem(), NotScored())
}
# A subscale is always scored: an instrument that scores nothing has no parts to score either.
SCORED_METHODS: tuple[str, ...] = tuple(name for name, method in SCORING_METHODS.items() if method.scored)
