"""Faults under a stream of writes, nothing lost: PostgreSQL restarted and then down for seconds; a gunicorn
worker killed with SIGKILL. Prints each run's accounting and exits 1 if a write was lost or duplicated, or an
answer was a 500 or never came (a hang).

    .venv/bin/python -m bench.faults            # about 2 minutes; writes its figures into bench/README.md
    BENCH_NO_README=1 .venv/bin/python -m bench.faults

Each write is ``POST /api/v1/patients`` with its own ``Idempotency-Key`` and a last name no other write has;
a write refused (503, 409) or left without an answer (connection reset, worker killed) is sent again with the
same key and body until it is answered 2xx. Afterwards the checker reads the ``patients`` table directly:
every acknowledged write must be there exactly once, and so must every write retried. A retry answered
``Idempotent-Replayed: true`` after a refusal or a lost answer is a write whose first outcome was ambiguous
(committed, but its answer lost): counted and listed, as the key made its retry safe.

The runs use their own PostgreSQL cluster (``bench.pgcluster``: initdb in a temporary folder, another port),
never the machine's server, and gunicorn with the production config (gthread, 2 workers), each worker with a
thread per writer (6, not the configured 4): gunicorn hands the writers' keep-alive connections to the two workers
unevenly, and a worker holding five or six of them with four threads would make the fifth wait for a thread while
each of the four waits out a connect timeout, answering its 503 after up to twice the timeout (the likely cause, not
traced, of a 503 after 3.7 s in about one run in four). With a thread per writer an answer's time is the service's
own, which the check bounds by one connect timeout.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from bench.pgcluster import Cluster, cluster
from bench.readme import write_section
from bench.server import Server, serve

WRITERS = 6
CONNECT_TIMEOUT_SECONDS = 2  # the app's DATABASE_CONNECT_TIMEOUT_SECONDS in these runs
HANG_SECONDS = 15  # an answer later than this is a hang (the database's connect timeout is 2 s)
RETRY_PAUSE_SECONDS = 0.3
HOW_TO_RUN = ("How to run: `.venv/bin/python -m bench.faults` (about 2 minutes). It needs `initdb` and `pg_ctl` on "
              "PATH and runs them as the `postgres` user when started as root: its own PostgreSQL cluster in a "
              "temporary folder, on a free port of 127.0.0.1, deleted afterwards (also on Ctrl-C); the machine's "
              "PostgreSQL server is never touched. Exit status 1 if a write was lost or duplicated, an answer was a "
              "500 or never came, or the server logged a traceback. `BENCH_NO_README=1` leaves this file alone, "
              "`BENCH_KEEP_LOG=1` keeps gunicorn's log.")


@dataclass
class Attempt:
    started: float  # seconds since the run began
    seconds: float
    status: int | None  # None: no answer (connection refused or reset)
    replayed: bool = False
    hang: bool = False


@dataclass
class Write:
    last_name: str
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return any(a.status is not None and 200 <= a.status < 300 for a in self.attempts)

    @property
    def ambiguous(self) -> bool:
        """Refused or unanswered first, then replayed: an earlier attempt had committed but its answer was lost."""
        return len(self.attempts) > 1 and self.attempts[-1].replayed


@dataclass
class Run:
    name: str
    started: float = field(default_factory=time.monotonic)
    writes: list[Write] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    outage: list[tuple[str, float, float]] = field(default_factory=list)  # (what, from, to) since the start

    def now(self) -> float:
        return time.monotonic() - self.started

    def event(self, text: str) -> None:
        line = f"  t={self.now():5.1f}s  {text}"
        print(line, flush=True)
        self.events.append(line.strip())


def send(server: Server, session: requests.Session, token: str, run: Run, write: Write) -> Attempt:
    body = {"first_name": "Bench", "last_name": write.last_name, "date_of_birth": "1990-01-01", "sex": "female",
            "confirm_new": True}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": write.key}
    started = time.monotonic()
    try:
        answer = session.post(server.url + "/api/v1/patients", json=body, headers=headers,
                              timeout=(HANG_SECONDS, HANG_SECONDS))
    except requests.Timeout:
        return Attempt(started - run.started, time.monotonic() - started, None, hang=True)
    except requests.ConnectionError:
        session.close()  # a connection to a killed worker is dead; open a new one
        return Attempt(started - run.started, time.monotonic() - started, None)
    attempt = Attempt(started - run.started, time.monotonic() - started, answer.status_code,
                      replayed=answer.headers.get("Idempotent-Replayed") == "true")
    if answer.status_code >= 400 and not answer.headers.get("Content-Type", "").startswith("application/problem+json"):
        attempt.status = -answer.status_code  # an error that is not problem details counts as "other"
    return attempt


def writer(server: Server, token: str, run: Run, prefix: str, number: Callable[[], int],
           stream_until: float, retry_until: float) -> None:
    session = requests.Session()
    while run.now() < stream_until:
        write = Write(f"{prefix}{number():05d}")
        with run.lock:
            run.writes.append(write)
        while run.now() < retry_until and len(write.attempts) < 500:
            attempt = send(server, session, token, run, write)
            write.attempts.append(attempt)
            if attempt.status is not None and 200 <= attempt.status < 300:
                break
            time.sleep(RETRY_PAUSE_SECONDS)


def stream(server: Server, run: Run, prefix: str, stream_seconds: float, retry_seconds: float,
           faults: Callable[[], None]) -> None:
    token = server.tokens["desk@bench.test"]
    counter = iter(range(1, 10**6))
    counter_lock = threading.Lock()

    def number() -> int:
        with counter_lock:
            return next(counter)

    threads = [threading.Thread(target=writer, args=(server, token, run, prefix, number, stream_seconds,
                                                     stream_seconds + retry_seconds), daemon=True)
               for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    faults()
    for thread in threads:
        thread.join(timeout=stream_seconds + retry_seconds + 2 * HANG_SECONDS)
    if any(thread.is_alive() for thread in threads):
        run.event("a writer is still waiting for an answer: a hang")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def account(pg: Cluster, run: Run, prefix: str) -> tuple[dict[str, object], bool]:
    """The run's accounting from the answers and from the database read directly; and whether it passed."""
    with pg.connect("clinic") as connection:
        found = dict(connection.execute("SELECT last_name, count(*) FROM patients WHERE last_name LIKE %s "
                                        "GROUP BY last_name", (prefix + "%",)).fetchall())
    attempts = [a for w in run.writes for a in w.attempts]
    statuses = [a.status for a in attempts]
    answers_503 = [a.seconds for a in attempts if a.status == 503]
    lost = [w.last_name for w in run.writes if w.acknowledged and found.get(w.last_name, 0) == 0]
    duplicates = [w.last_name for w in run.writes if found.get(w.last_name, 0) > 1]
    unresolved = [w for w in run.writes if not w.acknowledged]
    ambiguous = [w.last_name for w in run.writes if w.ambiguous]
    stray = sorted(set(found) - {w.last_name for w in run.writes})
    figures: dict[str, object] = {
        "writes": len(run.writes),
        "sent": len(attempts),
        "2xx": sum(1 for s in statuses if s is not None and 200 <= s < 300),
        "503": len(answers_503),
        "500": sum(1 for s in statuses if s == 500),
        "other": sum(1 for s in statuses if s is not None and s != 503 and not 200 <= s < 300),
        "no answer": sum(1 for a in attempts if a.status is None and not a.hang),
        "hangs": sum(1 for a in attempts if a.hang),
        "retried": sum(1 for w in run.writes if len(w.attempts) > 1),
        "rows found": sum(1 for w in run.writes if found.get(w.last_name, 0) >= 1),
        "duplicates": len(duplicates),
        "lost": len(lost),
        "ambiguous": len(ambiguous),
        "unresolved": len(unresolved),
        "stray rows": len(stray),
        "2xx p50/p99 ms": "/".join(f"{percentile(s, q) * 1000:.0f}" for s in
                                   [[a.seconds for a in attempts if a.status and 200 <= a.status < 300]]
                                   for q in (0.5, 0.99)),
    }
    other = sorted({s for s in statuses if s is not None and s != 503 and not 200 <= s < 300})
    if other:
        figures["other statuses"] = ", ".join(map(str, other))
    if ambiguous:
        figures["ambiguous writes (committed, answer lost, retry replayed)"] = ", ".join(ambiguous[:10])
    for write in unresolved:
        figures.setdefault("unresolved writes (row in the database?)", "")
        figures["unresolved writes (row in the database?)"] += f"{write.last_name}: {found.get(write.last_name, 0)} "
    passed = not (lost or duplicates or unresolved or stray or figures["500"] or figures["hangs"]
                  or any(s is not None and s < 0 for s in statuses))
    return figures, passed


