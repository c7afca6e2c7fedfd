"""Early warnings from the edge: the AssetWatcher's message filter and the warning record.

``warning_event`` is the ``apply_function`` of the Kafka provider's message-queue trigger
behind the ``gridedge_warnings`` Asset (it runs in the triggerer, once per Kafka record);
``record_warnings`` is what the warning-handling DAG does with the asset events: append
them to the warnings log and return them (XCom), so a planner sees them in the UI. The
filter must stay cheap and must not raise on foreign records: it returns None to skip.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gridedge.contract import messages

log = logging.getLogger(__name__)


def warning_event(record: Any) -> dict[str, Any] | None:
    """A compact, JSON-ready warning for the asset event, or None for anything else."""
    value = record.value()
    if value is None:
        return None
    try:
        message = messages.decode(value)
    except messages.MessageError as e:
        log.warning("skipping a record on %s that is not a GridEdge message: %s", record.topic(), e)
        return None
    if message["kind"] != "warning":
        return None
    return {
        "message_id": message["message_id"],
        "time": message["time"],
        "task": message["task"],
        "airflow": message["airflow"],
        "rank": message["rank"],
        "algorithm": message["algorithm"],
        "warning": message["warning"],
        "site": (message.get("payload") or {}).get("site"),
    }


def describe(w: dict[str, Any]) -> str:
    info = w["warning"]
    unit = f" {info['unit']}" if info.get("unit") else ""
    return (
        f"{info['severity'].upper()} {info['code']} on {info['asset_type']} {info['asset_id']}: "
        f"{info['value']}{unit} against threshold {info['threshold']}{unit} "
        f"(EdgeTask {w['task']['namespace']}/{w['task']['name']})"
    )


def warnings_from_events(events: Iterable[Any]) -> list[dict[str, Any]]:
    """The warnings carried by asset events (``extra['payload']`` set by the trigger)."""
    found = []
    for ev in events:
        payload = (getattr(ev, "extra", None) or {}).get("payload")
        if isinstance(payload, dict) and "warning" in payload:
            found.append(payload)
    return found


def record_warnings(warnings: list[dict[str, Any]], log_path: str) -> list[dict[str, Any]]:
    """Append to the warnings log (JSON lines; relative paths under AIRFLOW_HOME) and log each."""
    path = Path(log_path)
    if not path.is_absolute():
        path = Path(os.environ.get("AIRFLOW_HOME", ".")) / path
    path.parent.mkdir(parents=True, exist_ok=True)
    seen = set()
    if path.exists():
        seen = {json.loads(line).get("message_id") for line in path.read_text().splitlines() if line.strip()}
    fresh = [w for w in warnings if w["message_id"] not in seen]  # at-least-once delivery: de-duplicate
    with path.open("a") as out:
        for w in fresh:
            log.warning("%s", describe(w))
            out.write(json.dumps(w, sort_keys=True) + "\n")
    return fresh
