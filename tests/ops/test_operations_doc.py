"""docs/operations.md keeps up with the code: every variable the settings and the server config read is in its
tables, each number with the default the code has, and the commands it names exist."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import config

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([A-Z_]+)`[^|]* \| ([^|]*) \|", re.MULTILINE)
DOCUMENTED = {variable: default for variable, default in ROW.findall(DOC)}


def documented_default(variable: str) -> str:
    assert variable in DOCUMENTED, f"{variable} is read by the settings but not in the tables of docs/operations.md"
    return DOCUMENTED[variable]


@pytest.mark.parametrize("variable", config.SETTINGS_VARIABLES)
def test_every_setting_is_in_the_table(variable):
    documented_default(variable)


@pytest.mark.parametrize("variable", [*config.ENV_OVERRIDES, *config.SCHEDULE_OVERRIDES])
def test_each_number_is_documented_with_its_default(variable):
    if variable in config.SCHEDULE_OVERRIDES:
        default = config.Production.MEASURE_SCHEDULE[config.SCHEDULE_OVERRIDES[variable]]
    else:
        default = getattr(config.Production, config.ENV_OVERRIDES[variable][0])
    if isinstance(default, int) and not isinstance(default, bool):
        assert documented_default(variable).startswith(f"`{default}`"), variable


def test_every_variable_of_the_server_config_is_in_the_table():
    read = set(re.findall(r"os\.environ\.get\(\s*\"([A-Z_]+)\"", (ROOT / "config" / "gunicorn.conf.py").read_text()))
    assert read >= {"GUNICORN_BIND", "GUNICORN_WORKERS", "GUNICORN_THREADS"}
    rows = "\n".join(line for line in DOC.splitlines() if line.startswith("| `"))
    assert sorted(read - set(re.findall(r"`([A-Z_]+)`", rows))) == []


def test_the_commands_it_names_exist(fresh_app):
    for command in (["users", "revoke-tokens"], ["audit", "export"], ["outcomes", "rebuild"], ["demo"],
                    ["db", "upgrade"]):
        assert f"flask --app wsgi {' '.join(command)}" in DOC or f"flask {' '.join(command)}" in DOC, command
        result = fresh_app.test_cli_runner().invoke(args=[*command, "--help"])
        assert result.exit_code == 0, result.output


def test_it_names_no_path_of_a_build_machine():
    assert not re.search(r"(?<![\w.])/(work|tmp)/", DOC)


def test_the_readme_links_it():
    assert "(docs/operations.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
