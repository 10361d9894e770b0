"""Bounded reads: whole inputs held up to a size limit, FIFOs and devices that cannot block the run.

``read_bounded`` holds at most the limit plus one byte, whatever the input (a regular file larger
than the limit is refused from its size, unread); ``open_input`` opens a FIFO or a device, and
``open_stdin`` hands out standard input, so that each wait for data ends after
``Limits.pipe_timeout`` seconds. Payloads and schemas are read through them.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_PIPE_TIMEOUT = 30.0


@dataclass(frozen=True)
class Limits:
    """Bounds on reading: bytes held at once, and how long a FIFO or device may stay silent.

    ``max_bytes`` bounds a whole input read into memory (JSON, HAR, HTTP captures, standard
    input), each JSON Lines line, and each decompressed body; a larger one is a ``P011`` finding
    and is never read whole. ``pipe_timeout`` bounds the wait for data from a FIFO or a device
    named on the command line, or from standard input on a pipe (seconds without any byte arriving).
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    pipe_timeout: float = DEFAULT_PIPE_TIMEOUT


DEFAULT_LIMITS = Limits()


class TooLarge(Exception):
    """An input, a line or a body is larger than ``Limits.max_bytes``."""

    def __init__(self, what: str, size: int | None, limit: int) -> None:
        measured = f"is {size_text(size)}, more than" if size is not None else "is larger than"
        super().__init__(
            f"{what} {measured} the limit of {size_text(limit)}: not read (--max-bytes raises the limit)"
        )


def is_stream(path: str) -> bool:
    """Whether ``path`` is a FIFO or a device (read as a stream), not a regular file or directory."""
    try:
        mode = Path(path).stat().st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def read_bounded(handle: BinaryIO, limit: int, what: str) -> bytes:
    """All of ``handle``, or TooLarge without holding more than ``limit`` + 1 bytes."""
    try:
        info = os.fstat(handle.fileno())
        size: int | None = info.st_size
        regular = stat.S_ISREG(info.st_mode)
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        size, regular = None, False
    if regular and size is not None and size > limit:
        raise TooLarge(what, size, limit)  # known from its size: not a byte is read
    # read(n) allocates n bytes before reading: ask a regular file for one byte more than its
    # size, and for the rest (up to the limit) only if it grew since fstat.
    want = limit + 1 if not regular or size is None else size + 1
    data = handle.read(want)
    if len(data) == want <= limit:
        data += handle.read(limit + 1 - want)
    if len(data) > limit:
        raise TooLarge(what, size if regular else None, limit)
    return data


