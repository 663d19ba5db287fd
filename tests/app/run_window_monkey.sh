#!/usr/bin/env bash
# The monkey in the real window: a long, seeded stream of random clicks, drags, wheel moves,
# keys and text sent to every panel, menu and popup of the GLFW window under Xvfb, for a few
# seeds. Each run on the default lesson starts with an offer to restore unsaved edits, and has
# a lesson to open in its folder. Any crash, sanitizer report or unexpected exit fails, and the seed that
# reproduces it is printed. Across the seeds, the runs must have reached every panel and
# popup, the menus, classroom mode, the three themes, and edited the lesson.
#   run_window_monkey.sh CONVSTEP EVENTS default|large-input|LESSON SEED...
# large-input: a 1×1×1024×1024 input (a ramp) with a 3×3 Sobel kernel, made on the spot.
set -u
convstep=$1 events=$2 lesson=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/scratch_home.sh"
# A copy of the presets: random keys may save over the lesson open (Ctrl+S).
cp -r "$here/../../assets" "$work/assets"
export CONVSTEP_ASSETS_DIR=$work/assets
cp "$here/../../assets/lessons/channels.json" lesson.json  # what "lesson.json" typed opens
args=()
if [ "$lesson" = large-input ]; then
  /usr/bin/python3 -c '
import json
rows = [[(y + x) % 9 - 4 for x in range(1024)] for y in range(1024)]
print(json.dumps({"title": "a 1024x1024 input", "input": rows,
                  "weight": [[1, 0, -1], [2, 0, -2], [1, 0, -1]]}))' > large.json
  args=("$work/large.json")
elif [ "$lesson" != default ]; then
  args=("$lesson")
fi
fail=0
reached=""
for seed in "$@"; do
  # Each seed starts from nothing, settings included, so that the line printed to reproduce a
  # failure replays it exactly (a run left in classroom mode would change the next one).
  rm -rf "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"
  if [ "$lesson" = default ]; then
    # Unsaved edits left by an earlier session: the run starts with the offer to restore them.
    printf 'edit W[0][0] 7\nwait 20\nquit\n' > leave-edits.txt
    "$convstep" --headless --no-restore --script leave-edits.txt > /dev/null 2>&1
  fi
  timeout 600 xvfb-run -a -s '-screen 0 1920x1080x24' \
    "$convstep" "${args[@]}" --size 1600x900 --monkey "$events" --seed "$seed" > out.txt 2>&1
  status=$?
  if [ $status -ne 0 ] || grep -q -E "Sanitizer|runtime error" out.txt; then
    grep -m1 -A12 -E "ERROR: |runtime error|Sanitizer" out.txt || tail -20 out.txt
    echo "FAIL: exit status $status after seeded random input in the window (seed $seed)"
    echo "      reproduce: xvfb-run -a -s '-screen 0 1920x1080x24' $convstep ${args[*]}" \
      "--size 1600x900 --monkey $events --seed $seed"
    fail=1
    continue
  fi
  grep "monkey reached" out.txt
  reached+=$(grep "monkey reached" out.txt)
done
[ $fail -eq 0 ] || exit 1
if [ "$lesson" = default ]; then
  for want in "[Lesson]" "[Why]" "[Stage]" "[Timeline]" "[##Menu]" "[##Combo]" "[##Tooltip]" \
    "[Open a lesson]" "[Save the lesson as]" "[Save your edits?]" "[Keys]" \
    "[Unsaved edits from last time]" "[classroom]" "[theme dark]" "[theme light]" "[theme high_contrast]"; do
    [[ "$reached" == *"$want"* ]] || { echo "FAIL: no run reached $want"; fail=1; }
  done
  grep -q -E "lesson changes [1-9]" <<< "$reached" || { echo "FAIL: no run edited the lesson"; fail=1; }
fi
exit $fail
