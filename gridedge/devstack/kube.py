"""A real Kubernetes control plane on 127.0.0.1 with KWOK nodes: one per edge cluster.

Runs etcd, kube-apiserver (RBAC on, token and client-cert authentication),
kube-controller-manager (garbage collection, service-account tokens), kube-scheduler
and kwok, each a :class:`~gridedge.devstack.process.ManagedProcess`. Writes a
kubeconfig for clients. Called by the test fixtures and the demo; binaries come
from ``scripts/provision_k8s.sh``. It creates no GridEdge objects: callers do.
"""

from __future__ import annotations

import json
import secrets
import shutil
import ssl
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridedge.devstack import ports
from gridedge.devstack.certs import ClusterPKI, make_pki
from gridedge.devstack.errors import PortInUseError, ServiceStartError
from gridedge.devstack.process import ManagedProcess, run_checked
from gridedge.devstack.provision import Provisioned, kubernetes_bin

KWOK_STAGES = Path(__file__).with_name("kwok") / "gridedge-stages.yaml"
KWOK_NODE_LABEL = "type"
KWOK_NODE_LABEL_VALUE = "kwok"


@dataclass(frozen=True)
class KwokNode:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    cpu: str = "8"
    memory: str = "32Gi"
    pods: str = "110"


@dataclass
class ControlPlane:
    """One edge cluster. ``start()`` returns when the apiserver is ready and nodes are Ready."""

    name: str
    workdir: Path
    log_dir: Path
    version: str
    nodes: tuple[KwokNode, ...] = ()
    apiserver_port: int = 0
    # api_only: etcd + kube-apiserver alone, an API that stores objects (e.g. EdgeTasks for
    # the local edge agent) without controllers, scheduler or nodes.
    api_only: bool = False
    provisioned: Provisioned | None = None
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    _procs: dict[str, ManagedProcess] = field(default_factory=dict, repr=False)
    _pki: ClusterPKI | None = field(default=None, repr=False)

    # ---- addresses and client configuration -------------------------------------------
    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.apiserver_port}"

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / "kubeconfig"

    @property
    def ca_file(self) -> Path:
        assert self._pki is not None
        return self._pki.ca_crt

    @property
    def bin_dir(self) -> Path:
        assert self.provisioned is not None
        return self.provisioned.path

    def kubectl(self, *args: str, timeout: float = 60) -> str:
        return run_checked(
            [str(self.bin_dir / "kubectl"), "--kubeconfig", str(self.kubeconfig), *args],
            f"kubectl {' '.join(args)} on cluster {self.name}",
            timeout=timeout,
        )

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self, timeout: float = 120.0) -> ControlPlane:
        if self.apiserver_port and not ports.is_free(self.apiserver_port):
            raise PortInUseError(self.apiserver_port, f"kube-apiserver of cluster {self.name}")
        self.provisioned = kubernetes_bin(self.version)
        bins = self.provisioned.path
        self.apiserver_port = self.apiserver_port or ports.free_port()
        etcd_port, etcd_peer, kcm_port, sched_port, kwok_port = ports.free_ports(5)

        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True)
        self._pki = pki = make_pki(self.workdir / "pki")
        tokens = self.workdir / "tokens.csv"
        tokens.write_text(f'{self.token},gridedge-admin,gridedge-admin,"system:masters"\n')
        self._write_kubeconfig(self.kubeconfig, user="gridedge-admin", token=self.token)
        logs = self.log_dir

        etcd = ManagedProcess(
            f"{self.name}/etcd",
            [
                str(bins / "etcd"),
                "--name=default",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
                f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
                f"--listen-peer-urls=http://127.0.0.1:{etcd_peer}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{etcd_peer}",
                f"--initial-cluster=default=http://127.0.0.1:{etcd_peer}",
                "--unsafe-no-fsync",
                "--quota-backend-bytes=1073741824",
                "--log-level=warn",
            ],
            logs / f"{self.name}-etcd.log",
        ).start()
        self._procs["etcd"] = etcd
        etcd.wait_healthy(lambda: _http_ok(f"http://127.0.0.1:{etcd_port}/health"), 30, "etcd /health")

        apiserver = ManagedProcess(
            f"{self.name}/kube-apiserver",
            [
                str(bins / "kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={self.apiserver_port}",
                f"--cert-dir={self.workdir / 'pki'}",
                f"--tls-cert-file={pki.serving_crt}",
                f"--tls-private-key-file={pki.serving_key}",
                f"--client-ca-file={pki.ca_crt}",
                f"--token-auth-file={tokens}",
                "--authorization-mode=RBAC",
                "--service-cluster-ip-range=10.0.0.0/24",
                f"--service-account-issuer={self.server}",
                f"--service-account-key-file={pki.sa_pub}",
                f"--service-account-signing-key-file={pki.sa_key}",
                "--endpoint-reconciler-type=none",
                "--allow-privileged=true",
                "--enable-priority-and-fairness=false",
                "--profiling=false",
                "--v=1",
            ],
            logs / f"{self.name}-kube-apiserver.log",
        ).start()
        self._procs["kube-apiserver"] = apiserver
        apiserver.wait_healthy(self._readyz, timeout, "kube-apiserver /readyz")

        if self.api_only:
            return self
        common = [f"--kubeconfig={self.kubeconfig}", "--leader-elect=false", "--bind-address=127.0.0.1"]
        kcm = ManagedProcess(
            f"{self.name}/kube-controller-manager",
            [
                str(bins / "kube-controller-manager"),
                *common,
                f"--secure-port={kcm_port}",
                f"--service-account-private-key-file={pki.sa_key}",
                f"--root-ca-file={pki.ca_crt}",
                "--use-service-account-credentials=false",
                "--controllers=*",
                "--concurrent-gc-syncs=10",
                "--v=1",
            ],
            logs / f"{self.name}-kube-controller-manager.log",
        ).start()
        self._procs["kube-controller-manager"] = kcm
        sched = ManagedProcess(
            f"{self.name}/kube-scheduler",
            [str(bins / "kube-scheduler"), *common, f"--secure-port={sched_port}", "--v=1"],
            logs / f"{self.name}-kube-scheduler.log",
        ).start()
        self._procs["kube-scheduler"] = sched
        kwok = ManagedProcess(
            f"{self.name}/kwok",
            [
                str(bins / "kwok"),
                f"--kubeconfig={self.kubeconfig}",
                "--manage-all-nodes=false",
                f"--manage-nodes-with-label-selector={KWOK_NODE_LABEL}={KWOK_NODE_LABEL_VALUE}",
                f"--config={bins.parent / 'kwok-stages.yaml'}",
                f"--config={KWOK_STAGES}",
                f"--server-address=127.0.0.1:{kwok_port}",
                "--cidr=10.244.0.0/16",
                "--node-ip=127.0.0.1",
            ],
            logs / f"{self.name}-kwok.log",
        ).start()
        self._procs["kwok"] = kwok

        kcm.wait_healthy(lambda: _https_ok(f"https://127.0.0.1:{kcm_port}/healthz"), 60, "controller-manager /healthz")
        sched.wait_healthy(lambda: _https_ok(f"https://127.0.0.1:{sched_port}/healthz"), 60, "scheduler /healthz")
        kwok.wait_healthy(lambda: _http_ok(f"http://127.0.0.1:{kwok_port}/healthz"), 60, "kwok /healthz")
        # The service-account controller creates `default` in each namespace; Pods need it.
        kcm.wait_healthy(
            lambda: bool(self._get("/api/v1/namespaces/default/serviceaccounts/default")),
            60,
            "default ServiceAccount exists",
        )
        for node in self.nodes:
            self.add_node(node)
        for node in self.nodes:
            kwok.wait_healthy(lambda n=node.name: self._node_ready(n), 60, f"node {node.name} Ready")  # type: ignore[misc]
        return self

    def stop(self) -> None:
        for key in ("kwok", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"):
            proc = self._procs.pop(key, None)
            if proc is not None:
                proc.stop(grace=10)

    def stop_component(self, key: str) -> None:
        """Stop one component (tests of outages); ``restart_component`` brings it back."""
        proc = self._procs.get(key)
        if proc is None:
            raise ServiceStartError(f"cluster {self.name} has no running {key}")
        proc.stop(grace=10)

    def restart_component(self, key: str, timeout: float = 60) -> None:
        proc = self._procs[key]
        proc.stop(grace=10)
        proc.start()
        if key == "kube-apiserver":
            proc.wait_healthy(self._readyz, timeout, "kube-apiserver /readyz")

    # ---- nodes ------------------------------------------------------------------------------
    def add_node(self, node: KwokNode) -> None:
        labels = {
            "kubernetes.io/hostname": node.name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            KWOK_NODE_LABEL: KWOK_NODE_LABEL_VALUE,
            **node.labels,
        }
        manifest = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": node.name, "labels": labels, "annotations": {"kwok.x-k8s.io/node": "fake"}},
            "spec": {},
            "status": {
                "allocatable": {"cpu": node.cpu, "memory": node.memory, "pods": node.pods},
                "capacity": {"cpu": node.cpu, "memory": node.memory, "pods": node.pods},
            },
        }
        path = self.workdir / f"node-{node.name}.json"
        path.write_text(json.dumps(manifest))
        self.kubectl("apply", "-f", str(path))

    def _node_ready(self, name: str) -> bool:
        node = self._get(f"/api/v1/nodes/{name}")
        conditions = node.get("status", {}).get("conditions", []) if node else []
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)

    # ---- plumbing ---------------------------------------------------------------------------
    def _write_kubeconfig(self, path: Path, user: str, token: str) -> None:
        assert self._pki is not None
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": self.name, "cluster": {"server": self.server, "certificate-authority": str(self._pki.ca_crt)}}
            ],
            "users": [{"name": user, "user": {"token": token}}],
            "contexts": [{"name": self.name, "context": {"cluster": self.name, "user": user}}],
            "current-context": self.name,
        }
        path.write_text(json.dumps(config, indent=2))

    def write_token_kubeconfig(self, path: Path, user: str, token: str) -> Path:
        """A kubeconfig for another identity (e.g. a ServiceAccount token) on this cluster."""
        self._write_kubeconfig(path, user, token)
        return path

    def _ssl(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))

    def _readyz(self) -> bool:
        req = urllib.request.Request(f"{self.server}/readyz", headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(req, timeout=3, context=self._ssl()) as resp:
            return bool(resp.status == 200)

    def _get(self, path: str) -> dict[str, Any] | None:
        req = urllib.request.Request(f"{self.server}{path}", headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=5, context=self._ssl()) as resp:
                data: dict[str, Any] = json.loads(resp.read())
                return data
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as resp:
        return bool(resp.status == 200)


def _https_ok(url: str) -> bool:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # self-signed serving cert of a local component
    with urllib.request.urlopen(url, timeout=2, context=ctx) as resp:
        return bool(resp.status == 200)
