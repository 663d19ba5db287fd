#!/usr/bin/env bash
# The classroom tour (issue 10): convstep in classroom mode, full screen at 1920×1080 in a real
# window under Xvfb, driven only by Right and PageDown as a presentation clicker sends them
# (a quick press and release), from the first step of forward to the last step of db, at cell
# granularity. It screenshots the first step of each phase, and must reach db's end: where the
# lecture is, it reads from the window's title ("convstep — ∂L/∂b = ΣG — cell 1 / 1").
#   run_lecture_tour.sh CONVSTEP [FOLDER]    FOLDER keeps the screenshots (phase-1.png ...)
# Needs xvfb-run, xdotool, xwd (x11-apps) and ImageMagick's convert.
set -u
convstep=$(realpath "$1") keep=${2:-}
[ -n "$keep" ] && { mkdir -p "$keep" && keep=$(realpath "$keep"); }
for tool in xvfb-run xdotool xwd convert; do
  command -v $tool >/dev/null || { echo "FAIL: $tool is missing (scripts/install-deps)"; exit 1; }
done
. "$(dirname "$0")/scratch_home.sh"
mkdir -p "$XDG_CONFIG_HOME/convstep"
echo '{"classroom": true, "granularity": "cell"}' > "$XDG_CONFIG_HOME/convstep/settings.json"
export CONVSTEP=$convstep
timeout 900 xvfb-run -a -s '-screen 0 1920x1080x24' bash -c '
  "$CONVSTEP" --no-restore >app.log 2>&1 & pid=$!
  win=
  for i in $(seq 150); do
    win=$(xdotool search --pid $pid 2>/dev/null | tail -1)
    [ -n "$win" ] && xdotool getwindowname "$win" | grep -q " / " && break
    sleep 0.2
  done
  [ -n "$win" ] || { echo "FAIL: no window"; cat app.log; exit 1; }
  # No focus change: the pointer rests on the full-screen window, so the keys go to it (moving
  # the focus would make GLFW try to iconify a full-screen window, which Xvfb cannot).
  title=$(xdotool getwindowname "$win")
  echo "$title" >titles.txt
  # The title once it differs from $1: the press has been taken (or 20 s have passed).
  next_title() {
    for i in $(seq 200); do
      t=$(xdotool getwindowname "$win")
      [ "$t" != "$1" ] && { echo "$t"; return; }
      sleep 0.1
    done
    echo "$1"
  }
  shots=0
  keys=(Right Next)  # Next is PageDown
  for press in $(seq 0 400); do
    if [[ $title =~ \ 1\ /\ [0-9]+$ ]]; then  # the first step of a phase
      shots=$((shots + 1))
      sleep 1.5  # the move onto the first step (a padding ring: 1.2 s) has played
      xwd -root -silent | convert xwd:- "phase-$shots.png"
    fi
    [[ $title =~ ΣG.*\ ([0-9]+)\ /\ ([0-9]+)$ ]] &&
      [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && break  # db, its last step
    xdotool key "${keys[press % 2]}"
    new=$(next_title "$title")
    [ "$new" = "$title" ] && { echo "FAIL: stuck at \"$title\" after ${keys[press % 2]}"; break; }
    title=$new
    echo "$title" >>titles.txt
  done
  xdotool keydown ctrl; sleep 0.3; xdotool key q; sleep 0.3; xdotool keyup ctrl  # Ctrl+Q: quit
  for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  kill $pid 2>/dev/null
  wait $pid
  echo "exit status $?" >>titles.txt
'
fail=0
cat titles.txt 2>/dev/null | sed -n '1p;$p'
grep -q "exit status 0" titles.txt || { echo "FAIL: convstep did not end normally"; cat app.log; fail=1; }
# The phases in lecture order, each entered on its first step, and db's end reached.
phases=$(grep -o "convstep — [^—]*" titles.txt | uniq | sed 's/convstep — //')
expected=$'Forward: Z = Xp ⋆ W + b \nThe loss: G = ∂L/∂Z \n∂L/∂W: G laid over Xp \n∂L/∂X by gathering: Gp ⋆ Wr \n∂L/∂X by scattering: each G cell stamps g·W \n∂L/∂b = ΣG '
[ "$phases" = "$expected" ] || { echo "FAIL: the phases were, in order:"; echo "$phases"; fail=1; }
last=$(grep "convstep —" titles.txt | tail -1)
[[ $last =~ ΣG\ —\ cell\ ([0-9]+)\ /\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
  { echo "FAIL: did not reach the end of db: \"$last\""; fail=1; }
for k in 1 2 3 4 5 6; do
  /usr/bin/python3 - "phase-$k.png" <<'PY' || fail=1
import struct, sys
path = sys.argv[1]
try:
    data = open(path, "rb").read(24)
except OSError:
    sys.exit(f"FAIL: {path} (the first step of phase {path[6]}) was not taken")
w, h = struct.unpack(">II", data[16:24])
if data[:8] != b"\x89PNG\r\n\x1a\n" or (w, h) != (1920, 1080):
    sys.exit(f"FAIL: {path} is not a 1920x1080 PNG")
PY
done
[ -e phase-7.png ] && { echo "FAIL: more first steps than phases"; fail=1; }
[ -n "$keep" ] && cp phase-*.png titles.txt "$keep"/ 2>/dev/null
exit $fail
