"""Instrument definitions, responses scored on receipt, red flags, and what is due for an episode."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from clinic_api.audit import service as audit
from clinic_api.auth.models import User
from clinic_api.core.errors import Conflict, NotFound, RuleViolation
from clinic_api.core.pagination import Page, paginate
from clinic_api.core.types import clinic_date, utcnow
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.questionnaires.definitions import check_definition
from clinic_api.questionnaires.engine import AnswerErrors, DefinitionErrors, score_response
from clinic_api.questionnaires.models import EpisodeRedFlag, Questionnaire, QuestionnaireResponse
from clinic_api.visits import records

# A device clock a little ahead of the server's is not a response from the future.
CLOCK_SKEW = timedelta(minutes=5)


# ---- definitions ----------------------------------------------------------------------------------

def _latest_version_query(code: str):
    return select(Questionnaire).where(Questionnaire.code == code).order_by(Questionnaire.version.desc()).limit(1)


def get_definition(code: str, version: int | None = None) -> Questionnaire:
    if version is None:
        questionnaire = db.session.scalar(_latest_version_query(code))
    else:
        questionnaire = db.session.scalar(select(Questionnaire).where(Questionnaire.code == code,
                                                                      Questionnaire.version == version))
    if questionnaire is None:
        raise NotFound("Questionnaire" if version is None else "Questionnaire version")
    return questionnaire


def list_latest(page: int, per_page: int) -> Page:
    latest = (select(Questionnaire.code, func.max(Questionnaire.version).label("version"))
              .group_by(Questionnaire.code).subquery())
    query = (select(Questionnaire).join(latest, (Questionnaire.code == latest.c.code)
                                        & (Questionnaire.version == latest.c.version))
             .order_by(Questionnaire.code))
    return paginate(query, page, per_page)


def create_definition(definition: dict[str, Any], created_by: User) -> Questionnaire:
    """A clinic's own instrument, or the next version of an existing code (built-in ones included)."""
    latest = db.session.scalar(_latest_version_query(definition["code"]))
    next_version = latest.version + 1 if latest else 1
    version = definition.setdefault("version", next_version)
    if version != next_version:
        raise Conflict(f"Version {version} cannot be created: the next version of {definition['code']} is "
                       f"{next_version}. Published versions never change.",
                       errors={"version": [f"Must be {next_version}."]})
    try:
        definition = check_definition(definition)
    except DefinitionErrors as error:
        raise RuleViolation.many(error.errors) from error
    questionnaire = Questionnaire(code=definition["code"], version=version, title=definition["title"],
                                  definition=definition, builtin=False, created_by=created_by.id)
    db.session.add(questionnaire)
    db.session.flush()
    audit.record("questionnaire.create", "questionnaire", f"{questionnaire.code}/v{questionnaire.version}")
    return questionnaire


# ---- responses ------------------------------------------------------------------------------------

def _age_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _stored_number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _check_taken_at(episode: EpisodeOfCare, taken_at: datetime) -> None:
    if taken_at > utcnow() + CLOCK_SKEW:
        raise RuleViolation("taken_at", "Must not be in the future.")
    if clinic_date(taken_at) < episode.start_date:
        raise RuleViolation("taken_at", "Must not be before the episode started.")
    if episode.discharge_date is not None and clinic_date(taken_at) > episode.discharge_date:
        raise RuleViolation("taken_at", "Must not be after the episode's discharge.")


def _replaced_response(episode: EpisodeOfCare, replaces: uuid.UUID, code: str) -> QuestionnaireResponse:
    old = db.session.get(QuestionnaireResponse, replaces, with_for_update=True)
    if old is None or old.episode_id != episode.id:
        raise RuleViolation("replaces", "No such response in this episode.")
    if old.questionnaire_code != code:
        raise RuleViolation("replaces", "A correction must be of the same questionnaire.")
    if old.replaced_at is not None:
        raise Conflict("That response was already corrected; correct the latest one.")
    return old


def record_response(episode: EpisodeOfCare, fields: dict[str, Any], entered_by: User) -> QuestionnaireResponse:
    code, version = fields["questionnaire"], fields.get("version")
    try:
        questionnaire = get_definition(code, version)
    except NotFound as error:
        field = "questionnaire" if version is None or db.session.scalar(_latest_version_query(code)) is None \
            else "version"
        raise RuleViolation(field, f"Unknown {field}: {code}" + (f" v{version}" if field == "version" else "")
                            + ".") from error
    taken_at = fields.get("taken_at") or utcnow()
    _check_taken_at(episode, taken_at)
    old = _replaced_response(episode, fields["replaces"], code) if fields.get("replaces") else None
    patient = db.session.get(Patient, episode.patient_id)
    try:
        result = score_response(questionnaire.definition, fields["answers"],
                                {"age_years": _age_years(patient.date_of_birth, clinic_date(taken_at))})
    except AnswerErrors as error:
        raise RuleViolation.many({f"answers.{item}" if item != "answers" else "answers": messages
                                  for item, messages in error.errors.items()}) from error
    response = QuestionnaireResponse(
        episode_id=episode.id, questionnaire=questionnaire, questionnaire_id=questionnaire.id,
        questionnaire_code=questionnaire.code, questionnaire_version=questionnaire.version,
        answers=fields["answers"], taken_at=taken_at, source=fields["source"], entered_by=entered_by.id,
        total=result.total, subscales={k: _stored_number(v) for k, v in result.subscales.items()},
        missing_items=list(result.missing_items),
        red_flags=[{"code": f.code, "title": f.title, "message": f.message} for f in result.red_flags],
        replaces_id=old.id if old else None)
    db.session.add(response)
    db.session.flush()
    if old is not None:
        old.replaced_at = utcnow()
        audit.record("questionnaire_response.replace", "questionnaire_response", old.id,
                     patient_id=episode.patient_id, details={"replaced_by": str(response.id)})
    for flag in result.red_flags:
        db.session.add(EpisodeRedFlag(episode_id=episode.id, response_id=response.id, code=flag.code,
                                      title=flag.title, message=flag.message, raised_at=utcnow()))
    audit.record("questionnaire_response.create", "questionnaire_response", response.id,
                 patient_id=episode.patient_id,
                 details={"questionnaire": f"{questionnaire.code}/v{questionnaire.version}",
                          "red_flags": [f.code for f in result.red_flags]})
    return response


