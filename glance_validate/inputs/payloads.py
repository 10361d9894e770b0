"""Payloads: bytes to validate with where they came from, or the finding that says why there are none.

The values every reader of inputs yields (``Origin``, ``Payload``), the codes of the findings
about inputs rather than payloads, and how a label is quoted in their messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from glance_validate.core.catalog import finding
from glance_validate.core.findings import Finding

# Codes of findings about inputs rather than payloads.
UNREADABLE = "P009"
TOO_LARGE = "P011"
NOT_A_CAPTURE = "P020"
ENTRY_UNUSABLE = "P021"
NOTHING_TO_CHECK = "P022"
NOT_JSON_BY_TYPE = "P023"
NOT_READ = frozenset({UNREADABLE, TOO_LARGE})  # the content was not checked: counted as unreadable

_SURROGATE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\udc([89a-f][0-9a-f])")


@dataclass(frozen=True)
class Origin:
    """Where a payload came from, as reports show it."""

    input: str  # the input's label: a path or <stdin>
    path: str | None = None  # the file, None for standard input
    line: int | None = None  # the line the payload starts on, when not the first
    entry: int | None = None  # index in a HAR capture's log.entries (from 0)
    request: str | None = None  # "GET /v2/images?limit=2": method, path and masked query only
    status: int | None = None  # HTTP status of a captured response
    body_relative: bool = False  # finding positions count from the start of the response body

    @property
    def label(self) -> str:
        if self.entry is not None:
            return f"{self.input}#entry-{self.entry} ({self.request})"
        return self.input

    def shifted(self, lines: int) -> Origin:
        return self if not lines or self.line is None else self.at_line(self.line + lines)

    def at_line(self, line: int) -> Origin:
        """This origin at ``line``, as ``replace(self, line=line)`` without its cost (per JSON Lines line)."""
        return Origin(self.input, self.path, line, self.entry, self.request, self.status, self.body_relative)


@dataclass(frozen=True)
class Payload:
    """Bytes to validate, or the finding that says why there are none."""

    origin: Origin
    data: bytes = b""
    line_shift: int = 0  # lines before the payload in its file: added to finding lines
    problem: Finding | None = None
    content_type: str | None = None
    # credentials of the captured request (token, cookies): blanked from whatever is reported
    secrets: tuple[str, ...] = field(default=(), repr=False)
    streamed: bool = False  # read whole from a stream whose content did not say JSON Lines

    @property
    def http_error(self) -> bool:
        return self.origin.status is not None and self.origin.status >= 400


def problem(origin: Origin, code: str, message: str) -> Payload:
    return Payload(origin, problem=finding(code, "", message))


def not_json_by_type(origin: Origin, content_type: str | None) -> Payload | None:
    """The P023 payload for a successful response whose media type is neither JSON nor text.

    Error responses are left to the error-body checks (S006), whatever their type; a response
    without a content type, or with a text one, is checked as JSON as before.
    """
    if not content_type or (origin.status is not None and origin.status >= 400):
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    if not media or "json" in media or media.startswith("text/"):
        return None
    return problem(origin, NOT_JSON_BY_TYPE, f"response body is {media}, not JSON: not checked")


def shown(label: str) -> str:
    """A label quoted for a message: one line, bytes of a non-UTF-8 file name as ``\\xNN``."""
    return _SURROGATE_ESCAPE.sub(r"\1\\x\2", repr(label))
