"""What depends on the terminal: colour in the text report, and the progress bar on stderr."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TextIO

from glance_validate.runner.options import ColorChoice, RunOptions


def isatty(stream: object) -> bool:
    """Whether ``stream`` is a terminal (False for anything that is not a stream, or is closed)."""
    is_terminal = getattr(stream, "isatty", None)
    try:
        return bool(is_terminal()) if is_terminal is not None else False
    except ValueError:  # a closed stream
        return False


def use_color(choice: ColorChoice, stream: TextIO) -> bool:
    """Colour on a terminal unless NO_COLOR is set (non-empty); ``always``/``never`` decide alone."""
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and isatty(stream)


def progress_for(options: RunOptions, err: TextIO, total: int) -> Progress | None:
    """The progress bar a run shows on ``err``: asked for, or automatic on a terminal outside CI."""
    if options.progress is False or options.quiet:
        return None
    terminal = isatty(err)
    if options.progress is None and (not terminal or os.environ.get("CI") or os.environ.get("PRE_COMMIT")):
        return None
    return Progress(err, total, terminal=terminal)


class Progress:
    """A progress bar on a terminal (redrawn in place), or a line every few seconds elsewhere."""

    WIDTH = 24

    def __init__(
        self, stream: TextIO, total: int, *, terminal: bool, clock: Callable[[], float] | None = None
    ) -> None:
        import time

        self.stream = stream
        self.total = max(total, 1)
        self.terminal = terminal
        self.done = 0
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.shown_at = self.started
        self.drawn = False

    def advance(self, inputs: int = 1) -> None:
        self.done += inputs
        now = self.clock()
        interval = 0.1 if self.terminal else 5.0
        if now - self.shown_at >= interval or (
            self.terminal and not self.drawn and now - self.started >= 0.2
        ):
            self.shown_at = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        filled = self.WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        text = f"[{bar}] {self.done}/{self.total} inputs {now - self.started:.0f}s"
        if self.terminal:
            self.stream.write(f"\r{text}\x1b[K")
            self.drawn = True
        else:
            self.stream.write(f"glance-validate: {text}\n")
        self.stream.flush()

    def close(self) -> None:
        """Clear the bar from a terminal; elsewhere (progress asked for) write the final count."""
        if self.terminal and self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        elif not self.terminal:
            self._draw(self.clock())
