from __future__ import annotations

import uuid

from flask.views import MethodView

from clinic_api.core.access import PATIENT_ROLES
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, page_of
from clinic_api.patients import service
from clinic_api.patients.schemas import PatientIn, PatientOut, PatientPatch, PatientQuery

blp = Blueprint("patients", __name__, url_prefix="/api/v1", description="Patients and their running profile.")


@blp.route("/patients")
class Patients(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(PatientQuery, location="query")
    @blp.response(200, page_of(PatientOut))
    def get(self, args):
        """Find patients by name or MRN (any case) and date of birth; newest first"""
        return service.search_patients(**args)

    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(PatientIn)
    @blp.created(PatientOut, "patients.PatientItem", patient_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description="The MRN is taken.")
    def post(self, fields):
        """Register a patient"""
        return service.create_patient(**fields)


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
        patient = service.get_patient(patient_id, for_update=True)  # locked, then compared: one winner
        blp.check_etag(patient, PatientOut)
        return service.update_patient(patient, changes)

    @blp.roles(*PATIENT_ROLES)
    @blp.response(204)
    def delete(self, patient_id: uuid.UUID):
        """Archive a patient: hidden from lists, never erased"""
        service.archive_patient(service.get_patient(patient_id, for_update=True))
