#!/usr/bin/env bash
# The Export dialog reached as a user reaches it, in the real window under Xvfb: Ctrl+E exports
# the current step as PNG, File › Export… the same step as SVG, and Ctrl+E on the next step the
# whole window at 2× (export_dialog.txt). Checks that the PNG is 1600×900 and byte for byte what
# `convstep export` makes of that step, that the SVG holds the step, and that the window's
# picture is 3200×1800.
set -u
convstep=$(realpath "$1") script=$(realpath "$2") lessons=$(realpath "$3")
. "$(dirname "$0")/scratch_home.sh"
timeout 300 xvfb-run -a -s '-screen 0 1920x1080x24' "$convstep" --no-restore --size 1600x900 \
  --script "$script" > /dev/null 2> window.err
status=$?
fail=0
[ $status -eq 0 ] || { echo "FAIL: exit status $status: $(cat window.err)"; fail=1; }
png=dx_gather-step-122.png svg=dx_gather-step-122.svg
# size FILE WIDTH HEIGHT WHAT: the PNG exists and has that size.
size() {
  /usr/bin/python3 - "$@" <<'PY'
import struct, sys
path, want, what = sys.argv[1], (int(sys.argv[2]), int(sys.argv[3])), sys.argv[4]
try:
    data = open(path, "rb").read(24)
except OSError:
    sys.exit(f"FAIL: {what} did not write {path}")
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"FAIL: {path} is not a PNG")
got = struct.unpack(">II", data[16:24])
if got != want:
    sys.exit(f"FAIL: {path} is {got[0]}x{got[1]}, not {want[0]}x{want[1]}")
PY
}
size "$png" 1600 900 "Ctrl+E" || fail=1
size dx_gather-step-123.png 3200 1800 "the whole window at 2×" || fail=1
timeout 120 "$convstep" export "$lessons/sobel-6x5.json" --format png --phase dx_gather \
  --granularity term --steps 121 --size 1600x900 -o reference.png > /dev/null ||
  { echo "FAIL: convstep export failed"; fail=1; }
cmp -s "$png" reference.png || { echo "FAIL: $png is not what convstep export makes of that step"; fail=1; }
grep -q "<svg" "$svg" 2>/dev/null || { echo "FAIL: File › Export… did not write $svg"; fail=1; }
exit $fail