def recovery(run: Run, back_at: float) -> str:
    """Seconds from the database being back to the first write answered 2xx after it."""
    after = [a.started + a.seconds for w in run.writes for a in w.attempts
             if a.status and 200 <= a.status < 300 and a.started >= back_at]
    return f"{min(after) - back_at:.2f} s" if after else "never"


def phase_503s(run: Run) -> dict[str, object]:
    """For each outage, the 503 answers to attempts sent while it lasted: how many, and how long each took."""
    figures: dict[str, object] = {}
    for label, began, ended in run.outage:
        took = [a.seconds for w in run.writes for a in w.attempts if a.status == 503 and began <= a.started <= ended]
        figures[f"503 while {label}: n, p50/p95/p99/max ms"] = (
            f"{len(took)}, " + "/".join(f"{percentile(took, q) * 1000:.0f}" for q in (0.5, 0.95, 0.99, 1))
            if took else "0")
    return figures


def database_outage(pg: Cluster, server: Server) -> tuple[Run, dict[str, object], bool]:
    run = Run("database restarted, down 6 s, frozen 6 s")
    print(f"\n== {run.name}: {WRITERS} writers for 44 s, then retries ==", flush=True)
    back: dict[str, float] = {}

    def outage(label: str, what: str, fault: Callable[[], None]) -> None:
        run.event(what)
        began = run.now()
        fault()
        back[label] = run.now()
        run.outage.append((label, began, back[label]))
        run.event(f"PostgreSQL answers again ({label} over)")

    def faults() -> None:
        time.sleep(6)
        outage("restart", "pg_ctl restart -m fast", pg.restart)
        time.sleep(8)
        outage("down", "pg_ctl stop -m immediate (as a crash), started again 6 s later", lambda: pg.down_for(6))
        time.sleep(8)
        outage("frozen", "sessions ended and the postmaster frozen (SIGSTOP) for 6 s: connects hear nothing",
               lambda: pg.freeze_for(6))

    stream(server, run, "Outage", 44, 30, faults)
    figures, passed = account(pg, run, "Outage")
    figures.update(phase_503s(run))
    for label, at in back.items():
        figures[f"first 2xx after {label}"] = recovery(run, at)
    ready = requests.get(server.url + "/readyz", timeout=10).status_code
    figures["/readyz afterwards"] = ready
    slowest = max((a.seconds for w in run.writes for a in w.attempts if a.status == 503), default=0)
    if slowest > CONNECT_TIMEOUT_SECONDS + 1:
        run.event(f"a 503 took {slowest:.1f} s, more than the connect timeout ({CONNECT_TIMEOUT_SECONDS} s) and 1 s")
        passed = False
    return run, figures, passed and ready == 200


