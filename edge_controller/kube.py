"""The controller's only door to the Kubernetes API: reads and writes as plain camelCase dicts.

Called by :mod:`edge_controller.tick`. Every create is "exists? else create" (a 409 means
it exists); every delete tolerates 404; the status is written as a merge patch with the
EdgeTask's resourceVersion as a precondition (a 409 means someone else wrote first).
Errors name the object as ``kind namespace/name``. Holds no state between calls and knows
nothing about phases.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from kubernetes import client
from kubernetes.client.rest import ApiException

from gridedge.contract.names import API_VERSION, GROUP, KIND, MANAGED_BY, PLURAL, VERSION

Manifest = dict[str, Any]


class Rejected(Exception):
    """The apiserver refused a child for good (admission, Pod Security, invalid field)."""

    def __init__(self, ref: str, status: int, reason: str) -> None:
        super().__init__(f"{ref} was rejected ({status}): {reason}")
        self.ref = ref
        self.reason = reason


class ApiFailure(Exception):
    """A call that may succeed later (apiserver down, timeout, 5xx); the tick is retried."""


def _body(e: ApiException) -> str:
    try:
        data = json.loads(e.body or "{}")
        return str(data.get("message") or e.reason)
    except (ValueError, AttributeError):
        return str(e.reason)


def _load(response: Any) -> Manifest:
    data: Manifest = json.loads(response.data)
    return data


class KubeClient:
    def __init__(self, api: client.ApiClient) -> None:
        self.core = client.CoreV1Api(api)
        self.custom = client.CustomObjectsApi(api)

    def get_task(self, namespace: str, name: str) -> Manifest | None:
        try:
            return _load(
                self.custom.get_namespaced_custom_object(
                    GROUP, VERSION, namespace, PLURAL, name, _preload_content=False
                )
            )
        except ApiException as e:
            if e.status == 404:
                return None
            raise ApiFailure(f"{KIND} {namespace}/{name}: read failed ({e.status}): {_body(e)}") from e

    def list_pods(self, namespace: str, selector: str) -> list[Manifest]:
        try:
            data = _load(self.core.list_namespaced_pod(namespace, label_selector=selector, _preload_content=False))
        except ApiException as e:
            raise ApiFailure(f"Pods in {namespace} ({selector}): list failed ({e.status}): {_body(e)}") from e
        items: list[Manifest] = data.get("items") or []
        return items

    def patch_status(self, namespace: str, name: str, resource_version: str, patch: Manifest) -> Manifest | None:
        """Merge-patch ``status``; None when the task changed since it was read (or is gone)."""
        body = {"metadata": {"resourceVersion": resource_version}, "status": patch}
        try:
            return _load(
                self.custom.patch_namespaced_custom_object_status(
                    GROUP, VERSION, namespace, PLURAL, name, body, _preload_content=False
                )
            )
        except ApiException as e:
            if e.status in (404, 409):
                return None
            raise ApiFailure(f"{KIND} {namespace}/{name}: status patch failed ({e.status}): {_body(e)}") from e

    def create_if_absent(self, manifest: Manifest) -> bool:
        """Create a Pod or Service; False if one of that name already exists."""
        meta = manifest["metadata"]
        ref = f"{manifest['kind']} {meta['namespace']}/{meta['name']}"
        create = self.core.create_namespaced_pod if manifest["kind"] == "Pod" else self.core.create_namespaced_service
        try:
            create(meta["namespace"], manifest, _preload_content=False)
        except ApiException as e:
            if e.status == 409:
                return False
            if e.status == 403 and "exceeded quota" in _body(e):
                raise ApiFailure(f"{ref}: waiting for quota: {_body(e)}") from e  # frees up as Pods finish
            if e.status in (400, 403, 422):
                raise Rejected(ref, e.status, _body(e)) from e
            raise ApiFailure(f"{ref}: create failed ({e.status}): {_body(e)}") from e
        return True

    def delete_pod(self, namespace: str, name: str) -> bool:
        try:
            # The Pod's own grace period: a forced delete would free the name (and the rank's
            # DNS identity) while the old container may still run next to its replacement.
            self.core.delete_namespaced_pod(name, namespace, _preload_content=False)
        except ApiException as e:
            if e.status == 404:
                return False
            raise ApiFailure(f"Pod {namespace}/{name}: delete failed ({e.status}): {_body(e)}") from e
        return True

    def delete_task(self, namespace: str, name: str) -> None:
        try:
            self.custom.delete_namespaced_custom_object(
                GROUP, VERSION, namespace, PLURAL, name, propagation_policy="Background", _preload_content=False
            )
        except ApiException as e:
            if e.status != 404:
                raise ApiFailure(f"{KIND} {namespace}/{name}: delete failed ({e.status}): {_body(e)}") from e

    def post_event(self, task: Manifest, kind: str, reason: str, message: str) -> None:
        """A Kubernetes Event on the EdgeTask (best effort: events are never worth a failed tick)."""
        meta = task["metadata"]
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        event = {
            "metadata": {"generateName": f"{meta['name']}.", "namespace": meta["namespace"]},
            "involvedObject": {
                "apiVersion": API_VERSION,
                "kind": KIND,
                "name": meta["name"],
                "namespace": meta["namespace"],
                "uid": meta.get("uid"),
            },
            "type": kind,
            "reason": reason or "Unknown",
            "message": message[:1024],
            "source": {"component": MANAGED_BY},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
        }
        try:
            self.core.create_namespaced_event(meta["namespace"], event, _preload_content=False)
        except ApiException:
            return
