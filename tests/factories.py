"""What the tests send, in one place: the payloads of every kind of record, the helpers more than one test
module needs, and the plain functions behind conftest's factory fixtures.

A test module imports from here (``from tests.factories import EVALUATION, assert_problem``) and takes its
fixtures from conftest (``create_visit``, ``as_therapist``, …); it never imports from another test module.

The payloads are valid as they stand, for the knee episode that starts on 2026-09-01: a test changes one
field with ``{**EVALUATION, "plan": …}`` or the factory fixture's keywords, ``create_visit(episode_id,
plan=…)``.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, update

from clinic_api.auth import service as auth_service
from clinic_api.auth.models import AccessToken, User
from clinic_api.extensions import db
from clinic_api.patients.models import EpisodeOfCare, Patient

API = "/api/v1"
AUDIT = f"{API}/audit-events"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"  # a well-formed id that names nothing
NOTE_MAX = 20_000  # the longest part of a visit note, or addendum, in characters

# ---- staff -------------------------------------------------------------------------------------------

PASSWORD = "Test-Passphrase-for-Staff-42"
# key: (email, role). Every test database has these four; the role fixtures sign them in.
STAFF = {"admin": ("admin@clinic.test", "admin"), "therapist": ("pt@clinic.test", "therapist"),
         "therapist2": ("pt2@clinic.test", "therapist"), "front_desk": ("desk@clinic.test", "front_desk")}


def create_staff(key: str) -> User:
    """The member of staff ``key`` of STAFF, added to the database of the current app context (uncommitted)."""
    email, role = STAFF[key]
    return auth_service.create_user(email=email, full_name=key.replace("_", " ").title(), role=role,
                                    password=PASSWORD)


# ---- patients and episodes ------------------------------------------------------------------------------

MADDIE = {"first_name": "Maddie", "last_name": "Runner", "date_of_birth": "1994-05-17", "sex": "female",
          "email": "maddie@example.org", "phone": "+1 555 010 0199",
          "running_profile": {"weekly_distance_km": 40, "years_running": 8,
                              "goal_race": {"name": "City Marathon", "date": "2027-04-18", "distance_km": 42.2}}}

KNEE_EPISODE = {"body_region": "knee", "side": "left", "diagnosis_code": "M22.2X2",
                "diagnosis_text": "Patellofemoral pain syndrome, left knee", "onset_date": "2026-08-10",
                "referral_source": "Sports physician", "start_date": "2026-09-01"}
# The body of POST /episodes/{id}/discharge: the knee episode discharged a month after it started.
DISCHARGE = {"discharge_date": "2026-10-01", "reason": "goals_met"}

# ---- visits, pain scores, runs, goals ----------------------------------------------------------------

EVALUATION = {
    "visit_date": "2026-09-01", "visit_type": "initial_evaluation",
    "subjective": "Anterior knee pain for 3 weeks, worse on stairs down.\n  Ran 40 km/week before.",
    "objective": "Pain on single-leg squat at 40°; weak hip abductors (4/5).",
    "assessment": "Patellofemoral pain, left knee.",
    "plan": "Hip and quadriceps strengthening, load management, graded return to running.",
    "interventions": [{"code": "97110", "description": "Therapeutic exercise", "minutes": 30}],
    "home_exercises": [{"name": "Side-lying hip abduction", "sets": 3, "reps": 15, "load": "body weight",
                        "frequency": "daily", "notes": None}],
    "pain_scores": [{"score": 7, "context": "stairs_down"}, {"score": 5, "context": "current"}],
}
# A later visit: give it a visit_date on or after the evaluation's.
FOLLOW_UP = {"visit_type": "follow_up", "subjective": "Stairs easier.", "objective": "Squat pain-free to 60°.",
             "assessment": "Improving.", "plan": "Start run/walk 4:1."}

PAIN_SCORE = {"score": 3, "context": "current"}  # recorded now, as no recorded_at is given

RUN = {"run_date": "2026-09-10", "distance_km": 5.25, "duration_min": 32.5, "run_walk": "4:1", "surface": "road",
       "pain_during": 2, "pain_after": 1, "notes": "  Felt fine;\nknee quiet.  "}

GOAL = {"text": "Run 10 km pain-free"}

# ---- questionnaires --------------------------------------------------------------------------------

RESPONSE = {"questionnaire": "nprs", "answers": {"pain": 4}, "taken_at": "2026-09-02T09:00:00+00:00"}

# The runner's intake with no red flag: every screening question answered "no".
INTAKE = {
    "main_complaint": "Ache around the left kneecap on long runs and going down stairs", "side": "left",
    "onset_date": "2026-07-20", "onset_type": "after_training_change", "pain_now": 3, "pain_worst": 7,
    "pain_best": 1, "aggravated_stairs_down": True, "aggravated_stairs_up": False, "aggravated_hills": True,
    "aggravated_long_runs": True, "aggravated_squatting": True, "aggravated_sitting": True,
    "aggravated_kneeling": False, "weekly_distance_before_km": 40, "weekly_distance_now_km": 10,
    "years_running": 8, "change_distance": True, "change_hills": True, "change_shoes": False,
    "change_surface": False, "change_speed_work": False,
    "fever_or_unwell_hot_swollen_knee": False, "night_pain_wakes": False, "unexplained_weight_loss": False,
    "locking_or_giving_way": False, "large_swelling_after_injury": False,
    "unable_to_bear_weight_four_steps": False, "calf_pain_swelling": False, "leg_numbness_tingling": False,
    "hip_or_thigh_pain": False, "pain_at_rest_or_night_with_focal_bone_tenderness": False,
    "pain_on_hopping": False, "hip_or_groin_pain": False,
}


def intake(taken_at: str = "2026-09-01T09:00:00+00:00", **answers: Any) -> dict[str, Any]:
    """The body of an intake the patient filled in: INTAKE with these answers changed (a red flag: ``True``).

    ``create_response(episode_id, **intake(calf_pain_swelling=True))`` records it."""
    return {"questionnaire": "runner_intake", "answers": {**INTAKE, **answers}, "taken_at": taken_at,
            "source": "patient"}


# Kujala (Anterior Knee Pain Scale) answers scoring 56 and 88 of 100 (each option's points in the definition).
KUJALA_56 = {"limp": "slight_or_periodical", "support": "full_support_without_pain", "walking": "more_than_2_km",
             "stairs": "pain_descending_and_ascending", "squatting": "painful_each_time", "running": "severe_pain",
             "jumping": "constant_pain", "prolonged_sitting": "constant_pain", "pain": "interferes_with_sleep",
             "swelling": "after_daily_activities", "abnormal_kneecap_movements": "occasionally_in_sports",
             "thigh_atrophy": "slight", "flexion_deficiency": "none"}
KUJALA_88 = {"limp": "none", "support": "full_support_without_pain", "walking": "unlimited",
             "stairs": "slight_pain_when_descending", "squatting": "repeated_squatting_painful",
             "running": "slight_pain_from_start", "jumping": "slight_difficulty",
             "prolonged_sitting": "pain_after_exercise", "pain": "none", "swelling": "none",
             "abnormal_kneecap_movements": "none", "thigh_atrophy": "none", "flexion_deficiency": "none"}

# A running-specific instrument a clinic adds itself (UWRI, Nelson 2019: 9 items, 0–36, MCID 8). The item
# texts here are ours for the test, not the published form.
UWRI = {
    "code": "uwri", "title": "Running Injury and Recovery Index (clinic test form)",
    "citation": "Nelson EO et al. JOSPT 2019;49(10):751-760",
    "items": [{"id": f"q{n}", "text": f"Test item {n}", "type": "choice", "required": True,
               "options": [{"code": f"level_{p}", "text": f"Level {p}", "points": p} for p in range(5)]}
              for n in range(1, 10)],
    "scoring": {"method": "sum", "items": [f"q{n}" for n in range(1, 10)], "precision": 0},
    "range": {"min": 0, "max": 36}, "higher_is_better": True,
    "mcid": {"points": 8, "percent": None, "source": "Nelson EO et al. 2020"},
}

# ---- dates and times -------------------------------------------------------------------------------
# The test settings keep the clinic on UTC (conftest clears CLINIC_TIMEZONE): the clinic's day is UTC's.


def today() -> date:
    return datetime.now(UTC).date()


def days_ahead(n: int) -> str:
    """The ISO date ``n`` days after today (before it, for a negative ``n``)."""
    return (today() + timedelta(days=n)).isoformat()


def instant_ahead(**delta: float) -> str:
    """The ISO instant that far from now, e.g. ``instant_ahead(minutes=30)``, ``instant_ahead(days=-15)``."""
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def resolved(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes with every callable value called, in lists of dicts too: a case table says
    ``lambda: days_ahead(2)`` so that relative dates are computed when the test runs, not at import."""
    def value(v: Any) -> Any:
        if callable(v):
            return v()
        if isinstance(v, list):
            return [{k: value(x) for k, x in item.items()} if isinstance(item, dict) else item for item in v]
        return v
    return {key: value(v) for key, v in changes.items()}


