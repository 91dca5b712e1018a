"""Fixtures of the clinical record of an episode: its URL, a draft visit without pain scores, and a goal."""
from __future__ import annotations

import pytest


@pytest.fixture
def ep(episode) -> str:
    """The URL of the episode (``f"{ep}/pain-scores"``)."""
    return f"/api/v1/episodes/{episode['id']}"


@pytest.fixture
def draft_visit(create_visit, episode) -> dict:
    """The episode's initial evaluation (EVALUATION) as a draft without pain scores."""
    return create_visit(episode["id"], pain_scores=[])


@pytest.fixture
def goal(create_goal, episode) -> dict:
    """An active goal of the episode with a target date and a measurable target."""
    return create_goal(episode["id"], text="Run 10 km pain-free", target_date="2026-11-30",
                       target={"measure": "longest_run_km", "value": 10})
