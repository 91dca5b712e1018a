"""Change between two scores of one measure, and whether it reaches the instrument's MCID.

These belong to the outcome layer, not to scoring a response: they move to ``clinic_api/outcomes/``
when that package arrives. Until then they live here, beside the numbers they use.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from clinic_api.questionnaires.engine.numbers import Number, is_number, to_decimal


def _as_decimal(value: object, name: str) -> Decimal:
    if not is_number(value):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    return to_decimal(value)  # type: ignore[arg-type]


def improvement(baseline: Number, latest: Number, higher_is_better: bool) -> Decimal:
    """Change from baseline to latest, signed so that improvement is positive.

    MCIDs are published as amounts of improvement (a reduction of 2 NPRS points, Farrar 2001, Pain
    94:149; a gain of 10 Kujala points, Crossley 2004, Arch Phys Med Rehabil 85:815), so the sign is
    turned for the instruments where lower is better and one comparison serves them all.
    """
    first, last = _as_decimal(baseline, "baseline"), _as_decimal(latest, "latest")
    return last - first if higher_is_better else first - last


def mcid_reached(
    baseline: Number, latest: Number, definition_or_mcid: Mapping[str, Any], higher_is_better: bool
) -> bool:
    """Whether the improvement reaches the MCID: its points, or its percent of baseline.

    ``definition_or_mcid`` is a definition (its ``mcid`` is used) or an ``mcid`` object itself,
    so a clinic can pass a condition-specific value (e.g. NPRS 1.16 points for PFP, Piva 2009,
    J Rehabil Med 41:129). The percent criterion (NPRS: 30 %, Farrar 2001, Pain 94:149) applies only
    when baseline is not 0. Raises ValueError when there is no MCID to compare with.
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
