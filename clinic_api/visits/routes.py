from __future__ import annotations

import uuid

from flask.views import MethodView

from clinic_api.core.access import ADMIN, FRONT_DESK, PATIENT_ROLES, THERAPIST, current_user
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, ReasonIn, page_of
from clinic_api.patients.service import get_episode, lock_episode
from clinic_api.visits import service
from clinic_api.visits.schemas import (
    AddendumIn,
    AddendumOut,
    AppointmentRowOut,
    DraftOut,
    DraftQuery,
    GoalIn,
    GoalOut,
    GoalPatch,
    GoalQuery,
    PainScoreIn,
    PainScoreOut,
    PainScoreQuery,
    ReassignIn,
    RunIn,
    RunOut,
    RunQuery,
    VisitAppointmentOut,
    VisitIn,
    VisitOut,
    VisitPatch,
    VisitQuery,
    VisitRowOut,
    VisitWorklistQuery,
    WeeklyOut,
)

blp = Blueprint("visits", __name__, url_prefix="/api/v1",
                description="Visit notes (SOAP) with their lifecycle and addenda; pain scores; the return to "
                            "running; goals.")

DISCHARGED = "The episode is discharged."
IN_ERROR_EPISODE = "Or the episode is marked entered in error."
# The front desk sees visits at the appointment level; only a therapist reads the note.
VISIT_BY_ROLE = {THERAPIST: VisitOut, FRONT_DESK: VisitAppointmentOut}
VISIT_PAGE_BY_ROLE = {role: page_of(schema) for role, schema in VISIT_BY_ROLE.items()}


def _with_notes() -> bool:
    return current_user().role == THERAPIST


@blp.route("/visits")
@blp.roles(*PATIENT_ROLES)
@blp.arguments(VisitWorklistQuery, location="query")
@blp.response_by_role(200, {THERAPIST: page_of(VisitRowOut), FRONT_DESK: page_of(AppointmentRowOut)})
def visits_across_episodes(args):
    """Visits across episodes, in date order, each with its patient

    Filters: `visit_date` (one day), `from`/`to` (inclusive days), `therapist_id` (`me` for your own),
    `status`, `visit_type`; voided drafts and notes marked entered in error only with
    `include_entered_in_error=true`. `status=draft&therapist_id=me` is a therapist's unsigned notes;
    `visit_date=<today>` the day's visits. The front desk sees them at the appointment level (date, type,
    author, status, the patient), never a clinical field."""
    return service.list_visits_across(current_user(), with_notes=_with_notes(), **args)


