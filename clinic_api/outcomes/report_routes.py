"""``/reports``: the clinic outcome report (admins and therapists), as JSON and as CSV."""
from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context

from clinic_api.core.access import ADMIN, THERAPIST, current_user
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import page_of
from clinic_api.core.sql import long_statements
from clinic_api.core.types import today
from clinic_api.extensions import db
from clinic_api.outcomes import report, report_csv
from clinic_api.outcomes.report_schemas import (
    EpisodeReportRowOut,
    IdentifiedEpisodeReportRowOut,
    OutcomeReportOut,
    ReportFilters,
    ReportQuery,
)

blp = Blueprint("reports", __name__, url_prefix="/api/v1",
                description="The clinic's outcomes across episodes, from the kept outcome summaries.")

CSV = "text/csv"
FILTERS = """Filters: `diagnosis_code` (a prefix: M22 finds M22.2X2), `body_region`, `therapist_id` (`me` for your
caseload), `status` (`pending`, `active`, `discharged`), and a period `from`/`to` (inclusive, YYYY-MM-DD) on the
start date: the episodes started in it; with `dates=discharged`, on the discharge date instead: the episodes
discharged in it. Pending episodes are never in the figures (their number is `pending_episodes`); episodes
entered in error are absent."""

AGGREGATE = OutcomeReportOut()
ROWS = {THERAPIST: page_of(IdentifiedEpisodeReportRowOut)(), ADMIN: page_of(EpisodeReportRowOut)()}


def _filters(args: dict[str, Any]) -> report.Filters:
    return report.filters_of(args, current_user().id)


def _identified() -> bool:
    """A therapist's rows name the patient; an admin reads no patient records, so theirs are de-identified."""
    return current_user().role == THERAPIST


def _answers_any_of(view: Any) -> Any:
    """The 200 is documented as ``anyOf`` the aggregate and the two pages of rows (before the route stores it)."""
    view._apidoc["response"]["responses"][200][-1]["schema"] = {"anyOf": [AGGREGATE, *ROWS.values()]}
    return view


@blp.route("/reports/outcomes")
@_answers_any_of
@blp.roles(ADMIN, THERAPIST)
@blp.arguments(ReportQuery, location="query")
@blp.response(200, description="The aggregate, or with `detail=episodes` a page of episodes (a therapist's name "
                               "the patient; an admin's are de-identified).")
def outcome_report(args):
    """The clinic outcome report (admins and therapists): episodes counted, each measure's change and MCID, visits
    and days to discharge, the return to running, data completeness

    Per measure: the episodes with a baseline and with a later score (two scores or more; those with one are
    `without_later_score`, never dropped), how many reach the MCID and their share (among those with a later
    score and an MCID), the median change with its quartiles (linear interpolation), and the completeness: the
    shares of counted episodes with a baseline and with a later score, and of discharged ones with a follow-up.
    Also the median (and quartiles) of visits and of days to discharge over the discharged episodes, and the
    return-to-run rate among runners with a pre-injury weekly distance. The figures are those of
    GET /episodes/{id}/outcomes, read from the kept summaries.

    """ + FILTERS + """

    `detail=episodes`: one row per counted episode instead (paginated, by start date), with its figures and
    measures; a therapist's rows carry the patient (id, MRN, name), an admin's are de-identified. Each episode
    shown is an audit event; the aggregate is one event carrying the filter."""
    filters = _filters(args)
    if args.get("detail") == "episodes":
        found = report.episode_rows(filters, identified=_identified(), page=args["page"], per_page=args["per_page"])
        return ROWS[current_user().role].dump(found)
    return AGGREGATE.dump(report.outcome_report(filters))


@blp.route("/reports/outcomes.csv")
@blp.roles(ADMIN, THERAPIST)
@blp.arguments(ReportFilters, location="query")
@blp.response(200, {"type": "string"}, content_type=CSV, description=(
    "One row per episode × measure (an episode without a measure: one row, its measure columns empty); header "
    "row, UTF-8 with a byte-order mark, ISO dates, numbers unquoted, formula-like text cells prefixed with '."),
    headers={"Content-Disposition": {"description": "attachment; filename=clinic-outcomes-<date>.csv",
                                     "schema": {"type": "string"}}})
def outcome_report_csv(args):
    """The clinic outcome report as CSV for a spreadsheet (admins and therapists), streamed

    The episodes of `detail=episodes`, one row per episode and measure: the episode's columns (a therapist's
    with the patient's id, MRN and name; an admin's de-identified), then the measure's key, label, kind,
    baseline, latest, change, whether it reaches the MCID, its number of scores and of follow-ups and the last
    follow-up. Each exported episode is an audit event, written (one INSERT … SELECT) and committed before the
    body streams; errors (a wrong filter) are problem details, answered before.

    """ + FILTERS
    filters = _filters(args)
    identified = _identified()
    labels = report.export_labels(filters)
    audited = report.audit_csv_export(filters)

    def body():
        # The audit events are committed by now (the request's commit runs before the body is sent); the rows
        # are read in a transaction of their own, with the longer timeout of an export: only the episodes these
        # events name (one counted since, unaudited, is left out).
        long_statements(db.session)
        rows = report.export_rows(filters, identified=identified, audited=audited)
        yield from report_csv.lines(rows, identified=identified, labels=labels)

    filename = f"clinic-outcomes-{today().isoformat()}.csv"
    return Response(stream_with_context(body()), content_type=f"{CSV}; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
