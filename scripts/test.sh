#!/usr/bin/env bash
# The README's test command (`make test`): provision everything, lint, type-check,
# then run the whole pytest suite with real services. `make test-unit` passes
# --unit to skip provisioning of services and run only the fast unit subset.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/lib.sh
source scripts/env.sh
GRIDEDGE_RUN_MARKER="test-$$-$(date +%s%N)"
export GRIDEDGE_RUN_MARKER
trap 'bash "$root/scripts/reap.sh" "$GRIDEDGE_RUN_MARKER"' EXIT

mode=all
if [[ "${1:-}" == "--unit" ]]; then mode=unit; shift; fi

# timed STEP CMD...: run a provisioning step and say how long it took.
timed() {
  local what=$1; shift
  local t=$(date +%s%N)
  "$@"
  log "provisioned $what in $(( ($(date +%s%N) - t) / 1000000 )) ms"
}
log "Python venv: $VIRTUAL_ENV"
if [[ $mode == all ]]; then
  timed "Kafka broker classpath" bash scripts/provision_kafka.sh >/dev/null
  timed "Kubernetes control plane + etcd + kwok" bash scripts/provision_k8s.sh >/dev/null
  GRIDEDGE_CHROMIUM="$(bash scripts/provision_chromium.sh)"
  export GRIDEDGE_CHROMIUM
fi

log "ruff check / ruff format --check"
ruff check .
ruff format --check .
log "mypy"
mypy
log "import-linter"
lint-imports --no-cache >/dev/null || lint-imports --no-cache

pytest_args=(-p no:cacheprovider)
if [[ $mode == unit ]]; then pytest_args+=(-m "not integration"); fi
set +e
python -m pytest "${pytest_args[@]}" "$@"
rc=$?
set -e
if [[ $rc == 5 ]]; then
  log "pytest collected no tests: treating as failure, a test suite must test something"
  exit 1
fi
exit $rc
