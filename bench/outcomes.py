"""Benchmarks of the outcome paths over the demo clinic's courses (``bench.generate.OutcomeClinic``); writes the
"outcomes-*" sections of bench/README.md.

    .venv/bin/python -m bench.outcomes                                   # SQLite and PostgreSQL, 10 000 episodes
    .venv/bin/python -m bench.outcomes --scale-to 100000 --no-sqlite     # PostgreSQL, 10 000 then 100 000 episodes

SQLite runs in a temporary folder (at most 10 000 episodes); PostgreSQL (``--postgres``, a server URL, or
``BENCH_POSTGRES_URL``) in a database of its own, ``bench_outcomes_<random>``, created here and dropped at the end.
For each database:

- the data: the demo's plans inserted in bulk, the kept summaries worked out a batch at a time, a sample checked
  against a rebuild;
- ``GET /episodes/{id}/outcomes`` and ``.../outcomes/chart.svg`` of an episode of 2 visits and one of 40 (the same
  patient's course, weekly): p50/p99 and SQL statements per request, through the WSGI app in-process (a
  ``before_cursor_execute`` listener counts the statements);
- ``GET /reports/outcomes`` (no filter; login, token check and audit included) through the production server
  (gunicorn with config/gunicorn.conf.py, one worker) against the bare scan of the raw scores, ``SELECT code,
  count(*), avg(score) ... GROUP BY code`` over the questionnaire responses and the pain scores, timed in turns in
  the same run, medians; with ``--scale-to`` again after growing the same database, and the ratio of the two;
- ``GET /reports/outcomes.csv`` of the whole clinic through that server: time, size and the worker's peak memory
  above its idle size (its VmRSS sampled every 10 ms).

The report parts are skipped, saying why, when the app has no such route.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random

import flask_migrate
from flask import Flask
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Engine

from bench import readme
from bench.generate import BENCH_PASSWORD, Generated, OutcomeClinic, check_summaries
from bench.pgcluster import free_port
from clinic_api import create_app
from clinic_api.auth import service as auth
from clinic_api.demo import answers
from clinic_api.demo.care import Chart, plan_goals, plan_runs, settle_goals
from clinic_api.demo.cast import PFP, THERAPISTS
from clinic_api.demo.course import EpisodePlan, PatientPlan, Runner, Schedule, Severity, Trajectory
from clinic_api.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SQLITE_MAX = 10_000
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REPORT, EXPORT = "/api/v1/reports/outcomes", "/api/v1/reports/outcomes.csv"
BARE_SCANS = (
    "SELECT questionnaire_code, count(*), avg(total) FROM questionnaire_responses GROUP BY questionnaire_code",
    "SELECT context, count(*), avg(score) FROM pain_scores GROUP BY context")
MIN_ROUNDS = 20
CASE_SECONDS = 30  # a per-episode case stops after this long (with at least MIN_ROUNDS): the chart takes ~1 s
COMMAND = ".venv/bin/python -m bench.outcomes"
# The export's rows: each counted episode × each of its measures, one row for an episode without any.
EXPORT_ROWS = ("SELECT count(*) FROM episode_outcome_summaries e LEFT JOIN outcome_summaries s "
               "ON s.episode_id = e.episode_id WHERE e.status IN ('active', 'discharged')")


# ---- the two courses of the per-episode figures ---------------------------------------------------------------

def weekly_course(visits: int, *, today: date, schedule: Schedule) -> PatientPlan:
    """One runner's patellofemoral pain seen weekly for ``visits`` visits up to today, as the demo plans a slow
    responder (its scores, measures when due, runs, goals): the same patient and seed whatever ``visits``."""
    rng = Random(40)
    start = today - timedelta(days=7 * visits)
    start -= timedelta(days=1) if start.weekday() == 6 else timedelta(0)
    trajectory = Trajectory("slow", 7 * visits, 0.95)
    severity = Severity({"current": 5, "stairs_down": 7, "squatting": 6, "worst_24h": 7, "stairs_up": 6,
                         "during_running": 6}, (60, 95), (50, 78), ((3, 4, 3), (9, 9, 10)))
    runner = Runner(Decimal(40), 5.5, "road")
    plan = EpisodePlan(PFP, "right", start, start - timedelta(days=30), "Self-referred", THERAPISTS[0], True, [], {})
    chart = Chart(plan, schedule, severity, weekly_km=runner.weekly_km, changes=())
    chart.open_with_intake(answers.intake_answers(PFP, side="right", onset=plan.onset, pain=(5, 7, 3),
                                                  weekly_km=(40.0, 10.0), years_running=8, changes=()))
    days = [start + timedelta(days=7 * week) for week in range(visits)]
    plan.runs = plan_runs(rng, runner, trajectory, severity, start, (start + timedelta(days=7), days[-1]),
                          PFP.where)
    plan.goals = plan_goals(chart, runner, today)
    for index, day in enumerate(days):
        kind = "initial_evaluation" if index == 0 else "re_evaluation" if index % 4 == 0 else "follow_up"
        chart.visit(rng, day, kind, trajectory.at((day - start).days))
    settle_goals(plan, runner.weekly_km, None)
    return PatientPlan("Bench", f"Weekly{visits}", "female", date(1990, 5, 17), f"weekly{visits}@example.org",
                       "+1 206 555 0100", runner, 8, None, plan)


# ---- measuring --------------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._executed)

    def _executed(self, *_args: object) -> None:
        self.count += 1


@dataclass
class Episode:
    visits: int
    episode_id: str
    rows: dict[str, float] = field(default_factory=dict)


def bench_episodes(app: Flask, clinic: OutcomeClinic, rounds: int) -> list[str]:
    """p50/p99 and statements per request of the outcome and chart of a 2-visit and a 40-visit episode."""
    episodes = [Episode(visits, str(clinic.add_plan(900_000_000 + visits, weekly_course(
        visits, today=clinic.today, schedule=clinic.schedule)))) for visits in (2, 40)]
    token = auth.issue_token(clinic.therapist).access_token
    db.session.commit()
    counter = StatementCounter(db.engine)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    lines = ["| request | visits | rounds | p50 ms | p99 ms | SQL statements per request |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for label, suffix in (("GET /episodes/{id}/outcomes", "/outcomes"), ("GET /episodes/{id}/outcomes/chart.svg",
                                                                       "/outcomes/chart.svg")):
        for episode in episodes:
            path = f"/api/v1/episodes/{episode.episode_id}{suffix}"
            timings, statements = [], Counter()
            case_started = time.perf_counter()
            while len(timings) < rounds and (len(timings) < MIN_ROUNDS
                                             or time.perf_counter() - case_started < CASE_SECONDS):
                before = counter.count
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
                statements[counter.count - before] += 1
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
            usual = statements.most_common(1)[0][0]
            counted = str(usual) + "".join(f" ({count} in {times} of the rounds)" for count, times in
                                           sorted(statements.items()) if count != usual)
            lines.append(f"| {label} | {episode.visits} | {len(timings)} | {percentile(timings, 0.5):.1f} | "
                         f"{percentile(timings, 0.99):.1f} | {counted} |")
            print(f"  {label} ({episode.visits} visits): p50 {percentile(timings, 0.5):.1f} ms, "
                  f"p99 {percentile(timings, 0.99):.1f} ms, {counted} statements", flush=True)
    return lines


# ---- the production server ----------------------------------------------------------------------------------

@dataclass
class Server:
    process: subprocess.Popen
    port: int

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def request(self, path: str, token: str | None = None, body: dict | None = None,
                sink: Callable[[bytes], None] | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection.request("POST" if body is not None else "GET", path,
                           body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        if sink is None:
            data = response.read()
        else:
            data = b""
            while chunk := response.read(65536):
                sink(chunk)
        connection.close()
        return response.status, data


@contextmanager
def production_server(database_url: str) -> Iterator[Server]:
    """gunicorn -c config/gunicorn.conf.py wsgi:app with APP_ENV=production and one worker (its other settings
    as the file gives them: gthread, 4 threads, timeout 60)."""
    port = free_port()
    environment = {**os.environ, "APP_ENV": "production", "DATABASE_URL": database_url,
                   "SECRET_KEY": secrets.token_urlsafe(32), "GUNICORN_WORKERS": "1",
                   "GUNICORN_BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"],
                               cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = Server(process, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if server.request("/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + (process.stderr.read().decode()[-2000:]
                                                                 if process.poll() is not None else "timeout"))
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _login(server: Server, email: str) -> str:
    status, data = server.request("/api/v1/auth/login", body={"email": email, "password": BENCH_PASSWORD})
    if status != 200:
        raise RuntimeError(f"login: {status} {data[:300]!r}")
    return json.loads(data)["access_token"]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class ReportTiming:
    episodes: int
    report_ms: float
    bare_ms: float
    report_bytes: int


def time_report(server: Server, token: str, bare: Engine, episodes: int, rounds: int) -> ReportTiming:
    """The report and the bare scan in turns (so that both see the same machine and cache), medians."""
    status, data = server.request(REPORT, token)  # a first call: the worker's imports and the caches warm
    if status != 200:
        raise RuntimeError(f"{REPORT}: {status} {data[:300]!r}")
    reports, scans = [], []
    with bare.connect() as connection:
        for _ in range(rounds):
            started = time.perf_counter()
            status, data = server.request(REPORT, token)
            reports.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            for query in BARE_SCANS:
                connection.execute(text(query)).all()
            scans.append((time.perf_counter() - started) * 1000)
    return ReportTiming(episodes, statistics.median(reports), statistics.median(scans), len(data))


@dataclass
class ExportFigures:
    episodes: int
    seconds: float
    megabytes: float
    lines: int
    idle_mib: float
    peak_above_idle_mib: float
    status: int
    expected_lines: int = 0  # the header and EXPORT_ROWS: a stream cut short shows here


def time_export(server: Server, token: str, episodes: int) -> ExportFigures:
    """The whole clinic's CSV, read as it streams, the worker's VmRSS sampled meanwhile."""
    pids = server.worker_pids()
    idle = {pid: _rss_kib(pid) for pid in pids}
    peak = dict(idle)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid in pids:
                with suppress(OSError):  # the worker may be gone
                    peak[pid] = max(peak[pid], _rss_kib(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    size, newlines = [0], [0]

    def sink(chunk: bytes) -> None:
        size[0] += len(chunk)
        newlines[0] += chunk.count(b"\n")

    started = time.perf_counter()
    try:
        status, _ = server.request(EXPORT, token, sink=sink)
    finally:
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    above = max((peak[pid] - idle[pid] for pid in pids), default=0) / 1024
    return ExportFigures(episodes, seconds, size[0] / 2**20, newlines[0],
                         max(idle.values(), default=0) / 1024, above, status)


# ---- databases --------------------------------------------------------------------------------------------

@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="bench-outcomes-") as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new database ``bench_outcomes_<random>`` on that server, dropped at the end (only that one)."""
    name = f"bench_outcomes_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---- one database ----------------------------------------------------------------------------------------

