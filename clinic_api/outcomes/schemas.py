"""Outcomes on the wire: every figure with the id of the record it comes from (``source_id``)."""
from __future__ import annotations

from marshmallow import fields

from clinic_api.core.schemas import Day, Schema
from clinic_api.patients.models import EPISODE_STATUSES
from clinic_api.questionnaires.schemas import RedFlagOut
from clinic_api.visits.models import PAIN_CONTEXTS, VISIT_STATUSES, VISIT_TYPES
from clinic_api.visits.schemas import GoalOut

KINDS = ("questionnaire", "subscale", "psfs_activity", "pain")
NOT_RETURNED = ("no_pre_injury_distance", "unrated_runs", "not_yet")


def number(description: str, **kwargs: object) -> fields.Decimal:
    return fields.Decimal(as_string=False, allow_none=True, metadata={"description": description}, **kwargs)


def source_ids(description: str) -> fields.List:
    return fields.List(fields.String(), metadata={"description": description})


class ScorePointOut(Schema):
    """One score: its value, when it was taken, and the id of the response or pain score it is."""

    value = fields.Decimal(as_string=False)
    time = fields.AwareDateTime()
    source_id = fields.String(metadata={"description": "The id of the questionnaire response or pain score."})


class FollowUpPointOut(ScorePointOut):
    change = number("The change from the in-care baseline, signed so that improvement is positive (null without a "
                    "baseline).")


class McidOut(Schema):
    points = number("Improvement in points that reaches it.")
    percent = number("Improvement in percent of the baseline that reaches it (either suffices).")
    source = fields.String(allow_none=True, metadata={"description": "The publication it is taken from."})


class RangeOut(Schema):
    min = fields.Decimal(as_string=False)
    max = fields.Decimal(as_string=False)


class HeadlineMeasureOut(Schema):
    """A measure in brief: baseline → latest, the change and whether it reaches the MCID."""

    key = fields.String(metadata={"description": "The measure: a questionnaire code (`kujala`; `lefs.v2` for a "
                                                 "version with another range), a subscale (`kujala.pain`), a PSFS "
                                                 "activity (`psfs.activity_1`), a pain context (`pain.stairs_down`)."})
    label = fields.String(metadata={"description": "The measure in words, as the story names it."})
    unit = fields.String(metadata={"enum": ["points", "/10"]})
    direction = fields.String(metadata={"enum": ["higher_is_better", "lower_is_better"]})
    baseline = fields.Nested(ScorePointOut, allow_none=True, metadata={
        "description": "The first score in care (null for a change score such as the GROC, or with follow-ups only)."})
    latest = fields.Nested(ScorePointOut, allow_none=True, metadata={
        "description": "The last score in care when there are two or more (a follow-up never is); null with one."})
    change = number("Latest against baseline, signed so that improvement is positive; null with one score.")
    mcid_reached = fields.Boolean(allow_none=True, metadata={
        "description": "Whether the change reaches the MCID; null without an MCID or a later score."})


class MeasureOutcomeOut(HeadlineMeasureOut):
    """A measure over the episode: its scores, their change and the MCID, each figure traceable to its record."""

    kind = fields.String(metadata={"enum": list(KINDS)})
    headline = fields.Boolean(metadata={"description": "One of the episode's headline measures: a scored "
                                                       "questionnaire of the body region's baseline set, or a pain "
                                                       "context scored twice or more."})
    questionnaire = fields.String(allow_none=True, metadata={"description": "The questionnaire's code (not for pain)."})
    versions = fields.List(fields.Integer(), metadata={"description": "The questionnaire versions counted in it."})
    subscale = fields.String(allow_none=True)
    activity = fields.String(allow_none=True, metadata={"description": "The activity the patient named (PSFS)."})
    context = fields.String(allow_none=True, metadata={"enum": [*PAIN_CONTEXTS, None]})
    range = fields.Nested(RangeOut, allow_none=True)
    percent_change = number("The change in percent of the baseline, one decimal; null when the baseline is 0.")
    mcid = fields.Nested(McidOut, allow_none=True)
    first_mcid = fields.Nested(ScorePointOut, allow_none=True, metadata={
        "description": "The first score whose change reached the MCID (kept even if a later one fell back)."})
    days_to_mcid = fields.Integer(allow_none=True, metadata={"description": "Clinic days from baseline to it."})
    visits_to_mcid = fields.Integer(allow_none=True, metadata={
        "description": "The visits of the episode on or before its day."})
    mcid_sustained = fields.Boolean(allow_none=True, metadata={
        "description": "Null until the MCID is reached; false once a later score fell back below it."})
    mcid_lost = fields.Nested(ScorePointOut, allow_none=True, metadata={
        "description": "The first later score that fell back below the MCID."})
    days_to_latest = fields.Integer(allow_none=True)
    visits_to_latest = fields.Integer(allow_none=True)
    series = fields.List(fields.Nested(ScorePointOut), metadata={"description": "Every score in care, in time order."})
    follow_ups = fields.List(fields.Nested(FollowUpPointOut), metadata={
        "description": "Scores after discharge (3- or 6-month follow-ups), beside the series, never its latest."})


