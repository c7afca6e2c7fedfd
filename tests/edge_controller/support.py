"""Helpers for tests against a real control plane: clients, namespaces, bounded waits, EdgeTasks."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from kubernetes import client, config
from kubernetes.client.rest import ApiException

from gridedge.contract.names import GROUP, PLURAL, VERSION
from gridedge.devstack.kube import ControlPlane


def api_client(plane: ControlPlane) -> client.ApiClient:
    return config.new_client_from_config(config_file=str(plane.kubeconfig))


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    """Poll until ``predicate`` returns something truthy; bounded in time."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


def create_namespace(plane: ControlPlane, prefix: str, labels: dict[str, str] | None = None) -> str:
    core = client.CoreV1Api(api_client(plane))
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name, labels=labels or {})))

    def has_default_sa() -> bool:
        try:
            core.read_namespaced_service_account("default", name)
        except ApiException:
            return False
        return True

    wait_for(has_default_sa, 30, f"default ServiceAccount in {name}")
    return name


def edgetask(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "EdgeTask", "metadata": {"name": name}, "spec": spec}


class Tasks:
    """EdgeTask CRUD through the CustomObjects API."""

    def __init__(self, plane: ControlPlane, namespace: str) -> None:
        self.api = client.CustomObjectsApi(api_client(plane))
        self.namespace = namespace

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = self.api.create_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURAL, body)
        return out

    def get(self, name: str) -> dict[str, Any] | None:
        try:
            out: dict[str, Any] = self.api.get_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURAL, name)
        except ApiException as e:
            if e.status == 404:
                return None
            raise
        return out

    def status(self, name: str) -> dict[str, Any]:
        task = self.get(name)
        return dict(task.get("status") or {}) if task else {}

    def patch_spec(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = self.api.patch_namespaced_custom_object(
            GROUP, VERSION, self.namespace, PLURAL, name, {"spec": spec}
        )
        return out

    def delete(self, name: str) -> None:
        self.api.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURAL, name)