def worker_killed(pg: Cluster, server: Server) -> tuple[Run, dict[str, object], bool]:
    run = Run("a gunicorn worker killed with SIGKILL")
    print(f"\n== {run.name}: {WRITERS} writers for 20 s, then retries ==", flush=True)
    replaced: dict[str, object] = {}

    def faults() -> None:
        time.sleep(6)
        before = server.workers()
        victim = before[0]
        run.event(f"kill -9 worker {victim} of {before}")
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = server.workers()
            if len(now) == len(before) and victim not in now:
                replaced["after"] = now
                run.event(f"master replaced it: workers {now}")
                break
            time.sleep(0.1)

    stream(server, run, "Killed", 20, 30, faults)
    figures, passed = account(pg, run, "Killed")
    figures["worker replaced"] = "yes" if replaced else "NO"
    return run, figures, passed and bool(replaced)


def report(run: Run, figures: dict[str, object], passed: bool) -> str:
    print(f"-- {run.name}: {'PASSED' if passed else 'FAILED'}")
    for name, value in figures.items():
        print(f"   {name:42} {value}")
    rows = "\n".join(f"| {name} | {value} |" for name, value in figures.items())
    events = "\n".join(f"- {line}" for line in run.events)
    return (f"### {run.name}: {'passed' if passed else 'FAILED'}\n\n{events}\n\n| figure | value |\n| --- | --- |\n"
            f"{rows}\n")


def main() -> int:
    started = time.monotonic()
    sections = []
    passed_all = True
    with cluster() as pg, serve(pg, threads=WRITERS,
                                DATABASE_CONNECT_TIMEOUT_SECONDS=str(CONNECT_TIMEOUT_SECONDS)) as server:
        server.create_user("desk@bench.test", "front_desk")
        server.login("desk@bench.test")
        print(f"PostgreSQL {pg.port} in a temporary folder; gunicorn {server.url} (2 workers x {WRITERS} threads)")
        for scenario in (database_outage, worker_killed):
            run, figures, passed = scenario(pg, server)
            sections.append(report(run, figures, passed))
            passed_all &= passed
        errors = server.server_errors()
        if errors:
            print("server log:\n  " + "\n  ".join(errors[:20]))
            passed_all = False
    print(f"\n{'PASSED' if passed_all else 'FAILED'} in {time.monotonic() - started:.0f} s")
    if not os.environ.get("BENCH_NO_README"):
        body = (HOW_TO_RUN + "\n\n"
                f"Writes are `POST /api/v1/patients` with an `Idempotency-Key` each, from {WRITERS} threads; "
                f"a refused or unanswered write is retried with its key every {RETRY_PAUSE_SECONDS} s. The app "
                f"runs with `DATABASE_CONNECT_TIMEOUT_SECONDS={CONNECT_TIMEOUT_SECONDS}`; an answer later than "
                f"{HANG_SECONDS} s would be a hang. *sent* counts attempts; *no answer* is a connection refused or "
                "reset; *rows found*, *duplicates*, *lost* come from the database read directly afterwards; "
                "*ambiguous* are writes committed whose answer was lost (a retry with the key was answered "
                "`Idempotent-Replayed: true`).\n\n" + "\n".join(sections)
                + f"\nResult: {'passed' if passed_all else 'FAILED'}; run time {time.monotonic() - started:.0f} s.")
        write_section("faults", "Faults: PostgreSQL restarted and down, a worker killed",
                      ".venv/bin/python -m bench.faults", body)
    return 0 if passed_all else 1


if __name__ == "__main__":
    sys.exit(main())