class RunWeekOut(Schema):
    week_start = Day(metadata={"description": "Monday."})
    distance_km = fields.Decimal(as_string=False)
    runs = fields.Integer()
    max_pain = fields.Integer(allow_none=True, metadata={"description": "Highest pain during or after a run."})
    all_rated = fields.Boolean(metadata={"description": "Every run rated for pain during and after."})
    source_ids = source_ids("The ids of the week's runs.")


class ReturnToRunLineOut(Schema):
    reached = fields.Boolean()
    week_start = Day(allow_none=True, metadata={
        "description": "The first Monday-to-Sunday week at or above the pre-injury weekly distance with every "
                       "run's pain at most 2/10."})
    distance_km = number("That week's distance.")
    weeks_since_start = fields.Integer(allow_none=True, metadata={
        "description": "Whole weeks from the week the episode started (0: its first week)."})
    reason = fields.String(allow_none=True, metadata={"enum": [*NOT_RETURNED, None], "description": (
        "Why there is none: no pre-injury distance to compare with, a week at the distance with an unrated run, "
        "or not yet.")})


class ReturnToRunOutcomeOut(ReturnToRunLineOut):
    pre_injury_weekly_km = number("The episode's pre-injury weekly distance.", attribute="pre_injury_km")
    source_ids = source_ids("The ids of the return week's runs.")
    nearest_week = fields.Nested(RunWeekOut, allow_none=True, metadata={
        "description": "Reached: the return week. Otherwise the week that came nearest (for unrated_runs the week "
                       "at the distance with an unrated run, else the week with the most distance)."})


class VisitHeldOut(Schema):
    id = fields.UUID()
    visit_date = Day()
    visit_type = fields.String(metadata={"enum": list(VISIT_TYPES)})
    status = fields.String(metadata={"enum": [status for status in VISIT_STATUSES if status != "voided"]})


class EpisodeOutcomeLineOut(Schema):
    """An episode in one line: its dates, diagnosis, status, headline measures and return to running."""

    episode_id = fields.UUID()
    status = fields.String(metadata={"enum": [status for status in EPISODE_STATUSES if status != "entered_in_error"]})
    body_region = fields.String()
    diagnosis_code = fields.String(allow_none=True)
    diagnosis_text = fields.String(allow_none=True)
    start_date = Day()
    discharge_date = Day(allow_none=True)
    visits_count = fields.Integer(metadata={"description": "Visits that took place (drafts and signed notes; not "
                                                           "voided, not entered in error)."})
    days_in_care = fields.Integer(metadata={"description": "Days from the start to discharge, or to today."})
    headline = fields.List(fields.Nested(HeadlineMeasureOut), metadata={"description": "The headline measures."})
    return_to_run = fields.Nested(ReturnToRunLineOut)


class EpisodeOutcomeOut(EpisodeOutcomeLineOut):
    """The episode's outcome: each measure with data, the visits, the return to running, goals, open red flags."""

    class Meta(Schema.Meta):
        exclude = ("headline",)  # each measure says whether it is one

    patient_id = fields.UUID()
    pre_injury_weekly_km = number("The running baseline of the return to running.")
    visits = fields.List(fields.Nested(VisitHeldOut), metadata={"description": "The visits counted, by date."})
    measures = fields.List(fields.Nested(MeasureOutcomeOut), metadata={
        "description": "Every measure with data: questionnaire totals (versions sharing a range are one measure), "
                       "subscales, PSFS activities and mean, pain contexts."})
    return_to_run = fields.Nested(ReturnToRunOutcomeOut)
    goals = fields.List(fields.Nested(GoalOut), metadata={"description": "The episode's goals with their status."})
    red_flags = fields.List(fields.Nested(RedFlagOut), metadata={"description": "Open red flags."})


class PatientOutcomesOut(Schema):
    patient_id = fields.UUID()
    episodes = fields.List(fields.Nested(EpisodeOutcomeLineOut), metadata={
        "description": "Each episode of the patient (none entered in error), latest start first."})


class SentenceOut(Schema):
    text = fields.String()
    source_ids = source_ids("The ids of the records its figures come from (the episode, responses, pain scores, "
                            "runs, goals), each in GET /episodes/{id}/outcomes.")


class StoryOut(Schema):
    episode_id = fields.UUID()
    sentences = fields.List(fields.Nested(SentenceOut))
