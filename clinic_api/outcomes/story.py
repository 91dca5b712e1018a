"""The episode told in the clinic's testimonial style, built only from its figures.

Every sentence states figures (scores, dates, counts, distances) and carries the ids of the records they
come from; nothing is said that no figure supports. A worse score is said plainly, a change below the MCID
is called so, a measure with one score gives only that score, an episode still in care says so ("so
far"), and scores after discharge are told as follow-ups. The words are ``words.ENGLISH`` (one mapping, so
that a translation is another mapping); the MCIDs are cited by first author and year from each
definition's ``mcid.source`` (e.g. "Crossley 2004" for Arch Phys Med Rehabil 2004;85(5):815-822).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from decimal import Decimal
from typing import Literal

from clinic_api.outcomes.arithmetic import MeasureOutcome, MeasureSpec, Point, ReturnToRun
from clinic_api.outcomes.words import ENGLISH, Words
from clinic_api.questionnaires.engine.numbers import format_number

CITATION = re.compile(r"^\s*([A-Z][\w'’-]+)\b.*?\b((?:19|20)\d{2})\b", re.DOTALL)
MINUS = "−"


@dataclass(frozen=True)
class Sentence:
    text: str
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class GoalFact:
    """A goal of the episode: its text and status as of ``status_date``, and its target race if it has one."""

    text: str
    status: Literal["active", "met", "not_met", "discontinued"]
    status_date: date
    source_id: str
    race_name: str | None = None
    race_date: date | None = None


@dataclass(frozen=True)
class EpisodeFacts:
    """What :func:`tell` tells. ``source_id`` is the episode's: its dates, its visits (``visits_count``, and the
    visits counted in each measure) and its pre-injury distance are figures of that record.
    ``days_in_care``: from the start to discharge (or to today while active), as the caller counts them."""

    source_id: str
    status: Literal["active", "discharged"]
    start_date: date
    discharge_date: date | None
    visits_count: int
    days_in_care: int
    measures: Sequence[MeasureOutcome] = ()
    return_to_run: ReturnToRun | None = None
    goals: Sequence[GoalFact] = ()
    clinic_zone: tzinfo = UTC

    def __post_init__(self) -> None:
        if self.status not in ("active", "discharged"):
            raise ValueError(f"An episode to tell is active or discharged, not {self.status!r}.")
        if (self.status == "discharged") != (self.discharge_date is not None):
            raise ValueError("A discharged episode has a discharge_date; an active one has none.")


def short_citation(source: str | None) -> str | None:
    """"Crossley KM et al. Arch Phys Med Rehabil 2004;85(5):815-822" → "Crossley 2004" (the source itself when
    it has no author and year to take)."""
    if not source:
        return None
    found = CITATION.match(source)
    return f"{found.group(1)} {found.group(2)}" if found else source


def _ids(*points: Point | str | None) -> tuple[str, ...]:
    ids = (point if isinstance(point, str) else point.source_id for point in points if point is not None)
    return tuple(dict.fromkeys(ids))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Writer:
    """Figures written out in the given words: dates, counts, scores with their units, spans of days."""

    def __init__(self, words: Words, facts: EpisodeFacts) -> None:
        self.words, self.facts, self.zone = words, facts, facts.clinic_zone
        self.tense = "active" if facts.status == "active" else "done"

    def say(self, key: str, *sources: Point | str | None, **figures: str) -> Sentence:
        return Sentence(self.words[key].format(**figures), _ids(*sources))

    def date(self, day: date) -> str:
        return self.words["date"].format(day=day.day, month=self.words[f"month.{day.month}"], year=day.year)

    def day_of(self, point: Point) -> str:
        return self.date(point.day(self.zone))

    def count(self, noun: str, n: int) -> str:
        return self.words[f"count.{noun}.{'one' if n == 1 else 'many'}"].format(n=n)

    def number(self, value: Decimal) -> str:
        text = format_number(value)
        return MINUS + text[1:] if text.startswith("-") else text

    def value(self, spec: MeasureSpec, value: Decimal) -> str:
        if spec.is_change_score:
            return "+" + self.number(value) if value > 0 else self.number(value)
        return self.words["value.out_of_ten"].format(n=self.number(value)) if spec.unit == "/10" else self.number(value)

    def points(self, amount: Decimal) -> str:
        return self.words[f"count.point.{'one' if abs(amount) == 1 else 'many'}"].format(n=self.number(amount))

    def percent(self, amount: Decimal) -> str:
        return self.words["value.percent"].format(n=self.number(amount))

    def km(self, distance: Decimal) -> str:
        return self.words["value.km"].format(n=self.number(distance))

    def span(self, days: int | None) -> str:
        days = days or 0
        return self.count("week", days // 7) if days >= 7 and days % 7 == 0 else self.count("day", days)

    def since(self, later: date, earlier: date) -> str:
        """Whole calendar months when there is at least one (a 3-month follow-up), else the span of days."""
        months = (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
        return self.count("month", months) if months >= 1 else self.span((later - earlier).days)

    def mcid(self, outcome: MeasureOutcome) -> str:
        mcid = outcome.mcid
        assert mcid is not None
        if outcome.spec.is_change_score and mcid.points is not None:
            return self.value(outcome.spec, mcid.points)
        parts = [self.points(mcid.points)] if mcid.points is not None else []
        if mcid.percent is not None:
            parts.append(self.percent(mcid.percent))
        return parts[0] if len(parts) == 1 else self.words["mcid.points_or_percent"].format(
            points=parts[0], percent=parts[1])

    def cite(self, outcome: MeasureOutcome) -> str:
        return short_citation(outcome.mcid.source if outcome.mcid else None) or ""


# ---- the sentences -------------------------------------------------------------------------------------

def _episode(w: _Writer, facts: EpisodeFacts) -> Sentence:
    visits, days = w.count("visit", facts.visits_count), w.span(facts.days_in_care)
    if facts.discharge_date is None:
        return w.say("episode.active", facts.source_id, visits=visits, days=days, start=w.date(facts.start_date))
    return w.say("episode.discharged", facts.source_id, visits=visits, days=days, start=w.date(facts.start_date),
                 end=w.date(facts.discharge_date))


def _change(w: _Writer, m: MeasureOutcome) -> Sentence:
    baseline, latest, change = m.baseline, m.latest, m.change
    assert baseline is not None and latest is not None and change is not None
    kind = "better" if change > 0 else "worse" if change < 0 else "same"
    moved = "rose" if latest.value > baseline.value else "fell"
    key = f"measure.same.{w.tense}" if kind == "same" else f"measure.{kind}.{moved}.{w.tense}"
    return w.say(key, baseline, latest, w.facts.source_id, Label=_capital(m.label),
                 baseline=w.value(m.spec, baseline.value), latest=w.value(m.spec, latest.value),
                 visits=w.count("visit", m.visits_to_latest or 0), span=w.span(m.days_to_latest))


def _against_mcid(w: _Writer, m: MeasureOutcome) -> list[Sentence]:
    if m.mcid is None or m.change is None or (m.first_mcid is None and m.change <= 0):
        return []  # no MCID to compare with, or a change already told as worse or the same
    change = w.points(m.change)
    if m.mcid.percent is not None and m.percent_change is not None:
        change = f"{change} ({w.percent(m.percent_change)})"
    figures = {"change": change, "mcid": w.mcid(m), "cite": w.cite(m)}
    if m.first_mcid is None:
        return [w.say("mcid.below", m.baseline, m.latest, **figures)]
    lost = w.day_of(m.mcid_lost) if m.mcid_lost else ""
    key = ("mcid.reached" if m.mcid_sustained else "mcid.reached.dipped") if m.mcid_reached else "mcid.fell_back"
    return [w.say(key, m.baseline, m.first_mcid, m.mcid_lost, m.latest, w.facts.source_id, lost=lost,
                  visits=w.count("visit", m.visits_to_mcid or 0), span=w.span(m.days_to_mcid), **figures)]


def _change_score(w: _Writer, m: MeasureOutcome) -> list[Sentence]:
    if m.latest is None or m.change is None:
        return []
    if m.change < 0 or m.change == 0:
        key = "change_score.worse" if m.change < 0 else "change_score.same"
    elif m.mcid is None:
        key = "change_score.better"
    else:
        key = "change_score.reached" if m.mcid_reached else "change_score.below"
    return [w.say(key, m.latest, Label=_capital(m.label), value=w.value(m.spec, m.latest.value),
                  date=w.day_of(m.latest), mcid=w.mcid(m) if m.mcid else "", cite=w.cite(m))]


def _follow_ups(w: _Writer, m: MeasureOutcome) -> list[Sentence]:
    at_discharge, discharged = m.latest or m.baseline, w.facts.discharge_date
    told = []
    for point in m.follow_ups:
        value = w.value(m.spec, point.value)
        if at_discharge is None or discharged is None:
            told.append(w.say("follow_up.dated", point, date=w.day_of(point), label=m.label, value=value))
            continue
        now, then = m.change_at(point), m.change_at(at_discharge)
        key = "follow_up.after_discharge.worse" if now is not None and then is not None and now < then else (
            "follow_up.after_discharge")
        told.append(w.say(key, point, at_discharge, w.facts.source_id, label=m.label, value=value,
                          Span=_capital(w.since(point.day(w.zone), discharged)),
                          at_discharge=w.value(m.spec, at_discharge.value)))
    return told


def _measure(w: _Writer, m: MeasureOutcome) -> list[Sentence]:
    if m.spec.is_change_score:
        told = _change_score(w, m)
    elif m.baseline is None:
        told = []
    elif m.latest is None:
        told = [w.say(f"measure.only.{w.tense}", m.baseline, Label=_capital(m.label),
                      value=w.value(m.spec, m.baseline.value), date=w.day_of(m.baseline))]
    else:
        told = [_change(w, m), *_against_mcid(w, m)]
    return told + _follow_ups(w, m)


def _running(w: _Writer, r: ReturnToRun | None) -> list[Sentence]:
    if r is None:
        return []
    episode, near = w.facts.source_id, r.nearest_week
    pre = w.km(r.pre_injury_km) if r.pre_injury_km else ""
    if r.reached and r.week_start is not None and r.distance_km is not None:
        key = "run.back.first_week" if r.weeks_since_start == 0 else "run.back"
        return [w.say(key, *r.source_ids, episode, distance=w.km(r.distance_km), week=w.date(r.week_start),
                      since=w.count("week", r.weeks_since_start or 0), pre_injury=pre)]
    if near is None:
        return [] if r.reason == "no_pre_injury_distance" else [w.say(f"run.none.{w.tense}", episode, pre_injury=pre)]
    key = {"no_pre_injury_distance": f"run.no_pre_injury.{w.tense}", "unrated_runs": "run.unrated"}.get(
        r.reason or "", f"run.not_yet.{w.tense}")
    return [w.say(key, *near.source_ids, episode, distance=w.km(near.distance_km), week=w.date(near.week_start),
                  pre_injury=pre)]


def _race(w: _Writer, goal: GoalFact) -> str:
    if goal.race_name and goal.race_date:
        return w.words["race.name_date"].format(name=goal.race_name, date=w.date(goal.race_date))
    if goal.race_name:
        return w.words["race.name"].format(name=goal.race_name)
    return w.words["race.date"].format(date=w.date(goal.race_date)) if goal.race_date else ""


def _goal(w: _Writer, goal: GoalFact) -> Sentence:
    return w.say(f"goal.{goal.status}", goal.source_id, date=w.date(goal.status_date), text=goal.text,
                 race=_race(w, goal))


def tell(facts: EpisodeFacts, words: Words = ENGLISH) -> list[Sentence]:
    """The episode in sentences: the care itself, each measure (its change, the change against the MCID, its
    follow-ups) in the order given, the return to running, then the goals."""
    w = _Writer(words, facts)
    told = [_episode(w, facts)]
    for measure in facts.measures:
        told += _measure(w, measure)
    told += _running(w, facts.return_to_run)
    told += [_goal(w, goal) for goal in facts.goals]
    return told