@blp.route("/episodes/<uuid:episode_id>/visits")
class EpisodeVisits(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(VisitQuery, location="query")
    @blp.response_by_role(200, VISIT_PAGE_BY_ROLE)
    def get(self, args, episode_id: uuid.UUID):
        """The episode's visits in date order (the front desk sees dates, types, therapists and status only)

        Voided drafts and signed notes marked entered in error are left out unless
        `include_entered_in_error=true` (or `status=voided`)."""
        return service.list_visits(get_episode(episode_id), with_notes=_with_notes(), **args)

    @blp.roles(THERAPIST)
    @blp.arguments(VisitIn)
    @blp.created(VisitOut, "visits.VisitItem", visit_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED + " Or a second initial evaluation.")
    def post(self, fields, episode_id: uuid.UUID):
        """Log a visit as a draft SOAP note, with the pain scores taken at it

        Therapists, on an active episode. The first visit is the initial evaluation, and an episode has one;
        dates fall within the episode (at most a day ahead). The author signs it when all four SOAP parts are
        written; a signed note never changes (addenda correct it)."""
        return service.create_visit(lock_episode(episode_id), current_user(), **fields)


@blp.route("/visits/<uuid:visit_id>")
@blp.etag
class VisitItem(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.response_by_role(200, VISIT_BY_ROLE)
    def get(self, visit_id: uuid.UUID):
        """One visit with its note, pain scores and addenda (the front desk: appointment-level fields only)"""
        return service.read_visit(visit_id, with_notes=_with_notes())

    @blp.roles(THERAPIST)
    @blp.arguments(VisitPatch)
    @blp.response(200, VisitOut)
    @blp.alt_response(409, schema=ProblemSchema, description="The visit is signed, or the episode discharged.")
    def patch(self, changes, visit_id: uuid.UUID):
        """Change a draft visit (its author only)"""
        visit = service.lock_visit(visit_id)
        blp.check_etag(visit, VisitOut)
        return service.update_visit(visit, changes, current_user())


@blp.route("/visits/<uuid:visit_id>/sign", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST)
@blp.response(200, VisitOut)
@blp.alt_response(409, schema=ProblemSchema, description="Already signed, voided, or an initial evaluation while "
                                                        "red flags of the episode await review (listed in "
                                                        "`open_red_flags`).")
@blp.alt_response(422, schema=ProblemSchema, description="A SOAP part is missing (each one named in `errors`).")
def sign_visit(visit_id: uuid.UUID):
    """Sign a draft visit (its author only): from now on it never changes

    All four SOAP parts are needed (422 naming the missing ones). A red flag asks for clinician review before
    treatment: the initial evaluation is not signed while a flag raised by the episode's responses is open
    (409 listing them); acknowledging each, with what was done, unblocks it. Corrections after signing are
    addenda."""
    return service.sign_visit(service.lock_visit(visit_id), current_user())


@blp.route("/visits/<uuid:visit_id>/void", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST)
@blp.arguments(ReasonIn)
@blp.response(200, VisitOut)
@blp.alt_response(409, schema=ProblemSchema, description="Voided already; signed (mark it entered in error "
                                                        "instead); an initial evaluation while other visits of "
                                                        "the episode count. " + IN_ERROR_EPISODE)
def void_visit(fields, visit_id: uuid.UUID):
    """Void a draft visit (its author only): a duplicate, a cancelled visit

    The draft is kept, read by id with `voided_at`, `voided_by` and `void_reason`; it leaves the visit lists
    (unless `include_entered_in_error=true`), no longer blocks a discharge, no longer counts in the measure
    schedule or as the episode's initial evaluation (a new one can be logged), and its pain scores leave the
    pain-score lists with it. Another therapist: 403. An initial evaluation is voided last, once no other visit
    of the episode counts."""
    return service.void_visit(service.lock_visit(visit_id), current_user(), **fields)


@blp.route("/visits/<uuid:visit_id>/entered-in-error", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST, ADMIN)
@blp.arguments(ReasonIn)
@blp.response_by_role(200, {THERAPIST: VisitOut, ADMIN: VisitAppointmentOut})
@blp.alt_response(409, schema=ProblemSchema, description="A draft (its author voids it instead), voided, marked "
                                                        "already, or an initial evaluation while other visits of "
                                                        "the episode count. " + IN_ERROR_EPISODE)
def visit_entered_in_error(fields, visit_id: uuid.UUID):
    """Mark a signed note written in the wrong chart entered in error (its author or an admin)

    The note stays signed and unchanged, read by id with `entered_in_error_at`, `entered_in_error_by` and
    `entered_in_error_reason`; it leaves the visit lists (unless `include_entered_in_error=true`) and every
    count (the measure schedule, the initial-evaluation rule, the discharge checks), and its pain scores leave
    the pain-score lists with it. A therapist other than the author: 403. An admin is answered at the
    appointment level (no clinical field)."""
    return service.mark_visit_entered_in_error(service.lock_visit(visit_id), current_user(), **fields)


@blp.route("/visits/drafts")
@blp.roles(ADMIN)
@blp.arguments(DraftQuery, location="query")
@blp.response(200, page_of(DraftOut))
def drafts(args):
    """An author's unsigned notes, to hand over those of a therapist who left (admin)

    Each draft with its date, type, author, episode and patient (id, MRN, name); never the note text nor any
    clinical field. Each draft shown is recorded in the audit trail (`visit.draft_list`)."""
    return service.list_drafts(**args)


@blp.route("/visits/<uuid:visit_id>/reassign", methods=["POST"])
@blp.roles(ADMIN)
@blp.arguments(ReassignIn)
@blp.response(200, DraftOut)
@blp.alt_response(409, schema=ProblemSchema, description="Not a draft. " + IN_ERROR_EPISODE)
def reassign(fields, visit_id: uuid.UUID):
    """Give a draft visit to another author (admin), an active therapist (else 422 on `therapist_id`)

    Only a draft changes author; the audit event (`visit.reassign`) keeps the old and the new author."""
    return service.reassign_draft(service.lock_visit(visit_id), **fields)


@blp.route("/visits/<uuid:visit_id>/addenda", methods=["POST"])
@blp.roles(THERAPIST)
@blp.arguments(AddendumIn)
@blp.created(AddendumOut, "visits.addendum", addendum_id="id")
@blp.alt_response(409, schema=ProblemSchema, description="The visit is still a draft.")
def add_addendum(fields, visit_id: uuid.UUID):
    """Add a signed addendum to a signed visit"""
    return service.add_addendum(service.lock_visit(visit_id), fields["text"], current_user())


@blp.route("/addenda/<uuid:addendum_id>")
@blp.etag
@blp.roles(THERAPIST)
@blp.response(200, AddendumOut)
def addendum(addendum_id: uuid.UUID):
    """One addendum of a signed visit"""
    return service.read_addendum(addendum_id)


@blp.route("/episodes/<uuid:episode_id>/pain-scores")
class EpisodePainScores(MethodView):
    @blp.roles(THERAPIST)
    @blp.arguments(PainScoreQuery, location="query")
    @blp.response(200, page_of(PainScoreOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's pain scores in time order, by context and period

        Pain scores marked entered in error, and those taken at a voided visit or at a note marked entered in
        error, are left out unless `include_entered_in_error=true`."""
        return service.list_pain_scores(get_episode(episode_id), **args)

    @blp.roles(THERAPIST)
    @blp.arguments(PainScoreIn)
    @blp.created(PainScoreOut, "visits.pain_score", score_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED + " Or the visit is signed.")
    def post(self, fields, episode_id: uuid.UUID):
        """Record a pain score (0-10) in a context"""
        return service.record_pain_score(lock_episode(episode_id), current_user(), **fields)


@blp.route("/pain-scores/<uuid:score_id>")
@blp.etag
@blp.roles(THERAPIST)
@blp.response(200, PainScoreOut)
def pain_score(score_id: uuid.UUID):
    """One pain score (also one marked entered in error, with who marked it, when and why)"""
    return service.read_pain_score(score_id)


@blp.route("/pain-scores/<uuid:score_id>/entered-in-error", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST)
@blp.arguments(ReasonIn)
@blp.response(200, PainScoreOut)
@blp.alt_response(409, schema=ProblemSchema, description="Marked already. " + IN_ERROR_EPISODE)
def pain_score_entered_in_error(fields, score_id: uuid.UUID):
    """Mark a pain score entered in error, with the reason

    The score is kept as written and read by id with `entered_in_error_at`, `entered_in_error_by` and
    `entered_in_error_reason`; it leaves the episode's pain-score list (unless `include_entered_in_error=true`)
    and the episode's date bounds. A discharged episode's scores may be marked (it corrects the record). A
    corrected score is simply a new one."""
    return service.mark_pain_score_entered_in_error(service.lock_pain_score(score_id), current_user(), **fields)


@blp.route("/episodes/<uuid:episode_id>/runs")
class EpisodeRuns(MethodView):
    @blp.roles(THERAPIST)
    @blp.arguments(RunQuery, location="query")
    @blp.response(200, page_of(RunOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's runs in date order (runs marked entered in error: only with
        `include_entered_in_error=true`)"""
        return service.list_runs(get_episode(episode_id), **args)

    @blp.roles(THERAPIST)
    @blp.arguments(RunIn)
    @blp.created(RunOut, "visits.run", run_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED)
    def post(self, fields, episode_id: uuid.UUID):
        """Log a run of the return to running

        A distance above 0 and a pace between 2:30 and 20:00 min/km (`duration_min` / `distance_km` between 2.5
        and 20, inclusive); outside, a 422 naming `duration_min` (a distance of 0: `distance_km`)."""
        return service.record_run(lock_episode(episode_id), current_user(), **fields)


@blp.route("/episodes/<uuid:episode_id>/runs/weekly")
@blp.roles(THERAPIST)
@blp.response(200, WeeklyOut)
def weekly_runs(episode_id: uuid.UUID):
    """Weekly running totals (Monday to Sunday) against the runner's pre-injury weekly distance

    Runs marked entered in error count in no week, nor in the return-to-run week."""
    return service.weekly_runs(get_episode(episode_id))


@blp.route("/runs/<uuid:run_id>")
@blp.etag
@blp.roles(THERAPIST)
@blp.response(200, RunOut)
def run(run_id: uuid.UUID):
    """One run (also one marked entered in error, with who marked it, when and why)"""
    return service.read_run(run_id)


@blp.route("/runs/<uuid:run_id>/entered-in-error", methods=["POST"])
@blp.etag
@blp.roles(THERAPIST)
@blp.arguments(ReasonIn)
@blp.response(200, RunOut)
@blp.alt_response(409, schema=ProblemSchema, description="Marked already. " + IN_ERROR_EPISODE)
def run_entered_in_error(fields, run_id: uuid.UUID):
    """Mark a run entered in error, with the reason

    The run is kept as written and read by id with `entered_in_error_at`, `entered_in_error_by` and
    `entered_in_error_reason`; it leaves the episode's run list (unless `include_entered_in_error=true`), the
    weekly totals and return-to-run week, and the episode's date bounds. A discharged episode's runs may be
    marked (it corrects the record). A corrected run is simply a new one."""
    return service.mark_run_entered_in_error(service.lock_run(run_id), current_user(), **fields)


@blp.route("/episodes/<uuid:episode_id>/goals")
class EpisodeGoals(MethodView):
    @blp.roles(THERAPIST)
    @blp.arguments(GoalQuery, location="query")
    @blp.response(200, page_of(GoalOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's functional goals, oldest first"""
        return service.list_goals(get_episode(episode_id), **args)

    @blp.roles(THERAPIST)
    @blp.arguments(GoalIn)
    @blp.created(GoalOut, "visits.GoalItem", goal_id="id")
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED)
    def post(self, fields, episode_id: uuid.UUID):
        """Set a functional goal, optionally with a measurable target

        A target names a measure and a value: a questionnaire code (`kujala`, `lefs`, `nprs`, ...),
        `weekly_distance_km`, `longest_run_km`, `run_pain_max`, or `pain_<context>` (`pain_stairs_down`, ...).
        Dates fall within the episode; the status defaults to active. A discharge gives every active goal its
        final status."""
        return service.create_goal(lock_episode(episode_id), current_user(), **fields)


@blp.route("/goals/<uuid:goal_id>")
@blp.etag
class GoalItem(MethodView):
    @blp.roles(THERAPIST)
    @blp.response(200, GoalOut)
    def get(self, goal_id: uuid.UUID):
        """One goal"""
        return service.read_goal(goal_id)

    @blp.roles(THERAPIST)
    @blp.arguments(GoalPatch)
    @blp.response(200, GoalOut)
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED)
    def patch(self, changes, goal_id: uuid.UUID):
        """Change a goal or its status (met, not met, discontinued) with the date it changed"""
        goal = service.lock_goal(goal_id)
        blp.check_etag(goal, GoalOut)
        return service.update_goal(goal, changes)
