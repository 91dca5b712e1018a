"""Instrument definitions, responses scored on receipt, and the red flags they raise."""
from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select

from clinic_api.audit import service as audit
from clinic_api.auth.models import User
from clinic_api.core import signals
from clinic_api.core.errors import Conflict, NotFound, RuleViolation
from clinic_api.core.lookup import get_or_404, grouped
from clinic_api.core.pagination import Page, paginate
from clinic_api.core.types import clinic_date, utcnow
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare
from clinic_api.patients.service import ensure_not_entered_in_error, episode_patient_id, get_patient
from clinic_api.questionnaires.definitions import check_definition
from clinic_api.questionnaires.engine import AnswerErrors, DefinitionErrors, score_response
from clinic_api.questionnaires.models import EpisodeRedFlag, Questionnaire, QuestionnaireResponse

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


def released_version(code: str, version: int | None = None) -> tuple[uuid.UUID, bool]:
    """The id of a version (the latest one without ``version``) and whether it is built in, without loading its
    definition. A version never changes once released, so its id stands for its whole content."""
    query = select(Questionnaire.id, Questionnaire.builtin).where(Questionnaire.code == code)
    query = query.order_by(Questionnaire.version.desc()).limit(1) if version is None \
        else query.where(Questionnaire.version == version)
    row = db.session.execute(query).first()
    if row is None:
        raise NotFound("Questionnaire" if version is None else "Questionnaire version")
    return row.id, row.builtin


def get_version(questionnaire_id: uuid.UUID) -> Questionnaire:
    """The version with this id (from ``released_version``)."""
    return get_or_404(Questionnaire, questionnaire_id, "Questionnaire version")


def list_latest(page: int, per_page: int) -> Page:
    latest = (select(Questionnaire.code, func.max(Questionnaire.version).label("version"))
              .group_by(Questionnaire.code).subquery())
    query = (select(Questionnaire).join(latest, (Questionnaire.code == latest.c.code)
                                        & (Questionnaire.version == latest.c.version))
             .order_by(Questionnaire.code))
    return paginate(query, page, per_page)


def create_definition(definition: Mapping[str, Any], created_by: User) -> Questionnaire:
    """A clinic's own instrument, or the next version of an existing code (built-in ones included)."""
    latest = db.session.scalar(_latest_version_query(definition["code"]))
    next_version = latest.version + 1 if latest else 1
    version = definition.get("version", next_version)
    definition = {**definition, "version": version}
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


def _taken_at_problems(episode: EpisodeOfCare, taken_at: datetime, follow_up: bool) -> dict[str, list[str]]:
    """In care, a response falls within the episode's dates; a follow-up after its discharge, within
    ``FOLLOW_UP_WINDOW_DAYS`` of it (pain scores and runs stay closed after discharge)."""
    day = clinic_date(taken_at)
    if follow_up and episode.status != "discharged":
        return {"follow_up": ["Only a discharged episode takes follow-up measures; leave follow_up out."]}
    if taken_at > utcnow() + CLOCK_SKEW:
        return {"taken_at": ["Must not be in the future."]}
    if day < episode.start_date:
        return {"taken_at": ["Must not be before the episode started."]}
    if follow_up:
        window = current_app.config["FOLLOW_UP_WINDOW_DAYS"]
        if day <= episode.discharge_date:
            return {"taken_at": [f"A follow-up comes after the discharge ({episode.discharge_date})."]}
        if day > episode.discharge_date + timedelta(days=window):
            return {"taken_at": [f"Must be within {window} days of the discharge ({episode.discharge_date})."]}
    elif episode.discharge_date is not None and day > episode.discharge_date:
        return {"taken_at": ["Must not be after the episode's discharge; send follow_up: true for a "
                             "post-discharge follow-up."]}
    return {}


def _replaced_response(episode: EpisodeOfCare, replaces: uuid.UUID, code: str) -> QuestionnaireResponse:
    old = db.session.get(QuestionnaireResponse, replaces, with_for_update=True)
    if old is None or old.episode_id != episode.id:
        raise RuleViolation("replaces", "No such response in this episode.")
    if old.questionnaire_code != code:
        raise RuleViolation("replaces", "A correction must be of the same questionnaire.")
    if old.replaced_at is not None:
        raise Conflict("That response was already corrected; correct the latest one.")
    return old


def _mark_replaced(old: QuestionnaireResponse, by: QuestionnaireResponse, episode: EpisodeOfCare) -> None:
    old.replaced_at = utcnow()
    audit.record("questionnaire_response.replace", "questionnaire_response", old.id,
                 patient_id=episode.patient_id, details={"replaced_by": str(by.id)})
    signals.response_replaced.send(old, episode_id=episode.id, by=by)


def _definition_to_answer(code: str, version: int | None) -> Questionnaire:
    """The definition a response answers; an unknown one is a fault of the request's fields, not a 404."""
    try:
        return get_definition(code, version)
    except NotFound as error:
        field = "questionnaire" if version is None or db.session.scalar(_latest_version_query(code)) is None \
            else "version"
        raise RuleViolation(field, f"Unknown {field}: {code}" + (f" v{version}" if field == "version" else "")
                            + ".") from error


