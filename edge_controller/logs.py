"""Logging of the controller process: kopf's JSON (or plain) format, minus per-tick chatter.

Called once by :mod:`edge_controller.cli`. Every record of a task names it as
``EdgeTask namespace/name`` (kopf's object records also carry it as the ``object`` key).
"""

from __future__ import annotations

import logging

import kopf


class _DropTimerSuccess(logging.Filter):
    """kopf logs "Timer 'reconcile' succeeded." on every tick of every task; keep the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.getMessage().startswith("Timer ") and record.getMessage().endswith(" succeeded."))


def configure(json_format: bool, verbose: bool = False) -> None:
    kopf.configure(
        verbose=verbose,
        log_format=kopf.LogFormat.JSON if json_format else kopf.LogFormat.FULL,
        log_refkey="object",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_DropTimerSuccess())
    logging.getLogger("kubernetes").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
