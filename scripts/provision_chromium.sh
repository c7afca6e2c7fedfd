#!/usr/bin/env bash
# Make sure Debian's headless Chromium is installed for the UI tests; print its path.
# Chromium comes from the distribution's packages (root needed once); nothing is
# downloaded from a browser vendor. GRIDEDGE_CHROMIUM overrides the binary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"

if [[ -n "${GRIDEDGE_CHROMIUM:-}" ]]; then
  [[ -x "$GRIDEDGE_CHROMIUM" ]] || die "GRIDEDGE_CHROMIUM=$GRIDEDGE_CHROMIUM is not an executable"
  echo "$GRIDEDGE_CHROMIUM"; exit 0
fi
for cand in chromium chromium-browser; do
  if command -v "$cand" >/dev/null 2>&1; then command -v "$cand"; exit 0; fi
done
if [[ "$(id -u)" != 0 ]]; then
  die "Chromium is not installed. Install Debian's package as root: apt-get install -y chromium (or set GRIDEDGE_CHROMIUM)."
fi
need apt-get "This machine has no apt-get: install Chromium by hand and set GRIDEDGE_CHROMIUM."
install() {
  command -v chromium >/dev/null 2>&1 && return 0
  log "installing Debian's chromium package (once per machine, about a minute)"
  apt-get update -qq >"$GRIDEDGE_CACHE_DIR/apt-update.log" 2>&1 || { tail -5 "$GRIDEDGE_CACHE_DIR/apt-update.log" >&2; die "apt-get update failed"; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core \
    >"$GRIDEDGE_CACHE_DIR/apt-chromium.log" 2>&1 \
    || { tail -10 "$GRIDEDGE_CACHE_DIR/apt-chromium.log" >&2; die "apt-get install chromium failed (log: $GRIDEDGE_CACHE_DIR/apt-chromium.log)"; }
}
with_lock apt-chromium install
command -v chromium
