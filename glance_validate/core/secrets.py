"""Secrets: the credentials known to a run, and the one function that blanks them from text.

A ``Secrets`` value holds what must never be shown or stored: the token (``--token``,
``OS_AUTH_TOKEN``, ``OS_TOKEN``, a Keystone login's), passwords (``OS_PASSWORD``, clouds.yaml,
a URL's ``user:password@``), credentials in a URL's query (``?token=``), and the headers and
cookies of a captured request. ``redact`` blanks every occurrence as ``***``, repeated and
overlapping ones included, and also the forms escaping gives a secret on its way out: JSON
(``\\/``, ``\\uXXXX``), percent-encoding and HTML/XML entities.

Blank first, cut after: a message that shortens a value calls ``clip``, which blanks the
secrets in force before it cuts. Cut first, a secret loses its tail and no longer matches, and
its head is shown. The secrets in force are a context variable: a run, a fetch and a Keystone
login put theirs in force while they work, so the stages that only shorten values need no
parameter to know them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, Any, AnyStr
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit

MASK = "***"
MIN_SECRET = 6  # shorter values (session=1) are not worth blanking everywhere
# Names of headers and query parameters whose values are credentials.
CREDENTIAL_NAME = re.compile(r"token|auth|key|secret|passw|signature|credential|session|sig$", re.I)


@dataclass(frozen=True)
class Secrets:
    """Every form of every secret known here, longest first (never shown: ``repr`` hides them)."""

    forms: tuple[str, ...] = field(default=(), repr=False)

    @classmethod
    def of(cls, *values: str | None) -> Secrets:
        """The secrets among ``values`` (empty and short ones dropped), with their escaped forms."""
        return cls(_longest_first(form for value in values if value for form in _forms(value)))

    def __bool__(self) -> bool:
        return bool(self.forms)

    def __or__(self, other: Secrets) -> Secrets:
        if not other.forms or other.forms == self.forms:
            return self
        return Secrets(_longest_first((*self.forms, *other.forms)))

    def occurs_in(self, text: str) -> bool:
        if not self.forms:  # the common case, on every message built
            return False
        return any(form in text for form in self.forms)

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of every secret, in any of its forms, shown as ``***``."""
        if not text or not self.occurs_in(text):
            return text
        spans = sorted(span for form in self.forms for span in _occurrences(text, form))
        parts: list[str] = []
        done = 0
        for start, end in _merged(spans):
            parts += (text[done:start], MASK)
            done = end
        parts.append(text[done:])
        return "".join(parts)

    def redact_json(self, value: Any) -> Any:
        """A JSON value with every string in it (keys too) redacted."""
        if not self.forms:
            return value
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self.redact_json(item) for item in value]
        if isinstance(value, dict):
            return {self.redact(k): self.redact_json(v) for k, v in value.items()}
        return value


NONE = Secrets()


def _forms(secret: str) -> Iterator[str]:
    if len(secret) < MIN_SECRET:
        return
    import html  # only once there is a secret: a run without one does not pay for it

    yield secret
    yield json.dumps(secret)[1:-1]
    yield json.dumps(secret, ensure_ascii=False)[1:-1]
    yield json.dumps(secret)[1:-1].replace("/", "\\/")
    yield repr(secret)[1:-1]
    yield quote(secret, safe="")
    yield quote_plus(secret)
    yield html.escape(secret)
    yield html.escape(secret, quote=False).replace("'", "&apos;")


def _longest_first(forms: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(forms), key=lambda f: (-len(f), f)))


def _occurrences(text: str, form: str) -> Iterator[tuple[int, int]]:
    """Every (start, end) of ``form`` in ``text``, overlapping ones too."""
    start = text.find(form)
    while start >= 0:
        yield start, start + len(form)
        start = text.find(form, start + 1)


def _merged(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Sorted spans joined where they overlap or touch: one ``***`` for a run of secrets."""
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if next_start > end:
            yield start, end
            start = next_start
        end = max(end, next_end)
    yield start, end


# URLs -----------------------------------------------------------------------------------------


def url_secrets(url: str) -> tuple[str, ...]:
    """The credentials a URL carries: the password (or a lone user name) of its user
    information, and the values of query parameters named like credentials."""
    try:
        parts = urlsplit(url)
        found = [parts.password or parts.username or ""]
    except ValueError:
        return ()
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if CREDENTIAL_NAME.search(unquote_plus(name)):
            found += (value, unquote_plus(value))
    return tuple(s for s in found if len(s) >= MIN_SECRET)


def masked_query(query: str) -> str:
    """A query string with the values of credential parameters shown as ``***``, the rest as is."""
    pairs = query.split("&")
    masked = (
        f"{name}={MASK}" if sep and CREDENTIAL_NAME.search(unquote_plus(name)) else f"{name}{sep}{value}"
        for name, sep, value in (pair.partition("=") for pair in pairs)
    )
    return "&".join(masked)


# The secrets in force, and cutting ------------------------------------------------------------

_IN_FORCE: ContextVar[Secrets] = ContextVar("glance_validate_secrets", default=NONE)


def in_force() -> Secrets:
    return _IN_FORCE.get()


@contextmanager
def enforced(secrets: Secrets) -> Iterator[Secrets]:
    """Add ``secrets`` to those in force while the block runs; yields all that are in force."""
    combined = _IN_FORCE.get() | secrets
    reset = _IN_FORCE.set(combined)
    try:
        yield combined
    finally:
        _IN_FORCE.reset(reset)


def enforce(secrets: Secrets) -> None:
    """Add ``secrets`` to those in force for good (a worker process, for all of its tasks)."""
    _IN_FORCE.set(_IN_FORCE.get() | secrets)


def blanked(text: str) -> str:
    """``text`` with the secrets in force blanked: call it before cutting a value for a message."""
    return _IN_FORCE.get().redact(text)


def clip(text: str, limit: int, marker: str = "...") -> str:
    """``text`` with the secrets in force blanked, then cut to ``limit`` characters (marker included)."""
    text = blanked(text)
    return text if len(text) <= limit else text[: max(0, limit - len(marker))] + marker


# Streams --------------------------------------------------------------------------------------


class RedactingWriter:
    """A text stream that redacts whole lines before they reach ``stream``.

    Writes are held until a newline (or ``flush``), so a secret written in pieces is still
    seen whole; everything else (``isatty``, ``encoding``, ...) is the wrapped stream's.
    """

    def __init__(self, stream: IO[AnyStr], secrets: Secrets) -> None:
        self._stream: IO[Any] = stream
        self._secrets = secrets
        self._held = ""

    def write(self, text: str) -> int:
        self._held += text
        if "\n" in text:
            lines, _, self._held = self._held.rpartition("\n")
            self._stream.write(self._secrets.redact(lines + "\n"))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._held:
            self._stream.write(self._secrets.redact(self._held))
            self._held = ""
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
