"""The CSV cells of the clinic report (pure): numbers stay numbers, dates ISO, formula-like text escaped."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from clinic_api.outcomes.report_csv import cell, header, lines


@pytest.mark.parametrize(("value", "written"), [
    (Decimal("-2.00"), -2), (Decimal("4.50"), "4.5"), (Decimal("0.25"), "0.25"), (3, 3), (-1.5, "-1.5"),
    (True, "true"), (False, "false"), (None, ""), (date(2026, 9, 1), "2026-09-01"),
    ("=1+2", "'=1+2"), ("+44 20", "'+44 20"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("M22.2X2", "M22.2X2"), ("Zoë", "Zoë"), ("a=b", "a=b"),
])
def test_a_cell(value, written):
    assert cell(value) == written


def test_the_lines_stream_in_chunks_with_one_header():
    row = SimpleNamespace(**{**{column: None for column in header(False)}, "episode_id": "e1", "status": "active",
                             "measure_key": "nprs", "kind": "questionnaire", "baseline_value": Decimal(6),
                             "latest_value": Decimal(8), "change": Decimal(-2), "mcid_reached": False,
                             "scores_count": 2, "follow_ups_count": 0, "last_follow_up_value": None})
    chunks = list(lines([row] * 450, identified=False, labels={"nprs": "the NPRS"}))
    assert len(chunks) == 4  # the header, then 200, 200 and 50 rows
    text = "".join(chunks)
    assert text.startswith("\ufeffepisode_id,status,")
    assert text.count("\r\n") == 451
    assert text.split("\r\n")[1].endswith(",nprs,the NPRS,questionnaire,6,8,-2,false,2,0,")