def record_response(episode: EpisodeOfCare, entered_by: User, *, questionnaire: str, answers: Mapping[str, Any],
                    source: str, version: int | None = None, taken_at: datetime | None = None,
                    replaces: uuid.UUID | None = None, follow_up: bool | None = None) -> QuestionnaireResponse:
    definition = _definition_to_answer(questionnaire, version)
    ensure_not_entered_in_error(episode)
    old = _replaced_response(episode, replaces, questionnaire) if replaces else None
    # A correction is of the same measurement: it keeps the time it was taken (and whether it was a
    # follow-up) unless told otherwise, so that the re-measure clock and first-versus-last comparisons
    # do not move.
    taken_at = taken_at or (old.taken_at if old is not None else utcnow())
    follow_up = follow_up if follow_up is not None else (old.follow_up if old is not None else False)
    problems = _taken_at_problems(episode, taken_at, follow_up)
    patient = get_patient(episode.patient_id)
    try:
        result = score_response(definition.definition, answers,
                                {"age_years": _age_years(patient.date_of_birth, clinic_date(taken_at)),
                                 "body_region": episode.body_region})
    except AnswerErrors as error:
        problems |= {f"answers.{item}" if item != "answers" else "answers": messages
                     for item, messages in error.errors.items()}
    if problems:  # every fault of the request in one answer: its dates and its answers together
        raise RuleViolation.many(problems)
    response = QuestionnaireResponse(
        episode_id=episode.id, questionnaire=definition, questionnaire_id=definition.id,
        questionnaire_code=definition.code, questionnaire_version=definition.version,
        answers=dict(answers), taken_at=taken_at, source=source, entered_by=entered_by.id,
        total=result.total, subscales={k: _stored_number(v) for k, v in result.subscales.items()},
        missing_items=list(result.missing_items),
        red_flags=[{"code": f.code, "title": f.title, "message": f.message} for f in result.red_flags],
        replaces_id=old.id if old else None, follow_up=follow_up)
    db.session.add(response)
    db.session.flush()
    if old is not None:
        _mark_replaced(old, response, episode)
    for flag in result.red_flags:
        db.session.add(EpisodeRedFlag(episode_id=episode.id, response_id=response.id, code=flag.code,
                                      title=flag.title, message=flag.message, raised_at=utcnow()))
    audit.record("questionnaire_response.create", "questionnaire_response", response.id,
                 patient_id=episode.patient_id,
                 details={"questionnaire": f"{definition.code}/v{definition.version}",
                          "red_flags": [f.code for f in result.red_flags]})
    signals.response_recorded.send(response, episode_id=episode.id)
    return response


def list_responses(episode: EpisodeOfCare, *, page: int, per_page: int, questionnaire: str | None = None,
                   include_replaced: bool = False) -> Page:
    query = (select(QuestionnaireResponse).where(QuestionnaireResponse.episode_id == episode.id)
             .order_by(QuestionnaireResponse.taken_at.desc(), QuestionnaireResponse.created_at.desc()))
    if questionnaire:
        if not is_questionnaire_code(questionnaire):
            known = db.session.scalars(select(Questionnaire.code).distinct().order_by(Questionnaire.code)).all()
            raise RuleViolation("questionnaire", "Unknown questionnaire; known: " + ", ".join(known) + ".")
        query = query.where(QuestionnaireResponse.questionnaire_code == questionnaire)
    if not include_replaced:
        query = query.where(QuestionnaireResponse.replaced_at.is_(None))
    return audit.audited_page(query, page=page, per_page=per_page, action="questionnaire_response.list",
                              resource_type="questionnaire_response", patient_of=lambda _r: episode.patient_id)


def read_response(response_id: uuid.UUID) -> QuestionnaireResponse:
    response = get_or_404(QuestionnaireResponse, response_id, "Response")
    audit.record("questionnaire_response.read", "questionnaire_response", response.id,
                 patient_id=episode_patient_id(response.episode_id))
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
    return flags


# ---- for the episode layer -----------------------------------------------------------------------

def is_questionnaire_code(code: str) -> bool:
    """Whether some version of an instrument has this code (a goal's target may name it)."""
    return db.session.scalar(select(Questionnaire.id).where(Questionnaire.code == code).limit(1)) is not None


def titles(codes: Iterable[str]) -> dict[str, str]:
    return dict(db.session.execute(select(Questionnaire.code, Questionnaire.title)
                                   .where(Questionnaire.code.in_(list(codes)))).all())


def last_taken(episode_id: uuid.UUID, *, follow_up: bool = False) -> dict[str, datetime]:
    """When each questionnaire was last answered in the episode, in care or (``follow_up``) after the
    discharge; corrected responses left out."""
    return dict(db.session.execute(
        select(QuestionnaireResponse.questionnaire_code, func.max(QuestionnaireResponse.taken_at))
        .where(QuestionnaireResponse.episode_id == episode_id, QuestionnaireResponse.replaced_at.is_(None),
               QuestionnaireResponse.follow_up.is_(follow_up))
        .group_by(QuestionnaireResponse.questionnaire_code)).all())


