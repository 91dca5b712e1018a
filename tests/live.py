"""A real server for the race tests: gunicorn with several worker processes on a database of its own
(SQLite, or PostgreSQL with TEST_DATABASE_URL), so that concurrent requests meet as they do in production."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    url: str

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def at_once(self, *calls: tuple[str, str, str | None, dict[str, Any]]) -> list[requests.Response]:
        """Send (method, path, token, kwargs) from threads released together; the answers in order."""
        answers: list[Any] = [None] * len(calls)
        barrier = threading.Barrier(len(calls))

        def send(index: int, method: str, path: str, token: str | None, kwargs: dict[str, Any]) -> None:
            session = requests.Session()
            session.get(self.url + "/healthz", timeout=10)  # connected before the barrier: only the call races
            barrier.wait()
            headers = {**(kwargs.pop("headers", None) or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
            answers[index] = session.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

        threads = [threading.Thread(target=send, args=(index, *call)) for index, call in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return answers


@contextmanager
def gunicorn(database_url: str, workers: int = 4, *, server_options: tuple[str, ...] = (),
             **settings: str) -> Iterator[LiveServer]:
    """The server on that database; ``server_options`` are more gunicorn options, ``settings`` more environment
    variables for the app (config.SETTINGS_VARIABLES), e.g. ``LOGIN_MAX_FAILURES_PER_ADDRESS="1000000"``."""
    port = free_port()
    env = {**os.environ, "APP_ENV": "production", "DATABASE_URL": database_url,
           "SECRET_KEY": secrets.token_hex(16), "LOG_LEVEL": "WARNING", **settings}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--graceful-timeout", "2", *server_options, "wsgi:app"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    server = LiveServer(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(server.url + "/readyz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or its workers still booting
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode(errors="replace"))
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