def without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The body without these keys (a case table marks a field to leave out with ``...``)."""
    return {key: value for key, value in body.items() if key not in keys and value is not ...}


# ---- reading answers ---------------------------------------------------------------------------------

def created(response: Any, status: int = 201) -> dict[str, Any]:
    """The JSON of an answer that must have this status (201 Created by default)."""
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def read(client: Any, url: str, **query: Any) -> dict[str, Any]:
    """GET the url as ``client``; it must answer 200; its JSON."""
    return created(client.get(url, query_string=query), 200)


def listed(client: Any, url: str, **query: Any) -> list[dict[str, Any]]:
    """The items of a list endpoint (100 to the page), read as ``client``."""
    return read(client, url, per_page=100, **query)["items"]


def listed_ids(client: Any, url: str, **query: Any) -> list[str]:
    """The ids of the items of a list endpoint (100 to the page), in its order, read as ``client``."""
    return [item["id"] for item in listed(client, url, **query)]


def assert_problem(response: Any, status: int, error_key: str | None = None) -> dict[str, Any]:
    """The answer is problem details of this status; with ``error_key``, naming exactly that field."""
    assert response.status_code == status, (response.status_code, response.get_json())
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    if error_key is not None:
        assert list(body["errors"]) == [error_key], body
    return body


def statements_for(count_queries: Any, client: Any, url: str) -> int:
    """How many SQL statements one GET of the list at ``url`` (100 to the page) runs (``count_queries`` is
    conftest's fixture)."""
    with count_queries() as counter:
        read(client, url, per_page=100)
    return counter.count


# ---- URLs --------------------------------------------------------------------------------------------

def visits_url(episode_id: str) -> str:
    return f"{API}/episodes/{episode_id}/visits"


def visit_url(visit_id: str) -> str:
    return f"{API}/visits/{visit_id}"


def outcomes_url(episode_id: str) -> str:
    return f"{API}/episodes/{episode_id}/outcomes"


def stored_visits(client: Any, episode_id: str) -> list[dict[str, Any]]:
    """The episode's visits, read as ``client``."""
    return listed(client, visits_url(episode_id))


def stored_pain_scores(client: Any, episode_id: str) -> list[dict[str, Any]]:
    """The episode's pain scores, read as ``client`` (a therapist)."""
    return listed(client, f"{API}/episodes/{episode_id}/pain-scores")


# ---- records, posted through the API -------------------------------------------------------------
# Each posts its payload with the keywords changed (a keyword given as ``...`` leaves that field out) as the
# client given, asserts 201 and returns the JSON. conftest's factory fixtures (create_patient,
# create_episode, create_visit, …) call them as the right member of staff.

def post_patient(client: Any, **overrides: Any) -> dict[str, Any]:
    """Maddie (MADDIE) again and again: each call registers another patient of that name and date of birth,
    so it confirms the new record (``confirm_new``); ``confirm_new=...`` sends the plain registration."""
    return created(client.post(f"{API}/patients", json=without({**MADDIE, "confirm_new": True, **overrides})))


def post_episode(client: Any, patient_id: str, **overrides: Any) -> dict[str, Any]:
    return created(client.post(f"{API}/patients/{patient_id}/episodes", json=without({**KNEE_EPISODE, **overrides})))


def post_visit(client: Any, episode_id: str, **overrides: Any) -> dict[str, Any]:
    """A draft visit: the initial evaluation (EVALUATION, with its two pain scores) unless overridden."""
    return created(client.post(visits_url(episode_id), json=without({**EVALUATION, **overrides})))


def sign_visit(client: Any, visit_id: str) -> dict[str, Any]:
    return created(client.post(f"{visit_url(visit_id)}/sign"), 200)


def post_signed_visit(client: Any, episode_id: str, **overrides: Any) -> dict[str, Any]:
    """A visit as post_visit makes it, then signed by the same therapist; the signed visit."""
    return sign_visit(client, post_visit(client, episode_id, **overrides)["id"])


def post_response(client: Any, episode_id: str, **body: Any) -> dict[str, Any]:
    """A questionnaire response: RESPONSE (an NPRS of 4) unless overridden, e.g. ``**intake(...)``."""
    return created(client.post(f"{API}/episodes/{episode_id}/responses", json=without({**RESPONSE, **body})))


def post_pain_score(client: Any, episode_id: str, **fields: Any) -> dict[str, Any]:
    return created(client.post(f"{API}/episodes/{episode_id}/pain-scores", json=without({**PAIN_SCORE, **fields})))


def post_run(client: Any, episode_id: str, **fields: Any) -> dict[str, Any]:
    return created(client.post(f"{API}/episodes/{episode_id}/runs", json=without({**RUN, **fields})))


def post_goal(client: Any, episode_id: str, **fields: Any) -> dict[str, Any]:
    return created(client.post(f"{API}/episodes/{episode_id}/goals", json=without({**GOAL, **fields})))


# ---- corrections -------------------------------------------------------------------------------------
# Nothing clinical is deleted: a run, a pain score, a signed note or an episode is marked entered in error, a
# draft is voided, each with a reason that is kept exactly as given (hence the spaces and the line break).

WRONG_CHART = {"reason": "  Logged in the wrong patient's chart;\nthe right one has it.  "}
VOID = {"reason": "  Duplicate of the visit logged\nby the front desk's tablet.  "}


def mark_entered_in_error(client: Any, url: str, **body: Any) -> dict[str, Any]:
    """POST ``{url}/entered-in-error`` (the URL of a run, pain score, visit or episode) as ``client``, with
    WRONG_CHART unless changed (``reason=…``); it must answer 200; the marked record."""
    return created(client.post(f"{url}/entered-in-error", json={**WRONG_CHART, **body}), 200)


def void_visit(client: Any, visit_id: str, **body: Any) -> dict[str, Any]:
    """The draft voided as ``client`` (its author), with VOID unless changed; it must answer 200; the voided
    visit."""
    return created(client.post(f"{visit_url(visit_id)}/void", json={**VOID, **body}), 200)


# ---- records stored without the API -----------------------------------------------------------------

def stored_episode() -> EpisodeOfCare:
    """An active knee episode of a new patient, added to the database of the current app context without the
    API (uncommitted): for migration tests, whose database may stand at any revision since 0005 (the
    patients' and episodes' columns are still those of 0005)."""
    patient = Patient(mrn=f"C{uuid.uuid4().int % 10**7:07d}", first_name="Ada", last_name="Old",
                      search_text="ada old", date_of_birth=date(1990, 1, 1), sex="female")
    db.session.add(patient)
    db.session.flush()
    episode = EpisodeOfCare(patient_id=patient.id, body_region="knee", side="left", diagnosis_code="M22.2",
                            diagnosis_text="PFP", start_date=date(2026, 9, 1), status="active")
    db.session.add(episode)
    db.session.flush()
    return episode


# ---- races -------------------------------------------------------------------------------------------

def at_once(client: Any, *calls: tuple[str, str, Any], headers: dict[str, str] | None = None,
            timeout: float = 60) -> list[Any]:
    """Sends the calls (method, url, body) as ``client``'s member of staff, each from a thread and a test
    client of its own, released together; the answers in the order of the calls.

    For races that need real commits, ``client`` is on an app of its own database (conftest's ``fresh_app``
    and ``new_staff``)."""
    answers: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def send(index: int, method: str, url: str, body: Any) -> None:
        own = client.on_a_new_connection()
        barrier.wait()
        answers[index] = own.request(method, url, json=body, headers=headers)

    threads = [threading.Thread(target=send, args=(index, *call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"a request took more than {timeout} s"
    return answers


def change_stored(app, statement):
    """Changes the database directly, as time passing (an expiry, an older release, a change made outside the API)
    would, and commits."""
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def stored_token(client):
    """An UPDATE of the token ``client`` signs in with."""
    return update(AccessToken).where(AccessToken.token_digest == auth_service.token_digest(client.token))


@contextmanager
def each_statement(app: Any, callback: Callable[..., None]) -> Iterator[None]:
    """``callback(connection, cursor, sql, parameters, context, executemany)`` before each SQL statement the app
    runs inside the block (the engine's ``before_cursor_execute``)."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", callback)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", callback)


def end_server_connections(app: Any) -> int:
    """PostgreSQL ends every connection to the app's database but the one asking, as a server restart does to the
    pooled ones: how many it ended."""
    import psycopg

    with app.app_context():
        url = db.engine.url
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as admin:
        return admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]
