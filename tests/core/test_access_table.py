"""Who may do what, as one table: a row per route (Flask endpoint, method) of the URL map, with the status each role
gets on its own object and on another's (a draft's author, one's own account), the real objects the call needs and a
valid body, so that "allowed" means the 2xx of a call that worked, not a 422.

Each row is checked as every role (own and other where the object has an owner), without a token (401), with an
unknown value in each path parameter (404, as each role allowed), and against the OpenAPI document's ``x-roles``. A
refused call writes nothing (no audit event). Every answer given is walked: no key like a hash, a password or a token
digest anywhere, and the front desk gets no note text, addenda, review or discharge note, nor outcome figures. A route
added without a row fails ``test_every_route_has_a_row_and_every_row_a_route``, as does a row whose route is gone.

A new row is one line: ``(endpoint, method): allow(path, status, *roles, body=..., query=..., own_only=...,
needs=...)``. The path names objects in braces (``{draft}``, ``{care}``, ...), each made by ``World.make_<name>``;
``own_only`` lists the roles allowed only on their own object (403 on another's); ``needs`` names objects to make
first (what a list should find)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from string import Formatter
from typing import Any

import pytest
from sqlalchemy import func, select

from clinic_api import create_app
from clinic_api.audit.models import AuditEvent
from clinic_api.core.access import is_public
from clinic_api.extensions import db
from tests.factories import (
    API,
    EVALUATION,
    FOLLOW_UP,
    KNEE_EPISODE,
    MADDIE,
    PASSWORD,
    RESPONSE,
    RUN,
    UNKNOWN_ID,
    UWRI,
    VOID,
    WRONG_CHART,
    intake,
    without,
)

FD, PT, ADMIN = "front_desk", "therapist", "admin"
ROLES = (FD, PT, ADMIN)
STAFF_ROLES = ROLES
OWN, OTHER, ANY = "own", "other", "any"
ROLE_FIXTURES = {FD: "as_front_desk", PT: "as_therapist", ADMIN: "as_admin"}

Body = dict[str, Any] | Callable[["World"], dict[str, Any]] | None


@dataclass(frozen=True)
class Row:
    path: str  # under /api/v1, with {object} placeholders (see World.make_*)
    status: int  # the answer to a role allowed
    roles: frozenset[str]  # the roles allowed
    body: Body = None
    query: Body = None
    own_only: frozenset[str] = field(default_factory=frozenset)  # allowed on their own object only
    needs: tuple[str, ...] = ()  # objects made before the call (what a list or a search should find)

    def expected(self, role: str, ownership: str) -> int:
        if role not in self.roles or (role in self.own_only and ownership == OTHER):
            return 403
        return self.status

    def placeholders(self) -> list[str]:
        return [name for _, name, _, _ in Formatter().parse(self.path) if name]


def allow(path: str, status: int, *roles: str, body: Body = None, query: Body = None,
          own_only: tuple[str, ...] | str = (), needs: tuple[str, ...] = ()) -> Row:
    return Row(path, status, frozenset(roles), body, query,
               frozenset((own_only,) if isinstance(own_only, str) else own_only), needs)


# Public routes: no token, no role (tests/core/test_access.py checks that these are all).
PUBLIC = {("auth.login", "POST"), ("health.healthz", "GET"), ("health.readyz", "GET"),
          ("api-docs.openapi_json", "GET"), ("api-docs.openapi_swagger_ui", "GET"), ("swagger_ui_assets", "GET"),
          ("static", "GET")}

ADDENDUM = "Late entry: iced after the session."
DISCHARGE_NOTE = "Discharged pain-free; referred back to the sports physician for the left hip."
ACK_NOTE = "Reviewed: no calf swelling; Wells score 0."
# What the front desk never reads: the note text of the visits the World writes, their addenda (and the outcome
# figures, whose keys are below).
NOTE_TEXTS = {FOLLOW_UP[part] for part in ("subjective", "objective", "assessment", "plan")} | {
    EVALUATION[part] for part in ("subjective", "objective", "assessment", "plan")} | {ADDENDUM, DISCHARGE_NOTE,
                                                                                      ACK_NOTE}
CLINICAL_KEYS = {"subjective", "objective", "assessment", "plan", "addenda", "acknowledgement_note", "discharge_note",
                 "mcid_reached",
                 "days_to_mcid", "visits_to_mcid", "percent_change", "return_to_run"}
SECRET_KEY = re.compile(r"hash|^password|token_digest", re.IGNORECASE)

PENDING_EPISODE = without(KNEE_EPISODE, "diagnosis_code", "diagnosis_text")  # the front desk's, for the intake
NEW_USER = {"email": "x@clinic.test", "full_name": "X", "role": "therapist", "password": "Long-enough-passphrase-9"}

ROUTES: dict[tuple[str, str], Row] = {
    ("auth.logout", "POST"): allow("/auth/logout", 204, *STAFF_ROLES),
    ("auth.me", "GET"): allow("/auth/me", 200, *STAFF_ROLES),
    ("auth.change_password", "POST"): allow("/auth/password", 200, *STAFF_ROLES, body={
        "current_password": PASSWORD, "new_password": "A-new-long-passphrase-77"}),
    ("auth.Users", "GET"): allow("/users", 200, ADMIN),
    ("auth.Users", "POST"): allow("/users", 201, ADMIN, body=NEW_USER),
    ("auth.UserItem", "GET"): allow("/users/{user}", 200, ADMIN),
    ("auth.UserItem", "PATCH"): allow("/users/{user}", 200, ADMIN, body={"full_name": "Renamed"}),
    ("audit.audit_events", "GET"): allow("/audit-events", 200, ADMIN),
    ("patients.Patients", "GET"): allow("/patients", 200, FD, PT, needs=("history",)),
    ("patients.Patients", "POST"): allow("/patients", 201, FD, PT, body={**MADDIE, "confirm_new": True}),
    ("patients.PatientItem", "GET"): allow("/patients/{patient}", 200, FD, PT),
    ("patients.PatientItem", "PATCH"): allow("/patients/{patient}", 200, FD, PT, body={"mrn": "C-TYPO-FIX-1"}),
    ("patients.PatientItem", "DELETE"): allow("/patients/{patient}", 204, FD, PT),
    ("episodes.worklist", "GET"): allow("/episodes", 200, FD, PT, needs=("history",)),
    ("episodes.PatientEpisodes", "GET"): allow("/patients/{history}/episodes", 200, FD, PT),
    ("episodes.PatientEpisodes", "POST"): allow("/patients/{patient}/episodes", 201, FD, PT, body=PENDING_EPISODE),
    ("episodes.EpisodeItem", "GET"): allow("/episodes/{discharged}", 200, FD, PT),
    ("episodes.EpisodeItem", "PATCH"): allow("/episodes/{episode}", 200, PT, body={"side": "right"}),
    ("episodes.discharge", "POST"): allow("/episodes/{episode}/discharge", 200, PT, body={"reason": "goals_met"}),
    ("episodes.reopen", "POST"): allow("/episodes/{discharged}/reopen", 200, PT, body={"reason": "Pain came back."}),
    ("episodes.entered_in_error", "POST"): allow("/episodes/{episode}/entered-in-error", 200, PT, body=WRONG_CHART),
    ("episodes.red_flags", "GET"): allow("/episodes/{reviewed}/red-flags", 200, FD, PT),
    ("episodes.acknowledge_red_flag", "POST"): allow("/episodes/{flagged}/red-flags/{flag}/acknowledge", 200, PT,
                                                     body={"note": ACK_NOTE}),
    ("episodes.due", "GET"): allow("/episodes/{episode}/due", 200, FD, PT),
    ("questionnaires.Questionnaires", "GET"): allow("/questionnaires", 200, *STAFF_ROLES),
    ("questionnaires.Questionnaires", "POST"): allow("/questionnaires", 201, ADMIN, body={**UWRI, "code": "uwri_t"}),
    ("questionnaires.questionnaire", "GET"): allow("/questionnaires/{code}", 200, *STAFF_ROLES),
    ("questionnaires.questionnaire_version", "GET"): allow("/questionnaires/{code}/versions/{version}", 200,
                                                           *STAFF_ROLES),
    ("questionnaires.EpisodeResponses", "GET"): allow("/episodes/{episode}/responses", 200, FD, PT,
                                                      needs=("response",)),
    ("questionnaires.EpisodeResponses", "POST"): allow("/episodes/{episode}/responses", 201, FD, PT, body=RESPONSE),
    ("questionnaires.response", "GET"): allow("/responses/{response}", 200, FD, PT),
    ("visits.visits_across_episodes", "GET"): allow("/visits", 200, FD, PT, needs=("signed", "draft")),
    ("visits.EpisodeVisits", "GET"): allow("/episodes/{care}/visits", 200, FD, PT, needs=("signed", "draft")),
    ("visits.EpisodeVisits", "POST"): allow("/episodes/{care}/visits", 201, PT, body={
        "visit_type": "follow_up", "visit_date": "2026-09-09"}),
    ("visits.VisitItem", "GET"): allow("/visits/{signed}", 200, FD, PT),
    ("visits.VisitItem", "PATCH"): allow("/visits/{draft}", 200, PT, own_only=PT, body={"plan": "Hopping drills."}),
    ("visits.sign_visit", "POST"): allow("/visits/{draft}/sign", 200, PT, own_only=PT),
    ("visits.void_visit", "POST"): allow("/visits/{draft}/void", 200, PT, own_only=PT, body=VOID),
    ("visits.visit_entered_in_error", "POST"): allow("/visits/{signed}/entered-in-error", 200, PT, ADMIN,
                                                     own_only=PT, body=WRONG_CHART),
    ("visits.drafts", "GET"): allow("/visits/drafts", 200, ADMIN,
                                    query=lambda world: {"therapist_id": world.therapist_id}),
    ("visits.reassign", "POST"): allow("/visits/{draft}/reassign", 200, ADMIN,
                                       body=lambda world: {"therapist_id": world.other_therapist_id}),
    ("visits.add_addendum", "POST"): allow("/visits/{signed}/addenda", 201, PT, body={"text": "Late entry: ice."}),
    ("visits.addendum", "GET"): allow("/addenda/{addendum}", 200, PT),
    ("visits.EpisodePainScores", "GET"): allow("/episodes/{care}/pain-scores", 200, PT, needs=("pain",)),
    ("visits.EpisodePainScores", "POST"): allow("/episodes/{care}/pain-scores", 201, PT, body={
        "score": 3, "context": "current"}),
    ("visits.pain_score", "GET"): allow("/pain-scores/{pain}", 200, PT),
    ("visits.pain_score_entered_in_error", "POST"): allow("/pain-scores/{pain}/entered-in-error", 200, PT,
                                                          body=WRONG_CHART),
    ("visits.EpisodeRuns", "GET"): allow("/episodes/{care}/runs", 200, PT, needs=("run",)),
    ("visits.EpisodeRuns", "POST"): allow("/episodes/{care}/runs", 201, PT, body=RUN),
    ("visits.weekly_runs", "GET"): allow("/episodes/{care}/runs/weekly", 200, PT),
    ("visits.run", "GET"): allow("/runs/{run}", 200, PT),
    ("visits.run_entered_in_error", "POST"): allow("/runs/{run}/entered-in-error", 200, PT, body=WRONG_CHART),
    ("visits.EpisodeGoals", "GET"): allow("/episodes/{care}/goals", 200, PT, needs=("goal",)),
    ("visits.EpisodeGoals", "POST"): allow("/episodes/{care}/goals", 201, PT, body={"text": "Run 5 km pain-free"}),
    ("visits.GoalItem", "GET"): allow("/goals/{goal}", 200, PT),
    ("visits.GoalItem", "PATCH"): allow("/goals/{goal}", 200, PT, body={"status": "met"}),
    ("outcomes.episode_outcomes", "GET"): allow("/episodes/{care}/outcomes", 200, PT),
    ("outcomes.episode_story", "GET"): allow("/episodes/{care}/outcomes/story", 200, PT),
    ("outcomes.episode_chart", "GET"): allow("/episodes/{care}/outcomes/chart.svg", 200, PT),
    ("outcomes.patient_outcomes", "GET"): allow("/patients/{patient}/outcomes", 200, PT),
    ("reports.outcome_report", "GET"): allow("/reports/outcomes", 200, PT, ADMIN, needs=("care",)),
    ("reports.outcome_report_csv", "GET"): allow("/reports/outcomes.csv", 200, PT, ADMIN, needs=("care",)),
}


@cache
def served() -> dict[tuple[str, str], str]:
    """(endpoint, method) -> URL rule of every route the app serves (HEAD and OPTIONS aside)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, environment="test")
    with app.test_request_context():
        return {(rule.endpoint, method): rule.rule for rule in app.url_map.iter_rules()
                for method in rule.methods - {"HEAD", "OPTIONS"} if not is_public(rule.endpoint)}


