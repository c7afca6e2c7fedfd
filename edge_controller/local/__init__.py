"""The local runtime: an EdgeTask run as local processes on 127.0.0.1, a port per rank.

The embedded default (a laptop, a single edge box without Kubernetes) and the way tests
run real multi-worker training. It renders Pods through the *same* builders the
controller uses (``edge_controller.builders.validate`` and ``build_pods`` over a
``local_network``), then runs each rank's ``containers[0]`` as a process:

- :mod:`.mapping`: a rendered Pod → argv, env and working directory on this host.
- :mod:`.supervisor`: start the ranks, watch them, stop the rest when one fails.
- :mod:`.status`: the status it returns, shaped like the controller's ``status``.
- :mod:`.runtime`: :func:`run_task`, the whole path with restarts and deadline.

Imports neither kopf nor Airflow; never talks to a Kubernetes API.
"""

from edge_controller.local.runtime import LocalRuntimeError, run_task
from edge_controller.local.status import RankStatus, TaskStatus

__all__ = ["LocalRuntimeError", "RankStatus", "TaskStatus", "run_task"]
