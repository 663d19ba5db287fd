#!/usr/bin/env bash
# `convstep export` as a user runs it: bad arguments (exit 2, one line), --force, a full disk (exit 1, no file left), byte-identical files on a second run, the worksheet
# holding every equation, and the SVG well-formed with every value of its step. The pictures
# themselves are read back in tests/render/test_export.cpp.
set -u
convstep=$(realpath "$1") lessons=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
lesson=$lessons/sobel-6x5.json
fail=0

# expect STATUS FRAGMENT ARGUMENTS...: `convstep export LESSON ARGUMENTS` ends with the status, and
# a message holding FRAGMENT, on one line when it fails.
expect() {
  local want=$1 fragment=$2
  shift 2
  local message status
  message=$(timeout 120 "$convstep" export "$lesson" "$@" 2>&1 >/dev/null)
  status=$?
  if [ $status -ne "$want" ]; then
    echo "FAIL [$*]: exit $status, want $want: ${message:0:300}"; fail=1; return
  fi
  [[ "$message" == *"$fragment"* ]] || { echo "FAIL [$*]: '${message:0:300}' lacks '$fragment'"; fail=1; }
  if [ "$want" -ne 0 ] && [ "$(wc -l <<<"$message")" -ne 1 ]; then
    echo "FAIL [$*]: want one line, got: ${message:0:300}"; fail=1
  fi
}

x() { timeout 120 "$convstep" export "$lesson" "$@"; }
# ---- Bad arguments: exit 2 and one clear line, before anything is drawn ----
expect 2 "steps 5:3 hold no step" --format pngs --phase dw --steps 5:3 -o s
expect 2 "past the end: dw has 10 cell steps (0..9)" --format png --phase dw --steps 10 -o a.png
expect 2 "past the end" --format gif --phase dx_gather --granularity term --steps 270:300 -o a.gif
expect 2 "choose one --phase" --format png --phase all -o a.png
expect 2 "--steps counts the steps of one phase" --format gif --steps 0:3 -o a.gif
expect 2 "--size's width must be" --format png --size 8x900 -o a.png
expect 2 "--size must be WIDTHxHEIGHT" --format png --size big -o a.png
expect 2 "--scale must be" --format png --scale 9 -o a.png
expect 2 "more than 16384 pixels" --format png --size 8000x4000 --scale 4 -o a.png
expect 2 "--fps must be 30 or 60" --format mp4 --fps 45 -o a.mp4
expect 2 "width and height must be even" --format mp4 --phase db --size 641x360 -o a.mp4
expect 2 "--pitfall" --format png --pitfall upside_down -o a.png
expect 2 "--format" --format docx -o a.docx
# An animation of more than 20,000 steps (made in memory) says how to export it in parts.
/usr/bin/python3 -c 'import json; json.dump({"input": [[[[1, 2, 3, 4, 5]]]] * 4096,
  "weight": [[[[1, 0, 1, 0, 1]]]]}, open("batch.json", "w"))'
lesson=$work/batch.json
expect 2 "export it in parts, such as --steps 0:20000" --format gif --granularity term -o a.gif
lesson=$lessons/sobel-6x5.json
rm batch.json
[ -z "$(ls)" ] || { echo "FAIL: bad arguments left files: $(ls | tr '\n' ' ')"; fail=1; }

# ---- Never overwrite without --force; what was written, with its figures ----
expect 0 "" --format png --phase dx_gather --size 480x270 -o a.png
expect 2 "a.png already exists: add --force" --format png --phase dx_gather -o a.png
mkdir steps
expect 2 "steps already exists: add --force" --format pngs --phase db -o steps
out=$(x --format pngs --phase db --granularity cell --size 160x90 -o steps --force 2>&1)
[[ "$out" == "wrote steps: 1 picture in "*" s ("*" a second)" ]] ||
  { echo "FAIL: the figures: $out"; fail=1; }


# ---- The same inputs give the same bytes ----
for f in "png --phase dw --steps 3 --theme light --classroom" "gif --phase db --granularity term" \
         "svg --phase dx_gather --steps 7 --pitfall no_rotation" "md" "py"; do
  set -- $f
  x --format $f --size 320x180 -o first.$1 >/dev/null 2>&1 &&
    x --format $f --size 320x180 -o second.$1 >/dev/null 2>&1 &&
    cmp -s first.$1 second.$1 || { echo "FAIL: $1 ($f) differs between two runs"; fail=1; }
done

# ---- A full disk: exit 1, the file named, nothing left ----
expect 1 "cannot write /dev/full" --format gif --phase db -o /dev/full
expect 1 "cannot write /dev/full" --format mp4 --phase db --size 320x180 -o /dev/full
mkdir small && (ulimit -f 8; x --format png --phase dx_gather -o small/big.png >/dev/null 2>err.txt)
status=$?
[ $status -eq 1 ] && grep -q "cannot write small/big.png" err.txt ||
  { echo "FAIL: a full disk: exit $status: $(cat err.txt)"; fail=1; }
