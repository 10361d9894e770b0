"""The session-scoped ``real_glance`` fixture: one real Glance 33.0.0 for the whole test run.

It builds Glance's environment when needed (``build.ensure_built``: about 40 s once, cached outside
the checkout), starts Glance on 127.0.0.1 at a port the kernel picks, fills it through its API
(``populate``), and stops it when the session ends. When the environment cannot be built (no
package registry, for example) the tests that use it are skipped with the reason, unless
``GLANCE_VALIDATE_REQUIRE_REAL_GLANCE=1`` is set (CI sets it), in which case they fail.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import build
from .client import GlanceClient, GlanceError
from .populate import Population, populate
from .server import RealGlance, RealGlanceError

REQUIRE_ENV = "GLANCE_VALIDATE_REQUIRE_REAL_GLANCE"


@dataclass
class RealGlanceSession:
    """A running, populated Glance: its server, a client, what was created, and timings."""

    server: RealGlance
    client: GlanceClient
    population: Population
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def schema_url(self) -> str:
        return self.server.base_url + "/v2/schemas/images"

    @property
    def log_path(self) -> Path:
        return self.server.log_path


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


@pytest.fixture(scope="session")
def real_glance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealGlanceSession]:
    """A real Glance on 127.0.0.1, populated once for the session (skips if it cannot be built)."""
    timings: dict[str, float] = {}
    started = time.monotonic()
    try:
        python = build.ensure_built()
    except build.BuildError as exc:
        reason = f"real Glance {build.GLANCE_VERSION} environment could not be built: {exc}"
        if required():
            pytest.fail(f"{reason} ({REQUIRE_ENV}=1)", pytrace=False)
        pytest.skip(reason)
    timings["build"] = time.monotonic() - started

    server = RealGlance(tmp_path_factory.mktemp("realglance"), python)
    try:
        server.start()
    except RealGlanceError as exc:
        pytest.fail(f"real Glance did not start (log: {server.log_path}): {exc}", pytrace=False)
    try:
        timings.update(server.timings)
        client = server.client()
        try:
            population = populate(client)
        except GlanceError as exc:
            pytest.fail(
                f"populating real Glance failed: {exc}\nlog {server.log_path}:\n{server.log_tail()}",
                pytrace=False,
            )
        timings["populate"] = population.seconds
        yield RealGlanceSession(server, client, population, timings)
    finally:
        server.stop()
