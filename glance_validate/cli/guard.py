"""How every command ends: run its library function, then exit with the code it returns.

Imported when a command runs, not when the command line is built (``--version`` needs none of it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

from glance_validate.core.exitcodes import ExitCode


def exit_with(action: Callable[[], int], *, verbose: int = 0) -> NoReturn:
    """Exit with the code ``action`` returns, or the one ``guarded`` gives for how it failed."""
    sys.exit(guarded(action, verbose=verbose))


def guarded(action: Callable[[], int], *, verbose: int = 0) -> int:
    """Run ``action``; an interrupt, a closed pipe or a bug ends with a one-line message."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        return action()
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
