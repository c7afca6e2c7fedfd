"""Logging for algorithm containers: every line carries the rank.

Called once by :func:`gridedge_sdk.runner.run` before the config is parsed (rank from the
raw env, ``?`` if absent). Writes to stderr only; must not configure anything else.
"""

from __future__ import annotations

import logging
import os
import sys

from gridedge.contract.names import ENV_RANK

FORMAT = "%(asctime)s rank=%(rank)s %(levelname)s %(name)s: %(message)s"


class _RankFilter(logging.Filter):
    def __init__(self, rank: str) -> None:
        super().__init__()
        self.rank = rank

    def filter(self, record: logging.LogRecord) -> bool:
        record.rank = self.rank
        return True


def setup(rank: str | None = None, level: int = logging.INFO) -> None:
    """Route the root logger to stderr with the rank in every line (idempotent)."""
    rank = rank if rank is not None else os.environ.get(ENV_RANK, "?")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_gridedge", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_RankFilter(rank))
    handler._gridedge = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Library warnings (XGBoost's retries, pandas) then carry the rank too.
    logging.captureWarnings(True)
