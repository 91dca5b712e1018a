"""Property-based fuzzing of every operation of the served OpenAPI document against the real server (gunicorn,
``fuzz_clinic``), as each role, with schemathesis: valid and invalid inputs (its positive and negative modes), and
every answer checked against the document (no 500, a documented status, content type and body).

What the fuzzer sends is made real where a random value would only ever meet a 404 or a 412: the path parameters
name records created through HTTP before the run (a patient, an episode with a signed evaluation and its addendum,
a draft visit, a response, a pain score, a run, a goal, a staff account), unless the case is one whose path is
deliberately invalid; a PATCH carries the ETag of a GET made just before it, unless its headers are the invalid part.
Logout and the password change run as a throwaway account of the same role (each with a fresh token), so the role's
own token stays valid for the rest of the run.

``FUZZ_MAX_EXAMPLES`` sets the cases per operation and role (default 6: about 3 000 cases a database in all).
"""
from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import API, EVALUATION, FOLLOW_UP, GOAL, KNEE_EPISODE, MADDIE, PAIN_SCORE, RESPONSE, RUN, intake

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "16"))
# schemathesis' phases: "examples" and "fuzzing" (random valid and invalid cases); "coverage" adds its boundary cases
# (about 13 000 more a database, a minute and a half: run it with FUZZ_PHASES=examples,coverage,fuzzing).
PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing").split(",")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ("front_desk", "therapist", "admin")
# The operations that end the caller's session: they run as the role's throwaway account (tests/conftest.py).
SESSION_ENDING = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password")}


def _call(live: Any, method: str, path: str, token: str, status: int = 201, **kwargs: Any) -> dict[str, Any]:
    answer = live.call(method, API + path, token, **kwargs)
    assert answer.status_code == status, (method, path, answer.status_code, answer.text)
    return answer.json()


@pytest.fixture(scope="session")
def fuzz_records(fuzz_clinic) -> dict[str, Any]:
    """The records the path parameters name, created through HTTP as the staff whose work they are."""
    live, tokens = fuzz_clinic.live, fuzz_clinic.tokens
    desk, pt, admin = tokens["front_desk"], tokens["therapist"], tokens["admin"]
    patient = _call(live, "POST", "/patients", desk, json={**MADDIE, "confirm_new": True})
    spare = _call(live, "POST", "/patients", desk, json={**MADDIE, "confirm_new": True})  # the one DELETE archives
    episode = _call(live, "POST", f"/patients/{patient['id']}/episodes", pt, json=KNEE_EPISODE)
    episode_url = f"/episodes/{episode['id']}"
    evaluation = _call(live, "POST", f"{episode_url}/visits", pt, json=EVALUATION)
    _call(live, "POST", f"/visits/{evaluation['id']}/sign", pt, status=200)
    _call(live, "POST", f"{episode_url}/responses", desk, json=intake(calf_pain_swelling=True))  # raises "dvt"
    addendum = _call(live, "POST", f"/visits/{evaluation['id']}/addenda", pt, json={"text": "Seen again."})
    draft = _call(live, "POST", f"{episode_url}/visits", pt, json={**FOLLOW_UP, "visit_date": "2026-09-08"})
    user = _call(live, "POST", "/users", admin, json={"email": "fuzzed@clinic.test", "full_name": "Fuzzed Account",
                                                      "role": "therapist", "password": "Seven-Gentle-Hills-at-Dawn-42"})
    return {
        "patient_id": patient["id"], "episode_id": episode["id"], "visit_id": draft["id"],
        "addendum_id": addendum["id"], "archived_patient_id": spare["id"], "user_id": user["id"],
        "code": "nprs", "version": 1, "flag": "dvt",
        "response_id": _call(live, "POST", f"{episode_url}/responses", pt, json=RESPONSE)["id"],
        "score_id": _call(live, "POST", f"{episode_url}/pain-scores", pt, json=PAIN_SCORE)["id"],
        "run_id": _call(live, "POST", f"{episode_url}/runs", pt, json=RUN)["id"],
        "goal_id": _call(live, "POST", f"{episode_url}/goals", pt, json=GOAL)["id"],
    }


class Run:
    """One role's run: the token, the real ids, and the cases sent."""

    def __init__(self, clinic: Any, records: dict[str, Any], role: str):
        self.clinic, self.records, self.role = clinic, records, role
        self.token = clinic.tokens[role]
        self.cases = 0
        self.statuses: Counter[int] = Counter()

    def _negative(self, case: schemathesis.Case, location: ParameterLocation) -> bool:
        meta = case.meta
        component = meta.components.get(location) if meta else None
        return component is not None and component.mode == GenerationMode.NEGATIVE

    def prepare(self, case: schemathesis.Case) -> None:
        """Real ids in the path, the current ETag in If-Match, and whose token it sends."""
        if case.path_parameters and not self._negative(case, ParameterLocation.PATH):
            case.path_parameters = {name: self.records.get(name, value) for name, value in case.path_parameters.items()}
            if case.method.upper() == "DELETE":
                case.path_parameters["patient_id"] = self.records["archived_patient_id"]
        token = self.token
        if (case.method.upper(), case.path) in SESSION_ENDING:
            token = self.clinic.token(f"fuzz-{self.role}@clinic.test")
        case.headers = dict(case.headers or {})
        case.headers["Authorization"] = f"Bearer {token}"
        if case.method.upper() == "PATCH" and not self._negative(case, ParameterLocation.HEADER):
            current = requests.get(self.clinic.live.url + case.formatted_path, timeout=30,
                                   headers={"Authorization": f"Bearer {token}"})
            if "ETag" in current.headers:
                case.headers["If-Match"] = current.headers["ETag"]


@pytest.fixture(params=ROLES)
def role_run(request, fuzz_clinic, fuzz_records) -> Iterator[Run]:
    run = Run(fuzz_clinic, fuzz_records, request.param)
    started = time.monotonic()
    yield run
    # Shown at the end of the run (tests/conftest.py): the cases sent, their time and their answers.
    request.node.user_properties.append((
        "fuzz", f"{run.role}: {run.cases} cases in {time.monotonic() - started:.1f} s, "
        + ", ".join(f"{status}×{count}" for status, count in sorted(run.statuses.items()))))


@pytest.fixture
def fuzzed_api(request, fuzz_clinic, role_run):
    # schemathesis 4.32 names each operation's subtest through the node's ``_nodeid``, which pytest 9.2 no longer has
    # (it keeps ``_id`` behind ``nodeid``): give it the attribute it reads and writes, for its reports only.
    request.node._nodeid = request.node.nodeid
    schema = schemathesis.openapi.from_url(fuzz_clinic.live.url + "/openapi.json")
    schema.config.update(base_url=fuzz_clinic.live.url)
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                                    max_examples=MAX_EXAMPLES, database="none")
    schema.config.phases.update(phases=PHASES)
    schema.config.checks.update(included_check_names=[check.__name__ for check in CHECKS])
    return schema


schema = schemathesis.pytest.from_fixture("fuzzed_api")


@schema.parametrize()
def test_every_operation_as_each_role(case, role_run):
    role_run.prepare(case)
    role_run.cases += 1
    response = case.call_and_validate(checks=CHECKS)
    role_run.statuses[response.status_code] += 1
    if os.environ.get("FUZZ_DEBUG"):
        print("CASE", role_run.role, case.meta.generation.mode if case.meta else None, case.method, case.formatted_path,
              response.status_code, flush=True)
