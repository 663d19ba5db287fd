#!/usr/bin/env bash
# The app stays responsive during a long export (issue 12): a script starts File › Export of
# every step of the lesson, steps three times with a screenshot each, then presses Cancel, which
# is there only while the export still runs. Checks that the script ran to its end, that the
# three frames show three different steps, and that the cancel left no folder behind.
set -u
convstep=$1 script=$2
. "$(dirname "$0")/scratch_home.sh"
timeout 600 "$convstep" --headless --no-restore --size 1600x900 --script "$script"
status=$?
fail=0
[ $status -eq 0 ] || { echo "FAIL: exit status $status (was Cancel gone: the export over before the frames?)"; fail=1; }
for f in step1.png step2.png step3.png; do
  [ -s "$f" ] || { echo "FAIL: $f was not written"; fail=1; }
done
if [ $fail -eq 0 ]; then
  cmp -s step1.png step2.png && { echo "FAIL: the first two frames are the same"; fail=1; }
  cmp -s step2.png step3.png && { echo "FAIL: the last two frames are the same"; fail=1; }
fi
left=$(ls -A | grep -v -e '^step[123]\.png$' -e '^config$' -e '^state$')
[ -z "$left" ] || { echo "FAIL: the cancelled export left: $left"; fail=1; }
exit $fail
