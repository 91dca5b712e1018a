"""The fuzzer's summary: how many cases each role's run sent, in how long, and what they were answered (the
``fuzz`` user property of each run's report, so that it reaches the summary from xdist's workers too)."""
from __future__ import annotations

from typing import Any

_RUNS: list[str] = []


def pytest_runtest_logreport(report: Any) -> None:
    _RUNS.extend(value for name, value in report.user_properties if name == "fuzz" and value not in _RUNS)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _RUNS:
        terminalreporter.section("OpenAPI fuzzing")
        for line in _RUNS:
            terminalreporter.write_line(line)
