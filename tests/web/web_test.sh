#!/usr/bin/env bash
# The browser build in headless Chromium (issue 14), served over http on 127.0.0.1:
#  1. a link to the default lesson (sobel-6x5) at dX gather, cell step 13: the screenshot shows
#     the stage (many colours, the orange window frame and the green frame of the target cell),
#     and the page's state (phase, step, the target cell and its value) is what
#     `convstep steps` prints for that step;
#  2. a malformed link: the page says what is wrong and stays up, on the default lesson;
#  3. another lesson (stride2) opened as a file (index.html?open=…, the path the file input
#     takes) and from a link: the same state and the same stage;
#  4. the page's PNG button at the link of 1 downloads the stage of that step as
#     `convstep export --format png` draws it (1600×900, the same cells and frames; the text may
#     differ a little: the page bakes its fonts with stb_truetype, the desktop with FreeType);
#     Ctrl+S on a lesson opened from the computer downloads it;
#  5. a large lesson file (3.7 MB) opens.
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

# ---- 4. The PNG button, and Ctrl+S on a lesson from the computer ----
# A page of the test's own holds the app in a frame and catches its downloads (the links the
# page clicks): it clicks PNG and shows the PNG where the app was, for the screenshot, or with
# ?save has a lesson opened as from the computer and presses Ctrl+S; it lists in #got what came:
# "png NAME TYPE WIDTHxHEIGHT", "save NAME BYTES".
cat > "$work/www/probe.html" << 'EOF'
<!doctype html>
<html><head><meta charset="utf-8"><style>
  html, body { margin: 0; overflow: hidden; background: #000; }
  iframe, img { position: absolute; left: 0; top: 0; width: 1600px; height: 900px; border: 0; }
  img { z-index: 1; }
</style></head><body>
<div id="got"></div>
<iframe id="app"></iframe>
<script>
  const app = document.getElementById('app');
  const got = document.getElementById('got');
  const note = (line) => { got.textContent += line + '\n'; };
  const saving = location.search === '?save';
  app.src = saving ? 'index.html?open=stride2.json' : 'index.html' + location.hash;
  app.addEventListener('load', () => {
    const w = app.contentWindow;
    w.HTMLAnchorElement.prototype.click = function () {
      const name = this.download;
      fetch(this.href).then((r) => r.blob()).then((blob) => {
        if (!name.endsWith('.png')) { note('save ' + name + ' ' + blob.size); return; }
        const img = document.createElement('img');
        img.onload = () => {
          note('png ' + name + ' ' + blob.type + ' ' + img.naturalWidth + 'x' + img.naturalHeight);
        };
        img.src = URL.createObjectURL(blob);
        document.body.appendChild(img);
      });
    };
    const started = setInterval(() => {
      if (!app.contentDocument.getElementById('state').textContent) return;
      clearInterval(started);
      if (saving)
        saveByKeys(w);
      else
        app.contentDocument.querySelector('[data-export="png"]').click();
    }, 100);
  });
  // With stride2.json opened as a chosen file is (?open=, before the app's first frame), Ctrl+S
  // pressed as GLFW reads keys, and held: the app's next frame sees it. (Waiting for frames in
  // between is unreliable here: under the test's virtual time they may come too late.)
  function saveByKeys(w) {
    for (const code of [17, 83]) {
      const e = new w.KeyboardEvent('keydown', {bubbles: true, ctrlKey: true});
      Object.defineProperty(e, 'keyCode', {get: () => code});
      w.dispatchEvent(e);
    }
  }
</script></body></html>
EOF
"$convstep" export "$lesson" --format png --phase dx_gather --granularity cell --steps 13 \
  -o "$work/desktop.png" || fail "convstep export --format png failed"
got() { tr '\n' ' ' < "$1" | sed -n 's/.*<div id="got">\([^<]*\)<\/div>.*/\1/p'; }
chrome "$work/download.png" \
  "${base}probe.html#$(link_of "$lesson" "&phase=dx_gather&granularity=cell&step=13")"
echo "PNG button: $(got "$work/download.html")"
# A lesson from a link has no file name: "lesson".
[[ "$(got "$work/download.html")" == *"png lesson-dx_gather.png image/png 1600x900"* ]] ||
  fail "the PNG button gave no 1600×900 PNG of the step"
chrome "$work/save.png" "${base}probe.html?save"
echo "Ctrl+S: $(got "$work/save.html")"
[[ "$(got "$work/save.html")" == *"save stride2.json "* ]] ||
  fail "Ctrl+S on a lesson opened from the computer did not download it"
# The downloaded picture against the desktop's: pixels that differ (text aside, a few), and the
# window's orange and the target's green frames alike.
differ=$(compare -metric AE -fuzz 10% "$work/desktop.png" "$work/download.png" null: 2>&1 || true)
echo "PNG pixels that differ from convstep export's: $differ of 1440000"
[[ "$differ" =~ ^[0-9]+$ ]] && [ "$differ" -le 20000 ] ||
  fail "the downloaded PNG is not the stage convstep export draws ($differ pixels differ)"
for colour in '#E69F00' '#009E73'; do
  page_px=$(pixels_like "$work/download.png" "$colour")
  desk_px=$(pixels_like "$work/desktop.png" "$colour")
  echo "$colour: $page_px px in the page's PNG, $desk_px in the desktop's"
  [ $((page_px * 100)) -ge $((desk_px * 95)) ] && [ $((page_px * 100)) -le $((desk_px * 105)) ] ||
    fail "the PNG's $colour frames differ from the desktop's: $page_px px, not $desk_px"
done
# ---- 5. A large lesson file (3.7 MB: 600×600 decimals) opens ----
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
