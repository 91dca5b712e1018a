from __future__ import annotations

import uuid

from flask.views import MethodView

from clinic_api.core.access import FRONT_DESK, PATIENT_ROLES, THERAPIST, current_user
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, ReasonIn, page_of
from clinic_api.core.types import utcnow
from clinic_api.episodes import schedule, service
from clinic_api.episodes.schemas import (
    AcknowledgeIn,
    DischargeIn,
    DueOut,
    EpisodeDeskOut,
    EpisodeIn,
    EpisodeOut,
    EpisodePatch,
    EpisodeQuery,
    RedFlagQuery,
    WorklistQuery,
    WorklistRowDeskOut,
    WorklistRowOut,
)
from clinic_api.patients import service as patients
from clinic_api.questionnaires import service as questionnaires
from clinic_api.questionnaires.schemas import RedFlagOut, RedFlagReviewOut

blp = Blueprint("episodes", __name__, url_prefix="/api/v1",
                description="Episodes of care as a whole: open, change, discharge, red-flag review, measures due.")

# The front desk reads episodes without the therapist's notes (the discharge note, a red flag's review).
EPISODE_BY_ROLE = {THERAPIST: EpisodeOut, FRONT_DESK: EpisodeDeskOut}


@blp.route("/episodes")
@blp.roles(FRONT_DESK, THERAPIST)
@blp.arguments(WorklistQuery, location="query")
@blp.response_by_role(200, {THERAPIST: page_of(WorklistRowOut), FRONT_DESK: page_of(WorklistRowDeskOut)})
def worklist(args):
    """The worklist: episodes across patients, open red flags first, then the latest started

    Filters: `status`, `therapist_id` (`me` for your caseload), `body_region`, `diagnosis_code` (a prefix),
    `started_from`/`started_to`, `discharged_from`/`discharged_to` (inclusive dates), `has_open_red_flags`,
    `has_measures_due`; episodes entered in error only with `include_entered_in_error=true`. Each row carries
    the patient's name and MRN, the open red flags and the number of measures due (as GET /episodes/{id}/due
    counts them). The front desk's day: `status=pending` (intakes awaiting their evaluation) and
    `has_measures_due=true`; a therapist's: `therapist_id=me&status=active`."""
    return service.worklist(current_user(), **args)


@blp.route("/patients/<uuid:patient_id>/episodes")
class PatientEpisodes(MethodView):
    @blp.roles(FRONT_DESK, THERAPIST)
    @blp.arguments(EpisodeQuery, location="query")
    @blp.response_by_role(200, {role: page_of(schema) for role, schema in EPISODE_BY_ROLE.items()})
    def get(self, args, patient_id: uuid.UUID):
        """A patient's episodes of care, latest start first"""
        return service.list_patient_episodes(patients.get_patient(patient_id), **args)

    @blp.roles(FRONT_DESK, THERAPIST)
    @blp.arguments(EpisodeIn)
    @blp.created(EPISODE_BY_ROLE, "episodes.EpisodeItem", episode_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description="The patient is archived.")
    def post(self, fields, patient_id: uuid.UUID):
        """Open an episode of care

        A therapist opens it active, with its diagnosis (diagnosis_code and diagnosis_text together).
        Without a diagnosis it is pending: the front desk opens it so for the intake (it takes questionnaire
        responses only, and visits, pain scores, runs and goals wait) until a therapist completes it with
        PATCH. The front desk may not give a diagnosis (403). Its therapist defaults to the therapist who
        opens it; its running baseline to the patient's running profile."""
        return service.open_episode(patients.get_patient(patient_id), current_user(), **fields)


@blp.route("/episodes/<uuid:episode_id>")
@blp.etag
class EpisodeItem(MethodView):
    @blp.roles(FRONT_DESK, THERAPIST)
    @blp.response_by_role(200, EPISODE_BY_ROLE)
    def get(self, episode_id: uuid.UUID):
        """One episode of care, with its open red flags"""
        return service.read_episode(episode_id)

    @blp.roles(THERAPIST)
    @blp.arguments(EpisodePatch)
    @blp.response(200, EpisodeOut)
    @blp.alt_response(409, schema=ProblemSchema, description="The episode is discharged.")
    def patch(self, changes, episode_id: uuid.UUID):
        """Change an active or pending episode of care; complete a pending one with its diagnosis

        Giving a pending episode its diagnosis_code and diagnosis_text makes it active (its therapist, unless
        named, the therapist completing it). A discharged episode or one entered in error changes no more
        (409)."""
        current = service.episode_to_change(episode_id)
        blp.check_etag(current, EpisodeOut)
        return service.update_episode(current.episode, changes, current_user())


