"""``flask --app wsgi report outcomes``: the report's figures as a table in a terminal."""
from __future__ import annotations

import re

from tests.factories import API, AUDIT, listed, read


def test_the_command_prints_the_report_s_figures(app, as_admin, as_therapist, worked):
    answer = read(as_therapist, f"{API}/reports/outcomes")
    printed = app.test_cli_runner().invoke(args=["report", "outcomes", "--diagnosis-code", "M22",
                                                 "--from", "2026-09-01", "--to", "2026-09-30"])
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert "Filters: diagnosis_code=M22, from=2026-09-01, to=2026-09-30, dates=started" in lines
    assert "Episodes counted: 1 (active 0, discharged 1); pending, not counted: 0" in lines
    assert "Visits per discharged episode, median (quartiles): 5 (5–5)" in lines
    assert "Return to run: 1 of 1 runners with a pre-injury distance (100 %)" in lines
    header = next(line for line in lines if line.startswith("measure"))
    table = lines[lines.index(header) + 2:]
    assert [line.split()[0] for line in table] == [m["key"] for m in answer["measures"]]
    cells = {line.split()[0]: re.split(r"\s{2,}", line) for line in table}
    assert cells["kujala"] == ["kujala", "the Anterior Knee Pain Scale (Kujala)", "higher", "1", "1", "0", "1/1",
                               "100 %", "32", "32", "32", "100 %", "100 %", "0 %"]
    assert cells["pain.current"][3:] == ["1", "0", "1", "0/0", "–", "–", "–", "–", "100 %", "0 %", "0 %"]
    # Aligned: each figure ends where its heading does.
    end = header.index("median change") + len("median change")
    assert all(line[end - 2:end] in ("32", " 4", " 6", " –") for line in table)
    events = listed(as_admin, AUDIT, action="report.outcomes")
    assert [event["details"]["filters"]["diagnosis_code"] for event in events] == ["M22", None]


def test_a_wrong_option_is_named(app):
    printed = app.test_cli_runner().invoke(args=["report", "outcomes", "--from", "1 September"])
    assert printed.exit_code == 2
    assert "--from: Not a valid date: write it as YYYY-MM-DD" in printed.output
    printed = app.test_cli_runner().invoke(args=["report", "outcomes", "--from", "2026-10-01", "--to", "2026-09-01"])
    assert printed.exit_code == 2
    assert "--from: Must not be after `to`." in printed.output