class World:
    """The objects a row's path names, made through the API as the staff whose work they are, each once per test.

    An object with an owner (``draft``, ``signed``: the author of the note; ``user``: an account) is the caller's
    own for ``OWN`` and someone else's for ``OTHER``."""

    OWNED = {"draft": {PT}, "signed": {PT}, "user": set(ROLES)}

    def __init__(self, request: pytest.FixtureRequest, role: str, ownership: str):
        self.request, self.role, self.ownership = request, role, ownership
        self.objects: dict[str, Any] = {}

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    @property
    def caller(self) -> Any:
        return self.fixture(ROLE_FIXTURES[self.role])

    @property
    def author(self) -> Any:
        """Who writes the notes the caller acts on: the caller, or the other therapist."""
        own = self.role == PT and self.ownership == OWN
        return self.fixture("as_therapist" if own else "as_other_therapist")

    @property
    def therapist_id(self) -> str:
        return str(self.fixture("as_therapist").user.id)

    @property
    def other_therapist_id(self) -> str:
        return str(self.fixture("as_other_therapist").user.id)

    def __getitem__(self, name: str) -> Any:
        if name not in self.objects:
            self.objects[name] = getattr(self, f"make_{name}")()
        return self.objects[name]

    def make_patient(self) -> str:
        return self.fixture("create_patient")()["id"]

    def make_episode(self) -> str:
        return self.fixture("create_episode")(self["patient"])["id"]

    def make_discharged(self) -> str:
        """An episode discharged today, with the therapist's note."""
        episode = self.fixture("create_episode")(self["patient"])["id"]
        answer = self.fixture("as_therapist").post(f"{API}/episodes/{episode}/discharge",
                                                   json={"reason": "goals_met", "note": DISCHARGE_NOTE})
        assert answer.status_code == 200, answer.get_json()
        return episode

    def make_reviewed(self) -> str:
        """An episode whose intake raised a flag that a therapist reviewed, with a note."""
        episode = self["flagged"]
        answer = self.fixture("as_therapist").post(f"{API}/episodes/{episode}/red-flags/dvt/acknowledge",
                                                   json={"note": ACK_NOTE})
        assert answer.status_code == 200, answer.get_json()
        return episode

    def make_history(self) -> str:
        """The patient, with a discharged episode, a reviewed flag and an open one (on another episode)."""
        self["discharged"], self["reviewed"]
        self.fixture("create_response")(self.fixture("create_episode")(self["patient"])["id"],
                                        client=self.fixture("as_front_desk"), **intake(calf_pain_swelling=True))
        return self["patient"]

    def make_flagged(self) -> str:
        episode = self.fixture("create_episode")(self["patient"])["id"]
        self.fixture("create_response")(episode, client=self.fixture("as_front_desk"),
                                        **intake(calf_pain_swelling=True))
        return episode

    def make_flag(self) -> str:
        return "dvt"

    def make_care(self) -> str:
        """An episode in care: its initial evaluation signed."""
        episode = self.fixture("create_episode")(self["patient"])["id"]
        self.fixture("create_signed_visit")(episode)
        return episode

    def make_draft(self) -> str:
        return self.fixture("create_visit")(self["care"], client=self.author, **FOLLOW_UP,
                                            visit_date="2026-09-08")["id"]

    def make_signed(self) -> str:
        """A signed follow-up, with an addendum (by the therapist)."""
        visit = self.fixture("create_signed_visit")(self["care"], client=self.author, **FOLLOW_UP,
                                                    visit_date="2026-09-05")["id"]
        answer = self.fixture("as_therapist").post(f"{API}/visits/{visit}/addenda", json={"text": ADDENDUM})
        assert answer.status_code == 201, answer.get_json()
        self.objects["addendum"] = answer.get_json()["id"]
        return visit

    def make_addendum(self) -> str:
        self["signed"]
        return self.objects["addendum"]

    def make_response(self) -> str:
        return self.fixture("create_response")(self["episode"])["id"]

    def make_pain(self) -> str:
        return self.fixture("create_pain_score")(self["care"], score=4, context="stairs_down")["id"]

    def make_run(self) -> str:
        return self.fixture("create_run")(self["care"])["id"]

    def make_goal(self) -> str:
        return self.fixture("create_goal")(self["care"], text="Back to 40 km a week")["id"]

    def make_user(self) -> str:
        if self.ownership == OWN:
            return str(self.caller.user.id)
        return self.other_therapist_id

    def make_code(self) -> str:
        return "kujala"

    def make_version(self) -> str:
        return "1"

    def url(self, row: Row, **replaced: str) -> str:
        return API + row.path.format(**{name: replaced.get(name) or self[name] for name in row.placeholders()})

    def prepare(self, method: str, row: Row, **replaced: str) -> dict[str, Any]:
        """The request of the row (url, body, query, headers), every object it names made."""
        for name in row.needs:
            self[name]
        url = self.url(row, **replaced)
        return {"method": method, "path": url, "json": row.body(self) if callable(row.body) else row.body,
                "query_string": row.query(self) if callable(row.query) else row.query,
                "headers": {"If-Match": self.etag(url)} if method == "PATCH" else {}}

    def call(self, client: Any, method: str, row: Row, **replaced: str) -> Any:
        return client.request(**self.prepare(method, row, **replaced))

    def etag(self, url: str) -> str:
        """The ETag of the object as a role that may change it reads it (a refused caller gets a valid one too,
        so that its 403 is not a 428 or 412 in disguise)."""
        for reader in ("as_therapist", "as_admin"):
            answer = self.fixture(reader).get(url)
            if answer.status_code == 200:
                return answer.headers["ETag"]
        return "*"  # no role reads it: the row is wrong, and its test says so


