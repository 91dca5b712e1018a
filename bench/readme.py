"""``bench/README.md`` is written by the benchmarks: each owns one section, between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->``, and replaces only that one, so running one benchmark keeps the others' figures."""
from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
HEAD = """# Benchmarks

Figures printed by the scripts of this folder, each section written by the command it names (never by hand).
Ratios are measured against a baseline run in the same process and minute, so that the machine's own speed,
which varies by ±30 % on a shared host, cancels out. None of these runs in the test suite.
"""


def machine() -> str:
    """One line: CPU, cores, memory, Python and (where it is running) PostgreSQL."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = "?"
    try:
        postgres = subprocess.run(["postgres", "--version"],  # noqa: S607 - whichever PostgreSQL is on PATH
                                  capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        postgres = "PostgreSQL not found"
    return (f"{cpu}, {os.cpu_count()} cores, {memory}; Python {platform.python_version()}; {postgres}; "
            f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


def write_section(name: str, title: str, command: str, body: str) -> None:
    """Replace (or add) the section ``name``: a heading, the machine, the command that wrote it, the figures."""
    section = (f"<!-- bench:{name} -->\n## {title}\n\nMachine: {machine()}.\n\nCommand: `{command}`\n\n"
               f"{body.strip()}\n<!-- /bench:{name} -->")
    text = README.read_text() if README.exists() else HEAD
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    text = pattern.sub(lambda _match: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    README.write_text(text.rstrip() + "\n")
