"""release the running injury intake (version 1): the intake of every region but the knee

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:20:00

Inserted from its frozen copy beside this revision (0007_builtins/), as 0002 does for the first
built-ins: a released version never changes, and a revision imports no app code.
"""
import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FROZEN = Path(__file__).with_name("0007_builtins")
RELEASED = (("running_injury_intake", 1),)

questionnaires = sa.table(
    "questionnaires", sa.column("id", sa.Uuid()), sa.column("code", sa.String()), sa.column("version", sa.Integer()),
    sa.column("title", sa.String()), sa.column("definition", sa.JSON()), sa.column("builtin", sa.Boolean()),
    sa.column("created_by", sa.Uuid()), sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade():
    now = datetime.now(timezone.utc)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # SQLite keeps naive UTC, as the app's UTCDateTime column does
    rows = []
    for code, version in RELEASED:
        definition = json.loads((FROZEN / f"{code}.v{version}.json").read_text(encoding="utf-8"))
        rows.append({"id": uuid.uuid4(), "code": code, "version": version, "title": definition["title"],
                     "definition": definition, "builtin": True, "created_by": None, "created_at": now})
    op.bulk_insert(questionnaires, rows)


def downgrade():
    # Refused by the database while responses to it exist: a downgrade never deletes clinical records.
    for code, version in RELEASED:
        op.execute(questionnaires.delete().where(questionnaires.c.code == code,
                                                 questionnaires.c.version == version))
