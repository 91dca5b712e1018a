"""A throwaway PostgreSQL cluster for the fault benchmarks, never the machine's own server.

    with cluster() as pg:          # initdb in a temporary folder, started on a free port of 127.0.0.1
        url = pg.create_database("clinic")
        pg.restart()               # pg_ctl restart -m fast
        pg.down_for(6)             # stopped as by a crash (-m immediate), started again after 6 s

It runs as the ``postgres`` user (through ``runuser`` when we are root, as PostgreSQL refuses to run as root),
listens on 127.0.0.1 only with its socket in its own folder, and is stopped and deleted on the way out, however
the block ends: an exception, Ctrl-C, or SIGTERM (turned into SystemExit while the block runs).
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import psycopg


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    def __init__(self, root: Path, port: int, user: str):
        self.root, self.port, self.user = root, port, user
        self.data, self.log = root / "data", root / "postgres.log"

    def _run(self, *command: str, check: bool = True) -> int:
        """Run a PostgreSQL program as the cluster's user. Its output goes to a file, not a pipe: the server that
        ``pg_ctl start`` leaves running would hold a pipe open, and reading it would wait for the server's end."""
        prefix = ["runuser", "-u", self.user, "--"] if os.geteuid() == 0 else []
        with tempfile.TemporaryFile() as output:
            code = subprocess.run([*prefix, *command], stdout=output, stderr=output,  # noqa: S603
                                  timeout=120).returncode
            if check and code:
                output.seek(0)
                raise RuntimeError(f"{command[0]} failed ({code}): {output.read().decode(errors='replace')[-2000:]}")
        return code

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions")

    def start(self) -> None:
        options = (f"-c port={self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
                   "-c max_connections=100 -c shared_buffers=64MB")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` rolls back open transactions and closes connections; ``immediate`` is a crash (WAL replay)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "60", "restart")

    def down_for(self, seconds: float, mode: str = "immediate") -> None:
        self.stop(mode)
        time.sleep(seconds)
        self.start()

    def freeze_for(self, seconds: float) -> None:
        """A server that stops answering without refusing, as behind a dead link: its open sessions are ended and
        the postmaster is stopped (SIGSTOP), so a new connection is taken into the listen queue and then hears
        nothing until the client's connect timeout; it is continued (SIGCONT) after ``seconds``."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGSTOP)
        try:
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                    command = (stat.parent / "cmdline").read_bytes()
                except (OSError, IndexError, ValueError):
                    continue
                if parent == postmaster and b"127.0.0.1(" in command:  # a client's session, not a server process
                    os.kill(int(stat.parent.name), signal.SIGTERM)
            time.sleep(seconds)
        finally:
            os.kill(postmaster, signal.SIGCONT)

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False) == 0

    def create_database(self, name: str) -> str:
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def connect(self, database: str) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database)


@contextmanager
def cluster(user: str = "postgres") -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="clinic-bench-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(user)
        os.chown(root, account.pw_uid, account.pw_gid)
    pg = Cluster(root, free_port(), user)

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        pg.initdb()
        pg.start()
        yield pg
    finally:
        try:
            if pg.data.exists() and pg.running():
                pg.stop("immediate")
        finally:
            signal.signal(signal.SIGTERM, previous)
            shutil.rmtree(root, ignore_errors=True)
