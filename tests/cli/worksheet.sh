#!/usr/bin/env bash
# The Markdown worksheet as a teacher hands it out (issue 11, "What to build" item 7): it opens
# with the lesson (X, W, b, G and the settings, padding included) as tables, prints each
# intermediate grid when it first appears and each result at the end of its phase, says where a
# scattered window lands, renders as real tables (python3-markdown's tables extension) and stays
# bounded for a large lesson. Usage: worksheet.sh CONVSTEP LESSONS_DIR
set -u
convstep=$1 lessons=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
fail=0
for name in sobel-6x5 stride2 padding1-4x4 channels groups dilation2 batch3-padding1; do
  lesson=$lessons/$name.json
  "$convstep" export "$lesson" --format md --granularity cell -o "$name.md" >/dev/null 2>&1 ||
    { echo "FAIL: $name: export md"; fail=1; continue; }
  "$convstep" compute "$lesson" --format json >"$name.json" || { fail=1; continue; }
  /usr/bin/python3 - "$name" "$lesson" <<'PY' || fail=1
import json, re, sys, xml.etree.ElementTree as ET
import markdown

name, lesson_path = sys.argv[1], sys.argv[2]
text = open(name + ".md", encoding="utf-8").read()
results = json.load(open(name + ".json"))
errors = []

# Every table renders as a <table> with the rows and columns its caption announces.
html = markdown.markdown(text, extensions=["tables"])
tables = ET.fromstring("<body>" + html + "</body>").iter("table")
captions = re.findall(r"^\*\*([^*]+)\*\*(?:\[\d+,\d+\])? \((\d+)(?:×(\d+)| channels?)\)[^\n]*:\n\n\|",
                      text, re.M)
pipes = len(re.findall(r"^\|---", text, re.M))
shapes = [(len(t.findall("./tbody/tr")), len(t.find("./thead/tr"))) for t in tables]
if len(shapes) != pipes:
    errors.append(f"{pipes} tables written, {len(shapes)} rendered as <table>")
want = [(1, int(r) + 1) if c == "" else (int(r), int(c) + 1) for _, r, c in captions]
if shapes[1:] != want:  # the first is the settings table
    errors.append(f"table shapes {shapes[1:]}, captions say {want}")

# The lesson comes first: the settings (padding included), X, W, b, G, then the phases.
head = text[:text.find("\n## Forward")]
for must in ("## The lesson", "| padding | top ", "**X**", "**W**", "**G**"):
    if must not in head:
        errors.append(f"the lesson's part lacks {must!r}")
if "**b**" not in head and "No bias b." not in head:
    errors.append("the lesson's part lacks b")

# Each intermediate grid once, the first time; each result at the end of its phase.
# Without padding Xp is X and dXp is dX, at stride 1 Gd is G: they are not printed twice.
padded = int("| padding | top 0, bottom 0, left 0, right 0 |" not in text)
strided = int("| stride (rows × columns) | 1×1 |" not in text)
# dX ends both dX phases, and the matrix view when it can show the lesson.
matrix = int("not shown for this lesson" not in text)
for grid, n in (("Xp", padded), ("Gd", strided), ("Gp", 1), ("Wr", 1), ("dXp", padded), ("Z", 1),
                ("dW", 1), ("dX", 2 + matrix), ("db", 1)):
    got = len(re.findall(rf"^\*\*{grid}\*\*(?:\[0,0\])? \(", text, re.M))
    if got != n:
        errors.append(f"{grid} printed {got} times, want {n}")

# The numbers are the program's: Z's table holds compute's output.
z = results["output"][0][0]
def number(v): return str(int(v)) if float(v).is_integer() else repr(v)
block = text[text.find("**Z**"):].split("\n\n")
rows = block[1].splitlines()[2:] if "**Z**" in text and len(block) > 1 else []
cells = [[c.strip().replace("\u2212", "-") for c in r.strip("|").split("|")[1:]] for r in rows]
if cells != [[number(v) for v in row] for row in z]:
    errors.append(f"Z's table {cells} is not compute's {z}")

# Scatter steps say where the window lands.
scatter = text[text.find("\n## ∂L/∂X by scattering"):]
steps = re.findall(r"^\*\*Step \d+\.\*\* `dXp\[window of [^\n]*$", scatter, re.M)
if not steps or any("lands on dXp rows" not in s for s in steps):
    errors.append(f"a scatter step does not say where its window lands: {steps[:1]}")
