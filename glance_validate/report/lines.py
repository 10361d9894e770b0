"""How a finding reads on a line, in every format that prints lines: text, junit, github.

Printable text (control characters and undecodable file-name bytes as escapes), a finding's
location, the finding line and the summary line of a run.
"""

from __future__ import annotations

from glance_validate.core.findings import Finding
from glance_validate.report.values import Checked, Summary


def printable(text: str) -> str:
    """``text`` with control characters and undecodable file-name bytes shown as escapes."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c.isprintable():
            out.append(c)
        elif "\udc80" <= c <= "\udcff":  # a byte of a file name that is not UTF-8
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        else:
            out.append(repr(c)[1:-1])
    return "".join(out)


def finding_line(item: Checked, f: Finding) -> int | None:
    return f.line if f.line is not None else item.origin.line


def location(item: Checked, f: Finding) -> str:
    label = printable(item.source)
    line = finding_line(item, f)
    if line is None:
        return label
    return f"{label}:{line}:{f.column}" if f.column is not None else f"{label}:{line}"


def text_line(where: str, f: Finding) -> str:
    return f"{where}: {f.code} [{f.severity}] {described(f)}"


def described(f: Finding) -> str:
    """The finding's message and pointer as printable text: ``message (at /pointer)``."""
    pointer = f" (at {printable(f.path)})" if f.path else ""
    return f"{printable(f.message)}{pointer}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


NOTHING_CHECKED = "nothing checked: no payload was found in the inputs"


def nothing_checked_message(allowed: bool) -> str:
    """What every format says about a run that found no payload to check."""
    return NOTHING_CHECKED + ("" if allowed else " (exit code 4; --allow-empty accepts this)")


def summary_line(schema_name: str, summary: Summary) -> str:
    """``checked N payloads (I images) against S: F failed (U unreadable inputs), E errors, ...``.

    Every payload is counted once: those that passed, plus ``failed`` (a finding at or above
    --fail-on), which includes the unreadable inputs (nothing in them was checked).
    """
    parts = []
    if summary.failed:
        unreadable = f" ({plural(summary.unreadable, 'unreadable input')})" if summary.unreadable else ""
        parts.append(f"{summary.failed} failed{unreadable}")
    parts.extend(plural(n, sev) for sev, n in summary.findings.items() if n)
    if summary.nothing_checked:
        parts.append("nothing checked")
    if summary.not_checked:
        parts.append(f"{plural(summary.not_checked, 'input')} not checked")
    return (
        f"checked {plural(summary.payloads, 'payload')} ({plural(summary.images, 'image')}) "
        f"against {printable(schema_name)}: {', '.join(parts) or 'no findings'} in {summary.seconds:.2f}s"
    )
