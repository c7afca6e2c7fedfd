"""Read results and early warnings from Airflow's metadata database for the page.

Called by :mod:`.page_data` inside the api-server, with a short read-only session.

- **Results**: EdgeTaskOperator returns rank 0's result message, so it is the task's
  ``return_value`` XCom; the ``edge_task`` XCom it pushes on submit names the cluster
  (connection), which maps to the registry site.
- **Warnings**: the ``gridedge_warnings`` DAG is scheduled by an ``AssetWatcher`` on the
  warnings topic; Airflow stores each trigger event as an ``AssetEvent`` whose
  ``extra["payload"]`` is what the watcher's ``apply_function``
  (``edge_operators.early_warnings.warning_event``) returned, and the DAG's task returns the
  new warnings as its XCom. Both are read here, de-duplicated by ``message_id``; a full
  warning message (or its JSON) is accepted as well as that compact record.

Anything that is not a valid GridEdge message (``gridedge.contract.messages``) is skipped.
It must not write to the database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airflow.models.asset import AssetEvent
from airflow.models.xcom import XComModel
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from edge_operators.links import EDGE_TASK_XCOM_KEY
from edge_operators.monitoring.view_models import ForecastSeries, ResultRow, WarningRow
from gridedge.contract import messages

RETURN_KEY = "return_value"
MAX_ROWS = 400
MAX_POINTS = 2000  # a week of quarter hours is 672; more is not readable in one chart


@dataclass(frozen=True)
class XComRecord:
    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    key: str
    value: Any
    timestamp: str


@dataclass(frozen=True)
class EventRecord:
    asset: str
    extra: Any
    dag_id: str
    timestamp: str


def read_xcoms(session: Session, limit: int = MAX_ROWS) -> list[XComRecord]:
    rows = session.scalars(
        select(XComModel)
        .where(XComModel.key.in_((RETURN_KEY, EDGE_TASK_XCOM_KEY)))
        .order_by(XComModel.timestamp.desc())
        .limit(limit)
    ).all()
    return [
        XComRecord(
            dag_id=row.dag_id,
            run_id=row.run_id,
            task_id=row.task_id,
            map_index=int(row.map_index),
            key=row.key,
            value=XComModel.deserialize_value(row),
            timestamp=row.timestamp.isoformat() if row.timestamp else "",
        )
        for row in rows
    ]


def read_asset_events(session: Session, limit: int = MAX_ROWS) -> list[EventRecord]:
    query = select(AssetEvent).options(joinedload(AssetEvent.asset)).order_by(AssetEvent.timestamp.desc())
    rows = session.scalars(query.limit(limit)).all()
    return [
        EventRecord(
            asset=str(row.name),
            extra=row.extra,
            dag_id=str(row.source_dag_id or ""),
            timestamp=row.timestamp.isoformat() if row.timestamp else "",
        )
        for row in rows
    ]


def as_message(value: Any) -> dict[str, Any] | None:
    """``value`` as a valid GridEdge message, or None (JSON text is decoded first)."""
    if isinstance(value, bytes | str):
        try:
            return messages.decode(value)
        except messages.MessageError:
            return None
    if isinstance(value, Mapping) and "schema_version" in value:
        data = dict(value)
        try:
            messages.validate(data)
        except messages.MessageError:
            return None
        return data
    return None


def _messages_in(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, list | tuple):
        return [m for m in (as_message(v) for v in value) if m is not None]
    one = as_message(value)
    return [one] if one is not None else []


def _forecast(payload: Mapping[str, Any]) -> ForecastSeries | None:
    raw = payload.get("forecast")
    if not isinstance(raw, Mapping):
        return None
    try:
        times = [str(t) for t in raw.get("time") or []][-MAX_POINTS:]
        actual = [float(v) for v in raw.get("actual") or []][-MAX_POINTS:]
        predicted = [float(v) for v in raw.get("predicted") or []][-MAX_POINTS:]
        baseline = [float(v) for v in raw.get("baseline") or []][-MAX_POINTS:]
    except (TypeError, ValueError):
        return None
    if not times or len(actual) != len(times) or len(predicted) != len(times):
        return None
    if not all(math.isfinite(v) for v in (*actual, *predicted, *baseline)):
        return None  # a chart cannot place NaN or infinity
    if baseline and len(baseline) != len(times):
        baseline = []
    return ForecastSeries(tuple(times), tuple(actual), tuple(predicted), tuple(baseline), str(raw.get("unit") or ""))


def _metrics(payload: Mapping[str, Any]) -> dict[str, float]:
    raw = payload.get("metrics")
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): float(v) for k, v in raw.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def results(xcoms: Iterable[XComRecord], sites_by_connection: Mapping[str, str]) -> list[ResultRow]:
    """Pure: one row per task instance whose return value is a GridEdge result message."""
    xcoms = list(xcoms)
    refs = {
        (x.dag_id, x.run_id, x.task_id, x.map_index): x.value
        for x in xcoms
        if x.key == EDGE_TASK_XCOM_KEY and isinstance(x.value, Mapping)
    }
    rows: list[ResultRow] = []
    for x in xcoms:
        if x.key != RETURN_KEY:
            continue
        for msg in _messages_in(x.value):
            if msg["kind"] != str(messages.Kind.RESULT):
                continue
            ref = refs.get((x.dag_id, x.run_id, x.task_id, x.map_index)) or {}
            cluster = str(ref.get("cluster") or "")
            task = msg["task"]
            rows.append(
                ResultRow(
                    dag_id=x.dag_id,
                    run_id=x.run_id,
                    task_id=x.task_id,
                    map_index=x.map_index,
                    site=sites_by_connection.get(cluster, cluster),
                    edge_task=f"{task['namespace']}/{task['name']}",
                    algorithm=str(msg["algorithm"]),
                    status=str(msg.get("status") or ""),
                    time=str(msg["time"]),
                    metrics=_metrics(msg["payload"]),
                    bytes_read=int(msg["bytes"]["read"]),
                    bytes_sent=int(msg["bytes"]["sent"]),
                    forecast=_forecast(msg["payload"]),
                )
            )
    return rows


WARNING_FIELDS = ("asset_id", "asset_type", "severity", "code", "value", "threshold")


def as_warning(value: Any) -> dict[str, Any] | None:
    """A full warning message, or the compact record ``edge_operators.early_warnings`` keeps
    (message_id, time, task, airflow, warning, site), or None."""
    full = as_message(value)
    if full is not None:
        return full if full["kind"] == str(messages.Kind.WARNING) else None
    if not isinstance(value, Mapping):
        return None
    w, task = value.get("warning"), value.get("task")
    if not (isinstance(w, Mapping) and isinstance(task, Mapping) and value.get("message_id")):
        return None
    if any(k not in w for k in WARNING_FIELDS) or not all(k in task for k in ("namespace", "name")):
        return None
    try:
        float(w["value"]), float(w["threshold"])
    except (TypeError, ValueError):
        return None
    return dict(value)


def _warning_row(msg: Mapping[str, Any], source: str) -> WarningRow:
    w = msg["warning"]
    task = msg["task"]
    raw_payload = msg.get("payload")
    payload: Mapping[str, Any] = raw_payload if isinstance(raw_payload, Mapping) else {}
    return WarningRow(
        time=str(msg.get("time") or ""),
        severity=str(w["severity"]),
        asset_id=str(w["asset_id"]),
        asset_type=str(w["asset_type"]),
        code=str(w["code"]),
        value=float(w["value"]),
        threshold=float(w["threshold"]),
        unit=str(w.get("unit") or ""),
        edge_task=f"{task['namespace']}/{task['name']}",
        dag_id=str((msg.get("airflow") or {}).get("dag_id") or ""),
        source=source,
        site=str(msg.get("site") or payload.get("site") or ""),
    )


def warnings_from(events: Iterable[EventRecord], xcoms: Iterable[XComRecord]) -> list[WarningRow]:
    """Pure: warning messages found in asset events and XComs, newest first, each message once."""
    found: dict[str, WarningRow] = {}
    candidates: list[tuple[Any, str]] = []
    for e in events:
        extra = e.extra
        if isinstance(extra, str):
            try:
                extra = json.loads(extra)
            except ValueError:
                continue
        if isinstance(extra, Mapping):
            candidates.append((extra.get("payload", extra), f"asset {e.asset}"))
    candidates += [(x.value, f"XCom {x.dag_id}.{x.task_id}") for x in xcoms if x.key == RETURN_KEY]
    for value, source in candidates:
        for item in value if isinstance(value, list | tuple) else [value]:
            msg = as_warning(item)
            if msg is not None:
                found.setdefault(str(msg["message_id"]), _warning_row(msg, source))
    return sorted(found.values(), key=lambda w: w.time, reverse=True)
