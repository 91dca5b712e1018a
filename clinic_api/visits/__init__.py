"""Visits (SOAP notes, addenda), pain scores, return-to-run logs and goals of an episode of care."""
