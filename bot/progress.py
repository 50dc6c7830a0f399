"""A one-line progress bar for terminal commands (stderr, only when it is a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    """`label [#######.......]  45%  4500/10000`, redrawn in place at most ten times a second."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self._drawn = 0.0

    @classmethod
    def for_terminal(cls, label: str) -> ProgressBar | None:
        """A bar if stderr is a terminal; None otherwise (logs and pipes get no bar)."""
        return cls(label) if sys.stderr.isatty() else None

    def __call__(self, done: int, total: int) -> None:
        """Show progress; the final call (done == total) always draws and ends the line."""
        now = time.monotonic()
        final = done >= total
        if not final and now - self._drawn < 0.1:
            return
        self._drawn = now
        share = done / total if total else 1.0
        filled = int(WIDTH * share)
        bar = "#" * filled + "." * (WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {share:4.0%}  {done}/{total}")
        if final:
            self.stream.write("\n")
        self.stream.flush()
