#!/usr/bin/env bash
# The headless app and its files: settings that are a named pipe, a folder or not JSON give one
# warning and a normal start; a `pngs` export on a full disk leaves no half folder and exits 1;
# two apps keep their own copies of unsaved edits; a copy that cannot be read is moved aside.
# Every run has a time limit, so a hang fails the test instead of stalling it.
set -u
convstep=$1
. "$(dirname "$0")/scratch_home.sh"
export XDG_CACHE_HOME=$work/cache
export MESA_SHADER_CACHE_DISABLE=true
settings=$XDG_CONFIG_HOME/convstep/settings.json state=$XDG_STATE_HOME/convstep
fail=0
printf 'quit\n' > quit.txt
run() { timeout 60 "$convstep" --headless "$@" > /dev/null; }

# ---- Settings that cannot be read ----
check_settings() {  # $1: what settings.json is; $2: the words the warning must hold
  message=$(run --no-restore --script quit.txt 2>&1)
  status=$?
  [ $status -eq 0 ] || { echo "FAIL settings $1: exit $status (124: it hung)"; fail=1; }
  [ "$message" = "convstep: $settings: $2; using the default settings" ] ||
    { echo "FAIL settings $1: message: $message"; fail=1; }
}
mkdir -p "$(dirname "$settings")"
mkfifo "$settings"
check_settings "a named pipe" "is not a regular file"
[ -p "$settings" ] || { echo "FAIL settings: the named pipe was replaced"; fail=1; }
rm "$settings"
mkdir "$settings"
check_settings "a folder" "is a folder, not a file"
rmdir "$settings"
printf '{"theme": "light",' > "$settings"
check_settings "cut short" "is not valid JSON (at byte 19)"
rm "$settings"

# ---- A `pngs` export on a full disk (a 16 KiB file size limit: smaller than one picture) ----
printf 'preset sobel-6x5\nphase db\nexport pngs steps\nquit\n' > pngs.txt
message=$( (ulimit -f 16; run --no-restore --script pngs.txt) 2>&1)
status=$?
[ $status -eq 1 ] || { echo "FAIL pngs: exit $status, want 1 (153 is the signal)"; fail=1; }
[[ "$message" == "convstep: pngs.txt:3: export: cannot write steps/db-0001.png: the disk is full or the file size limit was reached"*"; nothing was changed" ]] ||
  { echo "FAIL pngs: message: $message"; fail=1; }
[ ! -e steps ] || { echo "FAIL pngs: a half folder was left: $(ls steps | wc -l) files"; fail=1; }
[ -z "$(find . -name '.steps.tmp-*')" ] || { echo "FAIL pngs: a temporary folder was left"; fail=1; }
run --no-restore --script pngs.txt || { echo "FAIL pngs: the export without a limit"; fail=1; }
[ "$(ls steps 2>/dev/null | wc -l)" -ge 2 ] || { echo "FAIL pngs: no pictures in steps/"; fail=1; }

# ---- Two apps with unsaved edits, at the same time: each keeps its own copy ----
printf 'edit W[0][0] 7\nwait 50\nquit\n' > seven.txt
printf 'edit W[0][0] 5\nwait 50\nquit\n' > five.txt
run --no-restore --script seven.txt & first=$!
run --no-restore --script five.txt & second=$!
wait $first || { echo "FAIL: the first editing app"; fail=1; }
wait $second || { echo "FAIL: the second editing app"; fail=1; }
copies=("$state"/unsaved-*.json)
[ ${#copies[@]} -eq 2 ] || { echo "FAIL: want 2 copies of unsaved edits, got ${#copies[@]}"; fail=1; }
grep -l "\[\[7, 0, -1\]" "${copies[@]}" > /dev/null 2>&1 || { echo "FAIL: the edit 7 was lost"; fail=1; }
grep -l "\[\[5, 0, -1\]" "${copies[@]}" > /dev/null 2>&1 || { echo "FAIL: the edit 5 was lost"; fail=1; }
rm -rf "$state"

# ---- A copy of unsaved edits that cannot be read: moved aside, and the start goes on ----
mkdir -p "$state"
printf '{"input": [[1]], "weight": ' > "$state/unsaved-lesson.json"
message=$(run --script quit.txt 2>&1)
status=$?
[ $status -eq 0 ] || { echo "FAIL broken copy: exit $status"; fail=1; }
[[ "$message" == "convstep: the unsaved edits in $state/unsaved-lesson.json cannot be read ("*"); moved aside as $state/unsaved-lesson.json.broken" ]] ||
  { echo "FAIL broken copy: message: $message"; fail=1; }
[ -f "$state/unsaved-lesson.json.broken" ] || { echo "FAIL broken copy: not moved aside"; fail=1; }
[ ! -e "$state/unsaved-lesson.json" ] || { echo "FAIL broken copy: still there"; fail=1; }
message=$(run --script quit.txt 2>&1)
[ $? -eq 0 ] && [ -z "$message" ] || { echo "FAIL broken copy: the next start: $message"; fail=1; }
exit $fail
