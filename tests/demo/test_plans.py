"""The demo clinic's plan, pure (no app, no database): answers that score exactly what they should, one seed one
clinic, and a year of care that keeps the clinic's rules whatever day it is planned on."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from clinic_api.demo import answers
from clinic_api.demo.clinic import plan_clinic
from clinic_api.demo.course import DEFAULT_SCHEDULE
from clinic_api.questionnaires.engine import score_response
from clinic_api.visits.models import PACE_MAX, PACE_MIN


@pytest.mark.parametrize(("code", "top"), [("kujala", 100), ("lefs", 80)])
def test_choice_answers_score_exactly_the_total_asked_for(code, top):
    for total in range(top + 1):
        if (code, total) == ("kujala", 1):  # no set of Kujala answers scores 1
            with pytest.raises(ValueError, match="No answers"):
                answers.choice_answers(code, total)
            continue
        assert score_response(answers.definition(code), answers.choice_answers(code, total)).total == total


def plans(seed: int = 2026, today: date = date(2026, 12, 1), patients: int = 200) -> list:
    return list(plan_clinic(patients=patients, seed=seed, today=today, schedule=DEFAULT_SCHEDULE))


def test_one_seed_is_one_clinic_and_another_seed_another():
    first = plans()
    assert plans() == first
    other = plans(seed=7)
    assert [(p.first_name, p.last_name, p.date_of_birth) for p in other[2:]] != [
        (p.first_name, p.last_name, p.date_of_birth) for p in first[2:]]
    assert [p.story for p in first[:2]] == [p.story for p in other[:2]] == ["marathon", "back_to_distance"]


def _entry_days(episode) -> list[date]:
    return ([visit.day for visit in episode.visits] + [run.day for run in episode.runs]
            + [response.day for response in episode.intake]
            + [response.day for visit in episode.visits for response in visit.responses])


def _check_episode(patient, today: date) -> None:
    episode = patient.episode
    assert today - timedelta(days=365) <= episode.start <= today and episode.onset <= episode.start
    assert 18 <= (episode.start - patient.date_of_birth).days // 365.25 <= 65
    assert Decimal(15) <= patient.runner.weekly_km <= Decimal(80)
    assert min(_entry_days(episode)) >= episode.start and max(_entry_days(episode)) <= today
    if episode.visits:
        assert episode.visits[0].visit_type == "initial_evaluation"
        assert [visit.day for visit in episode.visits] == sorted({visit.day for visit in episode.visits})
        assert all(visit.day.weekday() != 6 for visit in episode.visits)  # closed on Sundays
    for run in episode.runs:
        assert run.distance_km > 0 and PACE_MIN * run.distance_km <= run.duration_min <= PACE_MAX * run.distance_km
    if episode.discharge is not None:
        assert max(_entry_days(episode)) <= episode.discharge.day <= today
        assert all(goal.status != "active" for goal in episode.goals)
    for response in episode.follow_ups:
        assert episode.discharge.day + timedelta(days=90) <= response.day <= today
    for goal in episode.goals:
        assert goal.status_date is None or episode.start <= goal.status_date <= today
        assert goal.target_date is None or goal.target_date <= today
    if patient.race is not None:
        assert patient.race[1] <= today


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2028, 2, 29), date(2027, 1, 3)])
def test_a_year_of_care_keeps_the_clinics_rules_whatever_the_day(today):
    clinic = plans(today=today)
    for patient in clinic:
        _check_episode(patient, today)
        region = patient.episode.condition.region
        for response in patient.episode.intake + patient.episode.follow_ups + [
                response for visit in patient.episode.visits for response in visit.responses]:
            age = (response.day - patient.date_of_birth).days // 365
            scored = score_response(answers.definition(response.code), response.answers,
                                    {"age_years": age, "body_region": region})
            assert scored.total == (None if response.score is None else Decimal(str(response.score)))
    statuses = {patient.episode.status for patient in clinic}
    assert statuses == {"pending", "active", "discharged"}
    knees = sum(patient.episode.condition.key == "pfp" for patient in clinic)
    assert knees > len(clinic) / 2  # mostly patellofemoral pain
