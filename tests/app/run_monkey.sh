#!/usr/bin/env bash
# Thousands of seeded random events through ImGui's input path: keys, clicks, drags, text,
# resizes down to 0×0. It must end normally (no crash, no GL error).
set -u
convstep=$1 events=$2 seed=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/scratch_home.sh"
# A copy of the presets: random keys may save over the lesson open (Ctrl+S).
cp -r "$here/../../assets" "$work/assets"
export CONVSTEP_ASSETS_DIR=$work/assets
timeout 900 "$convstep" --headless --no-restore --monkey "$events" --seed "$seed"
status=$?
[ $status -eq 0 ] || { echo "FAIL: exit status $status after seeded random input (seed $seed)"; exit 1; }
if find "$work" -name imgui.ini | grep -q .; then echo "FAIL: imgui.ini was written"; exit 1; fi
