#!/usr/bin/env bash
# A window of size 0 (minimized) has no picture: a screenshot of it is refused with one clear
# message naming the script line (exit 2), never a crash; exports keep their own size, and
# screenshots work again once the window has a size.
set -u
convstep=$1
. "$(dirname "$0")/scratch_home.sh"
fail=0
for size in "0 0" "0 900" "1600 0"; do
  printf 'resize %s\nscreenshot zero.png\nquit\n' "$size" > zero.txt
  timeout 300 "$convstep" --headless --no-restore --script zero.txt 2> err.txt
  status=$?
  if [ $status -ne 2 ] || ! grep -q "zero.txt:2: screenshot: " err.txt || [ -e zero.png ]; then
    echo "FAIL: a screenshot at size $size: exit status $status, message:"; cat err.txt; fail=1
  fi
  [ "$(wc -l < err.txt)" -eq 1 ] || { echo "FAIL: more than one line:"; cat err.txt; fail=1; }
done
# Sizes a window cannot have: refused at once (exit 2), naming the option or the line.
for size in 0x0 0x900 1600x0 -5x10 20000x900; do
  timeout 300 "$convstep" --headless --no-restore --size="$size" --script /dev/null 2> err.txt
  status=$?
  [ $status -eq 2 ] && grep -q -- "--size" err.txt ||
    { echo "FAIL: --size $size: exit status $status"; cat err.txt; fail=1; }
done
for size in "-1 5" "20000 10"; do
  printf 'resize %s\n' "$size" > bad.txt
  timeout 300 "$convstep" --headless --no-restore --script bad.txt 2> err.txt
  status=$?
  [ $status -eq 2 ] && grep -q "bad.txt:1: resize: " err.txt ||
    { echo "FAIL: resize $size: exit status $status"; cat err.txt; fail=1; }
done
cat > after.txt <<'SCRIPT'
resize 0 0
hover Z[1][2]
step
export png export.png
export svg export.svg
resize 640 480
screenshot back.png
quit
SCRIPT
timeout 300 "$convstep" --headless --no-restore --script after.txt || { echo "FAIL: after a 0×0 window"; fail=1; }
/usr/bin/python3 - <<'PY' || fail=1
import struct, sys
for path, want in (("export.png", (1600, 900)), ("back.png", (640, 480))):
    try:
        data = open(path, "rb").read(24)
    except OSError:
        sys.exit(f"FAIL: {path} was not written")
    got = struct.unpack(">II", data[16:24])
    if data[:8] != b"\x89PNG\r\n\x1a\n" or got != want:
        sys.exit(f"FAIL: {path} is {got}, not {want}")
PY
exit $fail
