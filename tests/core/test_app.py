"""The app starts only with safe settings, says whether it is healthy, and describes itself in OpenAPI."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate as validate_openapi

import config
from clinic_api import create_app


def test_openapi_document_is_valid_and_describes_the_api(anonymous):
    response = anonymous.get("/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    validate_openapi(document)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/patients" in document["paths"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    login = document["paths"]["/api/v1/auth/login"]["post"]
    assert login["security"] == []
    patients_get = document["paths"]["/api/v1/patients"]["get"]
    assert {"401", "403", "422"} <= set(patients_get["responses"])
    assert "PatientPage" in document["components"]["schemas"]
    # Errors are documented with the media type they are sent with.
    assert "application/problem+json" in patients_get["responses"]["403"]["content"]
    unprocessable = document["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert list(unprocessable) == ["application/problem+json"]


def test_swagger_ui_is_served_without_internet(anonymous):
    page = anonymous.get("/docs")
    assert page.status_code == 200 and b"swagger" in page.data.lower()
    assert anonymous.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_health_and_readiness(anonymous):
    assert anonymous.get("/healthz").get_json() == {"status": "ok"}
    assert anonymous.get("/readyz").get_json() == {"status": "ok"}


def test_readiness_is_503_when_the_database_is_unreachable(tmp_path):
    broken = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"}, environment="test")

    response = broken.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.content_type == "application/problem+json"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(environment="production")


def test_postgresql_connections_carry_their_timeouts_and_keepalives():
    settings = config.load("test", {"SQLALCHEMY_DATABASE_URI": "postgresql://postgres@db.example/clinic",
                                    "DATABASE_STATEMENT_TIMEOUT_MS": 1234, "DATABASE_CONNECT_TIMEOUT_SECONDS": 3})

    connect_args = settings["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert connect_args["options"] == "-c statement_timeout=1234"
    assert connect_args["connect_timeout"] == 3
    assert connect_args["keepalives"] == 1 and connect_args["keepalives_idle"] == 10
    assert "connect_args" not in config.load("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})[
        "SQLALCHEMY_ENGINE_OPTIONS"]
