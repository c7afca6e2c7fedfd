"""Where the dev stack keeps its cache, logs and provisioning scripts.

Pure path arithmetic; no process is started here.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = REPO_ROOT / "scripts"


def cache_dir() -> Path:
    """Per-user cache outside the checkout (``GRIDEDGE_CACHE_DIR`` overrides)."""
    explicit = os.environ.get("GRIDEDGE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "gridedge"


def logs_dir() -> Path:
    """Folder for service logs; tests print it on failure (``GRIDEDGE_LOG_DIR`` overrides)."""
    explicit = os.environ.get("GRIDEDGE_LOG_DIR")
    path = Path(explicit) if explicit else REPO_ROOT / ".gridedge" / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_versions() -> dict[str, str]:
    """The pinned service versions from ``scripts/versions.env``."""
    versions: dict[str, str] = {}
    for line in (SCRIPTS_DIR / "versions.env").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, value = line.split("=", 1)
            versions[key.strip()] = value.strip()
    return versions