def open_input(path: str, limits: Limits = DEFAULT_LIMITS) -> BinaryIO:
    """Open a file named as an input for reading, without ever blocking the run.

    A regular file opens as usual. A FIFO (``mkfifo``, or ``<(command)`` in a shell) or a
    character device is read as a stream: the run waits at most ``limits.pipe_timeout`` seconds
    for each next chunk (a FIFO nobody writes to would otherwise block forever), and then
    reports the input as unreadable. Opening never waits for a writer.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or not _can_poll():
            if hasattr(os, "set_blocking"):
                os.set_blocking(descriptor, True)
            return os.fdopen(descriptor, "rb")
        return io.BufferedReader(_PatientReader(descriptor, limits.pipe_timeout))
    except BaseException:
        os.close(descriptor)
        raise


def _can_poll() -> bool:
    import select

    return hasattr(select, "poll") and hasattr(os, "set_blocking")  # not on Windows


class InputStalled(OSError):
    """Nothing arrived from a FIFO or device within the pipe timeout."""


class _PatientReader(io.RawIOBase):
    """A FIFO or device read waiting at most ``timeout`` s for each chunk (closes it if ``owned``)."""

    def __init__(self, descriptor: int, timeout: float, *, owned: bool = True) -> None:
        super().__init__()
        self.descriptor = descriptor
        self.timeout = timeout
        self.owned = owned

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.descriptor

    def readinto(self, buffer: Any) -> int:
        import select

        # On Linux, poll on a FIFO that no writer has opened yet waits (no POLLHUP), so a
        # writer that comes late is still read; one that never comes ends in the timeout.
        poller = select.poll()
        poller.register(self.descriptor, select.POLLIN)
        while True:
            if not poller.poll(max(0, int(self.timeout * 1000))):
                raise InputStalled(
                    errno.ETIMEDOUT,
                    f"nothing arrived for {self.timeout:g} s (a FIFO or device that nobody writes to; "
                    "--pipe-timeout sets the wait)",
                )
            try:
                data = os.read(self.descriptor, len(buffer))
            except BlockingIOError:
                continue
            buffer[: len(data)] = data
            return len(data)

    def close(self) -> None:
        if not self.closed and self.owned:
            os.close(self.descriptor)
        super().close()


COMPRESSED_SUFFIXES = (".gz", ".xz")


def is_compressed(path: str) -> bool:
    """Whether ``path`` names a gzip or xz file (read decompressed, as a stream)."""
    return path.lower().endswith(COMPRESSED_SUFFIXES)


def open_decompressed(path: str, limits: Limits = DEFAULT_LIMITS) -> BinaryIO:
    """``open_input``, decompressing a ``.gz`` or ``.xz`` file as it is read.

    Decompression is incremental: a reader asks for at most the limit plus one byte, so a
    compression bomb is refused as too large without being expanded. A corrupt or truncated
    file is an OSError saying so.
    """
    handle = open_input(path, limits)
    if not is_compressed(path):
        return handle
    try:
        if path.lower().endswith(".gz"):
            import gzip

            inner: io.BufferedIOBase = gzip.GzipFile(fileobj=handle, mode="rb")
        else:
            import lzma

            inner = lzma.LZMAFile(handle, mode="rb")  # noqa: SIM115 - closed with the reader
    except BaseException:
        handle.close()
        raise
    return io.BufferedReader(_Decompressing(inner, handle), 1 << 20)


class _Decompressing(io.RawIOBase):
    """Decompressed bytes, with the decompressors' errors as OSError; no file number (no size)."""

    def __init__(self, inner: io.BufferedIOBase, outer: BinaryIO) -> None:
        super().__init__()
        self.inner = inner
        self.outer = outer

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        import lzma
        import zlib

        try:
            data = self.inner.read1(len(buffer))
        except EOFError:
            raise OSError(
                errno.EIO, "the compressed file is truncated: it ends before its compressed data does"
            ) from None
        except (lzma.LZMAError, zlib.error, OSError) as exc:
            raise OSError(errno.EIO, f"the file does not decompress: {exc}") from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
            self.outer.close()
        super().close()


def size_text(count: int) -> str:
    """``4 MiB``, ``1.5 KiB``, ``12 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


def open_stdin(stdin: BinaryIO | None, pipe_timeout: float) -> BinaryIO:
    """Standard input to read: ``stdin`` when given, else the process's, which cannot block the run.

    The process's standard input, when it is a pipe, a FIFO or a device other than a terminal,
    is read as ``open_input`` reads a FIFO: at most ``pipe_timeout`` seconds of waiting for each
    chunk (``cmd | glance-validate check -`` where ``cmd`` never writes nor exits would
    otherwise wait forever). A terminal is read as it is: someone is typing there.
    """
    import sys

    if stdin is not None and stdin is not getattr(sys.stdin, "buffer", None):
        return stdin
    handle = sys.stdin.buffer
    try:
        descriptor = handle.fileno()
        mode = os.fstat(descriptor).st_mode
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return handle  # replaced by an object without a descriptor (tests, embedding programs)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or os.isatty(descriptor) or not _can_poll():
        return handle
    # The descriptor stays blocking (other processes may share it): a read follows a poll
    # that saw data or the writer's end, so it does not wait.
    return io.BufferedReader(_PatientReader(descriptor, pipe_timeout, owned=False))


def reason(exc: OSError) -> str:
    """Why an operating system call failed, in words."""
    return exc.strerror or type(exc).__name__
