"""The built-in instruments as the package ships them: the latest version of each, one data file per code.

A released version never changes: the migration that released it inserts its own frozen copy (see
``migrations/versions/0002_questionnaires.py``), and ``tests/questionnaires/test_frozen_definitions.py``
fails when a data file here differs from the frozen copy of its version.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any

# In the order the README's clinical record lists them, so listings are stable.
BUILTIN_CODES: tuple[str, ...] = ("nprs", "kujala", "lefs", "koos_pf", "psfs", "groc", "runner_intake",
                                  "running_injury_intake")


def load_builtin_definitions() -> list[dict[str, Any]]:
    """The built-in definitions shipped in ``definitions/``, in :data:`BUILTIN_CODES` order.

    Each call parses the files afresh, so callers may change what they get back.
    """
    folder = resources.files("clinic_api.questionnaires").joinpath("definitions")
    return [json.loads(folder.joinpath(f"{code}.json").read_text(encoding="utf-8")) for code in BUILTIN_CODES]
