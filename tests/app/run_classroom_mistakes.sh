#!/usr/bin/env bash
# Classroom mode offers the mistakes in a menu (headless): a press on the timeline bar's
# "mistakes…" and on a mistake puts its wrong result beside the right one in the exported step.
set -u
convstep=$1 script=$2
. "$(dirname "$0")/scratch_home.sh"
timeout 300 "$convstep" --headless --no-restore --size 1920x1080 --script "$script"
status=$?
[ $status -eq 0 ] || { echo "FAIL: exit status $status"; exit 1; }
grep -Eq 'id="grid-dXp?_no_rotation"' mistake.svg ||
  { echo "FAIL: the exported step lacks the mistake's grid"; exit 1; }
grep -q "Forgot to rotate the kernel" mistake.svg ||
  { echo "FAIL: the exported step lacks the mistake's line"; exit 1; }
exit 0