def list_responses(episode: EpisodeOfCare, args: dict[str, Any]) -> Page:
    query = (select(QuestionnaireResponse).where(QuestionnaireResponse.episode_id == episode.id)
             .order_by(QuestionnaireResponse.taken_at.desc(), QuestionnaireResponse.created_at.desc()))
    if args.get("questionnaire"):
        query = query.where(QuestionnaireResponse.questionnaire_code == args["questionnaire"])
    if not args.get("include_replaced"):
        query = query.where(QuestionnaireResponse.replaced_at.is_(None))
    page = paginate(query, args["page"], args["per_page"])
    audit.record_reads("questionnaire_response.list", "questionnaire_response",
                       ((r.id, episode.patient_id) for r in page.items))
    return page


def read_response(response_id: uuid.UUID) -> QuestionnaireResponse:
    response = db.session.get(QuestionnaireResponse, response_id)
    if response is None:
        raise NotFound("Response")
    patient_id = db.session.scalar(select(EpisodeOfCare.patient_id).where(EpisodeOfCare.id == response.episode_id))
    audit.record("questionnaire_response.read", "questionnaire_response", response.id, patient_id=patient_id)
    return response


# ---- red flags ------------------------------------------------------------------------------------

def acknowledge_red_flags(episode: EpisodeOfCare, flag: str, note: str, by: User) -> list[EpisodeRedFlag]:
    """Acknowledge one raised flag (by its id) or every open flag of a code (e.g. ``infection``)."""
    query = select(EpisodeRedFlag).where(EpisodeRedFlag.episode_id == episode.id,
                                         EpisodeRedFlag.acknowledged_at.is_(None))
    try:
        query = query.where(EpisodeRedFlag.id == uuid.UUID(flag))
    except ValueError:
        query = query.where(EpisodeRedFlag.code == flag)
    flags = list(db.session.scalars(query.with_for_update()))
    if not flags:
        raise NotFound("Open red flag")
    now = utcnow()
    for raised in flags:
        raised.acknowledged_at, raised.acknowledged_by, raised.acknowledgement_note = now, by.id, note
    audit.record("red_flag.acknowledge", "episode_of_care", episode.id, patient_id=episode.patient_id,
                 details={"flags": sorted({f.code for f in flags})})
    db.session.expire(episode, ["open_red_flags"])
    return flags


# ---- what is due ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueMeasure:
    questionnaire: str
    title: str
    reason: str
    last_taken_at: datetime | None


def due_measures(episode: EpisodeOfCare) -> list[DueMeasure]:
    """The measures to administer now: the region's baseline set, then re-measures, and GROC at discharge.

    A measure is due again after so many days or visits since it was last taken; GROC is asked once a
    discharge visit is logged, so that it is taken before the episode closes.
    """
    audit.record("episode.due_read", "episode_of_care", episode.id, patient_id=episode.patient_id)
    visit_dates, discharging = records.visit_dates(episode)
    schedule = current_app.config["MEASURE_SCHEDULE"]
    baseline = schedule["baseline"].get(episode.body_region, schedule["baseline"]["default"])
    last_taken = dict(db.session.execute(
        select(QuestionnaireResponse.questionnaire_code, func.max(QuestionnaireResponse.taken_at))
        .where(QuestionnaireResponse.episode_id == episode.id, QuestionnaireResponse.replaced_at.is_(None))
        .group_by(QuestionnaireResponse.questionnaire_code)).all())
    titles = dict(db.session.execute(
        select(Questionnaire.code, Questionnaire.title).where(Questionnaire.code.in_(
            [*baseline, *schedule["at_discharge"]]))).all())
    now = utcnow()
    every = timedelta(days=schedule["remeasure_days"])
    due: list[DueMeasure] = []
    for code in baseline:
        taken = last_taken.get(code)
        if taken is None:
            due.append(DueMeasure(code, titles.get(code, code), "baseline", None))
        elif code not in schedule["once"] and episode.status == "active" and (
                now - taken >= every
                or sum(1 for day in visit_dates if day > clinic_date(taken)) >= schedule["remeasure_visits"]):
            due.append(DueMeasure(code, titles.get(code, code), "remeasure", taken))
    if episode.status == "discharged" or discharging:
        for code in schedule["at_discharge"]:
            if code not in last_taken:
                due.append(DueMeasure(code, titles.get(code, code), "discharge", None))
    return due
