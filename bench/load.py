"""A clinic's day under load: the front desk, three therapists and the manager at once, against gunicorn on
PostgreSQL. Prints throughput, p50/p95/p99 per kind of request and overall, and the errors (target zero; the
script exits 1 if there is one).

    .venv/bin/python -m bench.load              # about 2 minutes; writes its figures into bench/README.md
    BENCH_SECONDS=30 BENCH_CLIENTS=6 BENCH_NO_README=1 .venv/bin/python -m bench.load

The clinic is the demo's (``flask --app wsgi demo --patients 60``: a year of records written through the
services) on a cluster of its own (``bench.pgcluster``), served with the production config (gthread, 2 workers
of 4 threads). Clients are Python threads with ``requests``, each a closed loop (the next request as soon as
the answer is in, no think time), picking its next request by the weights of ``MIX``: what the front desk,
the therapists and the manager do in a day, in proportion. Every POST carries an Idempotency-Key, as a client
should. The outcome report (``GET /api/v1/reports/outcomes``) is called only if the served OpenAPI document
lists it. The client threads share the machine's cores with the server, so the figures are a floor.
"""
from __future__ import annotations

import os
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests

from bench.pgcluster import cluster
from bench.readme import write_section
from bench.server import Server, serve

SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
PATIENTS = int(os.environ.get("BENCH_PATIENTS", "60"))
REPORT = "/api/v1/reports/outcomes"
HOW_TO_RUN = ("How to run: `.venv/bin/python -m bench.load` (about 2 to 3 minutes, most of it writing the demo "
              "clinic). Like `bench.faults` it makes its own PostgreSQL cluster (`bench.pgcluster`) and never touches "
              "the machine's server. `BENCH_SECONDS` (60), `BENCH_CLIENTS` (8) and `BENCH_PATIENTS` (60) change the "
              "run; `BENCH_NO_README=1` leaves this file alone. Exit status 1 if any request failed.")
FOLLOW_UP = {"visit_type": "follow_up", "subjective": "Stairs easier; ran 5 km.", "objective": "Squat pain-free.",
             "assessment": "Improving.", "plan": "Progress the run/walk."}


@dataclass
class Clinic:
    """What the staff work on: ids and names read through the API before the clock starts."""
    server: Server
    tokens: dict[str, list[str]]  # role -> tokens of its staff
    caseloads: dict[str, list[str]]  # a therapist's token -> their active episodes
    last_names: list[str]
    patient_ids: list[str]
    active_episodes: list[str]
    report: bool


