#!/usr/bin/env bash
# Measures the worst-case lessons of make_lessons.py under the 2 GB address-space limit of
# worst_lessons.sh: peak resident memory and time of `compute`, `steps` at every granularity
# (all phases, the whole output to /dev/null), the worksheet, `svg` and the headless app at every phase.
# Prints a Markdown table (docs/LIMITS.md). Not a test: it asserts nothing, and one run whose
# output is endless is stopped after SECONDS (default 120) and marked as stopped.
#   measure.sh CONVSTEP [SECONDS]
set -u
convstep=$1 seconds=${2:-120}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
/usr/bin/python3 "$here/make_lessons.py" "$work/lessons" || exit 1
phases=(forward dw dx_gather dx_scatter db)

# measure COMMAND...: one table cell, "peak MB, wall seconds (CPU seconds)" and the exit status
# when it is not 0. On a shared machine the CPU time is the steadier of the two.
measure() {
  (ulimit -v 2097152 && exec /usr/bin/time -f "%M %e %U %S" -o "$work/time" \
    timeout "$seconds" "$@") >/dev/null 2>"$work/err"
  local status=$? kb=0 wall=0 user=0 sys=0
  [ -s "$work/time" ] && read -r kb wall user sys < <(grep -E '^[0-9]+ ' "$work/time")
  local cell="$((kb / 1024)) MB, ${wall} s ($(echo "$user + $sys" | bc) s)"
  if [ $status -eq 124 ]; then
    cell+=" (stopped at ${seconds} s)"
  elif [ $status -ne 0 ]; then
    cell+=" (exit $status)"
  fi
  printf '%s' "$cell"
}

echo "| lesson | verdict | compute | steps phase | steps cell | steps term | worksheet | svg | app: forward | dw | dx_gather | dx_scatter | db |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for json in "$work"/lessons/*.json; do
  name=$(basename "$json" .json)
  read -r verdict _ <"$work/lessons/$name.expect"
  if [ "$verdict" != accept ]; then
    cell=$(measure "$convstep" validate "$json")
    why=$(sed 's/^convstep: [^ ]*\.json: //' "$work/err" | tr -d '\n|')
    echo "| $name | refused: $why | $cell | | | | | | | | | | |"
    continue
  fi
  row="| $name | accepted | $(measure "$convstep" compute "$json" --format json)"
  for g in phase cell term; do
    row+=" | $(measure "$convstep" steps "$json" --granularity $g)"
  done
  row+=" | $(measure "$convstep" steps "$json" --granularity cell --format markdown)"
  row+=" | $(measure "$convstep" svg "$json" --phase dx_scatter --granularity cell -o "$work/step.svg")"
  for p in "${phases[@]}"; do
    printf 'phase %s\ngranularity term\nend\nscreenshot %s\ngranularity cell\nend\nscreenshot %s\nquit\n' \
      "$p" "$work/a.png" "$work/b.png" >"$work/script.txt"
    row+=" | $(measure "$convstep" --headless --no-restore --script "$work/script.txt" "$json")"
  done
  echo "$row |"
done
