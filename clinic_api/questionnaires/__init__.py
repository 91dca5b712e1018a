"""Questionnaire definitions, built-in instrument files, scoring and responses."""
