#!/usr/bin/env bash
# reap.sh MARKER: kill every process whose environment carries GRIDEDGE_RUN_MARKER=MARKER.
# test.sh and demo.sh export a fresh marker and call this on exit, as a last line of
# defence behind the fixtures' own cleanup, so nothing a run started outlives it.
set -uo pipefail
marker="${1:?usage: reap.sh MARKER}"
self=$$
found=()
for envf in /proc/[0-9]*/environ; do
  pid="${envf#/proc/}"; pid="${pid%/environ}"
  [[ "$pid" == "$self" || "$pid" == "$PPID" ]] && continue
  if { tr '\0' '\n' < "$envf"; } 2>/dev/null | grep -qx "GRIDEDGE_RUN_MARKER=$marker"; then
    found+=("$pid")
  fi
done
if (( ${#found[@]} )); then
  echo "[gridedge] stopping ${#found[@]} leftover process(es): ${found[*]}" >&2
  kill -TERM "${found[@]}" 2>/dev/null
  sleep 2
  kill -KILL "${found[@]}" 2>/dev/null
fi
exit 0