def ownerships(row: Row, role: str) -> list[str]:
    owned = [name for name in row.placeholders() if name in World.OWNED]
    return [OWN, OTHER] if any(role in World.OWNED[name] for name in owned) else [ANY]


def cases() -> Iterator[Any]:
    for (endpoint, method), row in ROUTES.items():
        for role in ROLES:
            for ownership in ownerships(row, role):
                yield pytest.param(endpoint, method, role, ownership, id=f"{endpoint} {method} {role} {ownership}")


def rows() -> list[Any]:
    return [pytest.param(endpoint, method, id=f"{endpoint} {method}") for endpoint, method in ROUTES]


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", rule)


# ---- the table covers the URL map, and agrees with the OpenAPI document -----------------------------------------

def test_every_route_has_a_row_and_every_row_a_route(app):
    with app.test_request_context():
        routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"}}
        public = {(endpoint, method) for endpoint, method in routes if is_public(endpoint)}
    assert public == PUBLIC

    missing = sorted(routes - PUBLIC - ROUTES.keys())
    gone = sorted(ROUTES.keys() - routes)
    assert not missing, f"routes without a row in ROUTES: {missing}"
    assert not gone, f"rows of ROUTES whose route is not served: {gone}"
    # Each row's path really is its route.
    adapter = app.url_map.bind("localhost")
    for (endpoint, method), row in ROUTES.items():
        example = row.path.format(**{name: {"code": "kujala", "version": "1", "flag": "dvt"}.get(name, UNKNOWN_ID)
                                     for name in row.placeholders()})
        assert adapter.match(API + example, method)[0] == endpoint, (endpoint, method, row.path)


