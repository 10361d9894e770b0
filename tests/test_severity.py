"""Severities: one order, and the one rule by which a finding reaches --fail-on."""

from __future__ import annotations

from glance_validate.core.findings import Finding, any_at_least
from glance_validate.core.severity import SEVERITIES, at_least


def test_each_severity_reaches_itself_and_every_less_severe_one() -> None:
    """at_least follows SEVERITIES (most severe first): error reaches warning and info, not back."""
    for i, severity in enumerate(SEVERITIES):
        assert [at_least(severity, threshold) for threshold in SEVERITIES] == [j >= i for j in range(3)]


def test_an_unknown_threshold_is_taken_as_error() -> None:
    """A threshold that names no severity fails only errors, as --fail-on's default does."""
    assert at_least("error", "fatal") and not at_least("warning", "fatal")


def test_findings_fail_when_one_of_them_reaches_the_threshold() -> None:
    """any_at_least is false for no findings and true as soon as one finding reaches the threshold."""
    warning = Finding("C016", "warning", "", "w")
    assert not any_at_least([], "info")
    assert not any_at_least([warning], "error") and any_at_least([warning], "warning")
