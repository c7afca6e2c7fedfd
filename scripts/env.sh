# Source this to get GridEdge's environment in the current shell:
#   source scripts/env.sh
# It bootstraps the cached venv and puts the checkout's packages on PYTHONPATH.
_ge_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_ge_t0=$(date +%s)
_ge_venv="$(bash "$_ge_root/scripts/bootstrap_python.sh")" || return 1
[[ $(( $(date +%s) - _ge_t0 )) -lt 5 ]] || echo "[gridedge] Python venv ready after $(( $(date +%s) - _ge_t0 ))s" >&2
unset _ge_t0
export VIRTUAL_ENV="$_ge_venv"
export PATH="$_ge_venv/bin:$PATH"
export PYTHONPATH="$_ge_root:$_ge_root/plugins:$_ge_root/algorithm_images${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
unset _ge_venv
