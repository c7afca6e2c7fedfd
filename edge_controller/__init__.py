"""The GridEdge edge controller: turns EdgeTask custom resources into Pods and Services.

Runs in each edge cluster (kopf), started by ``python -m edge_controller run``. Layers,
top down (each only imports the ones below it, and never Airflow):

- :mod:`.cli`, :mod:`.handlers`: the process and the kopf registrations (thin);
- :mod:`.tick`, :mod:`.leader`, :mod:`.metrics`, :mod:`.logs`: one reconcile step, the
  Lease, Prometheus metrics, log format;
- :mod:`.kube`: the only module that calls the Kubernetes API;
- :mod:`.reconcile`: the pure phase machine (``decide``);
- :mod:`.builders`: pure EdgeTask → Service and Pods, shared with the local runtime
  (:mod:`.local`, which runs the same Pod specs as local processes).

See docs/controller.md.
"""
