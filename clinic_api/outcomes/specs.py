"""Measure specs from the data: an instrument definition (``GET /questionnaires/{code}``), one of its
subscales, a pain-score context, or one PSFS activity. Pure: definitions are read as plain mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from clinic_api.outcomes.arithmetic import MeasureSpec
from clinic_api.outcomes.words import ENGLISH, Words
from clinic_api.questionnaires.engine.numbers import to_decimal

# Instruments whose score is itself a change since the start of care: the GROC asks the patient to rate
# how much they have changed, so its value is judged against its MCID directly, "compared with a baseline
# of 0" (Kamper SJ, Maher CG, Mackay G. J Man Manip Ther 2009;17(3):163-170; Wang YC et al. Phys Ther
# 2011;91(5):675-688 for the +3 threshold). Definitions carry no such flag, so it is named here.
CHANGE_SCORE_CODES = frozenset({"groc"})

# Instruments scored as a rating out of 10 (written "7/10"); every other score is in points.
OUT_OF_TEN_CODES = frozenset({"nprs"})

# The PSFS definition's MCID (2 points) is for the mean of the activities. For one activity's rating the
# same source gives 3 points (Stratford P et al. Physiother Can 1995;47(4):258-263, recorded in the text of
# the definition's mcid.source); definitions have no field for it, so it is held here. A definition that
# carries ``mcid.activity_points`` overrides it.
PSFS_ACTIVITY_MCID_POINTS = Decimal(3)


def _number(value: Any) -> Decimal | None:
    return None if value is None else to_decimal(value)


def definition_spec(definition: Mapping[str, Any], *, key: str | None = None, label: str | None = None,
                    unit: str | None = None, words: Words = ENGLISH) -> MeasureSpec:
    """The spec of an instrument's total score: its range, direction and MCID as the definition states them.

    ``key`` defaults to the code, ``label`` to "the <title>", ``unit`` to "/10" for a rating out of ten.
    Raises ValueError for an instrument that is not scored (no direction).
    """
    if definition.get("higher_is_better") is None:
        raise ValueError(f"{definition.get('code')}: not a scored instrument.")
    mcid, span = definition.get("mcid") or {}, definition.get("range") or {}
    code = definition["code"]
    return MeasureSpec(
        key=key or code, label=label or words["label.instrument"].format(title=definition["title"]),
        higher_is_better=bool(definition["higher_is_better"]), mcid_points=_number(mcid.get("points")),
        mcid_percent=_number(mcid.get("percent")), mcid_source=mcid.get("source"),
        is_change_score=code in CHANGE_SCORE_CODES, min=_number(span.get("min")), max=_number(span.get("max")),
        unit=unit or ("/10" if code in OUT_OF_TEN_CODES else "points"))


def subscale_spec(definition: Mapping[str, Any], code: str, *, label: str | None = None,
                  words: Words = ENGLISH) -> MeasureSpec:
    """The spec of one subscale, key "<instrument>.<subscale>": the instrument's direction, but no range and no
    MCID, because a definition declares both for the total only (a published subscale MCID would need its own
    field and source)."""
    subscale = next((sub for sub in definition["scoring"]["subscales"] if sub["code"] == code), None)
    if subscale is None:
        raise ValueError(f"{definition['code']}: no subscale {code!r}.")
    total = definition_spec(definition, words=words)
    text = label or words["label.subscale"].format(subscale=subscale["title"], title=definition["title"])
    return MeasureSpec(key=f"{total.key}.{code}", label=text, higher_is_better=total.higher_is_better,
                       is_change_score=total.is_change_score, unit=total.unit)


def pain_spec(context: str, nprs_definition: Mapping[str, Any], *, label: str | None = None,
              words: Words = ENGLISH) -> MeasureSpec:
    """The spec of the pain scores of one context ("stairs_down" gives key "pain.stairs_down").

    A pain score is an NPRS rating in that context, so it takes the NPRS definition's range, direction and
    MCID (2 points or 30 %, Farrar JT et al. Pain 2001;94(2):149-158): one source of truth, and a clinic's
    own NPRS version (say Piva's 1.16 points for patellofemoral pain) applies to its pain scores too.
    """
    text = label or words.get(f"label.pain.{context}") or f"pain ({context})"
    return definition_spec(nprs_definition, key=f"pain.{context}", label=text, unit="/10", words=words)


def psfs_activity_specs(definition: Mapping[str, Any], activities: Mapping[str, str], *,
                        words: Words = ENGLISH) -> list[MeasureSpec]:
    """One spec per PSFS activity, key "psfs.<item id>" ("psfs.activity_1"), in the definition's item order.

    ``activities`` maps each rated item id to the activity the patient named (the ``<item>_name`` answer of
    the baseline response). The same activity is re-rated at follow-up, so each is compared on its own, with
    the single-activity MCID (``PSFS_ACTIVITY_MCID_POINTS``); the mean is :func:`definition_spec`. A renamed
    activity is a different one: the caller starts a new series for it.
    """
    mean = definition_spec(definition, words=words)
    mcid = definition.get("mcid") or {}
    points = _number(mcid.get("activity_points")) or PSFS_ACTIVITY_MCID_POINTS
    unknown = set(activities) - set(definition["scoring"]["items"])
    if unknown:
        raise ValueError(f"{definition['code']}: no rated items {sorted(unknown)}.")
    return [MeasureSpec(key=f"{mean.key}.{item}", label=words["label.psfs_activity"].format(activity=name),
                        higher_is_better=mean.higher_is_better, mcid_points=points, mcid_percent=None,
                        mcid_source=mean.mcid_source, min=mean.min, max=mean.max, unit=mean.unit)
            for item in definition["scoring"]["items"] if (name := activities.get(item)) is not None]
