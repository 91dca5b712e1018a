"""scripts/backup and scripts/restore, run for real: a clinic written by ``flask demo`` is dumped (pg_dump -Fc) and
restored into a new, empty database, and every table comes back with the same rows (count and checksum), its
sequences where they were and the audit trail still append-only; the app then serves the restored clinic. The
restore refuses a database that is not empty, and both scripts refuse SQLite with a clear message."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from clinic_api import create_app
from clinic_api.auth import service as auth_service
from clinic_api.extensions import db
from tests.conftest import ApiClient, database, dispose
from tests.factories import API, read

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
PATIENTS = 6


def run(script: str, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([str(SCRIPTS / script), *args], env=env, capture_output=True, text=True, timeout=300,  # noqa: S603 - our scripts
                          check=False)


def tables_and_checksums(url: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and the MD5 of its rows as text, in order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = connection.scalars(text("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                            "'public' AND table_type = 'BASE TABLE' ORDER BY table_name")).all()
            return {name: tuple(connection.execute(text(
                f'SELECT count(*), coalesce(md5(string_agg(t::text, \'|\' ORDER BY t::text)), \'\') FROM "{name}" t'
            )).one()) for name in names}
    finally:
        engine.dispose()


def sequences(url: str) -> dict[str, int | None]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text("SELECT sequencename, last_value FROM pg_sequences "
                                                "WHERE schemaname = 'public'")).all())
    finally:
        engine.dispose()


@pytest.fixture
def demo_database(fresh_app) -> str:
    """A PostgreSQL database holding the demo clinic, a failed login and a revoked token: its URL."""
    with fresh_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("pg_dump and pg_restore back up PostgreSQL (TEST_DATABASE_URL); SQLite is refused")
    result = fresh_app.test_cli_runner().invoke(args=["demo", "--patients", str(PATIENTS)])
    assert result.exit_code == 0, result.output
    client = fresh_app.test_client()
    assert client.post(f"{API}/auth/login", json={"email": "dana@demo.clinic.example",
                                                  "password": "not-the-password"}).status_code == 401
    assert fresh_app.test_cli_runner().invoke(args=["users", "revoke-tokens", "--all"]).exit_code == 0
    return fresh_app.config["SQLALCHEMY_DATABASE_URI"]


def test_a_backup_restores_every_row_into_a_new_database(demo_database, tmp_path):
    dump = tmp_path / "clinic.dump"
    backup = run("backup", str(dump), url=demo_database)
    assert backup.returncode == 0, backup.stderr
    assert f"Backed up to {dump}" in backup.stdout
    assert dump.stat().st_size > 0 and dump.stat().st_mode & 0o077 == 0  # patient data: the owner's only
    assert not list(tmp_path.glob("*.partial"))
    original = tables_and_checksums(demo_database)
    assert original["patients"][0] == PATIENTS and original["audit_events"][0] > 0
    assert original["login_failures"][0] == 1 and original["alembic_version"][0] == 1

    with database(str(tmp_path), "restored") as target:
        restore = run("restore", str(dump), url=target)
        assert restore.returncode == 0, restore.stderr
        assert "schema revision" in restore.stdout

        assert tables_and_checksums(target) == original
        assert sequences(target) == sequences(demo_database)
        engine = create_engine(target)
        try:
            with engine.connect() as connection, pytest.raises(DatabaseError, match="append-only"):
                connection.execute(text("DELETE FROM audit_events"))
        finally:
            engine.dispose()
        restored = create_app({"SQLALCHEMY_DATABASE_URI": target}, environment="test")
        try:
            with restored.app_context():
                [therapist] = [user for user in auth_service.list_users(page=1, per_page=100).items
                               if user.email == "dana@demo.clinic.example"]
                token = auth_service.issue_token(therapist).access_token
                db.session.commit()
            assert read(ApiClient(restored.test_client(), token), f"{API}/patients")["total"] == PATIENTS
        finally:
            dispose(restored)


def test_a_restore_refuses_a_database_that_is_not_empty(demo_database, tmp_path):
    dump = tmp_path / "clinic.dump"
    assert run("backup", str(dump), url=demo_database).returncode == 0
    before = tables_and_checksums(demo_database)

    restore = run("restore", str(dump), url=demo_database)

    assert restore.returncode == 3
    assert "restore into an empty database" in restore.stderr
    assert tables_and_checksums(demo_database) == before


@pytest.mark.parametrize("script", ["backup", "restore"])
def test_the_scripts_refuse_sqlite_and_a_missing_database_url(script, tmp_path):
    args = [str(tmp_path / "clinic.dump")]
    if script == "restore":
        (tmp_path / "clinic.dump").write_bytes(b"")
    refused = run(script, *args, url=f"sqlite:///{tmp_path}/clinic.db")
    assert refused.returncode == 2
    assert "SQLite" in refused.stderr and "PostgreSQL only" in refused.stderr
    missing = run(script, *args, url="")
    assert missing.returncode == 2 and "set DATABASE_URL" in missing.stderr
    assert not (tmp_path / "clinic.db").exists()
    if script == "backup":
        assert not (tmp_path / "clinic.dump").exists()
