"""``flask --app wsgi outcomes ...``: the kept outcome summaries from the command line."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from clinic_api.extensions import db
from clinic_api.outcomes import summaries

outcomes_cli = AppGroup("outcomes", help="The kept outcome summaries.")


def _commit_batch() -> None:
    db.session.commit()
    db.session.expunge_all()


@outcomes_cli.command("rebuild")
@click.option("--batch-size", default=summaries.BATCH, show_default=True, type=click.IntRange(min=1))
def rebuild(batch_size: int) -> None:
    """Work every episode's summaries out again from its records (run once after upgrading past 0009)."""
    started = time.perf_counter()
    done = summaries.rebuild(batch_size, after_batch=_commit_batch)
    db.session.commit()
    click.echo(f"Recomputed {done.episodes} episodes and {done.measures} measures "
               f"in {time.perf_counter() - started:.2f} s.")


# ---- flask --app wsgi report outcomes ------------------------------------------------------------------

report_cli = AppGroup("report", help="The clinic's reports, printed for a terminal.")


def _figure(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _spread(spread: dict[str, object]) -> str:
    if not spread["episodes"]:
        return "–"
    return f"{_figure(spread['median'])} ({_figure(spread['q1'])}–{_figure(spread['q3'])})"


def table(rows: list[list[str]], left: int = 3) -> list[str]:
    """Rows of cells as aligned columns (the ``left`` first left-aligned: words; the others right-aligned:
    figures), a rule under the first row."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) if i < left else cell.rjust(widths[i]) for i, cell in enumerate(row))
             .rstrip() for row in rows]
    return [lines[0], "  ".join("-" * width for width in widths), *lines[1:]]


def render(answer: dict[str, object]) -> str:
    """The report's JSON answer (``report.outcome_report``) as text for a terminal."""
    filters = {key: value for key, value in answer["filters"].items() if value is not None}  # type: ignore[union-attr]
    by_status, back = answer["by_status"], answer["return_to_run"]
    out = ["Clinic outcome report", "Filters: " + ", ".join(f"{key}={value}" for key, value in filters.items()), "",
           f"Episodes counted: {answer['episodes']} (active {by_status['active']}, discharged "  # type: ignore[index]
           f"{by_status['discharged']}); pending, not counted: {answer['pending_episodes']}",  # type: ignore[index]
           f"Visits per discharged episode, median (quartiles): {_spread(answer['visits'])}",  # type: ignore[arg-type]
           f"Days to discharge, median (quartiles): {_spread(answer['days_to_discharge'])}",  # type: ignore[arg-type]
           f"Return to run: {back['returned']} of {back['runners']} runners with a pre-injury distance "  # type: ignore[index]
           f"({_percent(back['rate'])})", ""]  # type: ignore[index]
    rows = [["measure", "label", "direction", "baseline", "later", "one score", "MCID", "MCID %", "median change",
             "q1", "q3", "% baseline", "% later", "% follow-up"]]
    for m in answer["measures"]:  # type: ignore[attr-defined]
        change, complete = m["change"], m["completeness"]
        rows.append([m["key"], m["label"], "higher" if m["direction"] == "higher_is_better" else "lower",
                     str(m["episodes_with_baseline"]), str(m["episodes_with_later_score"]),
                     str(m["without_later_score"]), f"{m['mcid_reached']}/{m['mcid_judged']}",
                     _percent(m["mcid_reached_share"]), _figure(change["median"]), _figure(change["q1"]),
                     _figure(change["q3"]), _percent(complete["baseline"]), _percent(complete["later_score"]),
                     _percent(complete["follow_up"])])
    out += table(rows) if len(rows) > 1 else ["No measures."]
    return "\n".join(out)


@report_cli.command("outcomes")
@click.option("--diagnosis-code", help="An ICD-10-CM code or its start (M22).")
@click.option("--body-region")
@click.option("--therapist-id", help="The assigned therapist's id.")
@click.option("--status", help="pending, active or discharged.")
@click.option("--from", "from_", help="First day of the period (YYYY-MM-DD), inclusive.")
@click.option("--to", help="Last day of the period (YYYY-MM-DD), inclusive.")
@click.option("--dates", default="started", show_default=True,
              help="started: the period selects by start date; discharged: by discharge date.")
def outcomes_report(**options: str | None) -> None:
    """The clinic outcome report (the figures of GET /api/v1/reports/outcomes) as a table."""
    from marshmallow import ValidationError

    from clinic_api.core.sql import long_statements
    from clinic_api.outcomes import report
    from clinic_api.outcomes.report_schemas import OutcomeReportOut, ReportFilters

    given = {("from" if name == "from_" else name): value for name, value in options.items() if value is not None}
    if given.get("therapist_id") == "me":
        raise click.BadParameter("give the therapist's id (there is no 'me' on the command line)",
                                 param_hint="--therapist-id")
    try:
        args = ReportFilters().load(given)
    except ValidationError as error:
        messages = "; ".join(f"--{field.replace('_', '-')}: {' '.join(texts)}"
                             for field, texts in error.normalized_messages().items())
        raise click.UsageError(messages) from None
    long_statements(db.session, local=False)
    answer = OutcomeReportOut().dump(report.outcome_report(report.filters_of(args, None)))
    db.session.commit()  # the report's audit event
    click.echo(render(answer))
