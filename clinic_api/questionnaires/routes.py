from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView

from clinic_api.core.access import ADMIN, PATIENT_ROLES, STAFF, THERAPIST, current_user
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, page_of
from clinic_api.core.types import utcnow
from clinic_api.patients import service as episodes
from clinic_api.patients.schemas import EpisodeOut
from clinic_api.questionnaires import service
from clinic_api.questionnaires.schemas import (
    AcknowledgeIn,
    DefinitionIn,
    DefinitionOut,
    DueOut,
    QuestionnaireQuery,
    QuestionnaireSummary,
    ResponseIn,
    ResponseOut,
    ResponseQuery,
)

blp = Blueprint("questionnaires", __name__, url_prefix="/api/v1",
                description="Instrument definitions, responses with scores and red flags, measures due.")


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
    @blp.response(201, DefinitionOut)
    @blp.alt_response(409, schema=ProblemSchema, description="That version exists; versions never change.")
    def post(self, definition):
        """Publish a clinic-defined instrument, or the next version of a code"""
        questionnaire = service.create_definition(definition, current_user())
        location = url_for("questionnaires.questionnaire_version", code=questionnaire.code,
                           version=questionnaire.version)
        return _definition_out(questionnaire), 201, {"Location": location}


@blp.route("/questionnaires/<string(maxlength=40):code>")
@blp.etag
@blp.roles(*STAFF)
@blp.response(200, DefinitionOut)
def questionnaire(code: str):
    """The latest version of an instrument's definition"""
    return _definition_out(service.get_definition(code))


@blp.route("/questionnaires/<string(maxlength=40):code>/versions/<int(min=1, max=10000):version>")
@blp.etag
@blp.roles(*STAFF)
@blp.response(200, DefinitionOut)
def questionnaire_version(code: str, version: int):
    """One version of an instrument's definition"""
    return _definition_out(service.get_definition(code, version))


@blp.route("/episodes/<uuid:episode_id>/responses")
class EpisodeResponses(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(ResponseQuery, location="query")
    @blp.response(200, page_of(ResponseOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's questionnaire responses, latest first (corrected ones only on request)"""
        return service.list_responses(episodes.get_episode(episode_id), args)

    @blp.etag
    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(ResponseIn)
    @blp.response(201, ResponseOut)
    @blp.alt_response(409, schema=ProblemSchema, description="The corrected response was already corrected.")
    def post(self, fields, episode_id: uuid.UUID):
        """Record a questionnaire response: validated, scored, red flags raised on the episode"""
        response = service.record_response(episodes.get_episode(episode_id, for_update=True), fields, current_user())
        return response, 201, {"Location": url_for("questionnaires.response", response_id=response.id)}


@blp.route("/responses/<uuid:response_id>")
@blp.etag
@blp.roles(*PATIENT_ROLES)
@blp.response(200, ResponseOut)
def response(response_id: uuid.UUID):
    """One questionnaire response"""
    return service.read_response(response_id)


@blp.route("/episodes/<uuid:episode_id>/red-flags/<string(maxlength=64):flag>/acknowledge", methods=["POST"])
@blp.roles(THERAPIST)
@blp.arguments(AcknowledgeIn)
@blp.response(200, EpisodeOut)
def acknowledge_red_flag(fields, episode_id: uuid.UUID, flag: str):
    """Acknowledge an open red flag (by its id, or every open flag of a code) with a note"""
    episode = episodes.get_episode(episode_id)
    service.acknowledge_red_flags(episode, flag, fields["note"], current_user())
    return episode


@blp.route("/episodes/<uuid:episode_id>/due")
@blp.roles(*PATIENT_ROLES)
@blp.response(200, DueOut)
def due(episode_id: uuid.UUID):
    """The measures due now for this episode"""
    episode = episodes.get_episode(episode_id)
    return {"episode_id": episode.id, "as_of": utcnow(), "items": service.due_measures(episode)}
