"""Pure builders: an EdgeTask manifest → a validated task → its Service and one Pod per rank.

Called by the kopf handlers (``edge_controller.handlers``) and by the local runtime
(``edge_controller.local``). No I/O, no kopf, no Kubernetes client: every function here
is a function of its arguments.

The stable interface (the local runtime relies on exactly these names):

- ``validate(manifest) -> EdgeTask`` — ``manifest`` is the CR as a dict (camelCase, as
  ``kubectl get et -o json`` shows it; ``metadata.namespace`` defaults to ``default``,
  ``metadata.uid`` may be absent). Raises :class:`SpecError` (a ``ValueError``) whose
  ``path`` names the field (``spec.env[2].name``) and whose ``expected`` says what was
  expected.
- ``build_pods(task, network, attempt=0) -> list[dict]`` — one Pod manifest per rank in
  rank order, for any ``NetworkInfo`` (``kubernetes_network`` or ``local_network``;
  its world size must equal ``task.spec.world_size``). For each Pod, read
  ``spec.containers[0]``:

  - ``command`` / ``args``: lists of strings, present only when the spec sets them;
  - ``env``: a list of ``{"name", "value"}`` or ``{"name", "valueFrom"}`` entries —
    reserved ``GRIDEDGE_*`` first, then the framework preset, then the user's entries in
    their order with ``${placeholders}`` already rendered. Plain user values are passed
    as given (Kubernetes expands ``$(VAR)`` in them; a local runner may do the same).
    ``valueFrom`` entries (Secret/ConfigMap keys) are left for the runtime to resolve;
  - ``workingDir``: present only when the spec sets it.

  ``metadata.name`` is ``gridedge.contract.network.pod_name(task, rank)``; labels carry
  ``gridedge.io/rank`` and ``gridedge.io/role``; ``metadata.annotations`` the Pod
  template's annotations and ``gridedge.io/attempt``.
- ``network_for_kubernetes(task) -> NetworkInfo`` and ``build_service(task, network)`` —
  the Kubernetes runtime only.
"""

from edge_controller.builders.fields import SpecError
from edge_controller.builders.pods import build_pod, build_pods
from edge_controller.builders.service import build_service, network_for_kubernetes
from edge_controller.builders.spec import EdgeTask, EdgeTaskSpec
from edge_controller.builders.validate import validate

__all__ = [
    "EdgeTask",
    "EdgeTaskSpec",
    "SpecError",
    "build_pod",
    "build_pods",
    "build_service",
    "network_for_kubernetes",
    "validate",
]
