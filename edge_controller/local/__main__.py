"""``python -m edge_controller.local TASK.yaml --volume CLAIM=DIR``: run one EdgeTask here.

For a laptop or an edge box without Kubernetes, and for trying an algorithm image's entry
point before shipping it. Prints the final status as JSON; exits 0 when the task
succeeded, 1 when it failed, 2 when it could not start.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from edge_controller.local.runtime import LocalRuntimeError, run_task


def _pairs(values: list[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: {what} must look like NAME=VALUE, got {value!r}")
        out[key] = rest
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edge_controller.local", description=__doc__)
    parser.add_argument("manifest", type=Path, help="EdgeTask manifest (YAML or JSON)")
    parser.add_argument("--volume", action="append", default=[], help="CLAIM=DIR: the folder that plays a PVC")
    parser.add_argument("--secret", action="append", default=[], help="SECRET/KEY=VALUE for valueFrom entries")
    parser.add_argument("--workdir", type=Path, help="where logs and emptyDir volumes go (default: a temp dir)")
    parser.add_argument("--timeout", type=float, help="bound the run when the task sets no activeDeadlineSeconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    import yaml

    try:
        manifest: Any = yaml.safe_load(args.manifest.read_text())
    except (OSError, yaml.YAMLError) as e:
        print(f"error: cannot read {args.manifest}: {e}", file=sys.stderr)
        return 2
    secrets: dict[str, dict[str, str]] = {}
    for ref, value in _pairs(args.secret, "--secret").items():
        name, _, key = ref.partition("/")
        secrets.setdefault(name, {})[key] = value
    volumes = {k: Path(v) for k, v in _pairs(args.volume, "--volume").items()}
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gridedge-local-"))
    try:
        status = run_task(manifest, workdir, volumes, secrets, timeout=args.timeout)
    except LocalRuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(status.to_dict(), indent=2))
    return 0 if status.phase == "Succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
