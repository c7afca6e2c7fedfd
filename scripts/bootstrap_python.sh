#!/usr/bin/env bash
# Create (once per lock-file content) the Python virtualenv GridEdge runs in, under
# $GRIDEDGE_CACHE_DIR/venv/<hash of requirements/lock.txt>, and print its path.
# The checkout is not installed into it: scripts put the checkout on PYTHONPATH,
# so every clone shares one venv without pointing it at any one clone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
root="$(cd "$here/.." && pwd)"
lock="$root/requirements/lock.txt"

py="${GRIDEDGE_PYTHON:-}"
if [[ -z "$py" ]]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      py="$(command -v "$cand")"; break
    fi
  done
fi
[[ -n "$py" ]] || die "Python 3.11 is required (found: $(python3 --version 2>&1 || echo none)). Install it or set GRIDEDGE_PYTHON=/path/to/python3.11."

hash="$( (cat "$lock"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-12)"
venv="$GRIDEDGE_CACHE_DIR/venv/py311-$hash"

build() {
  [[ -f "$venv/.complete" ]] && return 0
  log "creating Python venv $venv (cold: 3-6 min; reused by every clone afterwards)"
  rm -rf "$venv"
  "$py" -m venv "$venv" || die "python -m venv failed; on Debian install python3-venv"
  "$venv/bin/python" -m pip install -q --upgrade "pip==26.3" >"$venv.pip.log" 2>&1 || true
  "$venv/bin/python" -m pip install -q --cache-dir "$GRIDEDGE_CACHE_DIR/pip" -r "$lock" >>"$venv.pip.log" 2>&1 \
    || { tail -20 "$venv.pip.log" >&2; die "pip install -r requirements/lock.txt failed (log: $venv.pip.log)"; }
  touch "$venv/.complete"
}
with_lock "venv-$hash" build
echo "$venv"
