#!/usr/bin/env bash
# The browser build in headless Chromium (issue 14), served over http on 127.0.0.1:
#  1. a link to the default lesson (sobel-6x5) at dX gather, cell step 13: the screenshot shows
#     the stage (many colours, the orange window frame and the green frame of the target cell),
#     and the page's state (phase, step, the target cell and its value) is what
#     `convstep steps` prints for that step;
#  2. a malformed link: the page says what is wrong and stays up, on the default lesson;
#  3. another lesson (stride2) opened as a file (index.html?open=…, the path the file input
#     takes) and from a link: the same state and the same stage;
#  4. a large lesson file (3.7 MB) opens.
# Usage: web_test.sh SITE_DIR CONVSTEP   (make test-web)
set -euo pipefail

site=$(realpath "$1")
convstep=$(realpath "$2")
root=$(realpath "$(dirname "$0")/../..")
lesson="$root/assets/lessons/sobel-6x5.json"
work=$(mktemp -d "${TMPDIR:-/tmp}/convstep-web-XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# The site and a lesson file beside it, served on a free port (the server picks it: port 0).
mkdir "$work/www" "$work/profile"
: > "$work/server.log"
cp -r "$site"/. "$work/www/"
other="$root/assets/lessons/stride2.json"
cp "$other" "$work/www/stride2.json"
(cd "$work/www" && exec python3 -u -m http.server 0 --bind 127.0.0.1 > "$work/server.log" 2>&1) &
server=$!
for _ in $(seq 50); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || { echo "FAIL: the web server did not start"; cat "$work/server.log"; exit 1; }
base="http://127.0.0.1:$port/"

chrome() {  # chrome OUT.png URL: the screenshot, and the DOM into OUT.html (one run does both)
  local flags=(--headless=new --no-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader
    --window-size=1600,900 --virtual-time-budget=5000 --user-data-dir="$work/profile"
    --disable-gpu-sandbox --no-first-run)
  timeout 120 chromium "${flags[@]}" --screenshot="$1" --dump-dom "$2" 2> "$work/chromium.log" \
    > "${1%.png}.html" || fail "chromium failed on $2: $(tail -3 "$work/chromium.log")"
  [ -s "$1" ] || { fail "no screenshot of $2"; convert -size 1600x900 xc:black "$1"; }
}
state_of() { sed -n 's/.*<div id="state"[^>]*>\([^<]*\)<\/div>.*/\1/p' "$1"; }
# Pixels within a few per cent of a colour.
pixels_like() {
  convert "$1" -alpha off -fuzz 7% -fill black +opaque "$2" -fill white -opaque "$2" \
    -format '%[fx:round(mean*w*h)]' info:
}

# The fragment of a link: the lesson's JSON without spaces, base64url, then the view.
link_of() {
  python3 - "$1" "$2" << 'EOF'
import base64, json, sys
text = json.dumps(json.load(open(sys.argv[1])), separators=(",", ":"), ensure_ascii=False)
print("lesson=" + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=") + sys.argv[2])
EOF
}

# ---- 1. The link at dX gather, cell step 13 ----
chrome "$work/link.png" "$base#$(link_of "$lesson" "&phase=dx_gather&granularity=cell&step=13")"
state=$(state_of "$work/link.html")
echo "page: $state"
line=$("$convstep" steps "$lesson" --phase dx_gather --granularity cell --from 13 --count 1)
echo "steps: ${line:0:60}…"
cell=$(sed -n 's/^dx_gather 13\/[0-9]* cell: \([A-Za-z]*\[[0-9,]*\]\) = .*/\1/p' <<< "$line")
value=${line##* = }
[ -n "$cell" ] || fail "convstep steps printed no cell for dx_gather 13: $line"
for want in "phase=dx_gather" "granularity=cell" "step=13 " "cell=$cell " "value=$value"; do
  [[ "$state " == *"$want"* ]] || fail "the page's state lacks '$want': $state"
done
colours=$(convert "$work/link.png" -format %k info:)
orange=$(pixels_like "$work/link.png" '#E69F00')  # the window's frame, on Gp
green=$(pixels_like "$work/link.png" '#009E73')   # the target cell's frame, on dXp
echo "screenshot: $colours colours, $orange px of the window's orange, $green px of the target's green"
[ "$colours" -ge 200 ] || fail "the screenshot has $colours colours: no stage drawn"
[ "$orange" -ge 300 ] || fail "no window frame (orange) on the screenshot: $orange px"
[ "$green" -ge 100 ] || fail "no target cell frame (green) on the screenshot: $green px"

# ---- 2. A malformed link ----
chrome "$work/bad.png" "$base#lesson=eyJub3QiOiJh&phase=dx_gather"
message=$(sed -n 's/.*<span id="message-text">\([^<]*\)<\/span>.*/\1/p' "$work/bad.html")
echo "malformed link: $message"
[[ "$message" == *"link, lesson:"* ]] || fail "the page shows no error for a malformed link"
[[ "$(state_of "$work/bad.html")" == "phase=forward "* ]] ||
  fail "the page is not up on the default lesson after a malformed link: $(state_of "$work/bad.html")"
bad_colours=$(convert "$work/bad.png" -format %k info:)
[ "$bad_colours" -ge 200 ] || fail "the page went blank after a malformed link ($bad_colours colours)"

# ---- 3. The same lesson from a file and from a link ----
chrome "$work/file.png" "${base}?open=stride2.json"
chrome "$work/same.png" "$base#$(link_of "$other" "")"
other_steps=$("$convstep" steps "$other" --phase forward --granularity term | wc -l)
echo "from a file: $(state_of "$work/file.html")"
echo "from a link: $(state_of "$work/same.html")"
[[ "$(state_of "$work/file.html")" == *" steps=$other_steps "* ]] ||
  fail "the file's lesson is not on the page (stride2 has $other_steps forward term steps)"
[ "$(state_of "$work/file.html")" == "$(state_of "$work/same.html")" ] ||
  fail "the file and the link give different views"
# The stage (the middle of the window, between the side panels, below the toast that says a
# file was opened) pixel for pixel.
convert "$work/file.png" -crop 900x620+330+140 +repage "$work/file-stage.png"
convert "$work/same.png" -crop 900x620+330+140 +repage "$work/same-stage.png"
differ=$(compare -metric AE -fuzz 2% "$work/file-stage.png" "$work/same-stage.png" null: 2>&1 || true)
echo "stage pixels that differ between the file and the link: $differ"
[ "$differ" = 0 ] || fail "the stage differs between the file and the link ($differ pixels)"

# ---- 4. A large lesson file (3.7 MB: 600×600 decimals) opens ----
# Handed to the app on its stack it overran it (emscripten's ccall copies strings there).
python3 - "$work/www/big.json" << 'EOF'
import json, random, sys
random.seed(1)
x = [[round(random.uniform(-1, 1), 6) for _ in range(600)] for _ in range(600)]
json.dump({"version": 1, "title": "big", "input": x, "weight": [[1, 0, -1], [2, 0, -2], [1, 0, -1]]},
          open(sys.argv[1], "w"))
EOF
chrome "$work/big.png" "${base}?open=big.json"
echo "a 600×600 lesson from a file: $(state_of "$work/big.html")"
[[ "$(state_of "$work/big.html")" == *" steps=3218437 "* ]] ||
  fail "the 600×600 lesson did not open: $(state_of "$work/big.html")"

if [ "$failures" -gt 0 ]; then
  mkdir -p "${CONVSTEP_WEB_KEEP:-/tmp/convstep-web-failed}"
  cp "$work"/*.png "$work"/*.html "${CONVSTEP_WEB_KEEP:-/tmp/convstep-web-failed}/"
  echo "$failures failure(s); screenshots in ${CONVSTEP_WEB_KEEP:-/tmp/convstep-web-failed}"
  exit 1
fi
echo "web: all passed"