def last_taken_sql(episode_id: Any, code: str, *, follow_up: bool = False) -> Any:
    """SQL for the measure schedule: when ``code`` was last answered in the episode (as ``last_taken``)."""
    return (select(func.max(QuestionnaireResponse.taken_at))
            .where(QuestionnaireResponse.episode_id == episode_id, QuestionnaireResponse.questionnaire_code == code,
                   QuestionnaireResponse.replaced_at.is_(None), QuestionnaireResponse.follow_up.is_(follow_up))
            .scalar_subquery())


def response_days(episode_id: uuid.UUID) -> list[date]:
    """The clinic dates of the episode's first and last in-care response (none if it has none):
    post-discharge follow-ups never bound the episode's dates."""
    first, last = db.session.execute(select(func.min(QuestionnaireResponse.taken_at),
                                            func.max(QuestionnaireResponse.taken_at))
                                     .where(QuestionnaireResponse.episode_id == episode_id,
                                            QuestionnaireResponse.follow_up.is_(False))).one()
    return [clinic_date(moment) for moment in (first, last) if moment is not None]


def list_red_flags(episode: EpisodeOfCare, *, page: int, per_page: int, state: str | None = None) -> Page:
    """The episode's red flags, open first and then by when they were raised; ``state`` narrows them to
    the open or the acknowledged ones. An acknowledged flag stays readable with who reviewed it, and when."""
    query = (select(EpisodeRedFlag).where(EpisodeRedFlag.episode_id == episode.id)
             .order_by(EpisodeRedFlag.acknowledged_at.is_not(None), EpisodeRedFlag.raised_at, EpisodeRedFlag.id))
    if state == "open":
        query = query.where(EpisodeRedFlag.acknowledged_at.is_(None))
    elif state == "acknowledged":
        query = query.where(EpisodeRedFlag.acknowledged_at.is_not(None))
    return audit.audited_page(query, page=page, per_page=per_page, action="red_flag.read",
                              resource_type="red_flag", patient_of=lambda _flag: episode.patient_id)


def has_open_red_flags_sql(episode_id: Any) -> Any:
    """SQL for the worklists: whether a flag of the episode awaits review."""
    return (select(EpisodeRedFlag.id).where(EpisodeRedFlag.episode_id == episode_id,
                                            EpisodeRedFlag.acknowledged_at.is_(None)).exists())


def open_red_flags(episode_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[EpisodeRedFlag]]:
    """The unacknowledged flags of each episode, oldest first: one query for a whole page of episodes."""
    if not episode_ids:
        return {}
    return grouped(db.session.scalars(select(EpisodeRedFlag).where(EpisodeRedFlag.episode_id.in_(list(episode_ids)),
                                                                   EpisodeRedFlag.acknowledged_at.is_(None))
                                      .order_by(EpisodeRedFlag.raised_at, EpisodeRedFlag.id)),
                   episode_ids, attrgetter("episode_id"))


# ---- for the outcome layer -----------------------------------------------------------------------

def scores_for_episodes(episode_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """The responses of each episode that count in its outcomes (replaced ones never do), oldest first, with
    what an outcome needs of them: the version answered, when, the total and subscales, the answers (a PSFS
    names its activities there) and whether it is a follow-up. One query for any number of episodes."""
    response = QuestionnaireResponse
    rows = db.session.execute(
        select(response.id, response.episode_id, response.questionnaire_id,
               response.questionnaire_code.label("code"), response.questionnaire_version.label("version"),
               response.taken_at, response.total, response.subscales, response.answers, response.follow_up)
        .where(response.episode_id.in_(list(episode_ids)), response.replaced_at.is_(None))
        .order_by(response.taken_at, response.id)).all()
    return grouped(rows, episode_ids, attrgetter("episode_id"))


def definitions_for(questionnaire_ids: Collection[uuid.UUID], *, latest_of: Collection[str] = (),
                    ) -> tuple[dict[uuid.UUID, Questionnaire], dict[str, Questionnaire]]:
    """The definition versions with these ids, and the latest version of each code in ``latest_of`` (the NPRS
    that pain scores are read by, say): both in one query."""
    latest = (select(Questionnaire.code, func.max(Questionnaire.version).label("version"))
              .where(Questionnaire.code.in_(list(latest_of))).group_by(Questionnaire.code).subquery())
    found = db.session.execute(
        select(Questionnaire, latest.c.code.is_not(None).label("is_latest"))
        .outerjoin(latest, and_(Questionnaire.code == latest.c.code, Questionnaire.version == latest.c.version))
        .where(or_(Questionnaire.id.in_(list(questionnaire_ids)), latest.c.code.is_not(None)))).all()
    return ({row.Questionnaire.id: row.Questionnaire for row in found},
            {row.Questionnaire.code: row.Questionnaire for row in found if row.is_latest})
