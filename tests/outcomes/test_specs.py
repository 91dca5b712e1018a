"""Measure specs read from the instrument definitions: range, direction and MCID with its source."""

from __future__ import annotations

import pytest

from clinic_api.outcomes.specs import (
    PSFS_ACTIVITY_MCID_POINTS,
    definition_spec,
    pain_spec,
    psfs_activity_specs,
    subscale_spec,
)
from tests.outcomes.scores import D
from tests.questionnaires.instruments import BUILTINS, definition


@pytest.mark.parametrize(("code", "points", "percent", "higher", "low", "high", "unit", "change_score"), [
    ("nprs", D(2), D(30), False, D(0), D(10), "/10", False),  # Farrar 2001
    ("kujala", D(10), None, True, D(0), D(100), "points", False),  # Crossley 2004
    ("lefs", D(9), None, True, D(0), D(80), "points", False),  # Binkley 1999
    ("koos_pf", D("16.4"), None, True, D(0), D(100), "points", False),  # Crossley 2018
    ("psfs", D(2), None, True, D(0), D(10), "points", False),  # Stratford 1995, the mean
    ("groc", D(3), None, True, D(-7), D(7), "points", True),  # Wang 2011; a change score (Kamper 2009)
])
def test_a_spec_takes_the_definitions_range_direction_and_mcid(code, points, percent, higher, low, high, unit,
                                                               change_score):
    spec = definition_spec(BUILTINS[code])

    assert spec.key == code
    assert spec.label == "the " + BUILTINS[code]["title"]
    assert (spec.mcid_points, spec.mcid_percent, spec.higher_is_better) == (points, percent, higher)
    assert spec.mcid_source == BUILTINS[code]["mcid"]["source"]
    assert (spec.min, spec.max, spec.unit, spec.is_change_score) == (low, high, unit, change_score)


def test_an_unscored_instrument_has_no_spec():
    with pytest.raises(ValueError, match="not a scored instrument"):
        definition_spec(BUILTINS["runner_intake"])


def test_a_pain_context_is_an_nprs_rating_in_that_context():
    spec = pain_spec("stairs_down", BUILTINS["nprs"])

    assert (spec.key, spec.label, spec.unit) == ("pain.stairs_down", "pain going down stairs", "/10")
    assert (spec.mcid_points, spec.mcid_percent, spec.higher_is_better) == (D(2), D(30), False)
    piva = definition("nprs")
    piva["mcid"] = {"points": 1.16, "percent": None, "source": "Piva SR et al. J Rehabil Med 2009;41(3):129-135"}
    assert pain_spec("night", piva).mcid_points == D("1.16")
    assert pain_spec("new_context", BUILTINS["nprs"]).label == "pain (new_context)"


def test_each_psfs_activity_is_its_own_measure_with_the_single_activity_mcid():
    specs = psfs_activity_specs(BUILTINS["psfs"], {"activity_3": "hills", "activity_1": "running 10 km"})

    assert [spec.key for spec in specs] == ["psfs.activity_1", "psfs.activity_3"]  # the definition's order
    assert [spec.label for spec in specs] == ["the PSFS rating of “running 10 km”", "the PSFS rating of “hills”"]
    assert {spec.mcid_points for spec in specs} == {PSFS_ACTIVITY_MCID_POINTS} == {D(3)}
    assert all(spec.higher_is_better and (spec.min, spec.max) == (D(0), D(10)) for spec in specs)


def test_a_definition_can_carry_its_own_single_activity_mcid():
    psfs = definition("psfs")
    psfs["mcid"]["activity_points"] = 2.5

    assert psfs_activity_specs(psfs, {"activity_1": "hills"})[0].mcid_points == D("2.5")


def test_psfs_activities_must_be_rated_items():
    with pytest.raises(ValueError, match="activity_1_name"):
        psfs_activity_specs(BUILTINS["psfs"], {"activity_1_name": "hills"})


def test_a_subscale_has_the_instruments_direction_but_no_mcid_or_range():
    kujala = definition("kujala")
    kujala["scoring"]["subscales"] = [{"code": "pain", "title": "Pain", "method": "sum", "items": ["pain"]}]

    spec = subscale_spec(kujala, "pain")

    assert (spec.key, spec.label) == ("kujala.pain", "the Pain subscale of the Anterior Knee Pain Scale (Kujala)")
    assert (spec.higher_is_better, spec.mcid, spec.min, spec.max) == (True, None, None, None)
    with pytest.raises(ValueError, match="no subscale"):
        subscale_spec(kujala, "function")
