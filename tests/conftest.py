from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis_profiles import register_and_load
from realglance.fixture import real_glance  # noqa: F401  (the session's real Glance 33.0.0)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
HYPOTHESIS_PROFILE = register_and_load()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
