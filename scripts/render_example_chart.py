"""Renders docs/images/outcome-chart-example.svg: the outcome chart of a made-up but realistic knee episode.

A runner with patellofemoral pain, 8 visits from 31 August to 26 October 2026: pain going down stairs 7/10
to 1/10, the Kujala score 56 to 88, the LEFS 52 to 74, a graded return to her usual 40 km a week, and a
3-month follow-up. Run from the repository root: .venv/bin/python scripts/render_example_chart.py
(prints the episode's story too).
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clinic_api.outcomes.arithmetic import Point, WeekTotal, measure_outcome, return_to_run  # noqa: E402
from clinic_api.outcomes.chart import ChartData, render_svg  # noqa: E402
from clinic_api.outcomes.specs import definition_spec, pain_spec  # noqa: E402
from clinic_api.outcomes.story import EpisodeFacts, GoalFact, tell  # noqa: E402
from clinic_api.questionnaires.builtins import load_builtin_definitions  # noqa: E402

OUT = ROOT / "docs" / "images" / "outcome-chart-example.svg"
ZONE = ZoneInfo("Europe/London")
START, DISCHARGE = date(2026, 8, 31), date(2026, 10, 26)
VISITS = [date(2026, 8, 31), date(2026, 9, 7), date(2026, 9, 14), date(2026, 9, 21), date(2026, 9, 28),
          date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 26)]
FOLLOW_UP = date(2027, 1, 26)


def scores(prefix: str, values: dict[date, int]) -> list[Point]:
    return [Point(datetime.combine(day, time(9, 30), ZONE), Decimal(value), f"{prefix}-{day}")
            for day, value in values.items()]


def main() -> None:
    definitions = {d["code"]: d for d in load_builtin_definitions()}
    stairs = measure_outcome(pain_spec("stairs_down", definitions["nprs"]),
                             scores("pain", dict(zip(VISITS, (7, 6, 5, 5, 3, 3, 2, 1), strict=True))),
                             scores("pain", {FOLLOW_UP: 0}), VISITS, ZONE)
    kujala = measure_outcome(definition_spec(definitions["kujala"], label="the Kujala score"),
                             scores("kujala", {VISITS[0]: 56, VISITS[4]: 71, VISITS[-1]: 88}),
                             scores("kujala", {FOLLOW_UP: 91}), VISITS, ZONE)
    lefs = measure_outcome(definition_spec(definitions["lefs"], label="the LEFS score"),
                           scores("lefs", {VISITS[0]: 52, VISITS[4]: 63, VISITS[-1]: 74}), [], VISITS, ZONE)
    weeks = [WeekTotal(START + timedelta(weeks=n), Decimal(km), runs, pain, True, (f"runs-week-{n}",))
             for n, (km, runs, pain) in enumerate([("0", 0, None), ("8", 2, 2), ("14", 3, 2), ("18", 3, 3),
                                                   ("20", 3, 2), ("27.5", 4, 1), ("34", 4, 2), ("40.5", 4, 1)])]
    back = return_to_run(weeks, Decimal(40), START)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(render_svg(ChartData(
        title="Runner's knee (patellofemoral pain): 8 visits, 31 Aug – 26 Oct 2026",
        measures=(stairs, kujala, lefs), visit_days=VISITS, weeks=weeks, pre_injury_km=Decimal(40),
        return_week=back.week_start, clinic_zone=ZONE)))
    facts = EpisodeFacts("episode", "discharged", START, DISCHARGE, len(VISITS), (DISCHARGE - START).days,
                         (stairs, kujala, lefs), back,
                         (GoalFact("Run the Dublin Marathon pain-free", "met", date(2026, 10, 26), "goal",
                                   "Dublin Marathon", date(2026, 10, 25)),), ZONE)
    for sentence in tell(facts):
        print(sentence.text)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
