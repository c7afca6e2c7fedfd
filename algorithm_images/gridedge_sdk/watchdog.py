"""A stall watchdog for training loops that can block forever inside a library.

Used by the boosting entrypoints around ``train``. LightGBM spins forever when a peer's
socket reaches end-of-file mid-round (it only treats negative ``recv`` results as errors),
and no Python code runs on the main thread then. A daemon thread therefore watches the
beats the per-round callback gives; if none comes within ``timeout`` seconds (``first``
for the first round, which includes connecting the network) it calls ``on_stall``, which
must end the process. Must not touch the library itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType


class StallWatchdog:
    def __init__(self, timeout: float, first: float, on_stall: Callable[[str], None]) -> None:
        self.timeout = timeout
        self._deadline = time.monotonic() + first
        self._on_stall = on_stall
        self._beats = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, name="gridedge-stall-watchdog", daemon=True)

    def beat(self) -> None:
        with self._lock:
            self._beats += 1
            self._deadline = time.monotonic() + self.timeout

    def _watch(self) -> None:
        while not self._stop.wait(min(1.0, self.timeout / 4)):
            with self._lock:
                late = time.monotonic() > self._deadline
                beats = self._beats
            if late:
                what = "the first round" if beats == 0 else f"round {beats + 1}"
                self._on_stall(f"{what} did not finish within {self.timeout:.0f}s: a peer is probably gone")
                return

    def __enter__(self) -> StallWatchdog:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
