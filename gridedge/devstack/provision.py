"""Find or build the cached service binaries by running ``scripts/provision_*.sh``.

Checks for the tools each build needs first, so that a missing Java or Go gives
one clear sentence instead of a failure deep inside a fixture.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from gridedge.devstack.errors import DevStackError, ToolMissingError
from gridedge.devstack.paths import SCRIPTS_DIR, cache_dir

_HINTS = {
    "java": "Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless).",
    "mvn": "Install Apache Maven (Debian: apt-get install maven).",
    "go": "Install Go 1.24+ and put it on PATH (Debian: apt-get install golang-go).",
    "openssl": "Install OpenSSL (Debian: apt-get install openssl).",
    "flock": "Install util-linux (Debian: apt-get install util-linux).",
}


def require_tool(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise ToolMissingError(tool, _HINTS.get(tool, ""))
    return path


@dataclass(frozen=True)
class Provisioned:
    path: Path
    seconds: float
    cold: bool


def _run_script(script: str, marker: Path, tools: tuple[str, ...]) -> Provisioned:
    cold = not marker.exists()
    if cold:
        for tool in tools:
            require_tool(tool)
    start = time.monotonic()
    done = subprocess.run(["bash", str(SCRIPTS_DIR / script)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DevStackError(f"{script} failed:\n{done.stderr.strip()[-3000:]}")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise DevStackError(f"{script} printed no output path")
    return Provisioned(Path(lines[-1]), time.monotonic() - start, cold)


def kafka_libs(version: str) -> Provisioned:
    marker = cache_dir() / "kafka" / version / ".complete"
    return _run_script("provision_kafka.sh", marker, ("java", "mvn", "flock"))


def kubernetes_bin(version: str) -> Provisioned:
    marker = cache_dir() / "k8s" / f"v{version}" / ".complete"
    return _run_script("provision_k8s.sh", marker, ("go", "flock"))
