"""The outcome endpoints' reads: an episode's records, fetched through the lower packages' services, turned
into the pure layer's figures (``arithmetic``, ``story``, ``chart``), which are never worked out again here.

An episode's outcome is read in a fixed number of statements whatever the length of its care, and the
outcomes of a patient's episodes in the same number whatever their count: each kind of record is fetched
once for all the episodes asked about (``questionnaires.scores_for_episodes``, ``visits.counted_visits``, …).

What counts (Outcome rules): responses not replaced, pain scores, runs and visits not entered in error (nor
voided, nor taken at such a visit); an episode entered in error has no outcome (409). A questionnaire's versions
are one measure while they share a range and direction; a version with another is a measure of its own
(key ``<code>.v<first version>``). Headline measures, which the patient summary and the chart show: the scored
questionnaires of the body region's baseline set (``MEASURE_SCHEDULE``) and every pain context scored twice
or more.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any, Literal

from flask import current_app

from clinic_api.audit import service as audit
from clinic_api.core.errors import Conflict
from clinic_api.core.types import clinic_zone, today
from clinic_api.outcomes import chart, story
from clinic_api.outcomes.arithmetic import MeasureOutcome, MeasureSpec, Point, ReturnToRun, WeekTotal, measure_outcome
from clinic_api.outcomes.runs import return_to_run
from clinic_api.outcomes.specs import definition_spec, pain_spec, psfs_activity_specs, subscale_spec
from clinic_api.outcomes.words import ENGLISH, Words
from clinic_api.patients import service as patients
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.questionnaires import service as questionnaires
from clinic_api.questionnaires.models import EpisodeRedFlag
from clinic_api.visits import service as visits
from clinic_api.visits.models import PAIN_CONTEXTS, Goal
from clinic_api.visits.running import monday_of

NPRS, PSFS = "nprs", "psfs"  # pain scores are NPRS ratings; the PSFS rates activities the patient names
Kind = Literal["questionnaire", "subscale", "psfs_activity", "pain"]


# ---- what the endpoints answer ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FollowUp:
    """A score after discharge, with its change from the in-care baseline (signed so that better is positive)."""

    point: Point
    change: Decimal | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.point, name)


@dataclass(frozen=True)
class Measure:
    """One measure of the episode: the pure outcome, and which records its scores come from."""

    outcome: MeasureOutcome
    kind: Kind
    headline: bool
    questionnaire: str | None = None
    versions: tuple[int, ...] = ()
    subscale: str | None = None
    activity: str | None = None
    context: str | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.outcome, name)

    @property
    def unit(self) -> str:
        return self.outcome.spec.unit

    @property
    def range(self) -> dict[str, Decimal] | None:
        spec = self.outcome.spec
        return None if spec.min is None or spec.max is None else {"min": spec.min, "max": spec.max}

    @property
    def follow_ups(self) -> list[FollowUp]:
        return [FollowUp(point, self.outcome.change_at(point)) for point in self.outcome.follow_ups]


@dataclass(frozen=True)
class EpisodeOutcome:
    """What an episode achieved, every figure with the id of its record."""

    episode: EpisodeOfCare
    visits: Sequence[Any]
    days_in_care: int
    measures: Sequence[Measure]
    weeks: Sequence[WeekTotal]
    return_to_run: ReturnToRun
    goals: Sequence[Goal]
    red_flags: Sequence[EpisodeRedFlag]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.episode, name)

    @property
    def episode_id(self) -> uuid.UUID:
        return self.episode.id

    @property
    def visits_count(self) -> int:
        return len(self.visits)

    @property
    def headline(self) -> list[Measure]:
        return [measure for measure in self.measures if measure.headline]


@dataclass(frozen=True)
class PatientOutcomes:
    patient: Patient
    episodes: Sequence[EpisodeOutcome]

    @property
    def patient_id(self) -> uuid.UUID:
        return self.patient.id


# ---- the records, fetched once for all the episodes ------------------------------------------------------

@dataclass(frozen=True)
class _Records:
    responses: Mapping[uuid.UUID, list[Any]]
    definitions: Mapping[uuid.UUID, Any]
    nprs: Mapping[str, Any] | None
    pain_scores: Mapping[uuid.UUID, list[Any]]
    visits: Mapping[uuid.UUID, list[Any]]
    runs: Mapping[uuid.UUID, list[Any]]
    goals: Mapping[uuid.UUID, list[Goal]]
    red_flags: Mapping[uuid.UUID, list[EpisodeRedFlag]]


def _records(episode_ids: Sequence[uuid.UUID]) -> _Records:
    """Seven statements, whatever the number of episodes and of their records."""
    responses = questionnaires.scores_for_episodes(episode_ids)
    versions = {row.questionnaire_id for rows in responses.values() for row in rows}
    definitions, latest = questionnaires.definitions_for(versions, latest_of=[NPRS])
    return _Records(
        responses=responses, definitions={key: found.definition for key, found in definitions.items()},
        nprs=latest[NPRS].definition if NPRS in latest else None,
        pain_scores=visits.counted_pain_scores(episode_ids), visits=visits.counted_visits(episode_ids),
        runs=visits.counted_runs(episode_ids), goals=visits.goals_of_episodes(episode_ids),
        red_flags=questionnaires.open_red_flags(episode_ids))


# ---- measures --------------------------------------------------------------------------------------------

Score = tuple[datetime, Any, Any, bool]  # when, the value (None: not scored), the record's id, a follow-up


@dataclass(frozen=True)
class _Measuring:
    """What every measure of one episode is judged with: its visit days, the clinic's zone, its baseline set."""

    visit_days: tuple[date, ...]
    zone: tzinfo
    baseline_set: tuple[str, ...]

    def measure(self, spec: MeasureSpec, scores: Iterable[Score], kind: Kind, headline: bool | None = None,
                **about: Any) -> Measure | None:
        """The measure of these scores, or None without any. A pain context is a headline measure once it has
        two scores or more."""
        in_care: list[Point] = []
        follow_ups: list[Point] = []
        for moment, value, source_id, follow_up in scores:
            if value is not None:
                (follow_ups if follow_up else in_care).append(Point(moment, Decimal(str(value)), str(source_id)))
        if not in_care and not follow_ups:
            return None
        outcome = measure_outcome(spec, in_care, follow_ups, self.visit_days, self.zone)
        if headline is None:
            headline = kind == "pain" and len(outcome.series) >= 2
        return Measure(outcome, kind, headline, **about)

    def order(self, code: str) -> tuple[int, str]:
        """Questionnaires in the order of the baseline set, then the others by code."""
        in_set = code in self.baseline_set
        return (self.baseline_set.index(code) if in_set else len(self.baseline_set), code)


