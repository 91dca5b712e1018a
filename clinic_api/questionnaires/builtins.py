"""Loading the built-in instruments (data files in definitions/) into a database, idempotently.

Works on a bare connection with Core tables so that the migration that creates the tables can call it.
A stored built-in version is never overwritten: a changed data file must carry a new version number.
"""
from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_api.questionnaires.definitions import check_definition

log = logging.getLogger(__name__)

# In the order the README's clinical record lists them, so listings are stable.
BUILTIN_CODES: tuple[str, ...] = ("nprs", "kujala", "lefs", "koos_pf", "psfs", "groc", "runner_intake")

questionnaires = sa.table(
    "questionnaires", sa.column("id", sa.Uuid()), sa.column("code", sa.String()), sa.column("version", sa.Integer()),
    sa.column("title", sa.String()), sa.column("definition", sa.JSON()), sa.column("builtin", sa.Boolean()),
    sa.column("created_by", sa.Uuid()), sa.column("created_at", sa.DateTime(timezone=True)),
)


def load_builtins(connection: Connection) -> list[str]:
    """Insert every built-in version the database lacks; answers the ``code vN`` it inserted."""
    stored = {(row.code, row.version): row.definition for row in
              connection.execute(sa.select(questionnaires.c.code, questionnaires.c.version,
                                           questionnaires.c.definition))}
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    inserted = []
    for definition in load_builtin_definitions():
        check_definition(definition)
        key = (definition["code"], definition["version"])
        if key in stored:
            if stored[key] != definition:
                log.warning("built-in %s v%s differs from the stored one; give the change a new version", *key)
            continue
        connection.execute(questionnaires.insert().values(
            id=uuid.uuid4(), code=definition["code"], version=definition["version"], title=definition["title"],
            definition=definition, builtin=True, created_by=None, created_at=now))
        inserted.append(f"{key[0]} v{key[1]}")
    return inserted


def load_builtin_definitions() -> list[dict[str, Any]]:
    """The built-in definitions shipped in ``definitions/``, in :data:`BUILTIN_CODES` order.

    Each call parses the files afresh, so callers may change what they get back.
    """
    folder = resources.files("clinic_api.questionnaires").joinpath("definitions")
    return [json.loads(folder.joinpath(f"{code}.json").read_text(encoding="utf-8")) for code in BUILTIN_CODES]