def test_the_table_and_the_documented_roles_agree(anonymous):
    spec = anonymous.get("/openapi.json").get_json()
    for (endpoint, method), row in ROUTES.items():
        operation = spec["paths"][openapi_path(served()[endpoint, method])][method.lower()]
        assert set(operation["x-roles"]) == row.roles, (endpoint, method)
        assert str(row.status) in operation["responses"], (endpoint, method)
        assert {"401", "403"} <= operation["responses"].keys(), (endpoint, method)


# ---- each row, as each role ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("endpoint", "method", "role", "ownership"), list(cases()))
def test_who_may_do_what(request, app, endpoint, method, role, ownership):
    row = ROUTES[endpoint, method]
    world = World(request, role, ownership)
    call = world.prepare(method, row)
    events = audit_events(app)

    response = world.caller.request(**call)

    expected = row.expected(role, ownership)
    assert response.status_code == expected, (response.status_code, response.get_json())
    if expected == 403:
        assert response.content_type == "application/problem+json"
        assert response.get_json()["status"] == 403
        assert audit_events(app) == events  # a refused request writes nothing (every write is audited)
    elif response.is_json and response.data:
        keys, strings = keys_and_strings(response.get_json())
        assert not {key for key in keys if SECRET_KEY.search(key)}, sorted(keys)
        if role == FD:
            assert not keys & CLINICAL_KEYS, sorted(keys & CLINICAL_KEYS)
            assert not strings & NOTE_TEXTS, sorted(strings & NOTE_TEXTS)


