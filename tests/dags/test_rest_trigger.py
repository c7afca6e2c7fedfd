"""A run triggered through Airflow's REST API on a real ``airflow standalone``.

Scheduler, dag-processor, api-server and triggerer run as one process group; the edge
controller runs on the fixture clusters; the test plays only the algorithm container
(publishing the result of each running Pod). The deferred task must sit in the triggerer
(state ``deferred`` with an EdgeTaskTrigger), and a warning published on Kafka must start
the warnings DAG through its AssetWatcher.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from confluent_kafka import Producer

from gridedge.contract import messages
from gridedge.devstack.airflow import AirflowHome
from gridedge.devstack.controller import EdgeController
from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.standalone import AirflowStandalone
from tests.dags.conftest import registry_copy
from tests.dags.container import ContainerStandIn
from tests.edge_operators.airflow_env import BUNDLES
from tests.edge_operators.fixtures import NAMESPACE

SLOW_SUCCEED = {"kwok.gridedge.io/outcome": "Succeeded", "kwok.gridedge.io/delay": "8s"}
WARNINGS_TOPIC = f"gridedge.warnings.rest-{uuid.uuid4().hex[:6]}"
BROKEN_WORKFLOW = (
    "name: nightly_broken\nsites: [north, east]\nsteps:\n  - id: stats\n    application: load-statistics\n"
)


class Rest:
    """The REST calls these tests make, over the devstack's standalone runner."""

    def __init__(self, server: AirflowStandalone) -> None:
        self.server = server
        self.home = server.home
        self.token = server.token()

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.server.api(method, path, self.token, body)

    def wait_until_triggerer_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while self.api("GET", "/monitor/health").get("triggerer", {}).get("status") != "healthy":
            if time.monotonic() > deadline:
                raise ServiceStartError(f"triggerer not healthy after {timeout:.0f}s")
            time.sleep(1)

    def ready(self, dag_id: str) -> None:
        self.server.wait_dag(dag_id, self.token)
        self.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> str:
        return str(self.api("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str:
        return str(self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"])

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")[
            "task_instances"
        ]
        return found


@pytest.fixture(scope="module")
def standalone(
    edge_controllers: dict[str, EdgeController],
    kafka_connection: str,
    kafka_broker: KafkaBroker,
    tmp_path_factory: pytest.TempPathFactory,
    service_log_dir: Path,
) -> Iterator[Rest]:
    root = tmp_path_factory.mktemp("standalone")
    config = registry_copy(root, {"north": SLOW_SUCCEED, "south": SLOW_SUCCEED}, retries=0, result_timeout_seconds=60)
    (config / "workflows" / "nightly_broken.yaml").write_text(BROKEN_WORKFLOW)
    # A topic of its own: other tests (test_real_run) leave real warnings on gridedge.warnings.
    settings = yaml.safe_load((config / "settings.yaml").read_text())
    settings["kafka"]["warnings_topic"] = WARNINGS_TOPIC
    kafka_broker.create_topics([WARNINGS_TOPIC])  # before the watcher subscribes
    (config / "settings.yaml").write_text(yaml.safe_dump(settings))
    home = AirflowHome(
        root / "home",
        parallelism=2,
        extra_env={
            "GRIDEDGE_CONFIG_DIR": str(config),
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(BUNDLES[:1]),  # only the checkout's dags/
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        },
    )
    server = AirflowStandalone(home, service_log_dir)
    try:
        rest = Rest(server.start())
        rest.wait_until_triggerer_healthy()
        yield rest
    finally:
        server.stop()


def test_rest_triggered_run_succeeds_with_the_wait_held_by_the_triggerer(
    standalone: Rest, edge_clusters: dict[str, ControlPlane]
) -> None:
    dag_id = "weekly_device_state"
    standalone.ready(dag_id)
    container = ContainerStandIn([edge_clusters["edge-north"]], NAMESPACE)
    container.start()
    try:
        run_id = standalone.trigger(dag_id, conf={"requested_by": "planner"})
        deferred: dict[str, Any] | None = None
        observed: set[tuple[str, int, str]] = set()
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and standalone.run_state(dag_id, run_id) not in ("success", "failed"):
            for ti in standalone.task_instances(dag_id, run_id):
                observed.add((ti["task_id"], ti["map_index"], ti["state"]))
                # deferred, and the trigger picked up by a running triggerer (not a worker slot)
                if ti["task_id"] == "train_device_state" and ti["state"] == "deferred" and ti.get("triggerer_job"):
                    deferred = deferred or ti
            time.sleep(0.5)
        state = standalone.run_state(dag_id, run_id)
    finally:
        container.stop()
    assert state == "success", standalone.task_instances(dag_id, run_id)
    assert deferred is not None, f"the wait was never deferred to a triggerer: {sorted(observed, key=str)}"
    assert deferred["trigger"]["classpath"] == "edge_operators.triggers.edge_task.EdgeTaskTrigger"
    assert deferred["triggerer_job"] is not None and deferred["triggerer_job"]["job_type"] == "TriggererJob"
    entry = standalone.api(
        "GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/train_device_state_results/xcomEntries/return_value"
    )
    gathered = entry["value"] if isinstance(entry["value"], dict) else json.loads(entry["value"])
    assert gathered["north"]["kind"] == "result" and gathered["north"]["airflow"]["run_id"] == run_id


def test_a_broken_workflow_file_is_an_import_error_in_the_ui_naming_its_field(standalone: Rest) -> None:
    standalone.ready("weekly_device_state")  # the other workflows' DAGs still load
    deadline = time.monotonic() + 60
    errors: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not errors:
        errors = standalone.api("GET", "/importErrors")["import_errors"]
        time.sleep(1)
    assert [Path(e["filename"]).name for e in errors] == ["gridedge_registry_check.py"], errors
    text = errors[0]["stack_trace"]
    assert "nightly_broken.yaml" in text and "entry 'nightly_broken', field 'sites.1'" in text
    assert "unknown site 'east'" in text


def test_the_plugin_and_its_extra_link_are_registered(standalone: Rest) -> None:
    plugins = {p["name"]: p for p in standalone.api("GET", "/plugins")["plugins"]}
    assert "gridedge" in plugins, sorted(plugins)
    links = json.dumps(plugins["gridedge"]).lower()
    assert "edgetasklink" in links or "edgetask status" in links, plugins["gridedge"]


def test_a_warning_on_kafka_runs_the_warnings_dag(standalone: Rest, kafka_broker: KafkaBroker) -> None:
    standalone.ready("gridedge_warnings")
    task = messages.TaskIdentity(NAMESPACE, f"stats-{uuid.uuid4().hex[:6]}", "uid-w")
    warning = messages.build_message(
        kind=messages.Kind.WARNING,
        task=task,
        airflow=messages.AirflowIdentity("quarter_hour_statistics", "r1", "load_statistics", 1),
        rank=0,
        world_size=1,
        algorithm="statistics",
        sequence=3,
        payload={"site": "north"},
        bytes_read=10,
        bytes_sent=5,
        warning=messages.WarningInfo(
            asset_id="T-17",
            asset_type="transformer",
            severity=messages.Severity.CRITICAL,
            code="OVERLOAD",
            value=1.31,
            threshold=1.0,
            unit="p.u.",
            intervals=4,
        ),
    )
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap, "enable.idempotence": True, "acks": "all"})
    producer.produce(WARNINGS_TOPIC, key=messages.message_key(task), value=messages.encode(warning))
    assert producer.flush(30) == 0
    log = standalone.home.home / "gridedge-warnings.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if log.exists() and warning["message_id"] in log.read_text():
            break
        time.sleep(1)
    assert log.exists() and warning["message_id"] in log.read_text(), "the warnings DAG never recorded the warning"
    runs = standalone.api("GET", "/dags/gridedge_warnings/dagRuns")["dag_runs"]
    assert any(r["run_type"] == "asset_triggered" for r in runs)
