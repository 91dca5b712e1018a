"""Exact numbers for scores: conversions between JSON numbers, Decimal and Fraction, and half-up rounding.

Scores are worked out as fractions and rounded once, at the end. A clinician scoring the paper form
rounds a tie up, so the stored score does too: KOOS-PF with six "mild" answers out of eight is
100 − 25 × 6/8 = 81.25, stored as 81.3 (binary floats, or Python's ``round()``, which rounds half to
even, would store 81.2). Sums keep no decimals and means one, as each instrument's ``precision`` says.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

Number = int | float | Decimal

# The most decimals a score may keep; published instruments need at most one.
MAX_PRECISION = 4


def is_number(value: object) -> bool:
    """A finite number; ``True`` is not the number 1 here, and NaN or infinity is no score."""
    if isinstance(value, bool):
        return False
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int)


def is_integer(value: object) -> bool:
    """A whole number as JSON gives it: 3, not 3.0 and not ``true``."""
    return isinstance(value, int) and not isinstance(value, bool)


def to_decimal(value: Number) -> Decimal:
    """The decimal a person reads: a float such as 0.1 becomes Decimal("0.1"), not its binary expansion."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def to_fraction(value: Number) -> Fraction:
    return Fraction(to_decimal(value))


def round_half_up(value: Fraction, precision: int) -> Decimal:
    """Round an exact score half-up to ``precision`` decimals.

    60 significant digits make the one division exact for every terminating decimal a score can
    produce, so a tie really is a tie when it is rounded.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def format_number(value: Number | Fraction) -> str:
    """A number as a message shows it: 7, 2.5, -0.25 (no exponent, no trailing zeros)."""
    if isinstance(value, Fraction):
        value = round_half_up(value, MAX_PRECISION)
    text = format(to_decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def describe(value: object) -> str:
    """A JSON value as a message shows it: booleans as JSON spells them, numbers as people write them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)  # type: ignore[arg-type]
    return str(value)
