"""The outcome chart: valid SVG, its text kept as text, the same bytes for the same input."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

from clinic_api.outcomes.arithmetic import Point, WeekTotal
from clinic_api.outcomes.chart import ChartData, render_svg
from tests.outcomes.scores import GROC, KUJALA, STAIRS, START, WEEKLY_VISITS, D, at, outcome

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]


def texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 -- our own output, not untrusted input
    assert root.tag == f"{SVG}svg"
    return ["".join(element.itertext()).strip() for element in root.iter(f"{SVG}text")]


def knee(**changes) -> ChartData:
    weeks = [WeekTotal(START + timedelta(weeks=n), D(km), 3, 1, True) for n, km in enumerate(("10", "22", "31", "40"))]
    data = {"title": "Knee episode", "measures": (outcome(STAIRS, [7, 5, 3, 1]), outcome(KUJALA, [56, 88], [0, 21])),
            "visit_days": WEEKLY_VISITS[:4], "weeks": weeks, "pre_injury_km": D(40),
            "return_week": START + timedelta(weeks=3), **changes}
    return ChartData(**data)


def test_it_renders_valid_svg_with_its_labels_and_legend_as_text():
    words = texts(render_svg(knee()))

    for expected in ("Knee episode", "Pain going down stairs (lower is better)", "The Kujala score (higher is better)",
                     "Weekly running distance", "Score", "Baseline", "MCID threshold", "Visit",
                     "Pre-injury weekly distance", "Pain-free week at pre-injury distance", "km per week",
                     "Pain (0–10)", "Points", "Date", "14 Sep"):
        assert expected in words, expected


def test_the_same_input_gives_the_same_bytes():
    assert render_svg(knee()) == render_svg(knee())
    assert render_svg(knee()) != render_svg(knee(title="Another episode"))


def test_a_measure_with_one_score_and_no_runs():
    words = texts(render_svg(knee(measures=(outcome(KUJALA, [56]),), weeks=(), pre_injury_km=None,
                                  return_week=None)))

    assert "The Kujala score (higher is better)" in words
    assert "No runs logged" in words
    assert "MCID threshold" in words  # 56 + 10, drawn with one score
    assert "Pre-injury weekly distance" not in words


def test_nothing_to_show_still_renders():
    words = texts(render_svg(ChartData(title="Empty")))

    assert words[:1] == ["Empty"] or "Empty" in words
    assert "No runs logged" in words


def test_follow_ups_get_a_panel_of_their_own_and_a_change_score_its_zero_line():
    later = [Point(at(date(2027, 1, 20)), D(0), "fu")]
    words = texts(render_svg(knee(measures=(outcome(STAIRS, [7, 1], follow_ups=later), outcome(GROC, [5], [21])))))

    assert {"Follow-up", "After discharge", "20 Jan", "No change (0)"} <= set(words)


def test_importing_the_chart_module_does_not_import_matplotlib():
    code = "import sys, clinic_api.outcomes.chart; print('matplotlib' in sys.modules)"
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,  # noqa: S603
                            check=True)

    assert answer.stdout.strip() == "False"


def test_the_committed_example_is_svg():
    assert texts((ROOT / "docs" / "images" / "outcome-chart-example.svg").read_bytes())
