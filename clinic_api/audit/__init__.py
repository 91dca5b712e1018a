"""The append-only audit trail of who read or changed patient data, and of every login."""
