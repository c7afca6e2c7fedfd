"""``python -m edge_controller run``: leader election, metrics, then kopf on the chosen namespaces.

Called by the Deployment in edge_controller/deploy/ and by the tests (as a subprocess under
the deploy RBAC). Parses arguments, configures logging and the metrics server, waits to be
the leader, then hands over to ``kopf.run``. Holds no reconcile logic.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import socket
import threading
from collections.abc import Sequence

from kubernetes import client, config

from edge_controller import logs, metrics
from edge_controller.leader import LeaseElector

log = logging.getLogger("edge_controller")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m edge_controller", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="reconcile EdgeTasks until stopped")
    scope = run.add_mutually_exclusive_group(required=True)
    scope.add_argument("-n", "--namespace", action="append", help="watch this namespace (repeatable)")
    scope.add_argument("-A", "--all-namespaces", action="store_true", help="watch every namespace")
    run.add_argument("--metrics-port", type=int, default=9090, help="Prometheus /metrics port (0: off)")
    run.add_argument("--liveness-port", type=int, default=0, help="kopf's /healthz port (0: off)")
    run.add_argument("--interval", type=float, default=1.0, help="seconds between reconcile ticks of a task")
    run.add_argument("--cluster-domain", default="cluster.local")
    run.add_argument("--lease-name", default="gridedge-edge-controller")
    run.add_argument("--lease-namespace", default=os.environ.get("POD_NAMESPACE", "gridedge-system"))
    run.add_argument("--identity", default=os.environ.get("POD_NAME") or f"{socket.gethostname()}-{os.getpid()}")
    run.add_argument("--lease-seconds", type=int, default=15)
    run.add_argument("--no-leader-election", action="store_true", help="a single replica (development only)")
    run.add_argument("--log-format", choices=("json", "plain"), default="json")
    run.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def _coordination() -> client.CoordinationV1Api:
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        config.load_incluster_config()
        return client.CoordinationV1Api(client.ApiClient())
    return client.CoordinationV1Api(config.new_client_from_config())


def _stop_kopf(lost: threading.Event) -> None:
    """Stop kopf as SIGTERM does. (Its stop_flag is waited for in an executor thread, which
    then blocks kopf's own shutdown on a real SIGTERM until the flag is set.)"""
    lost.set()
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1` dumps every thread's stack to stderr
    logs.configure(json_format=args.log_format == "json", verbose=args.verbose)
    # The handlers module reads these when it registers the timer.
    os.environ["GRIDEDGE_CONTROLLER_INTERVAL"] = str(args.interval)
    os.environ["GRIDEDGE_CLUSTER_DOMAIN"] = args.cluster_domain
    if args.metrics_port:
        metrics.serve(args.metrics_port)
    stop = threading.Event()
    lost = threading.Event()
    elector = None
    if not args.no_leader_election:
        elector = LeaseElector(
            _coordination(), args.lease_namespace, args.lease_name, args.identity, lease_seconds=args.lease_seconds
        )
        if not elector.acquire(stop):
            return 0
        elector.keep(stop, on_lost=lambda: _stop_kopf(lost))
    import kopf

    import edge_controller.handlers  # noqa: F401  (registers the handlers)

    scope = "all namespaces" if args.all_namespaces else ", ".join(args.namespace)
    log.info("edge controller %s reconciling EdgeTasks in %s", args.identity, scope)
    try:
        kopf.run(
            standalone=True,
            clusterwide=bool(args.all_namespaces),
            namespaces=args.namespace or (),
            liveness_endpoint=f"http://0.0.0.0:{args.liveness_port}/healthz" if args.liveness_port else None,
        )
    finally:
        stop.set()
        if elector is not None and not lost.is_set():
            elector.release()
    if lost.is_set():
        log.error("edge controller %s lost its lease; exiting so that a standby takes over", args.identity)
        return 1
    return 0
