from __future__ import annotations

import uuid

from flask import current_app
from flask.views import MethodView

from clinic_api.core.access import ADMIN, PATIENT_ROLES, STAFF, current_user
from clinic_api.core.api import Blueprint
from clinic_api.core.lifecycle import cacheable
from clinic_api.core.schemas import ProblemSchema, page_of
from clinic_api.patients import service as patients
from clinic_api.questionnaires import released, service
from clinic_api.questionnaires.schemas import (
    DefinitionIn,
    DefinitionOut,
    QuestionnaireQuery,
    QuestionnaireSummary,
    ResponseIn,
    ResponseOut,
    ResponseQuery,
)

blp = Blueprint("questionnaires", __name__, url_prefix="/api/v1",
                description="Instrument definitions, and responses with their scores and red flags.")


def _definition_out(questionnaire):
    return {**questionnaire.definition, "builtin": questionnaire.builtin, "created_at": questionnaire.created_at}


@blp.route("/questionnaires")
class Questionnaires(MethodView):
    @blp.roles(*STAFF)
    @blp.arguments(QuestionnaireQuery, location="query")
    @blp.response(200, page_of(QuestionnaireSummary))
    def get(self, args):
        """The latest version of every instrument"""
        return service.list_latest(args["page"], args["per_page"])

    @blp.roles(ADMIN)
    @blp.arguments(DefinitionIn)
    @blp.created(DefinitionOut, "questionnaires.questionnaire_version", code="code", version="version")
    @blp.alt_response(409, schema=ProblemSchema, description="That version exists; versions never change.")
    def post(self, definition):
        """Publish a clinic-defined instrument, or the next version of a code"""
        return _definition_out(service.create_definition(definition, current_user()))


# A released version's answer is built once per process and kept (``released``, which also serves a built-in one's
# below Flask once it is built here).
def _released(code: str, version: int | None = None):
    answers, builtin = released.kept_answers(current_app)
    row_id = builtin.get((code, version)) if version is not None else None
    if row_id is None:
        row_id, _ = service.released_version(code, version)
    answer = answers.get(row_id)
    if answer is None:
        questionnaire = service.get_version(row_id)
        answer = blp.representation(DefinitionOut(), _definition_out(questionnaire))
        if len(answers) < released.MAX_KEPT:
            answers[row_id] = answer
            if questionnaire.builtin:
                builtin[(questionnaire.code, questionnaire.version)] = row_id
    return blp.prebuilt(*answer)


@blp.route("/questionnaires/<string(maxlength=40):code>")
@cacheable("private, no-cache")  # the latest version changes when one is published: revalidate (ETag)
@blp.etag
@blp.roles(*STAFF)
@blp.response(200, DefinitionOut)
def questionnaire(code: str):
    """The latest version of an instrument's definition"""
    return _released(code)


@blp.route("/questionnaires/<string(maxlength=40):code>/versions/<int(min=1, max=10000):version>")
@cacheable(released.CACHE_POLICY)
@blp.etag
@blp.roles(*STAFF)
@blp.response(200, DefinitionOut)
def questionnaire_version(code: str, version: int):
    """One version of an instrument's definition"""
    return _released(code, version)


@blp.route("/episodes/<uuid:episode_id>/responses")
class EpisodeResponses(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(ResponseQuery, location="query")
    @blp.response(200, page_of(ResponseOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's questionnaire responses, latest first (corrected ones only on request)"""
        return service.list_responses(patients.get_episode(episode_id), **args)

    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(ResponseIn)
    @blp.created(ResponseOut, "questionnaires.response", response_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description="The corrected response was already corrected.")
    def post(self, fields, episode_id: uuid.UUID):
        """Record a questionnaire response: validated, scored, red flags raised on the episode

        Front desk and therapists, on a pending or active episode (the intake before the evaluation, the
        re-measures), or after discharge as a follow-up (`follow_up: true`, within FOLLOW_UP_WINDOW_DAYS of
        the discharge). Each answer is checked against the definition: an unknown item or option, a value out
        of range or a missing required item is a 422 naming `answers.<item>`, together with any fault of
        `taken_at` (not in the future, within the episode's dates). Answers that raise a red flag put it on the
        episode until a therapist acknowledges it; the initial evaluation is not signed before. A correction
        is a new response with `replaces` (the old one is kept, marked replaced, out of outcomes); it keeps the
        replaced response's `taken_at` unless one is given."""
        return service.record_response(patients.lock_episode(episode_id), current_user(), **fields)


@blp.route("/responses/<uuid:response_id>")
@blp.etag
@blp.roles(*PATIENT_ROLES)
@blp.response(200, ResponseOut)
def response(response_id: uuid.UUID):
    """One questionnaire response"""
    return service.read_response(response_id)
