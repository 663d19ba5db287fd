#!/usr/bin/env bash
# Unsaved edits survive a session that ends without saving, and go once they are saved.
set -u
convstep=$1
. "$(dirname "$0")/scratch_home.sh"
fail=0
copies() { ls "$XDG_STATE_HOME"/convstep/unsaved-*.json 2>/dev/null; }
printf 'edit W[0][0] 7\nwait 50\nquit\n' > edit.txt
"$convstep" --headless --no-restore --script edit.txt > /dev/null || { echo "FAIL: the editing run"; fail=1; }
copy=$(copies)
[ "$(copies | wc -l)" -eq 1 ] || { echo "FAIL: want one copy of the unsaved edits, got: $copy"; fail=1; }
grep -q "\[\[7, 0, -1\]" "$copy" 2>/dev/null || { echo "FAIL: the copy lacks the edit"; fail=1; }
"$convstep" validate "$copy" > /dev/null || { echo "FAIL: the copy is not a valid lesson"; fail=1; }
rm -rf "$XDG_STATE_HOME"
printf 'edit W[0][0] 7\nwait 50\nsave saved.json\nwait 50\nquit\n' > save.txt
"$convstep" --headless --no-restore --script save.txt > /dev/null || { echo "FAIL: the saving run"; fail=1; }
[ -z "$(copies)" ] || { echo "FAIL: the copy is still there after saving: $(copies)"; fail=1; }
grep -q "\[\[7, 0, -1\]" saved.json || { echo "FAIL: saved.json lacks the edit"; fail=1; }
exit $fail
