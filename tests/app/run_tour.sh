#!/usr/bin/env bash
# Runs the tour script through every phase and panel, headless (EGL) or in a real window
# under Xvfb, in a scratch folder with its own XDG folders; checks that it ends normally,
# that the screenshots and exports were written, and that nothing wrote imgui.ini.
set -u
mode=$1 convstep=$2 script=$3
. "$(dirname "$0")/scratch_home.sh"
case $mode in
  headless) timeout 600 "$convstep" --headless --no-restore --script "$script" ;;
  window) timeout 600 xvfb-run -a -s '-screen 0 1920x1080x24' "$convstep" --no-restore --size 1600x900 --script "$script" ;;
esac
status=$?
fail=0
[ $status -eq 0 ] || { echo "FAIL: exit status $status"; fail=1; }
for f in forward.png dx_gather-rotate.png dx_gather-term.png pitfalls.png light.png classroom.png dilation2.png step.png; do
  /usr/bin/python3 - "$f" <<'PY' || fail=1
import struct, sys
path = sys.argv[1]
try:
    data = open(path, "rb").read(24)
except OSError:
    sys.exit(f"FAIL: {path} was not written")
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"FAIL: {path} is not a PNG")
w, h = struct.unpack(">II", data[16:24])
if w < 100 or h < 100:
    sys.exit(f"FAIL: {path} is {w}x{h}")
PY
done
grep -q "<svg" step.svg || { echo "FAIL: step.svg"; fail=1; }
head -c 6 db.gif 2>/dev/null | grep -q "GIF89a" || { echo "FAIL: db.gif is not an animated GIF"; fail=1; }
grep -q "^## " worksheet.md || { echo "FAIL: worksheet.md"; fail=1; }
if find "$work" -name imgui.ini | grep -q .; then echo "FAIL: imgui.ini was written"; fail=1; fi
[ -f "$XDG_CONFIG_HOME/convstep/settings.json" ] || { echo "FAIL: settings were not saved"; fail=1; }
exit $fail
