#!/usr/bin/env bash
# The worst-case lessons of make_lessons.py, each run under a 2 GB address-space limit. A
# lesson past a limit must be refused at validation: exit status 2 and its message. A lesson
# at the limits must be accepted, and then `compute`, `steps` (every granularity and format,
# windows at the start, middle and end of the phases), `svg` and, with "app", the headless app
# at every phase and granularity (the middle and the last step) must all finish normally.
# Usage: worst_lessons.sh CONVSTEP MAKE_LESSONS.PY [app]
set -u
convstep=$1 maker=$2 app=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
/usr/bin/python3 "$maker" "$work/lessons" || exit 1
limit_kb=$((2 * 1024 * 1024))
phases=(forward dw dx_gather dx_scatter db)
formats=(jsonl markdown text)
fail=0 turn=0

# limited NAME COMMAND...: runs under the limit, stdout to $work/out; fails unless status 0.
limited() {
  local what=$1
  shift
  (ulimit -v $limit_kb && "$@") >"$work/out" 2>"$work/err"
  local status=$?
  [ $status -eq 0 ] && return 0
  echo "FAIL: $what: exit status $status: $(head -c 300 "$work/err")"
  fail=1
  return 1
}

for json in "$work"/lessons/*.json; do
  name=$(basename "$json" .json)
  read -r verdict runs <"$work/lessons/$name.expect" || true
  if [ "$verdict" != accept ]; then
    expect=$(cat "$work/lessons/$name.expect")
    (ulimit -v $limit_kb && "$convstep" compute "$json") >/dev/null 2>"$work/err"
    status=$?
    if [ $status -ne 2 ] || ! grep -qF -- "$expect" "$work/err"; then
      echo "FAIL: $name: want exit status 2 and \"$expect\", got $status: $(head -c 300 "$work/err")"
      fail=1
    fi
    continue
  fi
  start=$SECONDS
  limited "$name: compute" "$convstep" compute "$json" --format json
  # The first step of every phase at each granularity; the text gives each phase's count.
  declare -A total=()
  for g in phase cell term; do
    limited "$name: steps $g" "$convstep" steps "$json" --granularity $g --count 1 || continue
    for p in "${phases[@]}"; do
      total[$p.$g]=$(sed -n "s|^$p 0/\([0-9]*\) .*|\1|p" "$work/out")
    done
  done
  # Windows in the middle and at the end, phases and formats taking turns from lesson to
  # lesson (a lesson in a large file takes long to read: it runs fewer).
  for window in phase.end cell.middle term.middle term.end; do
    [ "$runs" = fewer ] && break
    g=${window%.*} where=${window#*.}
    p=${phases[$((turn % 5))]} f=${formats[$((turn % 3))]}
    turn=$((turn + 1))
    n=${total[$p.$g]:-2}
    [ $where = middle ] && from=$((n / 2)) || from=$((n > 2 ? n - 2 : 0))
    limited "$name: steps $p $g from $from $f" "$convstep" steps "$json" --phase "$p" \
      --granularity $g --from $from --count 2 --format $f
  done
  limited "$name: svg" "$convstep" svg "$json" --phase dx_scatter --granularity cell \
    --step $((${total[dx_scatter.cell]:-0} / 2)) -o "$work/step.svg"
  if [ "$app" = app ]; then
    {
      echo "open $json"
      for p in "${phases[@]}"; do
        for g in phase cell term; do
          printf 'phase %s\ngranularity %s\nseek %s\nend\n' $p $g $((${total[$p.$g]:-0} / 2))
        done
        echo "screenshot $work/$p.png"
      done
      echo quit
    } >"$work/script.txt"
    limited "$name: app" "$convstep" --headless --no-restore --script "$work/script.txt"
  fi
  echo "$name: accepted, ran in $((SECONDS - start)) s"
  unset total
done
exit $fail
