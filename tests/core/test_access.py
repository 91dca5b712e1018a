"""Authentication by default: only login, health and the API's documents are public; every other route answers
401 without a token."""
from __future__ import annotations

from clinic_api.core.access import is_public
from tests.factories import UNKNOWN_ID

PUBLIC_ENDPOINTS = {"auth.login", "health.healthz", "health.readyz", "api-docs.openapi_json",
                    "api-docs.openapi_swagger_ui", "swagger_ui_assets", "static"}


def test_only_login_health_and_docs_are_public(app):
    with app.test_request_context():
        public_endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if is_public(rule.endpoint)}
    assert public_endpoints <= PUBLIC_ENDPOINTS
    assert {"auth.login", "health.healthz", "health.readyz", "api-docs.openapi_json"} <= public_endpoints


EXAMPLE_ARGUMENTS = {"uuid": UNKNOWN_ID, "integer": 1}


def protected_routes(app):
    """(method, url) for every rule of the URL map that is not public, its arguments filled in."""
    for rule in app.url_map.iter_rules():
        with app.test_request_context():
            if is_public(rule.endpoint):
                continue
        values = {name: EXAMPLE_ARGUMENTS.get(type(converter).__name__.lower().removesuffix("converter"), "x")
                  for name, converter in rule._converters.items()}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_every_other_route_answers_401_without_a_token(app, anonymous):
    checked = 0
    for method, url in protected_routes(app):
        response = anonymous.request(method, url, json={})
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.content_type == "application/problem+json"
        checked += 1
    assert checked >= 15
