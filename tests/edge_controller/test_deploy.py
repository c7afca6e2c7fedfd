"""The deploy manifests: the RBAC the tests' controller runs under is least privilege; metrics."""

from __future__ import annotations

import subprocess

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from gridedge.devstack.controller import DEPLOY_DIR, SA_NAME, SA_NAMESPACE, EdgeController
from gridedge.devstack.kube import ControlPlane
from tests.edge_controller.support import Tasks, edgetask, wait_for

AS_SA = f"--as=system:serviceaccount:{SA_NAMESPACE}:{SA_NAME}"


def can_i(plane: ControlPlane, *args: str) -> bool:
    argv = [str(plane.bin_dir / "kubectl"), "--kubeconfig", str(plane.kubeconfig), "auth", "can-i", *args, AS_SA]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    return done.stdout.strip() == "yes"


@pytest.mark.parametrize(
    ("verb", "resource", "allowed"),
    [
        ("create", "pods", True),
        ("delete", "pods", True),
        ("update", "pods", False),
        ("create", "services", True),
        ("delete", "services", False),
        ("patch", "edgetasks.gridedge.io --subresource=status", True),
        ("update", "edgetasks.gridedge.io --subresource=status", False),
        ("delete", "edgetasks.gridedge.io", True),
        ("create", "edgetasks.gridedge.io", False),
        ("get", "secrets", False),
        ("list", "nodes", False),
        ("create", "pods --subresource=exec", False),
        ("create", "pods --subresource=eviction", False),
    ],
)
def test_controller_service_account_is_least_privilege(
    plane: ControlPlane, namespace: str, verb: str, resource: str, allowed: bool
) -> None:
    assert can_i(plane, verb, *resource.split(), "-n", namespace) is allowed


def test_leases_only_in_the_controller_namespace(plane: ControlPlane, namespace: str) -> None:
    assert can_i(plane, "update", "leases.coordination.k8s.io", "-n", SA_NAMESPACE)
    assert not can_i(plane, "update", "leases.coordination.k8s.io", "-n", namespace)


def test_deployment_runs_two_replicas_under_the_service_account() -> None:
    deployment = yaml.safe_load((DEPLOY_DIR / "deployment.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 2 and pod["serviceAccountName"] == SA_NAME
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["containers"][0]["securityContext"]["capabilities"] == {"drop": ["ALL"]}


def _samples(ctrl: EdgeController) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(ctrl.scrape()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_count_tasks_by_phase_and_reconcile_latency(
    plane: ControlPlane, namespace: str, controller: EdgeController
) -> None:
    tasks = Tasks(plane, namespace)
    annotations = {"kwok.gridedge.io/outcome": "Succeeded", "kwok.gridedge.io/delay": "1s"}
    tasks.create(edgetask("measured", image="x:1", worldSize=2, podTemplate={"metadata": {"annotations": annotations}}))
    wait_for(lambda: tasks.status("measured").get("phase") == "Succeeded", 60, "Succeeded")
    wait_for(lambda: _samples(controller)[("gridedge_edgetasks", (("phase", "Succeeded"),))] >= 1, 10, "gauge updated")
    samples = _samples(controller)
    assert samples[("gridedge_pods_created_total", ())] >= 2
    assert samples[("gridedge_reconcile_seconds_count", ())] >= 3
    assert samples[("gridedge_phase_transitions_total", (("phase", "Succeeded"), ("reason", "AllRanksSucceeded")))] >= 1
    assert samples[("gridedge_edgetasks", (("phase", "Running"),))] == 0


def test_devstack_waits_for_the_line_the_handlers_log() -> None:
    from edge_controller.handlers import STARTED
    from gridedge.devstack.controller import STARTED_LINE

    assert STARTED == STARTED_LINE
