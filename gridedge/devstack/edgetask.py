"""Install the EdgeTask CRD on a dev-stack control plane and wait until it is served.

Called by the controller and CRD tests and by the demo. Applies the repository's
``crds/edgetask.yaml`` as it is (no templating); it imports nothing from the controller.
"""

from __future__ import annotations

from gridedge.devstack.kube import ControlPlane
from gridedge.devstack.paths import REPO_ROOT

CRD_PATH = REPO_ROOT / "crds" / "edgetask.yaml"
CRD_NAME = "edgetasks.gridedge.io"


def apply_crd(plane: ControlPlane, timeout: float = 60) -> None:
    """``kubectl apply`` the CRD (idempotent), then wait for Established."""
    plane.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(CRD_PATH), timeout=timeout)
    plane.kubectl(
        "wait", "--for=condition=Established", f"crd/{CRD_NAME}", f"--timeout={int(timeout)}s", timeout=timeout + 5
    )
