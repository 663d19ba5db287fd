#!/usr/bin/env bash
# Nothing is lost, driven through the window's own keys, menus and buttons (headless):
# - Quit (Ctrl+Q, and File > Quit) with unsaved edits asks Save / Discard / Cancel; Cancel keeps
#   the app and the edits, Discard quits and drops the kept copy of the edits.
# - Picking another preset or opening a recent file with unsaved edits asks too; Cancel keeps
#   the lesson.
# - Ctrl+S on a preset never writes the shipped file: it asks where, as Save as does; Save in
#   the question saves (asking where for a preset) and then quits.
# - Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y undo and redo an edit; so does the Edit menu.
# - A save that fails shows its error in a modal.
# Every question is pressed by name: a question that is not on the screen fails the script.
# Quitting is also tried in the real window under Xvfb.
set -u
convstep=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/scratch_home.sh"
cp -r "$here/../../assets" "$work/assets"  # the presets, to see that none is written
export CONVSTEP_ASSETS_DIR=$work/assets
preset=$work/assets/lessons/sobel-6x5.json
before=$(sha256sum < "$preset")
fail=0
run() {  # run NAME: the script NAME.txt, headless; the exit status must be 0
  timeout 120 "$convstep" --headless --no-restore --size 1280x800 --script "$1.txt" > /dev/null 2> "$1.err"
  local status=$?
  [ $status -eq 0 ] || { echo "FAIL $1: exit status $status: $(cat "$1.err")"; fail=1; }
}
copies() { ls "$XDG_STATE_HOME"/convstep/unsaved-*.json 2>/dev/null | wc -l; }

# ---- Quit asks; Cancel keeps working; Discard quits (the lines after it never run) ----
cat > quit.txt <<'S'
preset sobel-6x5
edit W[0][0] 7
wait 100
key ctrl+q
wait 100
screenshot asked.png
press Save your edits? > Cancel
wait 100
save kept.json
edit W[0][0] 8
press Menus > File
wait 100
press Menu > Quit
wait 100
press Save your edits? > Discard the edits
wait 100
save never.json
S
run quit
[ -s asked.png ] || { echo "FAIL quit: no screenshot of the question"; fail=1; }
grep -q "\[\[7, 0, -1\]" kept.json 2>/dev/null || { echo "FAIL quit: Cancel lost the edit"; fail=1; }
[ ! -e never.json ] || { echo "FAIL quit: the app went on after Discard"; fail=1; }
[ "$(copies)" -eq 0 ] || { echo "FAIL quit: the discarded edits were kept for the next start"; fail=1; }

# ---- The same in the real window (Xvfb): its keys, its menus, its question ----
rm -f never.json kept.json asked.png
timeout 300 xvfb-run -a -s '-screen 0 1280x800x24' "$convstep" --no-restore --size 1280x800 \
  --script quit.txt > /dev/null 2> window.err
status=$?
[ $status -eq 0 ] || { echo "FAIL window: exit status $status: $(cat window.err)"; fail=1; }
[ -s asked.png ] && [ -s kept.json ] && [ ! -e never.json ] ||
  { echo "FAIL window: the question was not asked and answered as in the headless run"; fail=1; }

# ---- Quit with nothing unsaved does not ask ----
printf 'preset sobel-6x5\nkey ctrl+q\nwait 100\nsave never2.json\n' > clean.txt
run clean
[ ! -e never2.json ] || { echo "FAIL clean: Ctrl+Q with nothing unsaved did not quit"; fail=1; }

# ---- Another preset asks first ----
cat > preset.txt <<'S'
preset sobel-6x5
edit W[0][0] 7
wait 100  # the menu bar takes a few frames to settle before a menu opens
press Menus > Lesson
wait 100
press Menu > stride2
wait 100
press Save your edits? > Cancel
wait 100
save still-sobel.json
edit W[0][0] 6
press Menus > Lesson
wait 100
press Menu > stride2
wait 100
press Save your edits? > Discard the edits
wait 100
save stride2.json
quit
S
run preset
grep -q "\[\[7, 0, -1\]" still-sobel.json 2>/dev/null || { echo "FAIL preset: Cancel changed the lesson"; fail=1; }
cmp -s stride2.json "$work/assets/lessons/stride2.json" ||
  /usr/bin/python3 -c 'import json,sys; sys.exit(json.load(open("stride2.json"))["weight"] != json.load(open(sys.argv[1]))["weight"])' "$work/assets/lessons/stride2.json" ||
  { echo "FAIL preset: Discard did not open stride2"; fail=1; }

