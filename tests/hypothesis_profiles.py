"""Hypothesis profiles for the property tests.

- ``ci``: chosen when ``CI=true``; bounded example counts, derandomized (the same examples on
  every run), no example database, no deadline (CI machines are noisy).
- ``local`` (the default elsewhere): more examples, random, with the example database so that a
  failure found once is replayed first.
- ``thorough``: many examples, for a long run before a release:
  ``python -m pytest tests/test_properties.py --hypothesis-profile thorough``.

``GLANCE_VALIDATE_HYPOTHESIS_PROFILE`` picks a profile by name outside CI.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE_VARIABLE = "GLANCE_VALIDATE_HYPOTHESIS_PROFILE"


def register_and_load() -> str:
    """Register the profiles, load the one this environment asks for, and return its name."""
    settings.register_profile(
        "ci",
        max_examples=40,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile("local", max_examples=100, deadline=None)
    settings.register_profile(
        "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    name = "ci" if os.environ.get("CI", "").lower() == "true" else os.environ.get(PROFILE_VARIABLE, "local")
    settings.load_profile(name)
    return name
