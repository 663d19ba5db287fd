#!/usr/bin/env bash
# Drives the real lesson panel (headless): presses its widgets that edit the lesson, then
# checks in the saved lesson that each press did what it says. An edit replaces the lesson
# while the panel is drawn: under AddressSanitizer, a read of the replaced lesson fails the run.
set -u
convstep=$1 script=$2
. "$(dirname "$0")/scratch_home.sh"
timeout 600 "$convstep" --headless --no-restore --size 1600x1600 --script "$script"
status=$?
[ $status -eq 0 ] || { echo "FAIL: exit status $status"; exit 1; }
/usr/bin/python3 - <<'PY'
import json, sys
l = json.load(open("edited.json"))
def dims(t):  # 1×1×H×W tensors are saved as H×W
    d = []
    while isinstance(t, list):
        d.append(len(t)); t = t[0]
    return [1] * (4 - len(d)) + d
fail = []
if dims(l["input"]) != [1, 1, 7, 5]: fail.append(f"H + gave input {dims(l['input'])}")
if dims(l["weight"]) != [1, 1, 3, 2]: fail.append(f"kW - gave weight {dims(l['weight'])}")
if len(l.get("bias", [])) != 1: fail.append("bias was not switched on")
if l.get("upstream", "ones") != "ones" or "loss" in l: fail.append("G is not back to ones")
if l.get("groups", 1) != 1: fail.append("groups = 2 was applied")
if l["input"][0] == [1, 1, 1, 2, 3]: fail.append("the values were not randomized")
for f in fail: print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
