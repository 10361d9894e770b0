"""Stretches of code that a stop signal must not cut in two.

Ctrl-C, SIGTERM and SIGHUP raise an exception in the main thread at whatever line it is on. Two
places cannot take that: creating a temporary report file and registering its removal (a signal
between the two leaves the file behind), and starting worker processes (an exception raised in
the interpreter's after-fork hooks is printed and dropped, so the signal would be lost and the
run would go on). While ``deferred_stop_signals()`` runs those signals are held by the kernel;
they arrive, and raise, the moment it ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The signals that end a run as Ctrl-C does (the command line's handler), where the OS has them.
TERMINATION_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
STOP_SIGNALS = (signal.SIGINT, *TERMINATION_SIGNALS)


@contextmanager
def deferred_stop_signals() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP in this thread until the block ends (where the OS allows).

    The hold is per thread: a signal sent to the process can still land in another thread that
    does not hold it. The command line runs these stretches with no other thread.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def release_stop_signals() -> None:
    """Let the stop signals through again: a process forked while they were held inherits the hold."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