def _scored(definition: Mapping[str, Any]) -> bool:
    return definition.get("higher_is_better") is not None


def _range_groups(rows: Sequence[Any], definitions: Mapping[uuid.UUID, Any]) -> list[list[Any]]:
    """A questionnaire's scored responses in groups of the versions that share a range and a direction, the
    group of the earliest version first."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in sorted(rows, key=lambda row: row.version):
        definition = definitions[row.questionnaire_id]
        if _scored(definition):
            span = definition.get("range") or {}
            bounds = tuple(None if span.get(end) is None else Decimal(str(span[end])) for end in ("min", "max"))
            groups.setdefault((*bounds, definition["higher_is_better"]), []).append(row)
    return [sorted(group, key=lambda row: (row.taken_at, row.id)) for group in groups.values()]


def _questionnaire_measures(rows: Sequence[Any], definitions: Mapping[uuid.UUID, Any],
                            measuring: _Measuring) -> list[Measure]:
    by_code: dict[str, list[Any]] = {}
    for row in rows:
        by_code.setdefault(row.code, []).append(row)
    measures: list[Measure] = []
    for code in sorted(by_code, key=measuring.order):
        groups = _range_groups(by_code[code], definitions)
        for group in groups:
            versions = tuple(sorted({row.version for row in group}))
            key = code if len(groups) == 1 else f"{code}.v{versions[0]}"
            measures += _version_group(key, code, versions, group, definitions, measuring)
    return measures


def _version_group(key: str, code: str, versions: tuple[int, ...], rows: Sequence[Any],
                   definitions: Mapping[uuid.UUID, Any], measuring: _Measuring) -> list[Measure]:
    """The total, each subscale and (for the PSFS) each activity of one group of versions, judged by the
    latest version's definition (its MCID and title)."""
    latest = definitions[max(rows, key=lambda row: row.version).questionnaire_id]
    about = {"questionnaire": code, "versions": versions}
    found = [measuring.measure(replace(definition_spec(latest), key=key), _scores(rows, lambda row: row.total),
                               "questionnaire", headline=code in measuring.baseline_set, **about)]
    for subscale, definition in _subscales(rows, definitions).items():
        spec = subscale_spec(definition, subscale)
        found.append(measuring.measure(replace(spec, key=f"{key}.{subscale}"),
                                       _scores(rows, lambda row, sub=subscale: (row.subscales or {}).get(sub)),
                                       "subscale", headline=False, subscale=subscale, **about))
    if code == PSFS:
        found += _psfs_activities(key, latest, rows, measuring, about)
    return [measure for measure in found if measure is not None]


