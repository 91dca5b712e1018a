"""The shape holds: calls across packages go to public names, every GET that names an object answers 404
problem details for an unknown one, and every write of the clinical record announces itself."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from clinic_api.core import signals
from tests.factories import API, intake

PACKAGE = Path(__file__).resolve().parents[2] / "clinic_api"


def cross_package_private_imports() -> list[str]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        own = path.relative_to(PACKAGE).parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("clinic_api."):
                other = node.module.split(".")[1]
                found += [f"{path.relative_to(PACKAGE)}: {node.module}.{alias.name}" for alias in node.names
                          if other != own and alias.name.startswith("_")]
    return found


def test_no_package_imports_another_packages_private_names():
    assert cross_package_private_imports() == []


SAMPLES = {"uuid": "00000000-0000-4000-8000-000000000000", "int": "9999", "string": "no-such-code",
           "default": "no-such-code", "path": "no-such-file.js"}


def unknown_urls(app) -> list[tuple[str, str]]:
    """Every GET route with a path parameter, filled with values that name nothing, and its endpoint."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.arguments:
            url = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", lambda m: SAMPLES[m.group(1) or "default"], rule.rule)
            urls.append((url, rule.endpoint))
    return sorted(urls)


def test_every_get_route_answers_404_problem_details_for_an_unknown_object(app, client_for):
    clients = {role: client_for(role) for role in ("admin", "therapist", "front_desk")}
    urls = unknown_urls(app)
    assert len(urls) >= 15
    for url, endpoint in urls:
        view = app.view_functions[endpoint]
        view = getattr(getattr(view, "view_class", None), "get", view)  # a MethodView's GET, or the function
        roles = getattr(view, "_apidoc", {}).get("manual_doc", {}).get("x-roles")
        client = clients[roles[0] if roles else "therapist"]
        answer = client.get(url)
        assert answer.status_code == 404, (url, answer.status_code, answer.get_json())
        assert answer.content_type == "application/problem+json", url


def test_every_route_with_a_path_parameter_documents_its_404(anonymous):
    spec = anonymous.get("/openapi.json").get_json()
    missing = [f"{method} {path}" for path, operations in spec["paths"].items() if "{" in path
               for method, operation in operations.items() if method != "parameters"
               and "404" not in operation["responses"]]
    assert missing == []


@pytest.fixture
def announced():
    events: list[tuple[str, str]] = []

    def receiver(name):
        def receive(sender, **fields):
            events.append((name, str(fields["episode_id"])))
        return receive

    receivers = [(signal, receiver(signal.name)) for signal in signals.RECORD_EVENTS]
    for signal, receive in receivers:
        signal.connect(receive)
    yield events
    for signal, receive in receivers:
        signal.disconnect(receive)


def test_every_write_of_the_record_announces_itself(announced, as_therapist, create_episode, create_visit,
                                                     create_response, create_pain_score, create_run, create_goal):
    episode = create_episode()
    first = create_response(episode["id"], **intake())
    as_therapist.post(f"{API}/episodes/{episode['id']}/responses", json={**intake(), "replaces": first["id"]})
    visit = create_visit(episode["id"], pain_scores=[{"score": 4, "context": "stairs_down"}])
    as_therapist.patch_current(f"{API}/visits/{visit['id']}", {"plan": "Step-downs."})
    as_therapist.post(f"{API}/visits/{visit['id']}/sign")
    create_pain_score(episode["id"])
    create_run(episode["id"])
    goal = create_goal(episode["id"])
    as_therapist.patch_current(f"{API}/goals/{goal['id']}", {"text": "Run 12 km pain-free"})
    as_therapist.patch_current(f"{API}/episodes/{episode['id']}", {"referral_source": "GP"})
    as_therapist.post(f"{API}/episodes/{episode['id']}/discharge", json={
        "reason": "goals_met", "goals": [{"id": goal["id"], "status": "met"}]})
    as_therapist.post(f"{API}/episodes/{episode['id']}/reopen", json={"reason": "Pain came back."})

    names = [name for name, episode_id in announced if episode_id == episode["id"]]
    assert names == ["episode-opened", "response-recorded", "response-replaced", "response-recorded",
                     "pain-score-recorded", "visit-created", "visit-changed", "visit-signed", "pain-score-recorded",
                     "run-recorded", "goal-changed", "goal-changed", "episode-changed", "goal-changed",
                     "episode-discharged", "episode-reopened"]
