"""What reading JSON text gives: the value, or :data:`NO_VALUE`, and the problems found.

Every reader of the ``text`` package returns a :class:`ParsedText`; each
:class:`TextProblem` carries a 1-based line, a 1-based column (counted in
characters of the decoded line) and an RFC 6901 JSON Pointer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["NO_VALUE", "ParsedText", "TextProblem"]


@dataclass(frozen=True, slots=True)
class TextProblem:
    """One finding about the raw JSON text, with its position."""

    kind: str
    message: str
    line: int
    column: int
    pointer: str


class _NoValue:
    """Type of :data:`NO_VALUE`; there is exactly one instance."""

    __slots__ = ()
    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __reduce__(self) -> str:
        # Pickle by reference to the module global so identity survives.
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()

_HARMLESS_KINDS: Final = frozenset({"bom"})


@dataclass(frozen=True, slots=True)
class ParsedText:
    """The parsed value (or :data:`NO_VALUE`) and the problems found."""

    value: object
    problems: tuple[TextProblem, ...]

    def ok(self) -> bool:
        """True when no problem prevents using :attr:`value`."""
        return all(p.kind in _HARMLESS_KINDS for p in self.problems)