def _scores(rows: Iterable[Any], value: Any) -> list[Score]:
    return [(row.taken_at, value(row), row.id, row.follow_up) for row in rows]


def _subscales(rows: Sequence[Any], definitions: Mapping[uuid.UUID, Any]) -> dict[str, Mapping[str, Any]]:
    """Each subscale code of the group, with the latest definition that declares it, in declaration order."""
    found: dict[str, Mapping[str, Any]] = {}
    for row in sorted(rows, key=lambda row: -row.version):
        definition = definitions[row.questionnaire_id]
        for subscale in definition["scoring"].get("subscales") or ():
            found.setdefault(subscale["code"], definition)
    return found


def _activity_series(rows: Sequence[Any], items: Sequence[str]) -> dict[tuple[str, int], tuple[str, list[Score]]]:
    """The PSFS ratings per activity: an item re-rated under the name it had is the same activity; renamed, it
    starts a series of its own (the item's second name is its series 2, …). A rating without a name keeps the
    item's current activity."""
    series: dict[tuple[str, int], tuple[str, list[Score]]] = {}
    current: dict[str, tuple[int, str]] = {}
    for row in rows:
        answers = row.answers or {}
        for item in items:
            name = answers.get(f"{item}_name")
            number, known = current.get(item, (0, ""))
            if isinstance(name, str) and name.strip() and name.strip().casefold() != known.casefold():
                number, known = number + 1, name.strip()
                current[item] = (number, known)
                series[(item, number)] = (known, [])
            if answers.get(item) is not None and number:
                series[(item, number)][1].append((row.taken_at, answers[item], row.id, row.follow_up))
    return series


def _psfs_activities(key: str, definition: Mapping[str, Any], rows: Sequence[Any], measuring: _Measuring,
                     about: Mapping[str, Any]) -> list[Measure | None]:
    found: list[Measure | None] = []
    for (item, number), (name, scores) in _activity_series(rows, definition["scoring"]["items"]).items():
        (spec,) = psfs_activity_specs(definition, {item: name})
        series_key = f"{key}.{item}" if number == 1 else f"{key}.{item}.{number}"
        found.append(measuring.measure(replace(spec, key=series_key), scores, "psfs_activity", headline=False,
                                       activity=name, **about))
    return found


def _pain_measures(scores: Sequence[Any], nprs: Mapping[str, Any] | None, measuring: _Measuring) -> list[Measure]:
    """One measure per pain context, in the order of the contexts; each read as an NPRS rating."""
    if nprs is None:
        return []
    by_context: dict[str, list[Score]] = {}
    for score in scores:
        by_context.setdefault(score.context, []).append((score.recorded_at, score.score, score.id, False))
    found = [measuring.measure(pain_spec(context, nprs), by_context[context], "pain", context=context)
             for context in PAIN_CONTEXTS if context in by_context]
    return [measure for measure in found if measure is not None]


# ---- the return to running -------------------------------------------------------------------------------

def _weeks(runs: Sequence[Any]) -> list[WeekTotal]:
    """The Monday-to-Sunday weeks with runs (the week of ``visits.running``), each with the ids of its runs."""
    by_week: dict[date, list[Any]] = {}
    for run in runs:
        by_week.setdefault(monday_of(run.run_date), []).append(run)
    weeks = []
    for monday, week in sorted(by_week.items()):
        ratings = [pain for run in week for pain in (run.pain_during, run.pain_after)]
        rated = [pain for pain in ratings if pain is not None]
        distance = sum((Decimal(str(run.distance_km)) for run in week), Decimal(0)).quantize(Decimal("0.01"))
        weeks.append(WeekTotal(monday, distance, len(week), max(rated, default=None),
                               all_rated=len(rated) == len(ratings), source_ids=tuple(str(run.id) for run in week)))
    return weeks


# ---- an episode ------------------------------------------------------------------------------------------

def _baseline_set(episode: EpisodeOfCare) -> tuple[str, ...]:
    baseline = current_app.config["MEASURE_SCHEDULE"]["baseline"]
    return tuple(baseline.get(episode.body_region, baseline["default"]))


def _outcome(episode: EpisodeOfCare, records: _Records, zone: tzinfo) -> EpisodeOutcome:
    held = records.visits[episode.id]
    measuring = _Measuring(tuple(visit.visit_date for visit in held), zone, _baseline_set(episode))
    measures = (_questionnaire_measures(records.responses[episode.id], records.definitions, measuring)
                + _pain_measures(records.pain_scores[episode.id], records.nprs, measuring))
    weeks = _weeks(records.runs[episode.id])
    return EpisodeOutcome(
        episode=episode, visits=held, days_in_care=((episode.discharge_date or today()) - episode.start_date).days,
        measures=measures, weeks=weeks,
        return_to_run=return_to_run(weeks, episode.pre_injury_weekly_km, episode.start_date),
        goals=records.goals[episode.id], red_flags=records.red_flags[episode.id])


