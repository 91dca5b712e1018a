from __future__ import annotations

import uuid

from flask import Response

from clinic_api.core.access import THERAPIST
from clinic_api.core.api import Blueprint
from clinic_api.core.schemas import ProblemSchema
from clinic_api.outcomes import service
from clinic_api.outcomes.schemas import EpisodeOutcomeOut, PatientOutcomesOut, StoryOut

blp = Blueprint("outcomes", __name__, url_prefix="/api/v1",
                description="What an episode of care achieved: each measure against its MCID, the return to "
                            "running, the story told from those figures, the outcome chart.")

IN_ERROR = "The episode is marked entered in error: it has no outcome."
SVG = "image/svg+xml"


@blp.route("/episodes/<uuid:episode_id>/outcomes")
@blp.roles(THERAPIST)
@blp.response(200, EpisodeOutcomeOut)
@blp.alt_response(409, schema=ProblemSchema, description=IN_ERROR)
def episode_outcomes(episode_id: uuid.UUID):
    """The episode's outcome (therapists): each measure against its MCID, the visits, the return to running

    For every measure with data (each questionnaire's total, its versions one measure while they share a range;
    each subscale; each PSFS activity and the PSFS mean; each pain context): `baseline` and `latest` (value,
    time, source_id), `change` (improvement positive), `percent_change`, the `mcid` and whether and when it was
    reached (`first_mcid`, `days_to_mcid`, `visits_to_mcid`, `mcid_sustained`), the `series` and the
    `follow_ups` after discharge (never the latest). With one score a measure has a baseline and no change.
    Also `visits_count` and `days_in_care`, the `return_to_run` (the first pain-free week at the pre-injury
    distance, or the `reason` there is none), the goals, the open red flags. Replaced responses and entries
    entered in error, voided visits and their pain scores never count; an episode entered in error is a 409."""
    return service.episode_outcome(episode_id)


@blp.route("/episodes/<uuid:episode_id>/outcomes/story")
@blp.roles(THERAPIST)
@blp.response(200, StoryOut)
@blp.alt_response(409, schema=ProblemSchema, description=IN_ERROR + " Or it is pending: its care has not started.")
def episode_story(episode_id: uuid.UUID):
    """The episode's recovery in plain sentences (therapists), each with the ids of the records of its figures

    Told only from the figures of GET /episodes/{id}/outcomes: the care, the headline measures and every other
    measure with a change (against its MCID), follow-ups, the return to running, the goals."""
    return service.episode_story(episode_id)


@blp.route("/episodes/<uuid:episode_id>/outcomes/chart.svg")
@blp.roles(THERAPIST)
@blp.response(200, {"type": "string"}, content_type=SVG,
              description="The outcome chart as an SVG image (its text kept as text).")
@blp.alt_response(409, schema=ProblemSchema, description=IN_ERROR)
def episode_chart(episode_id: uuid.UUID):
    """The episode's outcome as a chart (therapists), an SVG image read at a glance and printable in black and white

    One panel per headline measure (scores, baseline, MCID threshold, follow-ups, visits), then the weekly
    running distance against the pre-injury weekly distance, the return week filled. Errors are problem
    details."""
    return Response(service.episode_chart(episode_id), content_type=SVG)


@blp.route("/patients/<uuid:patient_id>/outcomes")
@blp.roles(THERAPIST)
@blp.response(200, PatientOutcomesOut)
def patient_outcomes(patient_id: uuid.UUID):
    """The patient's episodes in one line each (therapists): dates, diagnosis, status, headline measures, return to run

    Latest start first; episodes entered in error are left out. The headline measures of an episode are the
    scored questionnaires of its body region's baseline set and every pain context scored twice or more, each
    baseline → latest with its change and whether it reaches the MCID."""
    return service.patient_outcomes(patient_id)
