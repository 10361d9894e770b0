"""Severities: their names, their order, and the rule by which one reaches another (--fail-on).

Kept apart from the finding values so that the command line can offer the severities at start-up
without importing them.
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["error", "warning", "info"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")  # the most severe first
SEVERITY_RANK: dict[str, int] = {s: len(SEVERITIES) - 1 - i for i, s in enumerate(SEVERITIES)}


def at_least(severity: str, threshold: str) -> bool:
    """Whether ``severity`` reaches ``threshold``: the rule of --fail-on and --min-severity.

    An unknown severity ranks as info, an unknown threshold as error.
    """
    return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(threshold, SEVERITY_RANK["error"])