@dataclass
class Results:
    backend: str
    data: list[str] = field(default_factory=list)
    episode: list[str] = field(default_factory=list)
    reports: list[ReportTiming] = field(default_factory=list)
    exports: list[ExportFigures] = field(default_factory=list)
    skipped: str | None = None


def _data_line(backend: str, total: int, done: Generated, seconds: float, checked: int) -> str:
    counts = done.counts
    scores = counts.get("questionnaire_responses", 0) + counts.get("pain_scores", 0)
    return (f"| {backend} | {total:,} | {counts.get('questionnaire_responses', 0):,} | "
            f"{counts.get('pain_scores', 0):,} | {scores:,} | {counts.get('visits', 0):,} | "
            f"{counts.get('run_logs', 0):,} | {counts.get('outcome_summaries', 0):,} | {seconds:.0f} | "
            f"{done.summary_seconds:.0f} | {checked} |")


def _progress(started: float) -> Callable[[int], None]:
    def progress(written: int) -> None:
        if written % 5000 == 0:
            print(f"  {written:,} episodes ({time.perf_counter() - started:.0f} s)", flush=True)
    return progress


def run_database(results: Results, url: str, stages: list[int], rounds: int, report_rounds: int, seed: int,
                 save: Callable[[], None]) -> None:
    """Each stage: grow the database to that many episodes, measure, ``save`` (the README so far)."""
    backend = results.backend
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"}, environment="test")
    has_report = any(rule.rule == REPORT for rule in app.url_map.iter_rules())
    has_export = any(rule.rule == EXPORT for rule in app.url_map.iter_rules())
    with app.app_context():
        flask_migrate.upgrade()
        clinic = OutcomeClinic(stages[-1], seed=seed)
        db.session.commit()
        total = 0
        for stage_number, stage in enumerate(stages):
            print(f"{backend}: writing episodes {total + 1:,} to {stage:,}", flush=True)
            started = time.perf_counter()
            done = clinic.add(stage - total, _progress(started))
            seconds = time.perf_counter() - started
            total = stage
            checked = check_summaries()
            results.data.append(_data_line(backend, total, done, seconds, checked))
            print(f"  {done.counts} in {seconds:.0f} s; {checked} summary rows of a sample equal a rebuild",
                  flush=True)
            if stage_number == 0:
                results.episode = bench_episodes(app, clinic, rounds)
            if not (has_report or has_export):
                results.skipped = (f"the app has no {REPORT} nor {EXPORT} route (branch `report` not merged): "
                                   "report and export not measured")
                print(f"  skipped: {results.skipped}", flush=True)
                save()
                continue
            db.session.remove()
            bare = create_engine(url)
            try:
                with production_server(url) as server:
                    token = _login(server, "bench-dana@clinic.test")
                    if has_report:
                        timing = time_report(server, token, bare, total, report_rounds)
                        results.reports.append(timing)
                        print(f"  {REPORT}: {timing.report_ms:.0f} ms, bare scan {timing.bare_ms:.0f} ms "
                              f"({timing.report_ms / timing.bare_ms:.2f}×)", flush=True)
                    if has_export:
                        figures = time_export(server, token, total)
                        with bare.connect() as connection:
                            figures.expected_lines = 1 + connection.execute(text(EXPORT_ROWS)).scalar_one()
                        results.exports.append(figures)
                        print(f"  {EXPORT}: {figures.status}, {figures.seconds:.1f} s, {figures.megabytes:.1f} MB, "
                              f"{figures.lines:,} lines (expected {figures.expected_lines:,}), worker "
                              f"+{figures.peak_above_idle_mib:.1f} MiB above {figures.idle_mib:.0f} MiB idle",
                              flush=True)
            finally:
                bare.dispose()
            save()
        db.session.remove()
        db.engine.dispose()


