"""The clinic outcome report: the kept summaries (``outcomes.models``) of the episodes a filter selects,
aggregated in SQL, never by re-reading a score.

Which episodes: the filters (``diagnosis_code`` a prefix, ``body_region``, ``therapist_id``, ``status``, and the
period ``from``/``to`` on the start date, or on the discharge date with ``dates="discharged"``). Pending episodes
match but are never in the figures (their number is ``pending_episodes``); episodes entered in error have no
summaries and are absent. The per-measure figures read ``outcome_summaries`` alone (each row carries its
episode's filter columns), the episode figures ``episode_outcome_summaries`` alone. The aggregate is four
statements whatever the number of episodes (and the audit event): the episodes by status (with the return to
running); every measure's counts and change quartiles, in one statement that reads each kept row once
(``_figures``, ``report_sql.quartiles``); the quartiles of visits and days to discharge; the titles of the
questionnaires named, for the labels.

The per-episode rows (``detail=episodes`` and the CSV) carry the same figures, one row per episode; a therapist's
name the patient (MRN, name, id), an admin's are de-identified. Each episode shown is an audit event, written in
one ``INSERT … SELECT`` (``audit.service.record_reads_selected``).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import g, has_request_context
from sqlalchemy import Select, and_, case, exists, func, literal, select, union_all

from clinic_api.audit import service as audit
from clinic_api.audit.models import AuditEvent
from clinic_api.core.pagination import Page
from clinic_api.core.types import utcnow
from clinic_api.extensions import db
from clinic_api.outcomes.models import EpisodeOutcomeSummary as Episode
from clinic_api.outcomes.models import OutcomeSummary as Summary
from clinic_api.outcomes.report_sql import quartiles, rounded
from clinic_api.outcomes.specs import definition_spec, pain_spec, subscale_spec
from clinic_api.outcomes.words import ENGLISH, Words
from clinic_api.patients import service as patients
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.questionnaires.models import Questionnaire

REPORT_STATUSES = ("pending", "active", "discharged")
COUNTED_STATUSES = ("active", "discharged")
DATES = ("started", "discharged")
VISITS, DAYS = "#visits", "#days"  # quartile groups beside the measure keys (which never start with #)
STREAM_BATCH = 500
EXPORT_ACTION = "report.outcomes_export"


@dataclass(frozen=True)
class Filters:
    diagnosis_code: str | None = None
    body_region: str | None = None
    therapist_id: uuid.UUID | None = None
    status: str | None = None
    from_: date | None = None
    to: date | None = None
    dates: str = "started"

    def described(self) -> dict[str, Any]:
        """The filter as the answer and the audit event state it (no patient data in it)."""
        return {"diagnosis_code": self.diagnosis_code, "body_region": self.body_region,
                "therapist_id": None if self.therapist_id is None else str(self.therapist_id),
                "status": self.status, "from": self.from_ and self.from_.isoformat(),
                "to": self.to and self.to.isoformat(), "dates": self.dates}


def filters_of(args: Mapping[str, Any], caller_id: uuid.UUID | None) -> Filters:
    """The parsed query (``ReportQuery``) as ``Filters``; ``therapist_id="me"`` is the caller."""
    therapist = args.get("therapist_id")
    return Filters(diagnosis_code=args.get("diagnosis_code"), body_region=args.get("body_region"),
                   therapist_id=caller_id if therapist == "me" else therapist, status=args.get("status"),
                   from_=args.get("from_"), to=args.get("to"), dates=args.get("dates") or "started")


def _matching(filters: Filters, statuses: tuple[str, ...] = REPORT_STATUSES, table: Any = Episode) -> list[Any]:
    """The SQL conditions on ``episode_outcome_summaries``, or on ``outcome_summaries`` (``table=Summary``: its
    rows carry their episode's filter columns); pending ones included unless ``statuses`` says."""
    wanted = statuses if filters.status is None else tuple(s for s in statuses if s == filters.status)
    conditions: list[Any] = [table.status.in_(wanted) if len(wanted) != 1 else table.status == wanted[0]]
    if filters.body_region is not None:
        conditions.append(table.body_region == filters.body_region)
    if filters.therapist_id is not None:
        conditions.append(table.therapist_id == filters.therapist_id)
    if filters.diagnosis_code:
        prefix = patients.like_escape(filters.diagnosis_code)
        conditions.append(table.diagnosis_code.like(f"{prefix}%", escape="\\"))
    day = table.discharge_date if filters.dates == "discharged" else table.start_date
    if filters.dates == "discharged":
        conditions.append(day.is_not(None))  # by discharge date: the discharged episodes, a period or not
    if filters.from_ is not None:
        conditions.append(day >= filters.from_)
    if filters.to is not None:
        conditions.append(day <= filters.to)
    return conditions


def _counted(filters: Filters, table: Any = Episode) -> list[Any]:
    return _matching(filters, COUNTED_STATUSES, table)


def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(part / whole, 4)


def _spread(row: Any) -> dict[str, Any]:
    if row is None:
        return {"episodes": 0, "median": None, "q1": None, "q3": None}
    return {"episodes": row.n, "median": rounded(row.median), "q1": rounded(row.q1), "q3": rounded(row.q3)}


# ---- the aggregate ---------------------------------------------------------------------------------------

def outcome_report(filters: Filters, words: Words = ENGLISH) -> dict[str, Any]:
    """The clinic report of the episodes the filter selects (one audit event, carrying the filter)."""
    matching = _matching(filters)
    by_status = db.session.execute(
        select(Episode.status, func.count().label("episodes"),
               func.count(case((Episode.has_pre_injury_distance, 1))).label("runners"),
               func.count(case((and_(Episode.has_pre_injury_distance, Episode.returned_to_run), 1))).label("returned"))
        .where(*matching).group_by(Episode.status)).all()
    statuses = {row.status: row for row in by_status}
    pending = statuses["pending"].episodes if "pending" in statuses else 0
    count = {status: statuses[status].episodes if status in statuses else 0 for status in COUNTED_STATUSES}
    total = sum(count.values())
    runners = sum(statuses[s].runners for s in COUNTED_STATUSES if s in statuses)
    returned = sum(statuses[s].returned for s in COUNTED_STATUSES if s in statuses)

    measure_figures, episode_figures = _figures(filters)
    measures = db.session.execute(measure_figures).all()
    spread = {row.grp: row for row in db.session.execute(episode_figures)}
    labels = _labels(measures, words)
    rows = [{
        "key": row.grp, "label": labels[row.grp], "kind": row.kind,
        "direction": "higher_is_better" if row.higher_is_better else "lower_is_better",
        "episodes": row.rows, "episodes_with_baseline": row.with_baseline,
        "episodes_with_later_score": row.with_later, "without_later_score": row.rows - row.with_later,
        "mcid_judged": row.mcid_judged, "mcid_reached": row.mcid_reached,
        "mcid_reached_share": _share(row.mcid_reached, row.mcid_judged),
        "change": _spread(row),
        "completeness": {"baseline": _share(row.with_baseline, total), "later_score": _share(row.with_later, total),
                         "follow_up": _share(row.with_follow_up, count["discharged"])},
    } for row in measures]
    rows.sort(key=lambda row: (-row["episodes_with_baseline"], row["key"]))
    described = filters.described()
    audit.record("report.outcomes", "outcome_report", details={"filters": described, "episodes": total})
    return {
        "filters": described, "episodes": total, "pending_episodes": pending, "by_status": count,
        "visits": _spread(spread.get(VISITS)), "days_to_discharge": _spread(spread.get(DAYS)),
        "return_to_run": {"runners": runners, "returned": returned, "rate": _share(returned, runners)},
        "measures": rows,
    }


FLAGS = ("with_baseline", "with_later", "mcid_judged", "mcid_reached", "with_follow_up", "higher_is_better")


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _figures(filters: Filters) -> tuple[Select, Select]:
    """Every figure per measure, in one statement that reads each kept measure row once
    (``report_sql.quartiles``), and the quartiles of visits and days to discharge (group ``#visits`` and
    ``#days``), in another over the discharged episodes' rows. Two statements, not one over a UNION ALL of both:
    PostgreSQL then projects the measure rows in the scan itself instead of through an append node (about a third
    of the time)."""
    counted, discharged = _counted(filters, Summary), Summary.status == "discharged"
    measures = select(
        Summary.measure_key.label("grp"), Summary.change.label("value"),
        _flag(Summary.baseline_value.is_not(None)).label("with_baseline"),
        _flag(Summary.scores_count >= 2).label("with_later"), _flag(Summary.mcid_reached.is_not(None)).label(
            "mcid_judged"), _flag(Summary.mcid_reached.is_(True)).label("mcid_reached"),
        _flag(and_(discharged, Summary.follow_ups_count > 0)).label("with_follow_up"),
        _flag(Summary.higher_is_better.is_(True)).label("higher_is_better"),
        Summary.kind.label("kind"), Summary.questionnaire_code.label("questionnaire"),
    ).where(*counted).subquery("figures")

    def episode_figure(name: str, column: Any) -> Select:
        return select(literal(name).label("grp"), column.label("value")).where(*_matching(filters, ("discharged",)))

    episodes = union_all(episode_figure(VISITS, Episode.visits_count),
                         episode_figure(DAYS, Episode.days_in_care)).subquery("episode_figures")
    dialect = db.session.get_bind().dialect.name
    return (quartiles(measures, dialect, sums=FLAGS[:-1], maxima=("higher_is_better", "kind", "questionnaire")),
            quartiles(episodes, dialect))


def _labels(measures: Sequence[Any], words: Words) -> dict[str, str]:
    """Each measure's label from the latest definition of its questionnaire (one statement), as the per-episode
    outcome names it; a PSFS activity is named by its item, never by the activity a patient wrote."""
    codes = {row.questionnaire for row in measures if row.questionnaire} | {"nprs"}
    latest = select(Questionnaire.code, func.max(Questionnaire.version).label("version")) \
        .where(Questionnaire.code.in_(sorted(codes))).group_by(Questionnaire.code).subquery()
    definitions = {found.code: found.definition for found in db.session.scalars(
        select(Questionnaire).join(latest, and_(Questionnaire.code == latest.c.code,
                                                Questionnaire.version == latest.c.version)))} if measures else {}
    return {row.grp: _label(row, definitions, words) for row in measures}


def _label(row: Any, definitions: Mapping[str, Any], words: Words) -> str:
    key, code = row.grp, row.questionnaire
    try:
        if row.kind == "pain" and "nprs" in definitions:
            return pain_spec(key.removeprefix("pain."), definitions["nprs"], words=words).label
        if code in definitions:
            if row.kind == "questionnaire":
                return definition_spec(definitions[code], words=words).label
            if row.kind == "subscale":
                return subscale_spec(definitions[code], key.rsplit(".", 1)[1], words=words).label
            if row.kind == "psfs_activity":
                return f"the PSFS rating of activity {key.removeprefix(code + '.')}"
    except ValueError:
        pass
    return key


# ---- one row per episode ---------------------------------------------------------------------------------

EPISODE_FIGURES = ("episode_id", "status", "body_region", "diagnosis_code", "therapist_id", "start_date",
                   "discharge_date", "visits_count", "days_in_care", "has_pre_injury_distance", "returned_to_run",
                   "weeks_to_return")
PATIENT_COLUMNS = ("patient_id", "mrn", "first_name", "last_name")
MEASURE_FIGURES = ("measure_key", "kind", "baseline_value", "latest_value", "change", "mcid_reached",
                   "scores_count", "follow_ups_count", "last_follow_up_value")


def _episode_columns(identified: bool) -> list[Any]:
    columns = [getattr(Episode, name) for name in EPISODE_FIGURES]
    if identified:
        columns += [EpisodeOfCare.patient_id, Patient.mrn, Patient.first_name, Patient.last_name]
    return columns


def _episodes_query(filters: Filters, identified: bool) -> Select:
    query = select(*_episode_columns(identified)).where(*_counted(filters))
    if identified:
        query = query.join(EpisodeOfCare, EpisodeOfCare.id == Episode.episode_id) \
            .join(Patient, Patient.id == EpisodeOfCare.patient_id)
    return query.order_by(Episode.start_date, Episode.episode_id)


def _audit_export(filters: Filters, episodes: Sequence[uuid.UUID] | None, view: str) -> None:
    """One event per episode exported (the episode, its patient), in one ``INSERT … SELECT``."""
    reads = select(Episode.episode_id, EpisodeOfCare.patient_id) \
        .join(EpisodeOfCare, EpisodeOfCare.id == Episode.episode_id).where(*_counted(filters))
    if episodes is not None:
        reads = reads.where(Episode.episode_id.in_(episodes))
    audit.record_reads_selected(EXPORT_ACTION, "episode_of_care", reads,
                                details={"view": view, "filters": filters.described()})


def episode_rows(filters: Filters, *, identified: bool, page: int, per_page: int) -> Page:
    """A page of the episodes the filter counts, each with its measures (three statements and the audit)."""
    query = _episodes_query(filters, identified)
    total = db.session.scalar(select(func.count()).select_from(Episode).where(*_counted(filters))) or 0
    found = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    ids = [row.episode_id for row in found]
    measures: dict[uuid.UUID, list[dict[str, Any]]] = {episode_id: [] for episode_id in ids}
    if ids:
        for row in db.session.execute(select(Summary.episode_id, *(getattr(Summary, name) for name in MEASURE_FIGURES))
                                      .where(Summary.episode_id.in_(ids))
                                      .order_by(Summary.episode_id, Summary.measure_key)):
            measures[row.episode_id].append(_measure(row))
        _audit_export(filters, ids, "episodes")
    items = [{**row._asdict(), "measures": measures[row.episode_id]} for row in found]
    return Page(items=items, page=page, per_page=per_page, total=total)


def _measure(row: Any) -> dict[str, Any]:
    return {"key": row.measure_key, "kind": row.kind, "baseline": row.baseline_value, "latest": row.latest_value,
            "change": row.change, "mcid_reached": row.mcid_reached, "scores_count": row.scores_count,
            "follow_ups_count": row.follow_ups_count, "last_follow_up": row.last_follow_up_value}


@dataclass(frozen=True)
class AuditedExport:
    """Which audit events an export wrote (``audit_csv_export``): its rows are those of the episodes they name."""
    user_id: uuid.UUID | None
    request_id: str | None
    since: datetime


def export_rows(filters: Filters, *, identified: bool, audited: AuditedExport) -> Iterator[Any]:
    """Every episode the filter counts × each of its measures (an episode without any: one row, its measure
    columns empty), streamed ``STREAM_BATCH`` rows at a time (a server-side cursor on PostgreSQL): memory stays
    constant whatever the export's size. The caller audits first (``audit_csv_export``), and this reads in a
    transaction of its own: so only the episodes that have this export's audit event are read (a semi-join on
    the events of this user and request since the export began, found through their (user, time) index); one
    counted in between, unaudited, is left out."""
    query = _episodes_query(filters, identified).where(exists().where(
        AuditEvent.user_id == audited.user_id, AuditEvent.occurred_at >= audited.since,
        AuditEvent.action == EXPORT_ACTION, AuditEvent.request_id == audited.request_id,
        AuditEvent.resource_type == "episode_of_care",
        AuditEvent.resource_id == audit.uuid_text(Episode.episode_id))).subquery("episodes")
    rows = select(query, *(getattr(Summary, name) for name in MEASURE_FIGURES)) \
        .outerjoin(Summary, Summary.episode_id == query.c.episode_id) \
        .order_by(query.c.start_date, query.c.episode_id, Summary.measure_key)
    yield from db.session.execute(rows.execution_options(yield_per=STREAM_BATCH))


def audit_csv_export(filters: Filters) -> AuditedExport:
    """One audit event per episode the export holds, for ``export_rows`` to read them by."""
    user = g.get("caller") if has_request_context() else None
    request_id = g.get("request_id") if has_request_context() else None
    since = utcnow()
    _audit_export(filters, None, "csv")
    return AuditedExport(None if user is None else user.id, request_id, since)


def export_labels(filters: Filters, words: Words = ENGLISH) -> dict[str, str]:
    """The label of every measure the export holds (two statements, before it streams)."""
    measures = db.session.execute(
        select(Summary.measure_key.label("grp"), func.max(Summary.kind).label("kind"),
               func.max(Summary.questionnaire_code).label("questionnaire"))
        .where(*_counted(filters, Summary))
        .group_by(Summary.measure_key)).all()
    return _labels(measures, words)
