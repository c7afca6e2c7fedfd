"""Sync hook to one edge cluster: create, get, find and delete EdgeTasks; connection test.

Used by EdgeTaskOperator (submit, re-attach, delete on kill), EdgeTaskSensor, the UI
plugin's node registration and tests. An edge cluster is an Airflow connection of the
cncf.kubernetes type, so configuration (kubeconfig path or content, context, in-cluster)
is the provider's. It must not wait for a task to finish: that is the triggers' job.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, TypeVar

from airflow.providers.cncf.kubernetes.hooks.kubernetes import KubernetesHook
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes_asyncio.client.exceptions import ApiException as AsyncApiException
from urllib3.exceptions import HTTPError

from edge_operators.errors import (
    EdgeClusterError,
    EdgeClusterUnreachable,
    EdgeTaskInvalid,
    EdgeTaskNotFound,
    edge_task_ref,
)
from gridedge.contract.names import GROUP, PLURAL, VERSION

T = TypeVar("T")
REQUEST_TIMEOUT = (5.0, 30.0)  # connect, read: an unreachable cluster fails fast and retryably


def raise_for(cluster: str, what: str, error: Exception) -> None:
    """Translate a client error into our vocabulary (shared with the async hook)."""
    if isinstance(error, ApiException | AsyncApiException):
        status = int(error.status or 0)
        detail = _reason(error)
        if status == 0:
            raise EdgeClusterUnreachable(cluster, what, detail) from error
        if status == 404:
            raise EdgeTaskNotFound(cluster, what, detail, status) from error
        if status in (400, 422):
            raise EdgeTaskInvalid(cluster, what, detail) from error
        raise EdgeClusterError(cluster, what, f"HTTP {status}: {detail}", status) from error
    if isinstance(error, HTTPError | OSError | TimeoutError) or type(error).__module__.startswith("aiohttp"):
        raise EdgeClusterUnreachable(cluster, what, f"apiserver unreachable ({error})") from error
    raise error


def _reason(error: ApiException | AsyncApiException) -> str:
    try:
        body = json.loads(error.body or "{}")
        return str(body.get("message") or error.reason)
    except (TypeError, ValueError):
        return str(error.reason or error)


class EdgeClusterHook(KubernetesHook):
    """One edge cluster. ``edge_cluster_conn_id`` names a ``kubernetes`` connection."""

    conn_name_attr = "edge_cluster_conn_id"
    default_conn_name = "edge_default"
    conn_type = "kubernetes"
    hook_name = "GridEdge edge cluster"

    def __init__(self, edge_cluster_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(conn_id=edge_cluster_conn_id, **kwargs)
        self.edge_cluster_conn_id = edge_cluster_conn_id

    @cached_property
    def objects(self) -> client.CustomObjectsApi:
        return client.CustomObjectsApi(self.api_client)

    def _call(self, what: str, fn: Callable[..., T], **kwargs: Any) -> T:
        try:
            return fn(group=GROUP, version=VERSION, plural=PLURAL, _request_timeout=REQUEST_TIMEOUT, **kwargs)
        except Exception as e:
            raise_for(self.edge_cluster_conn_id, what, e)
            raise  # unreachable: raise_for always raises

    def create_edge_task(self, body: Mapping[str, Any]) -> dict[str, Any]:
        meta = body["metadata"]
        what = f"creating {edge_task_ref(meta['namespace'], meta['name'])}"
        result: dict[str, Any] = self._call(
            what, self.objects.create_namespaced_custom_object, namespace=meta["namespace"], body=dict(body)
        )
        return result

    def get_edge_task(self, name: str, namespace: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            f"reading {edge_task_ref(namespace, name)}",
            self.objects.get_namespaced_custom_object,
            namespace=namespace,
            name=name,
        )
        return result

    def find_edge_tasks(self, namespace: str, labels: Mapping[str, str]) -> list[dict[str, Any]]:
        """EdgeTasks in ``namespace`` carrying every label in ``labels``, oldest first."""
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        listing: dict[str, Any] = self._call(
            f"listing EdgeTasks in {namespace} with {selector}",
            self.objects.list_namespaced_custom_object,
            namespace=namespace,
            label_selector=selector,
        )
        items: list[dict[str, Any]] = listing.get("items", [])
        return sorted(items, key=lambda o: str(o["metadata"].get("creationTimestamp", "")))

    def patch_edge_task_metadata(self, name: str, namespace: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            f"labelling {edge_task_ref(namespace, name)}",
            self.objects.patch_namespaced_custom_object,
            namespace=namespace,
            name=name,
            body={"metadata": dict(metadata)},
        )
        return result

    def delete_edge_task(self, name: str, namespace: str) -> bool:
        """Delete (the garbage collector removes its Pods and Service); False if it was already gone."""
        try:
            self._call(
                f"deleting {edge_task_ref(namespace, name)}",
                self.objects.delete_namespaced_custom_object,
                namespace=namespace,
                name=name,
                body=client.V1DeleteOptions(propagation_policy="Background"),
            )
        except EdgeTaskNotFound:
            return False
        return True

    def test_connection(self) -> tuple[bool, str]:
        """For node registration: the apiserver answers, the CRD is installed, we may list EdgeTasks."""
        namespace = self._get_field("namespace") or self.DEFAULT_NAMESPACE  # type: ignore[no-untyped-call]
        try:
            version = client.VersionApi(self.api_client).get_code(_request_timeout=REQUEST_TIMEOUT)
        except Exception as e:
            return False, f"edge cluster {self.edge_cluster_conn_id!r} is unreachable: {e}"
        try:
            self._call(
                f"listing EdgeTasks in namespace {namespace}",
                self.objects.list_namespaced_custom_object,
                namespace=namespace,
                limit=1,
            )
        except EdgeTaskNotFound:
            return False, (
                f"edge cluster {self.edge_cluster_conn_id!r} ({version.git_version}) has no EdgeTask API "
                f"({GROUP}/{VERSION}): apply crds/edgetask.yaml"
            )
        except EdgeClusterError as e:
            return False, str(e)
        return True, f"edge cluster {self.edge_cluster_conn_id!r} reachable, Kubernetes {version.git_version}"
