"""The report formats by name: what --format and --output offer, the reporter that writes each,
and how many findings of a payload they show by default.

Each format's reporter is imported only when a run asks for that format, so the command line
reads ``FORMATS`` at start-up without importing any reporter. Adding a format is adding a module
with a reporter class and a loader here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from glance_validate.report.values import ReporterFactory

# Findings shown per payload (--max-findings): a few screens, more than a real payload's problems
# (a page of 1,000 images rarely has 100 findings), so a broken export with millions of findings
# reports in seconds; the rest are counted (summary, exit code) and named in one R001 finding.
DEFAULT_MAX_FINDINGS = 100


def _text() -> ReporterFactory:
    from glance_validate.report.text import TextReporter

    return TextReporter


def _json() -> ReporterFactory:
    from glance_validate.report.json_report import JsonReporter

    return JsonReporter


def _junit() -> ReporterFactory:
    from glance_validate.report.junit import JunitReporter

    return JunitReporter


def _sarif() -> ReporterFactory:
    from glance_validate.report.sarif import SarifReporter

    return SarifReporter


def _github() -> ReporterFactory:
    from glance_validate.report.github import GithubReporter

    return GithubReporter


REPORTERS: dict[str, Callable[[], ReporterFactory]] = {
    "text": _text,
    "json": _json,
    "junit": _junit,
    "sarif": _sarif,
    "github": _github,
}
FORMATS: tuple[str, ...] = tuple(REPORTERS)


def reporter_factory(name: str) -> ReporterFactory:
    """The reporter class of format ``name`` (one of ``FORMATS``)."""
    return REPORTERS[name]()
