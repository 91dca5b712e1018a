from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView

from clinic_api.core.access import PATIENT_ROLES, THERAPIST, current_user
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema, page_of
from clinic_api.patients.service import get_episode
from clinic_api.visits import service
from clinic_api.visits.schemas import (
    AddendumIn,
    AddendumOut,
    GoalIn,
    GoalOut,
    GoalPatch,
    GoalQuery,
    PainScoreIn,
    PainScoreOut,
    PainScoreQuery,
    RunIn,
    RunOut,
    RunQuery,
    VisitIn,
    VisitOut,
    VisitPatch,
    VisitQuery,
    WeeklyOut,
    may_read_notes,
)

blp = Blueprint("visits", __name__, url_prefix="/api/v1",
                description="Visit notes (SOAP) with their lifecycle and addenda; pain scores; the return to "
                            "running; goals.")

DISCHARGED = "The episode is discharged."


@blp.route("/episodes/<uuid:episode_id>/visits")
class EpisodeVisits(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.arguments(VisitQuery, location="query")
    @blp.response(200, page_of(VisitOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's visits in date order (the front desk sees dates, types, therapists and status only)"""
        return service.list_visits(get_episode(episode_id), args, with_notes=may_read_notes())

    @blp.etag
    @blp.roles(THERAPIST)
    @blp.arguments(VisitIn)
    @blp.response(201, VisitOut)
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED + " Or a second initial evaluation.")
    def post(self, fields, episode_id: uuid.UUID):
        """Log a visit as a draft SOAP note, with the pain scores taken at it"""
        visit = service.create_visit(get_episode(episode_id, for_update=True), fields, current_user())
        return visit, 201, {"Location": url_for("visits.VisitItem", visit_id=visit.id)}


@blp.route("/visits/<uuid:visit_id>")
@blp.etag
class VisitItem(MethodView):
    @blp.roles(*PATIENT_ROLES)
    @blp.response(200, VisitOut)
    def get(self, visit_id: uuid.UUID):
        """One visit with its note, pain scores and addenda (the front desk: appointment-level fields only)"""
        return service.read_visit(visit_id, with_notes=may_read_notes())

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
@blp.roles(THERAPIST)
@blp.response(200, VisitOut)
@blp.alt_response(409, schema=ProblemSchema, description="Already signed.")
def sign_visit(visit_id: uuid.UUID):
    """Sign a draft visit (its author only): from now on it never changes"""
    return service.sign_visit(service.lock_visit(visit_id), current_user())


@blp.route("/visits/<uuid:visit_id>/addenda", methods=["POST"])
@blp.roles(THERAPIST)
@blp.arguments(AddendumIn)
@blp.response(201, AddendumOut)
@blp.alt_response(409, schema=ProblemSchema, description="The visit is still a draft.")
def add_addendum(fields, visit_id: uuid.UUID):
    """Add a signed addendum to a signed visit"""
    addendum = service.add_addendum(service.lock_visit(visit_id), fields["text"], current_user())
    return addendum, 201, {"Location": url_for("visits.VisitItem", visit_id=visit_id)}


@blp.route("/episodes/<uuid:episode_id>/pain-scores")
class EpisodePainScores(MethodView):
    @blp.roles(THERAPIST)
    @blp.arguments(PainScoreQuery, location="query")
    @blp.response(200, page_of(PainScoreOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's pain scores in time order, by context and period"""
        return service.list_pain_scores(get_episode(episode_id), args)

    @blp.etag
    @blp.roles(THERAPIST)
    @blp.arguments(PainScoreIn)
    @blp.response(201, PainScoreOut)
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED + " Or the visit is signed.")
    def post(self, fields, episode_id: uuid.UUID):
        """Record a pain score (0-10) in a context"""
        score = service.record_pain_score(get_episode(episode_id, for_update=True), fields, current_user())
        return score, 201, {"Location": url_for("visits.pain_score", score_id=score.id)}


@blp.route("/pain-scores/<uuid:score_id>")
@blp.etag
@blp.roles(THERAPIST)
@blp.response(200, PainScoreOut)
def pain_score(score_id: uuid.UUID):
    """One pain score"""
    return service.read_pain_score(score_id)


@blp.route("/episodes/<uuid:episode_id>/runs")
class EpisodeRuns(MethodView):
    @blp.roles(THERAPIST)
    @blp.arguments(RunQuery, location="query")
    @blp.response(200, page_of(RunOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's runs in date order"""
        return service.list_runs(get_episode(episode_id), args)

    @blp.etag
    @blp.roles(THERAPIST)
    @blp.arguments(RunIn)
    @blp.response(201, RunOut)
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED)
    def post(self, fields, episode_id: uuid.UUID):
        """Log a run of the return to running"""
        run = service.record_run(get_episode(episode_id, for_update=True), fields, current_user())
        return run, 201, {"Location": url_for("visits.run", run_id=run.id)}


@blp.route("/episodes/<uuid:episode_id>/runs/weekly")
@blp.roles(THERAPIST)
@blp.response(200, WeeklyOut)
def weekly_runs(episode_id: uuid.UUID):
    """Weekly running totals (Monday to Sunday) against the runner's pre-injury weekly distance"""
    return service.weekly_runs(get_episode(episode_id))


@blp.route("/runs/<uuid:run_id>")
@blp.etag
@blp.roles(THERAPIST)
@blp.response(200, RunOut)
def run(run_id: uuid.UUID):
    """One run"""
    return service.read_run(run_id)


@blp.route("/episodes/<uuid:episode_id>/goals")
class EpisodeGoals(MethodView):
    @blp.roles(THERAPIST)
    @blp.arguments(GoalQuery, location="query")
    @blp.response(200, page_of(GoalOut))
    def get(self, args, episode_id: uuid.UUID):
        """The episode's functional goals, oldest first"""
        return service.list_goals(get_episode(episode_id), args)

    @blp.etag
    @blp.roles(THERAPIST)
    @blp.arguments(GoalIn)
    @blp.response(201, GoalOut)
    @blp.alt_response(409, schema=ProblemSchema, description=DISCHARGED)
    def post(self, fields, episode_id: uuid.UUID):
        """Set a functional goal, optionally with a measurable target"""
        goal = service.create_goal(get_episode(episode_id, for_update=True), fields, current_user())
        return goal, 201, {"Location": url_for("visits.GoalItem", goal_id=goal.id)}


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
        goal = service.get_goal(goal_id, for_update=True)
        blp.check_etag(goal, GoalOut)
        return service.update_goal(goal, changes)
