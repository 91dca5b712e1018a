"""The production server as the fault and load benchmarks run it: a database of its own on a ``bench.pgcluster``
cluster, migrated with ``flask db upgrade``, served by ``gunicorn -c config/gunicorn.conf.py wsgi:app``."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

import config
from bench.pgcluster import Cluster, free_port

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-Passphrase-2026"


@dataclass
class Server:
    url: str
    database_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def flask(self, *arguments: str, stdin: str | None = None) -> str:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *arguments],  # noqa: S603
                              cwd=ROOT, env=self.env, input=stdin, capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(arguments)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def create_user(self, email: str, role: str) -> None:
        self.flask("users", "create", email, "--role", role, "--name", f"Bench {role}", "--password-stdin",
                   stdin=PASSWORD + "\n")

    def login(self, email: str, password: str = PASSWORD) -> str:
        answer = requests.post(self.url + "/api/v1/auth/login", json={"email": email, "password": password},
                               timeout=30)
        answer.raise_for_status()
        self.tokens[email] = answer.json()["access_token"]
        return self.tokens[email]

    def workers(self) -> list[int]:
        """The master's worker processes (their parent is the master)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)

    def server_errors(self) -> list[str]:
        """Lines of the server's log that tell of a fault: a traceback, a worker timeout or crash."""
        return [line for line in self.log.read_text(errors="replace").splitlines()
                if "Traceback" in line or "unhandled" in line or "WORKER TIMEOUT" in line]

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("gunicorn is not ready: " + self.log.read_text(errors="replace")[-3000:])


@contextmanager
def serve(pg: Cluster, database: str = "clinic", workers: int = 2, threads: int = 4,
          **settings: str) -> Iterator[Server]:
    """Migrate a new database on ``pg`` and serve it; ``settings`` are more environment variables of the app."""
    database_url = pg.create_database(database)
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name not in config.SETTINGS_VARIABLES}
    env.update({"APP_ENV": "production", "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_hex(32),
                "LOG_LEVEL": "WARNING", "HOST": "127.0.0.1", "PORT": str(port), "GUNICORN_WORKERS": str(workers),
                "GUNICORN_THREADS": str(threads), **settings})
    log = Path(tempfile.mkstemp(prefix="clinic-bench-gunicorn-", suffix=".log")[1])
    migrate = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if migrate.returncode:
        raise RuntimeError("flask db upgrade failed: " + migrate.stderr[-3000:])
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", database_url, env, process, log)
    try:
        server.wait_ready()
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if os.environ.get("BENCH_KEEP_LOG"):
            print(f"gunicorn's log: {log}")
        else:
            log.unlink(missing_ok=True)