def _outcomes(episodes: Sequence[EpisodeOfCare]) -> list[EpisodeOutcome]:
    if not episodes:
        return []
    records, zone = _records([episode.id for episode in episodes]), clinic_zone()
    return [_outcome(episode, records, zone) for episode in episodes]


def _episode_to_tell(episode_id: uuid.UUID, view: str) -> EpisodeOfCare:
    """The episode, its read audited; one entered in error has no outcome (409)."""
    episode = patients.get_episode(episode_id)
    if episode.status == "entered_in_error":
        raise Conflict("The episode of care is marked entered in error: its records count in no outcome.",
                       extensions={"episode_status": episode.status})
    if view == "story" and episode.status == "pending":
        raise Conflict(f"The episode of care is {patients.STATE_WORDS['pending']}: its care, and its story, have not "
                       "started. Its measures so far are in GET /episodes/{id}/outcomes.",
                       extensions={"episode_status": episode.status})
    audit.record("episode.outcomes_read", "episode_of_care", episode.id, patient_id=episode.patient_id,
                 details={"view": view})
    return episode


def episode_outcome(episode_id: uuid.UUID, *, view: str = "summary") -> EpisodeOutcome:
    """The outcome of one episode (``view`` names the answer in the audit event: summary, story or chart)."""
    return _outcomes([_episode_to_tell(episode_id, view)])[0]


def patient_outcomes(patient_id: uuid.UUID) -> PatientOutcomes:
    """The outcome of each episode of the patient (those entered in error left out), latest start first; each
    episode shown is a recorded read."""
    patient = patients.get_patient(patient_id)
    episodes = patients.patient_episodes(patient.id)
    audit.record_reads("episode.outcomes_read", "episode_of_care", [(episode.id, patient.id) for episode in episodes])
    return PatientOutcomes(patient, _outcomes(episodes))


# ---- the story and the chart, from the same figures ------------------------------------------------------

def _goal_fact(goal: Goal) -> story.GoalFact:
    return story.GoalFact(text=goal.text, status=goal.status, status_date=goal.status_date,  # type: ignore[arg-type]
                          source_id=str(goal.id))


def episode_story(episode_id: uuid.UUID, words: Words = ENGLISH) -> dict[str, Any]:
    """The episode told in sentences (``story.tell``) from the figures of its outcome: the headline measures and
    every other measure with a change, the return to running, the goals."""
    outcome = episode_outcome(episode_id, view="story")
    told = [measure.outcome for measure in outcome.measures if measure.headline or measure.change is not None]
    facts = story.EpisodeFacts(
        source_id=str(outcome.episode_id), status=outcome.status, start_date=outcome.start_date,
        discharge_date=outcome.discharge_date, visits_count=outcome.visits_count, days_in_care=outcome.days_in_care,
        measures=told, return_to_run=outcome.return_to_run, goals=[_goal_fact(goal) for goal in outcome.goals],
        clinic_zone=clinic_zone())
    return {"episode_id": outcome.episode_id, "sentences": story.tell(facts, words)}


def _date(day: date, words: Words) -> str:
    return words["date"].format(day=day.day, month=words[f"month.{day.month}"], year=day.year)


def chart_title(episode: EpisodeOfCare, words: Words = ENGLISH) -> str:
    diagnosis = episode.diagnosis_text or episode.body_region.replace("_", " ").capitalize()
    end = _date(episode.discharge_date, words) if episode.discharge_date else ""
    return words[f"chart.title.{episode.status}"].format(diagnosis=diagnosis, start=_date(episode.start_date, words),
                                                         end=end)


def episode_chart(episode_id: uuid.UUID, words: Words = ENGLISH) -> bytes:
    """The outcome chart (``chart.render_svg``): the headline measures, the visits, the weekly running distance
    against the pre-injury distance, the return week."""
    outcome = episode_outcome(episode_id, view="chart")
    return chart.render_svg(chart.ChartData(
        title=chart_title(outcome.episode, words), measures=[measure.outcome for measure in outcome.headline],
        visit_days=[visit.visit_date for visit in outcome.visits], weeks=outcome.weeks,
        pre_injury_km=outcome.pre_injury_weekly_km, return_week=outcome.return_to_run.week_start,
        clinic_zone=clinic_zone()), words)