# ---- Opening a file (File > Open recent) asks first too ----
cat > recent.txt <<'S'
open kept.json
preset sobel-6x5
edit W[0][0] 3
wait 100
press Menus > File
wait 100
press Menu > Open recent
wait 100
press ##Menu_01 > kept.json
wait 100
press Save your edits? > Cancel
wait 100
save after-cancel.json
edit W[0][0] 4
press Menus > File
wait 100
press Menu > Open recent
wait 100
press ##Menu_01 > kept.json
wait 100
press Save your edits? > Discard the edits
wait 100
save after-discard.json
quit
S
run recent
grep -q "\[\[3, 0, -1\]" after-cancel.json 2>/dev/null || { echo "FAIL recent: Cancel changed the lesson"; fail=1; }
cmp -s after-discard.json kept.json || { echo "FAIL recent: Discard did not open kept.json"; fail=1; }

# ---- Ctrl+S on a preset asks where; the shipped file stays as it is ----
cat > save.txt <<'S'
preset sobel-6x5
edit W[0][0] 7
key ctrl+s
wait 100
screenshot save-as.png
press Save the lesson as > Save
wait 100
quit
S
run save
[ "$(sha256sum < "$preset")" = "$before" ] || { echo "FAIL save: the preset was overwritten"; fail=1; }
grep -q "\[\[7, 0, -1\]" sobel-6x5.json 2>/dev/null ||
  { echo "FAIL save: the copy was not saved in the current folder"; fail=1; }

# ---- Save in the question: a preset asks where first, then quits; a lesson of one's own saves ----
mkdir asked && cd asked
cat > save-quit.txt <<'S'
preset sobel-6x5
edit W[0][0] 7
wait 100
key ctrl+q
wait 100
press Save your edits? > Save as…
wait 100
press Save the lesson as > Save
wait 100
save never.json
S
run save-quit
grep -q "\[\[7, 0, -1\]" sobel-6x5.json 2>/dev/null || { echo "FAIL save-quit: the copy was not saved"; fail=1; }
[ ! -e never.json ] || { echo "FAIL save-quit: the app did not quit once saved"; fail=1; }
cat > save-own.txt <<'S'
open sobel-6x5.json
edit W[0][0] 5
wait 100
key ctrl+q
wait 100
press Save your edits? > Save
wait 100
save never.json
S
run save-own
grep -q "\[\[5, 0, -1\]" sobel-6x5.json 2>/dev/null || { echo "FAIL save-own: not saved"; fail=1; }
[ ! -e never.json ] || { echo "FAIL save-own: the app did not quit once saved"; fail=1; }
cd ..

# ---- Undo and redo by keys ----
cat > undo.txt <<'S'
preset sobel-6x5
edit W[0][0] 7
edit W[0][1] 5
key ctrl+z
wait 50
save one-undone.json
key ctrl+z
wait 50
key ctrl+shift+z
wait 50
save redone.json
key ctrl+y
wait 50
save both.json
edit W[0][2] 9
press Menus > Edit
wait 100
press Menu > ###Undo
wait 50
save menu-undo.json
quit
S
run undo
grep -q "\[\[7, 0, -1\]" one-undone.json 2>/dev/null || { echo "FAIL undo: Ctrl+Z"; fail=1; }
grep -q "\[\[7, 0, -1\]" redone.json 2>/dev/null || { echo "FAIL undo: Ctrl+Shift+Z"; fail=1; }
grep -q "\[\[7, 5, -1\]" both.json 2>/dev/null || { echo "FAIL undo: Ctrl+Y"; fail=1; }
grep -q "\[\[7, 5, -1\]" menu-undo.json 2>/dev/null || { echo "FAIL undo: Edit > Undo"; fail=1; }

# ---- A save that fails says so in a modal (a file size limit of 0: the disk is full) ----
cp kept.json mine.json
cat > error.txt <<'S'
open mine.json
edit W[0][0] 9
key ctrl+s
wait 100
press ###error > OK
S
(ulimit -f 0; run error; exit $fail) || fail=1
grep -q "\[\[7, 0, -1\]" mine.json || { echo "FAIL error: the failed save changed the file"; fail=1; }
exit $fail
