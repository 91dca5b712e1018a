"""The clinic report as CSV for a spreadsheet: one row per episode × measure (long format), written as it
streams.

A header row; UTF-8 with a byte-order mark (so that a spreadsheet reads accents right); ISO dates; numbers as
numbers (never quoted, a negative change stays a number); ``true``/``false``; an empty cell for no value. A text
cell that a spreadsheet could take for a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is prefixed with ``'`` (OWASP, CSV injection).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_EVERY = 200

EPISODE_COLUMNS = ("episode_id", "status", "body_region", "diagnosis_code", "therapist_id", "start_date",
                   "discharge_date", "visits_count", "days_in_care", "has_pre_injury_distance", "returned_to_run",
                   "weeks_to_return")
PATIENT_COLUMNS = ("patient_id", "mrn", "first_name", "last_name")
MEASURE_COLUMNS = ("measure_key", "label", "kind", "baseline", "latest", "change", "mcid_reached", "scores_count",
                   "follow_ups_count", "last_follow_up")
# The row attribute each measure column is read from (the label comes from the report's labels).
MEASURE_SOURCES = {"measure_key": "measure_key", "kind": "kind", "baseline": "baseline_value",
                   "latest": "latest_value", "change": "change", "mcid_reached": "mcid_reached",
                   "scores_count": "scores_count", "follow_ups_count": "follow_ups_count",
                   "last_follow_up": "last_follow_up_value"}


def header(identified: bool) -> list[str]:
    return [EPISODE_COLUMNS[0], *(PATIENT_COLUMNS if identified else ()), *EPISODE_COLUMNS[1:], *MEASURE_COLUMNS]


def cell(value: Any) -> Any:
    """One value as the spreadsheet should read it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else format(number.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def lines(rows: Iterable[Any], *, identified: bool, labels: Mapping[str, str]) -> Iterator[str]:
    """The CSV text, in chunks of ``FLUSH_EVERY`` rows: the header, then each row of ``report.export_rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = header(identified)
    writer.writerow(columns)
    yield BOM + _drain(buffer)
    leading = columns[:len(columns) - len(MEASURE_COLUMNS)]
    for number, row in enumerate(rows, start=1):
        key = row.measure_key
        measure = [cell(labels.get(key, key) if column == "label" and key is not None else
                        None if column == "label" else getattr(row, MEASURE_SOURCES[column]))
                   for column in MEASURE_COLUMNS]
        writer.writerow([cell(getattr(row, column)) for column in leading] + measure)
        if number % FLUSH_EVERY == 0:
            yield _drain(buffer)
    rest = _drain(buffer)
    if rest:
        yield rest


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
