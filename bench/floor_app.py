"""The floors ``bench.throughput`` measures the service against: what the same durable work costs by hand.

    DATABASE_URL=postgresql+psycopg://… gunicorn -c config/gunicorn.conf.py bench.floor_app:app

- ``GET /floor/patients/<id>``: a minimal Flask-SQLAlchemy endpoint doing an audited read's durable work and no
  more: the bearer token looked up by its digest (joined with its user; revoked, expired, idle or inactive is 401),
  the patient row read, one audit row inserted, one commit, the row returned as JSON.
- ``GET /floor/constant``: a bare Flask endpoint returning constant JSON (``FLOOR_CONSTANT_FILE``, the bytes of a
  released questionnaire version as the service serves it, else a small object): no database, no token.
- ``GET /floor/token-constant``: the same constant JSON behind a bearer token: the token looked up by its digest as
  ``/floor/patients`` looks it up (one indexed query joined with its user; 401 if invalid), on a pooled connection in
  autocommit (no BEGIN, no COMMIT), then the bytes. What a released definition's durable work costs by hand.
- ``GET /floor/healthz``: for the script to know the server is up.

Not part of the service: no validation, no problem details, no ETag, no logging.
"""
from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, Response, abort, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

from config import normalise_database_url

IDLE_TIMEOUT = timedelta(seconds=int(os.environ.get("ACCESS_TOKEN_IDLE_TIMEOUT_SECONDS", "1800")))

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ.get("DATABASE_URL", "sqlite://"))
# Flask-SQLAlchemy's defaults: no pool_pre_ping, like the service (a ping is a round trip per request that is no part
# of the durable work).
db = SQLAlchemy(app)

_constant_file = os.environ.get("FLOOR_CONSTANT_FILE")
CONSTANT = Path(_constant_file).read_bytes() if _constant_file else b'{"status":"ok"}'

TOKEN = text("SELECT t.user_id, t.expires_at, t.last_used_at, t.revoked_at, u.active FROM access_tokens t "
             "JOIN users u ON u.id = t.user_id WHERE t.token_digest = :digest")
PATIENT = text("SELECT * FROM patients WHERE id = :id")
AUDIT = text("INSERT INTO audit_events (id, occurred_at, user_id, action, resource_type, resource_id, patient_id, "
             "outcome, remote_addr, request_id) VALUES (:id, :at, :user_id, 'patient.read', 'patient', :resource_id, "
             ":patient_id, 'success', :remote_addr, :request_id)")


@app.get("/floor/healthz")
def healthz():
    return {"status": "ok"}


@app.get("/floor/constant")
def constant():
    return Response(CONSTANT, mimetype="application/json")


@app.get("/floor/token-constant")
def token_constant():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        abort(401)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        access = connection.execute(TOKEN, {"digest": hashlib.sha256(token.encode()).hexdigest()}).first()
    now = datetime.now(UTC)
    if (access is None or access.revoked_at is not None or access.expires_at <= now
            or access.last_used_at + IDLE_TIMEOUT <= now or not access.active):
        abort(401)
    return Response(CONSTANT, mimetype="application/json")


@app.get("/floor/patients/<uuid:patient_id>")
def patient(patient_id: uuid.UUID):
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        abort(401)
    access = db.session.execute(TOKEN, {"digest": hashlib.sha256(token.encode()).hexdigest()}).first()
    now = datetime.now(UTC)
    if (access is None or access.revoked_at is not None or access.expires_at <= now
            or access.last_used_at + IDLE_TIMEOUT <= now or not access.active):
        abort(401)
    row = db.session.execute(PATIENT, {"id": patient_id}).mappings().first()
    if row is None:
        abort(404)
    db.session.execute(AUDIT, {"id": uuid.uuid4(), "at": now, "user_id": access.user_id,
                               "resource_id": str(patient_id), "patient_id": patient_id,
                               "remote_addr": request.remote_addr, "request_id": uuid.uuid4().hex})
    db.session.commit()
    return jsonify({key: str(value) if value is not None else None for key, value in row.items()})
