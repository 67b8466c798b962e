"""Hypothesis settings for the fuzz tests: short by default, long with GRADSHEET_FUZZ=long."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("GRADSHEET_FUZZ", "") == "long"

FUZZ = settings(
    max_examples=20_000 if LONG else 300,
    deadline=None,
    derandomize=not LONG,  # CI runs the same examples every time; a long run explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None,
)
