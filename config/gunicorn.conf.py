"""The production server's settings: ``gunicorn -c config/gunicorn.conf.py wsgi:app`` (scripts/run uses it).

Every value can be changed from the environment (``GUNICORN_WORKERS``, ``GUNICORN_THREADS``, ``GUNICORN_TIMEOUT``,
``HOST``/``PORT`` or ``GUNICORN_BIND``); docs/operations.md explains the choices.

- ``gthread`` workers: a worker's heartbeat runs beside its request threads, so a long streamed answer (the CSV
  export of the whole clinic) is not taken for a hung worker and killed at ``timeout``, as the ``sync`` worker
  does; threads also keep a worker busy while one request waits on PostgreSQL.
- ``timeout`` is how long a worker may stay silent before the master kills and replaces it, not a request limit:
  requests are bounded by the database's statement timeout (DATABASE_STATEMENT_TIMEOUT_MS).
- ``max_requests`` with jitter recycles workers now and then, so a slow leak can never grow without bound.
"""
from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", os.environ.get("WORKERS", "2")))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Request line and header limits (gunicorn's own defaults, stated): what is longer gets gunicorn's 400 before
# the app runs. The reverse proxy in front should refuse such requests first (docs/operations.md).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") == "1" else None  # the app logs each request itself
errorlog = "-"
