from __future__ import annotations

import uuid

from flask.views import MethodView

from clinic_api.core.access import PATIENT_ROLES
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, page_of
from clinic_api.patients import service
from clinic_api.patients.schemas import PatientNew, PatientOut, PatientPatch, PatientQuery

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
    @blp.arguments(PatientNew)
    @blp.created(PatientOut, "patients.PatientItem", patient_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description="The MRN is taken, or a patient with the same name "
                                                            "and date of birth exists (listed in the problem's "
                                                            "`possible_duplicates`; send confirm_new: true if "
                                                            "this is another person).")
    def post(self, fields):
        """Register a patient

        A patient with the same name (any case or accents) and date of birth, archived ones included, is a
        409 naming the existing record, so that one person does not get two charts; send `confirm_new: true`
        when it is another person. The MRN is assigned (C + 7 digits) when not given."""
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
