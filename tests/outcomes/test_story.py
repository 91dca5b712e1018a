"""The episode told from its figures: every sentence states numbers and carries the ids of their records."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from clinic_api.outcomes.arithmetic import Point, ReturnToRun, WeekTotal
from clinic_api.outcomes.story import EpisodeFacts, GoalFact, Sentence, short_citation, tell
from clinic_api.outcomes.words import ENGLISH
from tests.outcomes.scores import GROC, KUJALA, LEFS, SITTING, STAIRS, START, D, at, outcome
from tests.questionnaires.instruments import BUILTINS

DISCHARGE = date(2026, 10, 19)


def facts(*measures, status="discharged", run=None, goals=(), visits=6, days=42) -> EpisodeFacts:
    return EpisodeFacts(source_id="ep", status=status, start_date=START,
                        discharge_date=DISCHARGE if status == "discharged" else None, visits_count=visits,
                        days_in_care=days, measures=measures, return_to_run=run, goals=goals)


def texts(episode: EpisodeFacts) -> list[str]:
    return [sentence.text for sentence in tell(episode)]


def test_a_discharged_episode_and_an_active_one():
    assert tell(facts()) == [Sentence("Care ran from 7 September 2026 to 19 October 2026: 6 visits in 6 weeks.",
                                      ("ep",))]
    assert texts(facts(status="active", visits=1, days=1)) == [
        "Care is ongoing: 1 visit in 1 day since 7 September 2026."]


def test_pain_down_stairs_that_fell_past_the_mcid():
    told = tell(facts(outcome(STAIRS, [7, 5, 4, 3, 2, 1])))[1:]

    assert told == [
        Sentence("Pain going down stairs fell from 7/10 to 1/10 over 6 visits (5 weeks).", ("s0", "s5", "ep")),
        Sentence("The change of 6 points (85.7 %) reaches the smallest change that patients notice as important, "
                 "2 points or 30 % of the baseline (Farrar 2001); it first got there after 2 visits (1 week).",
                 ("s0", "s1", "s5", "ep")),
    ]


def test_the_kujala_score_rose_past_the_mcid():
    told = texts(facts(outcome(KUJALA, [56, 88], [0, 35])))[1:]

    assert told == ["The Kujala score rose from 56 to 88 over 6 visits (5 weeks).",
                    "The change of 32 points reaches the smallest change that patients notice as important, "
                    "10 points (Crossley 2004); it first got there after 6 visits (5 weeks)."]


def test_a_change_below_the_mcid_is_said_as_such():
    told = tell(facts(outcome(LEFS, [40, 45], [0, 35])))[1:]

    assert told[1] == Sentence("The change of 5 points is below the smallest change that patients notice as "
                               "important, 9 points (Binkley 1999).", ("s0", "s1"))


def test_a_worse_measure_is_said_plainly():
    assert texts(facts(outcome(SITTING, [3, 5], [0, 35])))[1:] == [
        "Pain after sitting rose from 3/10 to 5/10 — worse than at the start."]
    assert texts(facts(outcome(KUJALA, [70, 60], [0, 35])))[1:] == [
        "The Kujala score fell from 70 to 60 — worse than at the start."]
    assert texts(facts(outcome(SITTING, [3, 5], [0, 35]), status="active"))[1:] == [
        "Pain after sitting has risen from 3/10 to 5/10 so far — worse than at the start."]


def test_a_measure_that_fell_back_below_the_mcid():
    told = texts(facts(outcome(STAIRS, [6, 3, 5], [0, 7, 14])))[1:]

    assert told == ["Pain going down stairs fell from 6/10 to 5/10 over 3 visits (2 weeks).",
                    "It reached the smallest change that patients notice as important, 2 points or 30 % of the "
                    "baseline (Farrar 2001), after 2 visits (1 week), but fell back below it on 21 September 2026; "
                    "the latest change is 1 point (16.7 %)."]


def test_a_dip_below_the_mcid_is_told():
    told = texts(facts(outcome(STAIRS, [6, 3, 5, 2])))[2]

    assert told.endswith("it first got there after 2 visits (1 week) and fell back below it for a time on "
                         "21 September 2026.")


def test_an_unchanged_measure():
    assert texts(facts(outcome(KUJALA, [60, 60], [0, 35])))[1:] == [
        "The Kujala score was 60 at the end of care, the same as at the start."]


def test_a_measure_with_one_score_says_only_its_baseline():
    assert tell(facts(outcome(KUJALA, [56])))[1:] == [
        Sentence("The Kujala score was 56 on 7 September 2026, its only score in care.", ("s0",))]
    assert texts(facts(outcome(KUJALA, [56]), status="active"))[1:] == [
        "The Kujala score was 56 on 7 September 2026, its only score so far."]
    assert texts(facts(outcome(KUJALA, [])))[1:] == []


def test_an_episode_in_progress_says_so_far():
    told = texts(facts(outcome(STAIRS, [7, 3], [0, 21]), status="active", visits=4, days=21))

    assert told[0] == "Care is ongoing: 4 visits in 3 weeks since 7 September 2026."
    assert told[1] == "Pain going down stairs has fallen from 7/10 to 3/10 so far, over 4 visits (3 weeks)."


@pytest.mark.parametrize(("rating", "sentence"), [
    (5, "The global rating of change was +5 on 12 October 2026, at or beyond the +3 that marks an important "
        "improvement (Wang 2011)."),
    (2, "The global rating of change was +2 on 12 October 2026, below the +3 that marks an important improvement "
        "(Wang 2011)."),
    (0, "The global rating of change was 0 on 12 October 2026: about the same as at the start."),
    (-2, "The global rating of change was −2 on 12 October 2026 — worse than at the start."),
])
def test_the_groc_is_told_as_the_change_it_is(rating, sentence):
    assert tell(facts(outcome(GROC, [rating], [35])))[1:] == [Sentence(sentence, ("s0",))]


def test_follow_ups_are_told_after_discharge():
    later = [Point(at(date(2027, 1, 20)), D(0), "fu3"), Point(at(date(2027, 4, 25)), D(3), "fu6")]
    told = tell(facts(outcome(STAIRS, [7, 1], [0, 42], follow_ups=later)))[3:]

    assert told == [
        Sentence("3 months after discharge, pain going down stairs was 0/10 (1/10 at discharge).", ("fu3", "s1", "ep")),
        Sentence("6 months after discharge, pain going down stairs was 3/10 (1/10 at discharge) — worse than at "
                 "discharge.", ("fu6", "s1", "ep")),
    ]


def test_a_follow_up_soon_after_discharge_counts_days_or_weeks():
    later = [Point(at(DISCHARGE + timedelta(days=14)), D(90), "fu")]

    assert texts(facts(outcome(KUJALA, [56], follow_ups=later)))[-1] == (
        "2 weeks after discharge, the Kujala score was 90 (56 at discharge).")


def test_the_return_to_run():
    week = WeekTotal(date(2026, 10, 12), D(40), 4, 1, True, ("r1", "r2"))
    back = ReturnToRun(date(2026, 10, 12), D(40), 5, None, D(40), week, ("r1", "r2"))
    first = ReturnToRun(START, D("42.5"), 0, None, D(40), week, ("r1",))

    assert tell(facts(run=back))[1:] == [Sentence(
        "Back to 40 km a week, pain-free, in the week of 12 October 2026, 5 weeks after starting care "
        "(before the injury: 40 km a week).", ("r1", "r2", "ep"))]
    assert texts(facts(run=first))[1] == ("Back to 42.5 km a week, pain-free, in the first week of care, the week "
                                          "of 7 September 2026 (before the injury: 40 km a week).")


def test_no_return_to_run_is_told_with_the_figures_there_are():
    most = WeekTotal(date(2026, 9, 28), D(25), 3, 1, True, ("r9",))
    cases = {
        ("not_yet", "active", most): "Not yet back to the 40 km a week from before the injury: the most so far "
                                     "is 25 km, in the week of 28 September 2026.",
        ("not_yet", "discharged", most): "Running did not reach the 40 km a week from before the injury during "
                                         "care: the most was 25 km, in the week of 28 September 2026.",
        ("not_yet", "active", None): "No runs are logged yet toward the 40 km a week from before the injury.",
        ("unrated_runs", "active", most): "In the week of 28 September 2026, 25 km were run, at least the 40 km a "
                                          "week from before the injury, but not every run's pain was rated, so it "
                                          "does not count as a pain-free return.",
        ("no_pre_injury_distance", "discharged", most): "The most running in a week was 25 km, in the week of 28 "
                                                        "September 2026; no pre-injury weekly distance is "
                                                        "recorded to compare it with.",
    }
    for (reason, status, near), sentence in cases.items():
        pre = None if reason == "no_pre_injury_distance" else D(40)
        told = tell(facts(status=status, run=ReturnToRun(None, None, None, reason, pre, near)))

        assert [s.text for s in told[1:]] == [sentence]
        assert told[1].source_ids == (("r9",) if near else ()) + ("ep",)
    assert tell(facts(run=ReturnToRun(None, None, None, "no_pre_injury_distance", None, None)))[1:] == []


def test_goals_with_their_dates_and_races():
    goals = (GoalFact("Run the Berlin Marathon pain-free", "met", date(2026, 9, 28), "g1", "Berlin Marathon",
                      date(2026, 9, 27)),
             GoalFact("Squat to 90° without pain", "active", date(2026, 9, 7), "g2"),
             GoalFact("Parkrun under 25 minutes", "not_met", date(2026, 10, 19), "g3", "Parkrun"),
             GoalFact("Hill repeats", "discontinued", date(2026, 10, 5), "g4", None, date(2026, 11, 1)))

    told = tell(facts(goals=goals))[1:]

    assert [s.text for s in told] == [
        "Goal met on 28 September 2026: “Run the Berlin Marathon pain-free” (target race: Berlin Marathon, "
        "27 September 2026).",
        "Goal in progress since 7 September 2026: “Squat to 90° without pain”.",
        "Goal not met, as recorded on 19 October 2026: “Parkrun under 25 minutes” (target race: Parkrun).",
        "Goal set aside on 5 October 2026: “Hill repeats” (target race on 1 November 2026).",
    ]
    assert [s.source_ids for s in told] == [("g1",), ("g2",), ("g3",), ("g4",)]


def test_every_sentence_of_a_whole_episode_has_a_figure_and_its_sources():
    later = [Point(at(date(2027, 1, 20)), D(0), "fu")]
    week = WeekTotal(date(2026, 10, 12), D(40), 4, 1, True, ("r1",))
    episode = facts(outcome(STAIRS, [7, 5, 1], [0, 7, 35], follow_ups=later, prefix="p"),
                    outcome(KUJALA, [56, 88], [0, 35], prefix="k"), outcome(LEFS, [40, 45], [0, 35], prefix="l"),
                    outcome(SITTING, [3, 5], [0, 35], prefix="x"), outcome(GROC, [5], [35], prefix="g"),
                    outcome(KUJALA, [56], prefix="o"),
                    run=ReturnToRun(date(2026, 10, 12), D(40), 5, None, D(40), week, ("r1",)),
                    goals=(GoalFact("Back to 40 km", "met", DISCHARGE, "goal"),))

    told = tell(episode)

    assert len(told) == 13  # 1 episode, 3 + 2 + 2 + 1 + 1 + 1 measures, 1 run, 1 goal
    for sentence in told:
        assert re.search(r"\d", sentence.text), sentence.text
        assert sentence.source_ids, sentence.text
        assert len(set(sentence.source_ids)) == len(sentence.source_ids)


def test_the_words_come_from_one_mapping():
    marked = {key: ("§" + text if key.split(".")[0] in ("episode", "measure", "mcid") else text)
              for key, text in ENGLISH.items()}

    told = tell(facts(outcome(STAIRS, [7, 1])), marked)

    assert [s.text[0] for s in told] == ["§", "§", "§"]


@pytest.mark.parametrize(("code", "short"), [("nprs", "Farrar 2001"), ("kujala", "Crossley 2004"),
                                             ("lefs", "Binkley 1999"), ("koos_pf", "Crossley 2018"),
                                             ("psfs", "Stratford 1995"), ("groc", "Wang 2011")])
def test_mcids_are_cited_by_first_author_and_year(code, short):
    assert short_citation(BUILTINS[code]["mcid"]["source"]) == short


def test_a_citation_without_author_and_year_is_given_whole():
    assert short_citation("clinic consensus") == "clinic consensus"
    assert short_citation(None) is None


def test_an_episode_to_tell_is_active_or_discharged_with_its_date():
    with pytest.raises(ValueError, match="active or discharged"):
        EpisodeFacts("ep", "entered_in_error", START, None, 0, 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="discharge_date"):
        EpisodeFacts("ep", "discharged", START, None, 0, 0)
    with pytest.raises(ValueError, match="discharge_date"):
        EpisodeFacts("ep", "active", START, DISCHARGE, 0, 0)


def test_numbers_are_written_as_people_write_them():
    told = texts(facts(outcome(KUJALA, ["62.5", "84.0"], [0, 35])))

    assert told[1] == "The Kujala score rose from 62.5 to 84 over 6 visits (5 weeks)."
    assert Decimal("21.5") == outcome(KUJALA, ["62.5", "84.0"], [0, 35]).change
