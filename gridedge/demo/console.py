"""The demo's progress lines: one timestamped line each, flushed at once."""

from __future__ import annotations

import time


def say(msg: str) -> None:
    print(f"[demo {time.strftime('%H:%M:%S')}] {msg}", flush=True)