# Rendered, each phase's steps read 1, 2, 3, … whatever tables stand between them.
for section in html.split("<h2>")[2:]:
    numbers = [int(n) for n in re.findall(r"<strong>Step (\d+)\.</strong>", section)]
    if numbers != list(range(1, len(numbers) + 1)) or not numbers:
        errors.append(f"rendered step numbers {numbers[:12]}… are not 1, 2, 3, …")
for e in errors:
    print(f"FAIL: {name}: {e}")
sys.exit(1 if errors else 0)
PY
done

# --exercise N: N cells of each phase's result blanked, in its table and in the steps that
# compute them, the same ones on every run; the answer key in NAME-answers.md holds their values
# as the full worksheet prints them.
for name in sobel-6x5 stride2 channels padding1-4x4; do
  lesson=$lessons/$name.json
  for run in 1 2; do
    "$convstep" export "$lesson" --format md --exercise 3 -o "ex$run.md" --force >/dev/null 2>&1 ||
      { echo "FAIL: $name: export --exercise"; fail=1; }
  done
  cmp -s ex1.md ex2.md && cmp -s ex1-answers.md ex2-answers.md ||
    { echo "FAIL: $name: --exercise differs between two runs"; fail=1; }
  /usr/bin/python3 - "$name" <<'PY' || fail=1
import re, sys
name = sys.argv[1]
full, sheet = open(name + ".md", encoding="utf-8").read(), open("ex1.md", encoding="utf-8").read()
key = open("ex1-answers.md", encoding="utf-8").read()
errors = []
def phases(text): return re.split(r"^## ", text, flags=re.M)[1:]
answers = {p.split("\n")[0]: re.findall(r"^- \*\*(\w+)\[([\d,]+)\] = ([^*]+)\*\*", p, re.M)
           for p in phases(key)}
for section, plain in zip(phases(sheet)[1:], phases(full)[1:]):
    title = section.split("\n")[0]
    if "not shown for this lesson" in section:  # the matrix view's one step: nothing to work out
        continue
    got = answers.get(title, [])
    result = section[section.rfind("The result of this phase:"):]
    blanks = result.count("____")
    if not got or blanks != len(got) or len(got) > 3:
        errors.append(f"{title}: {blanks} blanks in the result, {len(got)} answers")
    # (a scattering step stamps a whole window and names no dX cell's value)
    if "stamps" not in title and section.count("= ____`") < len(got):
        errors.append(f"{title}: a step still shows a blanked cell's value")
    # dXp holds dX inside it (with padding): the blanked cells are blank there too
    at = section.find("**dXp** (")
    if at >= 0:
        table = section[at:].split("\n\n")[1]
        if table.count("____") != len(got):
            errors.append(f"{title}: dXp's table shows {len(got) - table.count('____')} answers")
    for grid, index, value in got:  # the value the full worksheet prints at that cell
        cells = [int(i) for i in index.split(",")]
        table = plain[plain.rfind("The result of this phase:"):]
        rows = [r for r in table.splitlines() if r.startswith("| **")]
        row = rows[cells[-2]] if len(cells) > 1 else rows[0]
        shown = [c.strip() for c in row.strip("|").split("|")[1:]][cells[-1]]
        if len(cells) in (1, 2) and shown != value:
            errors.append(f"{title}: {grid}[{index}] answer {value}, the worksheet says {shown}")
for e in errors:
    print(f"FAIL: {name} --exercise: {e}")
sys.exit(1 if errors else 0)
PY
done
"$convstep" export "$lessons/sobel-6x5.json" --format md --exercise 3 -o ex1.md >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -q "already exists" err.txt || { echo "FAIL: --exercise replaced a file"; fail=1; }
"$convstep" export "$lessons/sobel-6x5.json" --format svg --exercise 3 -o ex.svg >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -q "use --format md" err.txt || { echo "FAIL: --exercise with svg"; fail=1; }

# A large lesson: no table over 16×16, a line that points to the PNG export, a bounded size.
/usr/bin/python3 -c '
import json
x = [[(r * 7 + c) % 5 - 2 for c in range(40)] for r in range(40)]
json.dump({"version": 1, "input": [[x] * 6] * 2, "weight": [[[[1, 0, -1]] * 3] * 6] * 8,
           "padding": 1}, open("big.json", "w"))'
"$convstep" export big.json --format md --granularity phase -o big.md >/dev/null 2>&1 || { echo "FAIL: big: export md"; fail=1; }
grep -q "too large to print (over 16×16); see the PNG export" big.md ||
  { echo "FAIL: big: no too-large line"; fail=1; }
size=$(wc -c <big.md)
[ "$size" -lt 200000 ] || { echo "FAIL: big: the worksheet is $size bytes"; fail=1; }
exit $fail
