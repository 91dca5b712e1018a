"""A released built-in version never changes: it is frozen beside the migration that inserts it.

Each data migration that releases built-ins keeps plain JSON copies in its own folder
(``migrations/versions/<revision>_builtins/<code>.v<version>.json``) and inserts those, never the package's
data files (``clinic_api/questionnaires/definitions/``, the latest version of each instrument). So an edit
to a released version fails here, and a database migrated long ago and a fresh one hold the same
definitions: a changed instrument is a new version, released by a new data migration with its own files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from clinic_api.extensions import db
from clinic_api.questionnaires.definitions import check_definition
from clinic_api.questionnaires.models import Questionnaire

ROOT = Path(__file__).resolve().parents[2]
FROZEN_FILES = sorted((ROOT / "migrations" / "versions").glob("*_builtins/*.json"))
PACKAGE_FILES = sorted((ROOT / "clinic_api" / "questionnaires" / "definitions").glob("*.json"))


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def frozen() -> dict[tuple[str, int], dict[str, Any]]:
    released: dict[tuple[str, int], dict[str, Any]] = {}
    for path in FROZEN_FILES:
        definition = read(path)
        key = (definition["code"], definition["version"])
        assert key not in released, f"{path.name}: version {key[1]} of {key[0]} is frozen twice"
        released[key] = definition
    return released


def label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_released_built_ins_are_frozen() -> None:
    released_with_0002 = ("nprs", "kujala", "lefs", "koos_pf", "psfs", "groc", "runner_intake")
    assert {label(path) for path in FROZEN_FILES} >= {f"0002_builtins/{code}.v1.json" for code in released_with_0002}


@pytest.mark.parametrize("path", FROZEN_FILES, ids=label)
def test_a_frozen_definition_passes_the_check_of_a_post_unchanged(path: Path) -> None:
    definition = read(path)
    assert path.name == f"{definition['code']}.v{definition['version']}.json"
    # The check of POST /questionnaires; what the migration stores is exactly what that check keeps.
    assert check_definition(read(path)) == definition


@pytest.mark.parametrize("path", PACKAGE_FILES, ids=lambda path: path.name)
def test_each_package_data_file_is_identical_to_the_frozen_copy_of_its_version(path: Path) -> None:
    definition = read(path)
    released = frozen().get((definition["code"], definition["version"]))
    assert released is not None, (
        f"{path.name}: version {definition['version']} is not frozen in any migration's data folder; "
        "a new version is released by a new data migration with its own frozen copy")
    assert definition == released, (
        f"{path.name} differs from the released version {definition['version']}: a released version never "
        "changes, give the change a new version")


def test_a_migrated_database_holds_exactly_the_frozen_definitions(app: Flask) -> None:
    with app.app_context():
        rows = db.session.execute(select(Questionnaire.code, Questionnaire.version, Questionnaire.definition)
                                  .where(Questionnaire.builtin.is_(True))).all()
        db.session.remove()
    assert {(row.code, row.version): row.definition for row in rows} == frozen()
