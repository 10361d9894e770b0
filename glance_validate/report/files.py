"""Where reports go: the output boundary that blanks secrets, and report files (``--output
FORMAT=PATH``) that are complete or absent, never half written.

A report is written to a temporary file beside its path and renamed into place when the run
has finished writing it; a run that stops before (an interrupt, SIGTERM, an unusable schema)
removes the temporary file and leaves the path as it was: absent, or the previous complete
report.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TextIO, cast

from glance_validate.core.secrets import RedactingWriter, Secrets
from glance_validate.core.signals import deferred_stop_signals
from glance_validate.report.formats import reporter_factory
from glance_validate.report.values import Reporter, ReportOptions


def redacting(stream: TextIO, secrets: Secrets, stack: ExitStack) -> TextIO:
    """The output boundary: ``stream`` with the run's credentials blanked from every line
    written to it (standard output and error, and every report file)."""
    if not secrets:
        return stream
    writer = RedactingWriter(stream, secrets)
    stack.callback(writer.flush)
    return cast(TextIO, writer)


class ReportFile:
    """A report being written to a temporary file beside ``path``; ``commit()`` puts it in place."""

    def __init__(self, path: str, secrets: Secrets, stack: ExitStack) -> None:
        """Raises OSError when the temporary file cannot be created (the directory is missing...)."""
        target = Path(path)
        if target.is_dir():  # would fail only at the rename, after the run
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        self.path = target
        self.committed = False
        with deferred_stop_signals():  # the file never exists without the callback that removes it
            self.temporary = _create_beside(target)
            stack.callback(self._discard)  # pushed first: runs after the stream is closed
        raw = stack.enter_context(self.temporary.open("w", encoding="utf-8", errors="backslashreplace"))
        self.stream: TextIO = redacting(raw, secrets, stack)

    def commit(self) -> None:
        """Rename the written report into place (atomic on one file system)."""
        self.stream.flush()
        self.temporary.replace(self.path)
        self.committed = True

    def _discard(self) -> None:
        if not self.committed:
            self.temporary.unlink(missing_ok=True)


def _create_beside(target: Path) -> Path:
    """A new empty file in ``target``'s directory, named after it, readable as ``open("w")`` makes it."""
    while True:
        candidate = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return candidate


def open_reporters(
    output_format: str,
    outputs: Sequence[tuple[str, str]],
    console: ReportOptions,
    streams: tuple[TextIO, TextIO],
    stack: ExitStack,
    secrets: Secrets,
) -> tuple[list[Reporter], list[ReportFile]] | None:
    """The reporter on standard output and one per --output file, and those files (to commit
    when the run finishes); None (said on the error stream) if a file cannot be created."""
    out, err = streams
    reporters: list[Reporter] = [reporter_factory(output_format)(out, console)]
    to_file = replace(console, color=False)
    files: list[ReportFile] = []
    for report_format, path in outputs:
        try:
            files.append(ReportFile(path, secrets, stack))
        except OSError as exc:
            err.write(
                f"glance-validate: cannot write the {report_format} report to {path!r}: {exc.strerror}\n"
            )
            return None
        reporters.append(reporter_factory(report_format)(files[-1].stream, to_file))
    return reporters, files
