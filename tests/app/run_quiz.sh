#!/usr/bin/env bash
# The quiz through the real UI, headless: Q turns it on (the answer that follows is accepted only
# when a cell is asked), the bar's Reveal and R show an answer (after which nothing is left to
# answer at that step), right and wrong answers, classroom mode; pictures kept in OUT for a look.
set -u
convstep=$1 out=$2
. "$(dirname "$0")/scratch_home.sh"
mkdir -p "$out"
fail=0
run() {  # NAME EXPECTED-STATUS SCRIPT-TEXT [TEXT THE ERROR MUST HOLD]
  printf '%s\n' "$3" >"$1.txt"
  timeout 300 "$convstep" --headless --no-restore --size "${size:-1600x900}" --script "$1.txt" \
    >/dev/null 2>"$1.err"
  local status=$?
  if [ $status -ne "$2" ]; then
    echo "FAIL: $1: exit status $status, not $2"; cat "$1.err"; fail=1
  elif [ -n "${4:-}" ] && ! grep -qF "$4" "$1.err"; then
    echo "FAIL: $1: the error does not say \"$4\""; cat "$1.err"; fail=1
  fi
}
start='preset sobel-6x5
granularity cell'
run key_q 0 "$start
key q
wait 100
step
wait 400
screenshot $out/asked.png
answer 0
step
answer 5
wait 400
screenshot $out/wrong.png"
for f in asked wrong; do [ -s "$out/$f.png" ] || { echo "FAIL: no $f.png"; fail=1; }; done
run quiz_off 2 "$start
step
answer 0" "the quiz asks nothing at this step"
run key_q_twice 2 "$start
key q
key q
wait 100
step
answer 0" "the quiz asks nothing at this step"
run key_r 2 "$start
key q
wait 100
step
key r
wait 100
answer 0" "the quiz asks nothing at this step"
run reveal_button 2 "$start
quiz on
step
press Quiz > Reveal (R)
wait 100
answer 0" "the quiz asks nothing at this step"
run not_a_number 2 "$start
quiz on
step
answer zero" "expected a number"
size=1920x1080 run classroom 0 "$start
classroom on
quiz on
step
answer 0
step
wait 400
screenshot $out/classroom.png
quiz worksheet 3
phase dx_gather
end
quiz restart
quiz off"
[ -s "$out/classroom.png" ] || { echo "FAIL: no classroom.png"; fail=1; }
exit $fail
