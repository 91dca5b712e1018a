"""Fixtures of the cross-cutting tests."""
from __future__ import annotations

import logging

import pytest


@pytest.fixture
def app_logs(caplog):
    """The records of the app's own logger (it does not propagate to the root logger that caplog watches)."""
    logger = logging.getLogger("clinic_api")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)
