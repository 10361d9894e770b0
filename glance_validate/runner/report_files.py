"""Report files (``--output FORMAT=PATH``) that are complete or absent, never half written.

A report is written to a temporary file beside its path and renamed into place when the run
has finished writing it; a run that stops before (an interrupt, SIGTERM, an unusable schema)
removes the temporary file and leaves the path as it was: absent, or the previous complete
report.
"""

from __future__ import annotations

import errno
import os
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from glance_validate.core.secrets import Secrets
from glance_validate.runner.redact import redacting


class ReportFile:
    """A report being written to a temporary file beside ``path``; ``commit()`` puts it in place."""

    def __init__(self, path: str, secrets: Secrets, stack: ExitStack) -> None:
        """Raises OSError when the temporary file cannot be created (the directory is missing...)."""
        target = Path(path)
        if target.is_dir():  # would fail only at the rename, after the run
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        self.path = target
        self.temporary = _create_beside(target)
        self.committed = False
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
