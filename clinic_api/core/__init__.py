"""The HTTP conventions every endpoint shares: problem details, auth, pagination, idempotency, audit."""
