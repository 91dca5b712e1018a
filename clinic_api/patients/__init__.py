"""Patients, their runner profile, and their episodes of care."""
