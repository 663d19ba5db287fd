#!/usr/bin/env bash
# Lessons shared by link, in the headless app: the link `convstep link` prints opens that very
# step from the command line (the app's SVG of it is byte for byte `convstep svg`'s); File › Copy
# link then File › Open link… brings back the step copied; opening a link over unsaved edits asks
# about them first; a bad link is one line and exit 2, from the command line and from a script.
set -u
convstep=$1 lessons=$2
. "$(dirname "$0")/scratch_home.sh"
export XDG_CACHE_HOME=$work/cache
export MESA_SHADER_CACHE_DISABLE=true
fail=0
run() { timeout 120 "$convstep" --headless --no-restore "$@" > /dev/null; }
same_svg() {  # $1: the app's SVG; $2: what it should show, as `convstep svg` options; $3: what
  local want=$1.want.svg
  "$convstep" svg "${@:2:$#-2}" -o "$want" > /dev/null || { echo "FAIL $3: convstep svg"; fail=1; }
  cmp -s "$1" "$want" || { echo "FAIL $3: $1 is not the step the link names"; fail=1; }
}

# ---- The command line: the default lesson at dX gather, cell step 13 ----
link=$("$convstep" link "$lessons/sobel-6x5.json" --phase dx_gather --granularity cell --step 13)
[[ "$link" == "#lesson="*"&phase=dx_gather&granularity=cell&step=13" ]] ||
  { echo "FAIL convstep link printed: ${link:0:200}"; fail=1; }
printf 'export svg linked.svg\nquit\n' > export.txt
run --script export.txt "https://example.org/convstep/index.html$link" ||
  { echo "FAIL: the app did not open the link"; fail=1; }
same_svg linked.svg "$lessons/sobel-6x5.json" --phase dx_gather --granularity cell --step 13 \
  "the command line's link"

# ---- File › Copy link, then File › Open link… (the clipboard holds the link) ----
cat > copy.txt <<'EOF'
preset stride2
phase dx_gather
granularity cell
seek 5
wait 200
press Menus > File
press Menu > Copy link
phase forward
granularity term
wait 200
press Menus > File
press Menu > Open link…
wait 200
press Open a link > Open
wait 100
export svg copied.svg
quit
EOF
run --script copy.txt || { echo "FAIL: Copy link, Open link…"; fail=1; }
same_svg copied.svg "$lessons/stride2.json" --phase dx_gather --granularity cell --step 5 \
  "Copy link, Open link…"

# ---- Unsaved edits are asked about before a link replaces them ----
cat > edits.txt <<'EOF'
preset sobel-6x5
edit W[0][0] 7
wait 200
press Menus > File
press Menu > Copy link
edit W[0][0] 9
wait 200
press Menus > File
press Menu > Open link…
wait 200
press Open a link > Open
wait 200
press Save your edits? > Discard the edits
wait 200
save from-link.json
quit
EOF
run --script edits.txt || { echo "FAIL: the question before the link replaced the edits"; fail=1; }
grep -q "\[\[7, 0, -1\]" from-link.json 2>/dev/null ||
  { echo "FAIL: the lesson of the link is not the one copied"; fail=1; }

# ---- A bad link: one line, exit 2 ----
bad() {  # $1: what the message must hold; the rest: the command
  local want=$1 message status
  shift
  message=$(timeout 120 "$@" 2>&1 > /dev/null)
  status=$?
  [ $status -eq 2 ] || { echo "FAIL bad link: exit $status, want 2: $message"; fail=1; }
  [[ "$message" == *"$want"* ]] || { echo "FAIL bad link: message: $message"; fail=1; }
  [ "$(wc -l <<< "$message")" -eq 1 ] || { echo "FAIL bad link: not one line: $message"; fail=1; }
}
printf 'quit\n' > quit.txt
bad "convstep: link, lesson: invalid JSON at line 1, column" \
  "$convstep" --headless --no-restore --script quit.txt "${link:0:300}"
bad "convstep: link, step: 99 is past the end: dx_gather has 35 cell steps (0..34)" \
  "$convstep" --headless --no-restore --script quit.txt "${link/step=13/step=99}"
printf 'open_link lesson=e30\nquit\n' > bad.txt
bad 'bad.txt:1: open_link: link, lesson: missing key "input"' \
  "$convstep" --headless --no-restore --script bad.txt
exit $fail