def audit_events(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def keys_and_strings(body: Any) -> tuple[set[str], set[str]]:
    """Every key and every string value anywhere in a JSON body."""
    keys: set[str] = set()
    strings: set[str] = set()
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            keys.update(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            strings.add(value)
    return keys, strings


@pytest.mark.parametrize(("endpoint", "method"), rows())
def test_without_a_token_is_401(request, anonymous, endpoint, method):
    row = ROUTES[endpoint, method]
    world = World(request, sorted(row.roles)[0], OWN)

    response = world.call(anonymous, method, row)

    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


UNKNOWN = {"code": "no_such_code", "version": "9999", "flag": "no_such_flag"}


@pytest.mark.parametrize(("endpoint", "method"), [case for case in rows()
                                                  if ROUTES[case.values[0], case.values[1]].placeholders()])
def test_an_unknown_object_is_404_to_each_role_allowed(request, endpoint, method):
    row = ROUTES[endpoint, method]
    for role in sorted(row.roles):
        for name in row.placeholders():
            world = World(request, role, OWN)

            response = world.call(world.caller, method, row, **{name: UNKNOWN.get(name, UNKNOWN_ID)})

            assert response.status_code == 404, (role, name, response.status_code, response.get_json())
            assert response.content_type == "application/problem+json"
