"""Early-warning handling: a DAG run per warning batch, event-driven from Kafka.

Parsed by Airflow's DAG processor. The ``gridedge_warnings`` Asset has an AssetWatcher
whose trigger is the Kafka provider's message-queue trigger on the warnings topic; each
GridEdge warning message becomes an asset event, which schedules this DAG. The task
writes every warning to the warnings log and returns them (XCom), and logs one line per
warning, so planners see them in the UI. No cluster access.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.apache.kafka.triggers.msg_queue import KafkaMessageQueueTrigger
from airflow.sdk import DAG, Asset, AssetWatcher, task

from edge_operators.early_warnings import record_warnings, warnings_from_events
from gridedge.registry import load_settings

settings = load_settings()

warnings_asset = Asset(
    "gridedge_warnings",
    uri=f"kafka://gridedge/{settings.kafka.warnings_topic}",
    watchers=[
        AssetWatcher(
            name="gridedge_warnings_watcher",
            trigger=KafkaMessageQueueTrigger(
                topics=[settings.kafka.warnings_topic],
                kafka_config_id=settings.kafka.warnings_connection_id,
                apply_function="edge_operators.early_warnings.warning_event",
                poll_timeout=1,
                poll_interval=1,
            ),
        )
    ],
)

with DAG(
    dag_id="gridedge_warnings",
    description="Store and show the early warnings that edge tasks publish",
    schedule=[warnings_asset],
    catchup=False,
    tags=["gridedge", "warnings"],
    default_args={"owner": settings.airflow.owner, "retries": 2},
) as dag:

    @task
    def record(**context: Any) -> list[dict[str, Any]]:
        events = context["triggering_asset_events"][warnings_asset]
        return record_warnings(warnings_from_events(events), settings.airflow.warnings_log)

    record()
