"""How every command ends: run its library function, then exit with the code it returns.

Imported when a command runs, not when the command line is built (``--version`` needs none of it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

from glance_validate.core.exitcodes import ExitCode


def exit_with(action: Callable[[], int], *, verbose: int = 0) -> NoReturn:
    """Exit with the code ``action`` returns, or the one ``guarded`` gives for how it failed."""
    code = guarded(action, verbose=verbose)
    if code == ExitCode.INTERRUPTED:
        _exit_at_once(code)
    sys.exit(code)


def _exit_at_once(code: int) -> NoReturn:
    """End a stopped run without the interpreter's exit handlers: the run has already cleaned up
    (workers killed, report files committed or removed), and the process pool's threads would
    otherwise write to the pipes of the workers just killed while Python shuts down."""
    import os
    from contextlib import suppress

    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: the run stops as it does for Ctrl-C."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


def guarded(action: Callable[[], int], *, verbose: int = 0) -> int:
    """Run ``action``; an interrupt, a signal to stop, a closed pipe or a bug ends with a one-line message."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        with _stopped_by_signals():
            return action()
    except Terminated as stop:
        sys.stderr.write(f"glance-validate: terminated by {stop.signal_name}\n")
        return ExitCode.INTERRUPTED
    except KeyboardInterrupt:
        sys.stderr.write("glance-validate: interrupted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        import os

        # The reader went away (| head): say nothing more, and do not fail while exiting.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except Exception as exc:
        if verbose:
            import traceback

            traceback.print_exc()
        sys.stderr.write(f"glance-validate: internal error: {type(exc).__name__}: {exc}\n")
        return ExitCode.TOOL_FAILURE


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``Terminated`` in the main thread while the block runs.

    Without this they would end the process at once: no cleanup, worker processes left running
    and report files half written (the runner removes what it did not finish).
    """
    import signal
    import threading

    from glance_validate.core.signals import TERMINATION_SIGNALS

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, frame: object) -> None:
        raise Terminated(signal.Signals(number).name)

    numbers = [n for n in TERMINATION_SIGNALS if signal.getsignal(n) is not signal.SIG_IGN]  # e.g. nohup
    previous = {number: signal.signal(number, stop) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def refuse_quiet_with_verbose(params: dict[str, object]) -> None:
    """The usage error of a checking command given both --quiet and --verbose."""
    import click

    if params["quiet"] and params["verbose"]:
        raise click.UsageError("--quiet and --verbose cannot be used together")
