"""``flask demo`` fills an empty database with the demo clinic through the services: staff whose printed passwords
work, patients and episodes in every state, the two testimonials with exactly their figures, nothing dated after
today, every note signed; it refuses a database that holds patients unless forced, and one seed is one clinic.

The clinic is read as its staff would read it, through the API with the printed passwords (and, for what no
endpoint lists across episodes, straight from the database)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic_api.auth.models import User
from clinic_api.core.types import today, utcnow
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient
from clinic_api.questionnaires.models import QuestionnaireResponse
from clinic_api.visits.models import Goal, PainScore, RunLog, Visit
from tests.factories import API, created

THERAPIST = "dana@demo.clinic.example"


class Reader:
    """A member of the demo staff, logged in with the password the command printed."""

    def __init__(self, demo: Any, email: str):
        self.client = demo.app.test_client()
        login = self.client.post(f"{API}/auth/login", json={"email": email, "password": demo.passwords[email][1]})
        self.token = created(login, 200)["access_token"]

    def get(self, path: str, **query: Any) -> Any:
        answer = self.client.get(f"{API}{path}", query_string={"per_page": 100, **query},
                                 headers={"Authorization": f"Bearer {self.token}"})
        return created(answer, 200)

    def items(self, path: str, **query: Any) -> list[dict[str, Any]]:
        found = self.get(path, **query)
        assert found["total"] <= 100, path
        return found["items"]


@pytest.fixture(scope="module")
def therapist(demo_clinic) -> Reader:
    return Reader(demo_clinic, THERAPIST)


def episode_of(reader: Reader, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    [patient] = reader.items("/patients", q=name)
    [episode] = reader.items(f"/patients/{patient['id']}/episodes")
    return patient, episode


def in_care(responses: list[dict[str, Any]]) -> list[Any]:
    """The scores taken in care, oldest first (a list answers newest first)."""
    return [response["score"]["total"] for response in reversed(responses) if not response["follow_up"]]


def test_the_staff_are_three_therapists_and_a_front_desk_with_passwords_printed_once(demo_clinic):
    passwords = demo_clinic.passwords
    assert sorted(role for role, _password in passwords.values()) == ["front_desk"] + ["therapist"] * 3
    assert all(email.endswith("@demo.clinic.example") for email in passwords)
    for email, (_role, password) in passwords.items():
        assert demo_clinic.output.count(password) == 1
        Reader(demo_clinic, email)  # each printed password logs in
    with demo_clinic.app.app_context():
        users = db.session.scalars(select(User)).all()
        assert sorted(user.email for user in users) == sorted(passwords)  # no admin, nobody else
        for user in users:
            assert user.password_hash.startswith("$argon2id$")
            assert passwords[user.email][1] not in user.password_hash


def test_the_clinic_has_its_patients_in_every_state(demo_clinic, therapist: Reader):
    assert therapist.get("/patients")["total"] == demo_clinic.patients
    by_status = {status: therapist.items("/episodes", status=status) for status in ("pending", "active", "discharged")}
    assert all(by_status.values()) and sum(map(len, by_status.values())) == demo_clinic.patients
    reasons = {episode["discharge_reason"] for episode in by_status["discharged"]}
    assert {"goals_met", "non_attendance"} <= reasons
    for episode in by_status["pending"]:  # the intake waits for its evaluation
        assert episode["diagnosis_code"] is None and not therapist.items(f"/episodes/{episode['id']}/visits")
        assert therapist.items(f"/episodes/{episode['id']}/responses")
    follow_ups = [response for episode in by_status["discharged"]
                  for response in therapist.items(f"/episodes/{episode['id']}/responses") if response["follow_up"]]
    # The baseline set less the intake: NPRS, Kujala and LEFS for the knee (PSFS for the other regions).
    assert {"nprs", "kujala", "lefs"} <= {response["questionnaire"] for response in follow_ups} <= {
        "nprs", "kujala", "lefs", "psfs"}
    for response in follow_ups:
        episode = next(e for e in by_status["discharged"] if e["id"] == response["episode_id"])
        assert date.fromisoformat(response["taken_at"][:10]) >= date.fromisoformat(episode["discharge_date"]) \
            + timedelta(days=90)
    flagged = therapist.items("/episodes", has_open_red_flags="true")  # reviewed before every evaluation
    assert all(episode["status"] == "pending" for episode in flagged)


def test_every_visit_is_signed_and_every_goal_of_a_discharged_episode_settled(demo_clinic, therapist: Reader):
    assert therapist.get("/visits", status="draft")["total"] == 0
    with demo_clinic.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.status != "signed")) == 0
        assert db.session.scalar(select(func.count()).select_from(Visit)) > 3 * demo_clinic.patients
        assert db.session.scalar(select(func.count()).select_from(Goal).join(
            EpisodeOfCare, Goal.episode_id == EpisodeOfCare.id).where(
            EpisodeOfCare.status == "discharged", Goal.status == "active")) == 0


def test_nothing_is_dated_after_today(demo_clinic):
    days = (Patient.date_of_birth, Patient.goal_race_date, EpisodeOfCare.onset_date, EpisodeOfCare.start_date,
            EpisodeOfCare.discharge_date, Visit.visit_date, RunLog.run_date, Goal.target_date, Goal.status_date)
    moments = (QuestionnaireResponse.taken_at, PainScore.recorded_at, Visit.signed_at)
    with demo_clinic.app.app_context():
        for column in days:
            assert db.session.scalar(select(func.max(column))) <= today(), column
        for column in moments:
            assert db.session.scalar(select(func.max(column))) <= utcnow(), column
        assert db.session.scalar(select(func.min(EpisodeOfCare.start_date))) >= today() - timedelta(days=365)


def test_maya_castellano_is_back_to_her_40_km_week_as_the_readme_says(therapist: Reader):
    patient, episode = episode_of(therapist, "Maya Castellano")
    url = f"/episodes/{episode['id']}"
    assert (episode["status"], episode["discharge_reason"], episode["diagnosis_code"]) == (
        "discharged", "goals_met", "M22.2X2")
    assert in_care(therapist.items(f"{url}/responses", questionnaire="kujala")) == [56, 69, 80, 88]
    stairs = [score["score"] for score in therapist.items(f"{url}/pain-scores", context="stairs_down")]
    visits = therapist.items(f"{url}/visits")
    assert stairs == [7, 6, 4, 3, 2, 1] and len(visits) == 6
    assert all(visit["status"] == "signed" for visit in visits)
    weekly = therapist.get(f"{url}/runs/weekly")
    assert weekly["pre_injury_weekly_km"] == 40 == patient["running_profile"]["weekly_distance_km"]
    assert weekly["return_to_run"]["weeks_since_start"] == 7
    [week] = [week for week in weekly["weeks"] if week["week_start"] == weekly["return_to_run"]["week_start"]]
    assert Decimal(str(week["distance_km"])) == 40 and week["max_pain"] <= 1 and week["pain_free"]
    assert in_care(therapist.items(f"{url}/responses", questionnaire="groc")) == [6]
    assert all(goal["status"] == "met" for goal in therapist.items(f"{url}/goals"))


def test_nora_whitfield_runs_her_first_marathon_pain_free_as_the_readme_says(therapist: Reader):
    patient, episode = episode_of(therapist, "Nora Whitfield")
    url = f"/episodes/{episode['id']}"
    race = patient["running_profile"]["goal_race"]
    assert (race["name"], race["distance_km"]) == ("City Marathon", 42.2)
    race_day = date.fromisoformat(race["date"])
    assert date.fromisoformat(episode["start_date"]) == race_day - timedelta(days=20)  # three weeks before
    [goal] = [goal for goal in therapist.items(f"{url}/goals") if goal["text"] == "Run the City Marathon pain-free"]
    assert (goal["status"], goal["status_date"]) == ("met", race["date"])
    [marathon] = therapist.items(f"{url}/runs", **{"from": race["date"], "to": race["date"]})
    assert (marathon["distance_km"], marathon["pain_during"], marathon["pain_after"]) == (42.2, 0, 1)
    assert in_care(therapist.items(f"{url}/responses", questionnaire="kujala")) == [71, 84, 95]
    assert (episode["status"], episode["discharge_reason"]) == ("discharged", "goals_met")
    assert date.fromisoformat(episode["discharge_date"]) > race_day


def test_the_same_seed_gives_the_same_clinic(demo_clinic, new_app, run_demo, fingerprint):
    again = run_demo(new_app(), "--patients", str(demo_clinic.patients))
    assert again.exit_code == 0, again.output
    assert fingerprint(again.app) == fingerprint(demo_clinic.app)
    # The passwords are not drawn from the seed: each clinic's are its own.
    assert {password for _role, password in again.passwords.values()}.isdisjoint(
        {password for _role, password in demo_clinic.passwords.values()})


def test_it_refuses_a_database_with_patients_unless_forced_and_then_adds_beside(new_app, run_demo):
    app = new_app()
    assert run_demo(app, "--patients", "3").exit_code == 0

    def patient_ids() -> set[Any]:
        with app.app_context():
            return set(db.session.scalars(select(Patient.id)))
    before = patient_ids()
    refused = run_demo(app, "--patients", "3")
    assert refused.exit_code != 0 and "holds 3 patients" in refused.output and "--force" in refused.output
    assert run_demo(app, "--if-empty").exit_code == 0
    assert patient_ids() == before

    forced = run_demo(app, "--patients", "3", "--force")
    assert forced.exit_code == 0, forced.output
    after = patient_ids()
    assert before < after and len(after) == 6
    assert forced.passwords == {}  # the demo staff exist: reused, their passwords not printed again
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 4
