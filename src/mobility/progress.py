"""Progress reporting that works the same in the terminal and in the app.

Long jobs take a ``progress`` callback ``(fraction, message) -> None``; ``fraction`` is
between 0 and 1. The command line passes :func:`stderr_progress`, the app a function
that updates ``st.progress``; the default does nothing.

>>> seen = []
>>> report = lambda f, m: seen.append((round(f, 2), m))
>>> with Stages(report, ["read", "score"]) as stages:
...     stages.next("read"); stages.next("score")
>>> seen[-1]
(1.0, 'done')
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

ProgressCallback = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """The default callback: says nothing."""


def stderr_progress(fraction: float, message: str) -> None:
    """Print ``[ 42%] message`` on stderr, for the command line."""
    print(f"[{fraction * 100:4.0f}%] {message}", file=sys.stderr, flush=True)


class Stages:
    """Report a job made of named stages; each ``next`` moves the bar one stage on and
    records how long the previous stage took (``timings``, seconds per stage)."""

    def __init__(self, progress: ProgressCallback | None, names: Sequence[str]) -> None:
        self.progress = progress or no_progress
        self.names = list(names)
        self.done = 0
        self.timings: dict[str, float] = {}
        self._current: str | None = None
        self._started = time.perf_counter()

    def next(self, name: str) -> None:
        self._close()
        self._current = name
        self._started = time.perf_counter()
        self.progress(self.done / max(len(self.names), 1), name)
        self.done += 1

    def _close(self) -> None:
        if self._current is not None:
            self.timings[self._current] = time.perf_counter() - self._started

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()
        if exc[0] is None:
            self.progress(1.0, "done")
