#!/usr/bin/env bash
# The README's main-job command (`make demo`): install what is needed, then run the demo.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib.sh
source scripts/env.sh
GRIDEDGE_RUN_MARKER="demo-$$-$(date +%s%N)"
export GRIDEDGE_RUN_MARKER
trap 'bash "$root/scripts/reap.sh" "$GRIDEDGE_RUN_MARKER"' EXIT
bash scripts/provision_kafka.sh >/dev/null
bash scripts/provision_k8s.sh >/dev/null
python -m gridedge.demo "$@"
