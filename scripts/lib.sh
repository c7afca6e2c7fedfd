# Shared shell helpers for GridEdge's provisioning scripts (sourced, never run).
# Everything built or downloaded lands under GRIDEDGE_CACHE_DIR, outside the
# checkout, keyed by version, so a fresh clone on the same machine reuses it.
set -euo pipefail

GRIDEDGE_CACHE_DIR="${GRIDEDGE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gridedge}"
export GRIDEDGE_CACHE_DIR
mkdir -p "$GRIDEDGE_CACHE_DIR"

log() { printf '[gridedge %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[gridedge] ERROR: %s\n' "$*" >&2; exit 1; }

need() {
  # need CMD HINT: fail with a message that names the missing tool and the fix.
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not on PATH. $2"
}

# with_lock NAME CMD...: serialise concurrent builds of the same cache entry.
with_lock() {
  local name=$1; shift
  mkdir -p "$GRIDEDGE_CACHE_DIR/locks"
  (
    flock -w 3600 9 || die "timed out waiting for lock $name"
    "$@"
  ) 9>"$GRIDEDGE_CACHE_DIR/locks/$name.lock"
}
