"""Change between two scores and the MCID (pure logic: no app), moved from the questionnaire engine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic_api.outcomes.arithmetic import improvement, mcid_reached
from tests.questionnaires.instruments import BUILTINS


def test_improvement_is_signed_so_better_is_positive() -> None:
    assert improvement(7, 5, higher_is_better=False) == Decimal(2)
    assert improvement(5, 7, higher_is_better=False) == Decimal(-2)
    assert improvement(60, 70, higher_is_better=True) == Decimal(10)
    assert improvement(Decimal("62.5"), Decimal("84.1"), higher_is_better=True) == Decimal("21.6")
    assert improvement(7.5, 5, higher_is_better=False) == Decimal("2.5")


@pytest.mark.parametrize(
    ("baseline", "latest", "reached"),
    [
        (7, 5, True),  # 2 points
        (3, 2, True),  # 1 point, but 33 % of baseline ≥ 30 %
        (8, 7, False),  # 1 point, 12.5 %
        (10, 7, True),  # 3 points
        (5, 6, False),  # worse
        (0, 0, False),  # percent undefined at a baseline of 0
    ],
)
def test_nprs_mcid_is_two_points_or_thirty_percent(baseline: int, latest: int, reached: bool) -> None:
    assert mcid_reached(baseline, latest, BUILTINS["nprs"], higher_is_better=False) is reached


def test_kujala_mcid_is_ten_points() -> None:
    assert mcid_reached(60, 69, BUILTINS["kujala"], higher_is_better=True) is False
    assert mcid_reached(60, 70, BUILTINS["kujala"], higher_is_better=True) is True


def test_koos_pf_mcid_is_16_4() -> None:
    assert mcid_reached(Decimal("62.5"), Decimal("78.8"), BUILTINS["koos_pf"], True) is False  # 16.3
    assert mcid_reached(Decimal("62.5"), Decimal("78.9"), BUILTINS["koos_pf"], True) is True  # 16.4


def test_a_clinic_specific_mcid_can_be_passed_directly() -> None:
    # Piva 2009: 1.16 points for patellofemoral pain.
    piva = {"points": 1.16, "percent": None, "source": "Piva 2009"}
    assert mcid_reached(6, 5, piva, higher_is_better=False) is False
    assert mcid_reached(6, 4, piva, higher_is_better=False) is True
    percent_only = {"points": None, "percent": 30, "source": "x"}
    assert mcid_reached(0, 5, percent_only, higher_is_better=True) is False  # % of 0 is undefined


def test_mcid_reached_needs_an_mcid() -> None:
    with pytest.raises(ValueError, match="No MCID"):
        mcid_reached(1, 2, BUILTINS["runner_intake"], higher_is_better=True)