@dataclass
class Tally:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One member of staff's session, timing each call under the name of what it is."""

    def __init__(self, clinic: Clinic, tally: Tally, rng: random.Random):
        self.clinic, self.tally, self.rng = clinic, tally, rng
        self.session = requests.Session()

    def call(self, name: str, method: str, path: str, token: str, expected: int = 200, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        started = time.perf_counter()
        try:
            answer = self.session.request(method, self.clinic.server.url + path, headers=headers, timeout=30,
                                          **kwargs)
        except requests.RequestException as error:
            with self.tally.lock:
                self.tally.errors[f"{name}: {type(error).__name__}"] += 1
            return None
        seconds = time.perf_counter() - started
        with self.tally.lock:
            self.tally.timings[name].append(seconds)
            if answer.status_code != expected:
                detail = answer.json().get("detail", "") if "json" in answer.headers.get("Content-Type", "") else ""
                self.tally.errors[f"{name}: {answer.status_code} {detail[:80]}"] += 1
                return None
        return answer

    def token(self, role: str) -> str:
        return self.rng.choice(self.clinic.tokens[role])

    def therapist(self) -> tuple[str, str]:
        token = self.token("therapist")
        return token, self.rng.choice(self.clinic.caseloads[token])

    # ---- the front desk
    def search(self) -> None:
        name = self.rng.choice(self.clinic.last_names)
        self.call("front desk: search patients", "GET", "/api/v1/patients", self.token("front_desk"),
                  params={"q": name[: self.rng.randint(3, len(name))]})

    def open_patient(self) -> None:
        patient = self.rng.choice(self.clinic.patient_ids)
        self.call("front desk: a patient's record", "GET", f"/api/v1/patients/{patient}", self.token("front_desk"))

    def register(self) -> None:
        body = {"first_name": self.rng.choice(["Ana", "Ben", "Chloe", "Dev", "Ella", "Finn"]),
                "last_name": f"Runner{uuid.uuid4().hex[:8]}", "date_of_birth": f"19{self.rng.randint(60, 99)}-05-17",
                "sex": self.rng.choice(["female", "male"]), "confirm_new": True,
                "running_profile": {"weekly_distance_km": self.rng.randint(10, 80)}}
        self.call("front desk: register a patient", "POST", "/api/v1/patients", self.token("front_desk"), 201,
                  json=body)

    def intake_response(self) -> None:
        episode = self.rng.choice(self.clinic.active_episodes)
        self.call("front desk: enter a response (NPRS)", "POST", f"/api/v1/episodes/{episode}/responses",
                  self.token("front_desk"), 201,
                  json={"questionnaire": "nprs", "answers": {"pain": self.rng.randint(0, 6)}})

    def desk_worklist(self) -> None:
        query = self.rng.choice([{"status": "pending"}, {"has_measures_due": "true", "status": "active"}])
        self.call("front desk: worklist (pending, measures due)", "GET", "/api/v1/episodes", self.token("front_desk"),
                  params=query)

    def todays_visits(self) -> None:
        self.call("front desk: today's visits", "GET", "/api/v1/visits", self.token("front_desk"),
                  params={"visit_date": date.today().isoformat()})

    # ---- the therapists
    def caseload(self) -> None:
        self.call("therapist: caseload", "GET", "/api/v1/episodes", self.token("therapist"),
                  params={"therapist_id": "me", "status": "active"})

    def drafts(self) -> None:
        self.call("therapist: unsigned notes", "GET", "/api/v1/visits", self.token("therapist"),
                  params={"status": "draft", "therapist_id": "me"})

    def episode_visits(self) -> None:
        token, episode = self.therapist()
        self.call("therapist: an episode's visits", "GET", f"/api/v1/episodes/{episode}/visits", token)

    def visit_and_sign(self) -> None:
        token, episode = self.therapist()
        body = {**FOLLOW_UP, "pain_scores": [{"score": self.rng.randint(0, 5), "context": "current"},
                                             {"score": self.rng.randint(0, 6), "context": "stairs_down"}]}
        visit = self.call("therapist: visit with 2 pain scores", "POST", f"/api/v1/episodes/{episode}/visits", token,
                          201, json=body)
        if visit is not None:
            self.call("therapist: sign the visit", "POST", f"/api/v1/visits/{visit.json()['id']}/sign", token,
                      headers={"If-Match": visit.headers["ETag"]})

    def pain_score(self) -> None:
        token, episode = self.therapist()
        self.call("therapist: pain score", "POST", f"/api/v1/episodes/{episode}/pain-scores", token, 201,
                  json={"score": self.rng.randint(0, 6), "context": "after_running"})

    def outcomes(self) -> None:
        token, episode = self.therapist()
        self.call("therapist: an episode's outcomes", "GET", f"/api/v1/episodes/{episode}/outcomes", token)

    def due(self) -> None:
        token, episode = self.therapist()
        self.call("therapist: measures due", "GET", f"/api/v1/episodes/{episode}/due", token)

    def weekly_runs(self) -> None:
        token, episode = self.therapist()
        self.call("therapist: weekly running", "GET", f"/api/v1/episodes/{episode}/runs/weekly", token)

    # ---- the manager
    def report(self) -> None:
        self.call("admin: outcome report", "GET", REPORT, self.token("admin"))


# What a day holds, in proportion (per 100 requests): the desk's searches and check-ins all day, each
# therapist's caseload and notes between patients (a visit is a note and its signature), the manager's report now
# and then.
MIX: list[tuple[Callable[[Client], None], int]] = [
    (Client.search, 12), (Client.open_patient, 6), (Client.register, 3), (Client.intake_response, 6),
    (Client.desk_worklist, 6), (Client.todays_visits, 3),
    (Client.caseload, 10), (Client.drafts, 5), (Client.episode_visits, 8), (Client.visit_and_sign, 8),
    (Client.pain_score, 5), (Client.outcomes, 10), (Client.due, 5), (Client.weekly_runs, 4),
    (Client.report, 2),
]


def prepare(server: Server) -> Clinic:
    started = time.perf_counter()
    output = server.flask("demo", "--patients", str(PATIENTS))
    staff = re.findall(r"^\s+(front_desk|therapist|admin)\s+(\S+@\S+)\s+(\S+)$", output, re.M)
    print(f"demo clinic of {PATIENTS} patients written in {time.perf_counter() - started:.0f} s; staff {len(staff)}")
    server.create_user("manager@bench.test", "admin")
    tokens: dict[str, list[str]] = defaultdict(list)
    for role, email, password in staff:
        if role != "admin":
            tokens[role].append(server.login(email, password))
    tokens["admin"].append(server.login("manager@bench.test"))

    def get(path: str, token: str, **query: Any) -> Any:
        answer = requests.get(server.url + path, headers={"Authorization": f"Bearer {token}"}, params=query,
                              timeout=60)
        answer.raise_for_status()
        return answer.json()

    caseloads = {}
    for token in tokens["therapist"]:
        episodes = get("/api/v1/episodes", token, therapist_id="me", status="active", per_page=100)["items"]
        # A new follow-up visit needs the initial evaluation on file, signed.
        caseloads[token] = [e["id"] for e in episodes
                            if any(v["visit_type"] == "initial_evaluation" and v["status"] == "signed"
                                   for v in get(f"/api/v1/episodes/{e['id']}/visits", token, per_page=100)["items"])]
    patients = get("/api/v1/patients", tokens["front_desk"][0], per_page=100)["items"]
    document = requests.get(server.url + "/openapi.json", timeout=30).json()
    return Clinic(server, dict(tokens), caseloads, [p["last_name"] for p in patients], [p["id"] for p in patients],
                  [e for episodes in caseloads.values() for e in episodes], REPORT in document["paths"])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else float("nan")


def run(clinic: Clinic) -> tuple[Tally, float]:
    tally = Tally()
    mix = [(step, weight) for step, weight in MIX if step is not Client.report or clinic.report]
    steps, weights = [step for step, _ in mix], [weight for _, weight in mix]
    deadline = time.monotonic() + SECONDS

    def loop(seed: int) -> None:
        client = Client(clinic, tally, random.Random(seed))
        while time.monotonic() < deadline:
            client.rng.choices(steps, weights)[0](client)

    threads = [threading.Thread(target=loop, args=(seed,)) for seed in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def main() -> int:
    with cluster() as pg, serve(pg) as server:
        clinic = prepare(server)
        print(f"{CLIENTS} clients for {SECONDS} s; caseloads {[len(c) for c in clinic.caseloads.values()]}; "
              f"outcome report {'listed, called' if clinic.report else 'not in the OpenAPI document, not called'}")
        tally, seconds = run(clinic)
        server_errors = server.server_errors()
    count = sum(len(t) for t in tally.timings.values())
    every = [s for t in tally.timings.values() for s in t]
    errors = sum(tally.errors.values())
    rows = [f"| {name} | {len(t)} | {percentile(t, .5):.0f} | {percentile(t, .95):.0f} | {percentile(t, .99):.0f} |"
            for name, t in sorted(tally.timings.items())]
    summary = (f"{count} requests in {seconds:.0f} s: **{count / seconds:.1f} requests/s**; p50 "
               f"{percentile(every, .5):.0f} ms, p95 {percentile(every, .95):.0f} ms, p99 "
               f"{percentile(every, .99):.0f} ms; errors **{errors}**"
               + (" (" + "; ".join(f"{n} × {e}" for e, n in tally.errors.most_common()) + ")" if errors else "")
               + (f"; server log: {len(server_errors)} faults" if server_errors else ""))
    table = "| request | count | p50 ms | p95 ms | p99 ms |\n| --- | ---: | ---: | ---: | ---: |\n" + "\n".join(rows)
    print(table + "\n\n" + summary)
    if not os.environ.get("BENCH_NO_README"):
        body = (HOW_TO_RUN + "\n\n"
                f"The demo clinic ({PATIENTS} patients, a year of records), gunicorn with the production config "
                f"(gthread, 2 workers × 4 threads) on a PostgreSQL cluster of its own; {CLIENTS} client threads in "
                f"closed loops for {SECONDS} s, on the same machine, picking requests by the weights of "
                "`bench.load.MIX` (every POST with an Idempotency-Key). The outcome report "
                f"`GET {REPORT}` was " + ("called (the OpenAPI document lists it)." if clinic.report else
                                          "not called: the served OpenAPI document does not list it yet.")
                + "\n\n" + table + "\n\n" + summary)
        write_section("load", "Load: a clinic's day", ".venv/bin/python -m bench.load", body)
    return 0 if errors == 0 and not server_errors else 1


if __name__ == "__main__":
    sys.exit(main())