# ---- the README ----------------------------------------------------------------------------------------

def write_readme(all_results: list[Results], command: str, sections: set[str]) -> None:
    data = [line for results in all_results for line in results.data]
    if "data" in sections:
        readme.write_section("outcomes-data", "Outcome benchmarks: the data (bench/generate.py)", command, "\n".join([
            "The demo clinic's plans (`clinic_api.demo`), one episode per patient, inserted in bulk; every response "
            "scored by the questionnaire engine; the kept summaries worked out by `summaries.refresh` a batch of 500 "
            "at a time (what `rebuild` runs) and a random sample of 25 episodes checked equal to a rebuild. "
            f"`{COMMAND}` runs SQLite and PostgreSQL at 10 000 episodes; `{COMMAND} --scale-to 100000` then grows the "
            "PostgreSQL database to 100 000 and measures the report and the export again (see `--help`). Seconds: "
            "planning, scoring and inserting, with the summaries; each stage's own rows.", "",
            "| database | episodes | responses | pain scores | scores | visits | runs | summary rows | seconds | "
            "of which summaries | rows checked |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *data]))
    if "episode" in sections:
        body = []
        for results in all_results:
            body += [f"{results.backend}, in-process WSGI client, a weekly course of 2 and of 40 visits:", "",
                     *results.episode, ""]
        readme.write_section("outcomes-episode", "Outcome benchmarks: one episode's outcome and chart", command,
                             "\n".join([*body, "Rounds: up to the number asked, stopped after "
                                         f"{CASE_SECONDS} s of a case (at least {MIN_ROUNDS}). SQL statements: "
                                         "in every round but those named; one more once a minute is the token's "
                                         "`last_used_at` (auth.service.LAST_USED_RESOLUTION)."]))
    reports = [(results.backend, timing) for results in all_results for timing in results.reports]
    skipped = [f"{results.backend}: skipped, {results.skipped}." for results in all_results if results.skipped]
    if "report" in sections:
        lines = ["| database | episodes | GET /reports/outcomes ms | bare scan ms | report / bare scan | "
                 "target ≤ 1.0× |", "| --- | ---: | ---: | ---: | ---: | --- |"]
        lines += [f"| {backend} | {timing.episodes:,} | {timing.report_ms:.0f} | {timing.bare_ms:.0f} | "
                  f"{timing.report_ms / timing.bare_ms:.2f}× | {_verdict(timing.report_ms <= timing.bare_ms)} |"
                  for backend, timing in reports]
        for backend in {backend for backend, _timing in reports}:
            mine = [timing for name, timing in reports if name == backend]
            if len(mine) > 1:
                scaling = mine[-1].report_ms / mine[0].report_ms
                lines.append(f"\n{backend}: t({mine[-1].episodes:,}) / t({mine[0].episodes:,}) = "
                             f"{scaling:.1f} (target ≤ 12: {_verdict(scaling <= 12)}).")
        readme.write_section("outcomes-report", "Outcome benchmarks: the clinic report against a bare scan", command,
                             "\n".join([
                                 "The whole request (no filter; the bearer token checked, the read audited) to "
                                 "gunicorn with config/gunicorn.conf.py (one gthread worker), median of the "
                                 "rounds, against the bare scan of the raw scores in the same run, in turns: "
                                 + "; ".join(f"`{query}`" for query in BARE_SCANS)
                                 + " (target: report ≤ 1.0× the bare scan).", "",
                                 *(lines if reports else []), *skipped]))
    exports = [(results.backend, figures) for results in all_results for figures in results.exports]
    if "export" in sections:
        lines = ["| database | episodes | status | seconds | MB | lines | lines expected | worker idle MiB | "
                 "peak above idle MiB | target < 50 MB |",
                 "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        lines += [f"| {backend} | {fig.episodes:,} | {fig.status} | {fig.seconds:.1f} | {fig.megabytes:.1f} | "
                  f"{fig.lines:,} | {fig.expected_lines:,} | {fig.idle_mib:.0f} | {fig.peak_above_idle_mib:.1f} | "
                  f"{_verdict(fig.peak_above_idle_mib * 2**20 < 50e6)} |" for backend, fig in exports]
        readme.write_section("outcomes-export", "Outcome benchmarks: the CSV export of the whole clinic", command,
                             "\n".join([
                                 "`GET /reports/outcomes.csv` read as it streams from gunicorn with "
                                 "config/gunicorn.conf.py: `gthread` worker (its heartbeat runs beside the request "
                                 "thread, so a long stream is not taken for a hung worker), `timeout` 60 s, one "
                                 "worker; its VmRSS sampled every 10 ms (target: flat, under 50 MB above idle).", "",
                                 *(lines if exports else []), *skipped]))


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=10_000, help="episodes of each database (SQLite: at most "
                        f"{SQLITE_MAX:,})")
    parser.add_argument("--scale-to", type=int, help="PostgreSQL: then grow the same database to this many "
                        "episodes and measure the report and the export again")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", POSTGRES_DEFAULT),
                        help="a PostgreSQL server URL (its database is only used to create and drop ours)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--rounds", type=int, default=200, help="requests per per-episode case")
    parser.add_argument("--report-rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-readme", action="store_true", help="print only")
    options = parser.parse_args(argv)
    # A stop (SIGTERM) unwinds like an error: the database is dropped and the server stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    started = time.perf_counter()
    command = " ".join([COMMAND, *(argv if argv is not None else sys.argv[1:])])
    all_results: list[Results] = []

    def save() -> None:
        if not options.no_readme:
            write_readme(all_results, command, {"data", "episode", "report", "export"})

    if not options.no_sqlite:
        with sqlite_database() as url:
            all_results.append(Results("SQLite"))
            run_database(all_results[-1], url, [min(options.episodes, SQLITE_MAX)], options.rounds,
                         options.report_rounds, options.seed, save)
    if not options.no_postgres:
        stages = [options.episodes] + ([options.scale_to] if options.scale_to and options.scale_to > options.episodes
                                       else [])
        with postgres_database(options.postgres) as url:
            all_results.append(Results("PostgreSQL"))
            run_database(all_results[-1], url, stages, options.rounds, options.report_rounds, options.seed, save)
    print(f"done in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
