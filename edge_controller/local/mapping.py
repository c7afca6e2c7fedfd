"""A rendered Pod manifest → the process that plays its container on this host.

Called by :mod:`.runtime` for every rank. Volume mounts become local folders (a
PersistentVolumeClaim by the folder the caller maps its claim name to, an emptyDir a fresh
folder per Pod) and every path under a mount path in command, args, env and workingDir is
rewritten to that folder; the image's ``python`` becomes this interpreter; ``$(VAR)`` is
expanded the way the kubelet does; ``valueFrom`` is resolved from the caller's secrets.
Must not start processes.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_VAR_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
INHERITED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TZ")


class MappingError(ValueError):
    """The Pod cannot be played locally (unmapped claim, missing secret, no command)."""


@dataclass(frozen=True)
class ProcessSpec:
    rank: int
    pod_name: str
    argv: tuple[str, ...]
    env: dict[str, str]
    cwd: Path


def expand_var_refs(value: str, env: Mapping[str, str]) -> str:
    """Kubernetes' ``$(VAR)``: replaced when VAR is defined earlier, kept as is otherwise."""

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return env.get(name, m.group(0))

    return _VAR_REF.sub(sub, value)


def _mounts(pod: dict[str, Any], pod_dir: Path, claims: Mapping[str, Path]) -> list[tuple[str, Path]]:
    volumes = {v["name"]: v for v in pod["spec"].get("volumes", [])}
    mapped: list[tuple[str, Path]] = []
    for mount in pod["spec"]["containers"][0].get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "persistentVolumeClaim" in volume:
            claim = volume["persistentVolumeClaim"]["claimName"]
            if claim not in claims:
                raise MappingError(
                    f"no local folder for PersistentVolumeClaim {claim!r} (mounted at {mount['mountPath']}); "
                    f"map it with volumes={{{claim!r}: <folder>}}"
                )
            base = Path(claims[claim])
        else:
            base = pod_dir / "volumes" / mount["name"]
            base.mkdir(parents=True, exist_ok=True)
        local = base / mount["subPath"] if mount.get("subPath") else base
        mapped.append((mount["mountPath"].rstrip("/") or "/", local))
    return sorted(mapped, key=lambda m: len(m[0]), reverse=True)


def _rewrite(value: str, mounts: list[tuple[str, Path]]) -> str:
    for mount_path, local in mounts:
        if value == mount_path:
            return str(local)
        if value.startswith(mount_path + "/"):
            return str(local / value[len(mount_path) + 1 :])
    return value


def _interpreter(arg: str, python: str) -> str:
    return python if re.fullmatch(r"(/usr(/local)?/bin/)?python3?(\.\d+)?", arg) else arg


def pod_process(
    pod: dict[str, Any],
    rank: int,
    pod_dir: Path,
    claims: Mapping[str, Path],
    secrets: Mapping[str, Mapping[str, str]],
    extra_env: Mapping[str, str],
    python: str = sys.executable,
) -> ProcessSpec:
    container = pod["spec"]["containers"][0]
    name = pod["metadata"]["name"]
    argv = [*container.get("command", []), *container.get("args", [])]
    if not container.get("command"):
        raise MappingError(
            f"Pod {name} has no command: the local runtime cannot read an image's ENTRYPOINT; set spec.command"
        )
    mounts = _mounts(pod, pod_dir, claims)
    env: dict[str, str] = {k: os.environ[k] for k in INHERITED_ENV if k in os.environ}
    env.update(extra_env)
    for entry in container.get("env", []):
        if "valueFrom" in entry:
            resolved = _value_from(name, entry["name"], entry["valueFrom"], secrets)
            if resolved is None:
                continue
            env[entry["name"]] = resolved
        else:
            env[entry["name"]] = _rewrite(expand_var_refs(entry.get("value", ""), env), mounts)
    argv = [_rewrite(expand_var_refs(a, env), mounts) for a in argv]
    argv[0] = _interpreter(argv[0], python)
    cwd = Path(_rewrite(container["workingDir"], mounts)) if container.get("workingDir") else pod_dir
    cwd.mkdir(parents=True, exist_ok=True)
    return ProcessSpec(rank, name, tuple(argv), env, cwd)


def _value_from(pod: str, var: str, ref: dict[str, Any], secrets: Mapping[str, Mapping[str, str]]) -> str | None:
    kind, source = next(iter(ref.items()))
    store = secrets.get(source["name"], {})
    if source["key"] in store:
        return store[source["key"]]
    if source.get("optional"):
        return None
    raise MappingError(
        f"Pod {pod}: env {var} needs {kind} {source['name']}/{source['key']}; pass it in secrets={{...}}"
    )