@blp.route("/episodes/<uuid:episode_id>/discharge", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST)
@blp.arguments(DischargeIn)
@blp.response(200, EpisodeOut)
@blp.alt_response(409, schema=ProblemSchema, description="Already discharged, visit notes unsigned (listed in "
                                                        "the problem's `draft_visits`), or goals still active and "
                                                        "not settled in `goals` (listed in `active_goals`).")
def discharge(fields, episode_id: uuid.UUID):
    """Discharge an episode of care (every visit note signed, every active goal given its final status)"""
    return service.discharge_episode(patients.lock_episode(episode_id), **fields)


@blp.route("/episodes/<uuid:episode_id>/reopen", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST)
@blp.arguments(ReasonIn)
@blp.response(200, EpisodeOut)
@blp.alt_response(409, schema=ProblemSchema, description="Not discharged, or discharged longer ago than the "
                                                        "reopen window (EPISODE_REOPEN_DAYS).")
def reopen(fields, episode_id: uuid.UUID):
    """Reopen a discharged episode, with the reason (its discharge is kept in the audit trail)"""
    return service.reopen_episode(patients.lock_episode(episode_id), current_user(), **fields)


@blp.route("/episodes/<uuid:episode_id>/entered-in-error", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST)
@blp.arguments(ReasonIn)
@blp.response(200, EpisodeOut)
@blp.alt_response(409, schema=ProblemSchema, description="Marked already, or the episode holds a signed note.")
def entered_in_error(fields, episode_id: uuid.UUID):
    """Mark an episode opened by mistake as entered in error: kept, readable by id, out of every list"""
    return service.mark_entered_in_error(patients.lock_episode(episode_id), current_user(), **fields)


@blp.route("/episodes/<uuid:episode_id>/red-flags")
@blp.roles(*PATIENT_ROLES)
@blp.arguments(RedFlagQuery, location="query")
@blp.response_by_role(200, {THERAPIST: page_of(RedFlagOut), FRONT_DESK: page_of(RedFlagReviewOut)})
def red_flags(args, episode_id: uuid.UUID):
    """The episode's red flags, open first, acknowledged ones with who reviewed them and when (the clinical
    note of the review: therapists only)"""
    return questionnaires.list_red_flags(patients.get_episode(episode_id), **args)


@blp.route("/episodes/<uuid:episode_id>/red-flags/<string(maxlength=64):flag>/acknowledge", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST)
@blp.arguments(AcknowledgeIn)
@blp.response(200, EpisodeOut)
def acknowledge_red_flag(fields, episode_id: uuid.UUID, flag: str):
    """Acknowledge an open red flag (by its id, or every open flag of a code) with a note"""
    return service.acknowledge_red_flag(episode_id, flag, fields["note"], current_user())


@blp.route("/episodes/<uuid:episode_id>/due")
@blp.roles(*PATIENT_ROLES)
@blp.response(200, DueOut)
def due(episode_id: uuid.UUID):
    """The measures due now for this episode

    The body region's baseline set (the knee: runner intake, NPRS, Kujala, LEFS; elsewhere the running-injury
    intake, NPRS, LEFS, PSFS) until taken; then each again every REMEASURE_DAYS (14) days or REMEASURE_VISITS
    (4) visits since it was last taken, whichever comes first (the intakes are asked once); GROC once a
    discharge visit is logged; and the baseline set as a follow-up FOLLOW_UP_DAYS (90) after discharge.
    Reading it is audited."""
    episode = patients.get_episode(episode_id)
    return {"episode_id": episode.id, "as_of": utcnow(), "items": schedule.due_measures(episode)}