[ -z "$(ls -A small)" ] || { echo "FAIL: a full disk left $(ls -A small)"; fail=1; }

# ---- The worksheet holds every equation; the SVG every value of its step ----
x --format md --granularity cell -o sheet.md >/dev/null 2>&1 || { echo "FAIL: md"; fail=1; }
"$convstep" steps "$lesson" --format jsonl > steps.jsonl
"$convstep" compute "$lesson" --format json > results.json
last=$(( $("$convstep" steps "$lesson" --phase forward --format jsonl | wc -l) - 1 ))
x --format svg --phase forward --steps $last -o last.svg >/dev/null 2>&1 || { echo "FAIL: svg"; fail=1; }
/usr/bin/python3 - "$lesson" <<'PY' || fail=1
import collections, json, sys, xml.etree.ElementTree as ET
sheet = open("sheet.md", encoding="utf-8").read()
missing = [s["equation"] for s in map(json.loads, open("steps.jsonl")) if s["equation"] not in sheet]
if missing:
    sys.exit(f"FAIL: the worksheet lacks {len(missing)} equations, e.g. {missing[0]}")
root = ET.parse("last.svg").getroot()  # raises on malformed XML
texts = collections.Counter(t.replace("\u2212", "-") for e in root.iter()
                            if e.tag.endswith("text") for t in [("".join(e.itertext())).strip()])
lesson = json.load(open(sys.argv[1]))
z = json.load(open("results.json"))["output"][0][0]
def number(v): return str(int(v)) if float(v).is_integer() else repr(v)
want = collections.Counter(number(v) for grid in (lesson["input"], lesson["weight"], z)
                           for row in grid for v in row)
short = {v: n - texts[v] for v, n in want.items() if texts[v] < n}
if short:
    sys.exit(f"FAIL: the last forward step's SVG lacks values (value: how many): {short}")
PY
# ---- Every pitfall is exported like any step (issue 11): the SVG holds the mistake's grid
# and its title, the worksheet a section with both results; PyTorch code refuses it ----
rotation=$lessons/rotation-2x2.json
for p in convolution_convention:"Used a true convolution" no_rotation:"Forgot to rotate the kernel" \
         output_as_gradient:"Fed Z back instead of" no_gradient_padding:"Forgot to pad the gradient map"; do
  name=${p%%:*} title=${p#*:}
  "$convstep" export "$rotation" --format svg --phase dx_gather --pitfall "$name" -o "$name.svg" \
    >/dev/null 2>&1 || { echo "FAIL: svg --pitfall $name"; fail=1; }
  grep -Eq "id=\"grid-dXp?_$name\"" "$name.svg" && grep -q "$title" "$name.svg" ||
    { echo "FAIL: the SVG of --pitfall $name lacks its wrong dX or its title"; fail=1; }
  "$convstep" export "$rotation" --format md --pitfall "$name" -o "$name.md" >/dev/null 2>&1 ||
    { echo "FAIL: md --pitfall $name"; fail=1; }
  grep -q "^## Classic mistake: $title" "$name.md" && grep -q "^\*\*dX wrong\*\*" "$name.md" ||
    { echo "FAIL: the worksheet of --pitfall $name lacks its section"; fail=1; }
done
# Without --phase, a mistake's picture shows the first phase it changes (issue 10, item 8)
"$convstep" export "$rotation" --format svg --pitfall convolution_convention -o conv.svg \
  >/dev/null 2>&1 && grep -q 'id="grid-dW_convolution_convention"' conv.svg ||
  { echo "FAIL: svg --pitfall convolution_convention without --phase lacks the wrong dW"; fail=1; }
# dX fed back as G: drawn where dX has G's shape (padding 1 on 4×4), said impossible elsewhere
padding1=$lessons/padding1-4x4.json
"$convstep" export "$padding1" --format svg --pitfall dx_as_gradient -o dx.svg >/dev/null 2>&1 &&
  grep -Eq 'id="grid-dXp?_dx_as_gradient"' dx.svg && grep -q "Fed dX back instead of" dx.svg ||
  { echo "FAIL: svg --pitfall dx_as_gradient"; fail=1; }
"$convstep" export "$rotation" --format md --pitfall dx_as_gradient -o dx.md >/dev/null 2>&1 &&
  grep -q "^\*\*dX wrong\*\*: Cannot happen here: dX is 3×3, but G is 2×2 like Z" dx.md ||
  { echo "FAIL: the worksheet of --pitfall dx_as_gradient on a 3×3 input"; fail=1; }
grep -q "^\*\*dW wrong\*\* (2×2), the cells that differ in bold" convolution_convention.md ||
  { echo "FAIL: the convention's worksheet lacks dW"; fail=1; }
lesson=$rotation expect 2 "PyTorch code has none" --format py --pitfall no_rotation -o a.py
[ ! -e a.py ] || { echo "FAIL: a refused py export left a.py"; fail=1; }

exit $fail
