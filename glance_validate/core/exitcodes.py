"""Exit codes of every command: the one place they are defined (docs/ and --help read them)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a run's exit status tells its caller."""

    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # findings at or above --fail-on (for diff: the schemas differ)
    USAGE = 2  # the command line or the configuration is wrong
    TOOL_FAILURE = 3  # the tool could not do its job: unusable schema, unreadable input, network
    NOTHING_CHECKED = 4  # no payload was found to check (an empty directory); --allow-empty: 0
    INTERRUPTED = 130  # Ctrl-C or SIGTERM/SIGHUP: the run stopped before it finished
