"""Every English word of the outcome layer, in one mapping: the story's sentences, the measures' labels and
the chart's legend. A translation is another mapping with the same keys, passed to ``story.tell`` and
``chart.render_svg``; placeholders in braces are filled with figures already written out (dates, numbers
with their units, counts with their nouns).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

Words = Mapping[str, str]

ENGLISH: Words = MappingProxyType({
    # Dates as the clinic writes them: 12 October 2026.
    "date": "{day} {month} {year}",
    **{f"month.{number}": name for number, name in enumerate(
        ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"), start=1)},
    # Counts with their nouns.
    "count.visit.one": "1 visit", "count.visit.many": "{n} visits",
    "count.day.one": "1 day", "count.day.many": "{n} days",
    "count.week.one": "1 week", "count.week.many": "{n} weeks",
    "count.month.one": "1 month", "count.month.many": "{n} months",
    "count.point.one": "1 point", "count.point.many": "{n} points",
    "value.out_of_ten": "{n}/10",
    "value.percent": "{n} %",
    "value.km": "{n} km",
    "mcid.points_or_percent": "{points} or {percent} of the baseline",
    # The episode.
    "episode.discharged": "Care ran from {start} to {end}: {visits} in {days}.",
    "episode.active": "Care is ongoing: {visits} in {days} since {start}.",
    # A measure with one score says only its baseline.
    "measure.only.done": "{Label} was {value} on {date}, its only score in care.",
    "measure.only.active": "{Label} was {value} on {date}, its only score so far.",
    # A measure's change, plainly: better, the same, or worse.
    "measure.better.rose.done": "{Label} rose from {baseline} to {latest} over {visits} ({span}).",
    "measure.better.fell.done": "{Label} fell from {baseline} to {latest} over {visits} ({span}).",
    "measure.better.rose.active": "{Label} has risen from {baseline} to {latest} so far, over {visits} ({span}).",
    "measure.better.fell.active": "{Label} has fallen from {baseline} to {latest} so far, over {visits} ({span}).",
    "measure.same.done": "{Label} was {latest} at the end of care, the same as at the start.",
    "measure.same.active": "{Label} is {latest} so far, the same as at the start.",
    "measure.worse.rose.done": "{Label} rose from {baseline} to {latest} — worse than at the start.",
    "measure.worse.fell.done": "{Label} fell from {baseline} to {latest} — worse than at the start.",
    "measure.worse.rose.active": "{Label} has risen from {baseline} to {latest} so far — worse than at the start.",
    "measure.worse.fell.active": "{Label} has fallen from {baseline} to {latest} so far — worse than at the start.",
    # The change against the MCID.
    "mcid.reached": "The change of {change} reaches the smallest change that patients notice as important, "
                    "{mcid} ({cite}); it first got there after {visits} ({span}).",
    "mcid.reached.dipped": "The change of {change} reaches the smallest change that patients notice as "
                           "important, {mcid} ({cite}); it first got there after {visits} ({span}) and fell back "
                           "below it for a time on {lost}.",
    "mcid.fell_back": "It reached the smallest change that patients notice as important, {mcid} ({cite}), after "
                      "{visits} ({span}), but fell back below it on {lost}; the latest change is {change}.",
    "mcid.below": "The change of {change} is below the smallest change that patients notice as important, "
                  "{mcid} ({cite}).",
    # A change score (GROC): the rating is itself the change since the start.
    "change_score.reached": "{Label} was {value} on {date}, at or beyond the {mcid} that marks an important "
                            "improvement ({cite}).",
    "change_score.below": "{Label} was {value} on {date}, below the {mcid} that marks an important "
                          "improvement ({cite}).",
    "change_score.better": "{Label} was {value} on {date}, better than at the start.",
    "change_score.same": "{Label} was {value} on {date}: about the same as at the start.",
    "change_score.worse": "{Label} was {value} on {date} — worse than at the start.",
    # Follow-ups after discharge.
    "follow_up.after_discharge": "{Span} after discharge, {label} was {value} ({at_discharge} at discharge).",
    "follow_up.after_discharge.worse": "{Span} after discharge, {label} was {value} ({at_discharge} at "
                                       "discharge) — worse than at discharge.",
    "follow_up.dated": "On {date}, after care, {label} was {value}.",
    # The return to running.
    "run.back": "Back to {distance} a week, pain-free, in the week of {week}, {since} after starting care "
                "(before the injury: {pre_injury} a week).",
    "run.back.first_week": "Back to {distance} a week, pain-free, in the first week of care, the week of {week} "
                           "(before the injury: {pre_injury} a week).",
    "run.not_yet.active": "Not yet back to the {pre_injury} a week from before the injury: the most so far is "
                          "{distance}, in the week of {week}.",
    "run.not_yet.done": "Running did not reach the {pre_injury} a week from before the injury during care: the "
                        "most was {distance}, in the week of {week}.",
    "run.none.active": "No runs are logged yet toward the {pre_injury} a week from before the injury.",
    "run.none.done": "No runs were logged during care toward the {pre_injury} a week from before the injury.",
    "run.unrated": "In the week of {week}, {distance} were run, at least the {pre_injury} a week from before the "
                   "injury, but not every run's pain was rated, so it does not count as a pain-free return.",
    "run.no_pre_injury.active": "The most running in a week so far is {distance}, in the week of {week}; no "
                                "pre-injury weekly distance is recorded to compare it with.",
    "run.no_pre_injury.done": "The most running in a week was {distance}, in the week of {week}; no pre-injury "
                              "weekly distance is recorded to compare it with.",
    # Goals.
    "goal.met": "Goal met on {date}: “{text}”{race}.",
    "goal.not_met": "Goal not met, as recorded on {date}: “{text}”{race}.",
    "goal.discontinued": "Goal set aside on {date}: “{text}”{race}.",
    "goal.active": "Goal in progress since {date}: “{text}”{race}.",
    "race.name_date": " (target race: {name}, {date})",
    "race.name": " (target race: {name})",
    "race.date": " (target race on {date})",
    # Measure labels: noun phrases as they stand inside a sentence.
    "label.instrument": "the {title}",
    "label.subscale": "the {subscale} subscale of the {title}",
    "label.psfs_activity": "the PSFS rating of “{activity}”",
    "label.pain.current": "current pain",
    "label.pain.worst_24h": "the worst pain in the last 24 hours",
    "label.pain.best_24h": "the least pain in the last 24 hours",
    "label.pain.during_running": "pain during running",
    "label.pain.after_running": "pain after running",
    "label.pain.stairs_down": "pain going down stairs",
    "label.pain.stairs_up": "pain going up stairs",
    "label.pain.squatting": "pain when squatting",
    "label.pain.sitting": "pain after sitting",
    "label.pain.night": "pain at night",
    # The chart.
    "chart.title.active": "{diagnosis}: in care since {start}",
    "chart.title.pending": "{diagnosis}: awaiting the evaluation, since {start}",
    "chart.title.discharged": "{diagnosis}: care from {start} to {end}",
    "chart.score": "Score",
    "chart.after_discharge": "After discharge",
    "chart.follow_up": "Follow-up",
    "chart.baseline": "Baseline",
    "chart.no_change": "No change (0)",
    "chart.mcid_line": "MCID threshold",
    "chart.visit": "Visit",
    "chart.date": "Date",
    "chart.axis.out_of_ten": "Pain (0–10)",
    "chart.axis.points": "Points",
    "chart.lower_is_better": "{Label} (lower is better)",
    "chart.higher_is_better": "{Label} (higher is better)",
    "chart.weekly_distance": "Weekly running distance",
    "chart.return_week": "Pain-free week at pre-injury distance",
    "chart.pre_injury": "Pre-injury weekly distance",
    "chart.km_per_week": "km per week",
    "chart.no_runs": "No runs logged",
})
