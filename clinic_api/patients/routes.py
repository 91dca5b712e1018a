from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView

from clinic_api.core.access import FRONT_DESK, PATIENT_ROLES, THERAPIST, current_user
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, page_of
from clinic_api.patients import service
from clinic_api.patients.schemas import (
    DischargeIn,
    EpisodeIn,
    EpisodeOut,
    EpisodePatch,
    EpisodeQuery,
    PatientIn,
    PatientOut,
    PatientPatch,
    PatientQuery,
)

blp = Blueprint("patients", __name__, url_prefix="/api/v1", description="Patients and episodes of care.")


@blp.route("/patients")
class Patients(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(PatientQuery, location="query")
    @blp.response(200, page_of(PatientOut))
    def get(self, args):
        """Find patients by name or MRN (any case) and date of birth; newest first"""
        return service.search_patients(args)

    @blp.etag
    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(PatientIn)
    @blp.response(201, PatientOut)
    @blp.alt_response(409, schema=ProblemSchema, description="The MRN is taken.")
    def post(self, fields):
        """Register a patient"""
        patient = service.create_patient(fields)
        return patient, 201, {"Location": url_for("patients.PatientItem", patient_id=patient.id)}


@blp.route("/patients/<uuid:patient_id>")
@blp.etag
class PatientItem(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.response(200, PatientOut)
    def get(self, patient_id: uuid.UUID):
        """One patient"""
        return service.read_patient(patient_id)

    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(PatientPatch)
    @blp.response(200, PatientOut)
    @blp.alt_response(409, schema=ProblemSchema, description="Archived patient, or the MRN is taken.")
    def patch(self, changes, patient_id: uuid.UUID):
        """Change a patient's details"""
        patient = service.get_patient(patient_id)
        blp.check_etag(patient, PatientOut)
        return service.update_patient(patient, changes)

    @blp.roles(*PATIENT_ROLES)
    @blp.response(204)
    def delete(self, patient_id: uuid.UUID):
        """Archive a patient: hidden from lists, never erased"""
        service.archive_patient(service.get_patient(patient_id))


@blp.route("/patients/<uuid:patient_id>/episodes")
class PatientEpisodes(MethodView):
    @blp.roles(FRONT_DESK, THERAPIST)
    @blp.arguments(EpisodeQuery, location="query")
    @blp.response(200, page_of(EpisodeOut))
    def get(self, args, patient_id: uuid.UUID):
        """A patient's episodes of care, latest start first"""
        return service.list_episodes(service.get_patient(patient_id), args)

    @blp.etag
    @blp.roles(THERAPIST)
    @blp.arguments(EpisodeIn)
    @blp.response(201, EpisodeOut)
    @blp.alt_response(409, schema=ProblemSchema, description="The patient is archived.")
    def post(self, fields, patient_id: uuid.UUID):
        """Open an episode of care"""
        episode = service.open_episode(service.get_patient(patient_id), fields, current_user())
        return episode, 201, {"Location": url_for("patients.EpisodeItem", episode_id=episode.id)}


@blp.route("/episodes/<uuid:episode_id>")
@blp.etag
class EpisodeItem(MethodView):
    @blp.roles(FRONT_DESK, THERAPIST)
    @blp.response(200, EpisodeOut)
    def get(self, episode_id: uuid.UUID):
        """One episode of care"""
        return service.read_episode(episode_id)

    @blp.roles(THERAPIST)
    @blp.arguments(EpisodePatch)
    @blp.response(200, EpisodeOut)
    @blp.alt_response(409, schema=ProblemSchema, description="The episode is discharged.")
    def patch(self, changes, episode_id: uuid.UUID):
        """Change an active episode of care"""
        episode = service.get_episode(episode_id, for_update=True)
        blp.check_etag(episode, EpisodeOut)
        return service.update_episode(episode, changes)


@blp.route("/episodes/<uuid:episode_id>/discharge", methods=["POST"])
@blp.roles(THERAPIST)
@blp.arguments(DischargeIn)
@blp.response(200, EpisodeOut)
@blp.alt_response(409, schema=ProblemSchema, description="Already discharged, or visit notes unsigned (listed in "
                                                        "the problem's `draft_visits`).")
def discharge(fields, episode_id: uuid.UUID):
    """Discharge an episode of care (every visit note signed first)"""
    return service.discharge_episode(service.get_episode(episode_id, for_update=True), fields)
