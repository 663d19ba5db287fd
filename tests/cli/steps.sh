#!/usr/bin/env bash
# `convstep steps` as a user runs it: JSON lines that parse, the counts, the worksheet.
set -u
convstep=$1 lessons=$2
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }
sobel=$lessons/sobel-6x5.json

jsonl=$("$convstep" steps "$sobel" --phase dx_gather --granularity term --format jsonl)
check "steps exits 0" '[ $? -eq 0 ]'
# G, Gd, Gp, rotate, 30 cells × 9 terms, crop (no uncovered edge at stride 1).
check "dx_gather has 4 + 270 + 1 term steps" '[ "$(wc -l <<<"$jsonl")" -eq 275 ]'
check "every line is a JSON object" '/usr/bin/python3 -c "
import json, sys
for line in sys.stdin: assert isinstance(json.loads(line), dict)" <<<"$jsonl"'
# The 7th term of dX[2,3] (cell 13): Gp[4,3]·Wr[2,0] = 1·(−1), running sum −4 (by hand).
line=$(sed -n "$((4 + 13 * 9 + 6 + 1))p" <<<"$jsonl")
check "term of dXp[2,3]" '/usr/bin/python3 -c "
import json, sys
s = json.loads(sys.argv[1])
assert s[\"target\"] == {\"grid\": \"dXp\", \"index\": [0, 0, 2, 3]}, s
t = s[\"terms\"][0]
assert t[\"a\"][\"grid\"] == \"Gp\" and t[\"a\"][\"index\"] == [0, 0, 4, 3] and t[\"a\"][\"value\"] == 1, t
assert t[\"b\"][\"grid\"] == \"Wr\" and t[\"b\"][\"index\"] == [0, 0, 2, 0] and t[\"b\"][\"value\"] == -1, t
assert s[\"running_sum\"] == -4, s
" "$line"'

# A cell's terms are streamed one by one; their numbers are written like the rest of the line
# (1.0, as the running sum is), so that a reader gets the same types as before the streaming.
cell=$("$convstep" steps "$sobel" --phase forward --granularity cell --from 1 --count 1 --format jsonl)
check "streamed terms write numbers as doubles" 'grep -qF "\"value\":1.0}" <<<"$cell" && ! grep -qF "\"value\":1}" <<<"$cell"'

window=$("$convstep" steps "$sobel" --phase forward --granularity term --from 10 --count 3 --format text)
check "--from/--count select 3 steps" '[ "$(wc -l <<<"$window")" -eq 3 ]'

md=$("$convstep" steps "$sobel" --format markdown)
check "worksheet has the lesson and a section per phase" '[ "$(grep -c "^## " <<<"$md")" -eq 8 ]'
check "worksheet has Z[0,1]'s full equation" 'grep -qF "Z[0,1] = Xp[0,1]·W[0,0] + " <<<"$md"'

# --exercise N: the worksheet's cells (the quiz's, with its worksheet option) blanked in every
# format, the answer key in a second file, the same as the worksheet export's.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$convstep" export "$sobel" --format md --exercise 3 -o "$tmp/sheet.md" >/dev/null
"$convstep" steps "$sobel" --format markdown --exercise 3 --answers "$tmp/key.md" >"$tmp/steps.md"
check "steps --exercise writes the worksheet's steps" 'cmp -s "$tmp/sheet.md" "$tmp/steps.md"'
check "steps --exercise writes the worksheet's answer key" 'cmp -s "$tmp/sheet-answers.md" "$tmp/key.md"'
text=$("$convstep" steps "$sobel" --phase forward --exercise 2 --answers "$tmp/t.md")
check "text: 2 blanked forward steps" '[ "$(grep -c "= ____$" <<<"$text")" -eq 2 ]'
check "text: the key names them" '[ "$(grep -c "^- \*\*Z\[" "$tmp/t.md")" -eq 2 ]'
check "text: a blanked step keeps its terms" 'grep -qF "Z[1,0] = Xp[1,0]·W[0,0] + " <<<"$text"'
jl=$("$convstep" steps "$sobel" --phase forward --exercise 2 --answers "$tmp/j.md" --format jsonl)
check "jsonl: a blanked step has no running sum" '/usr/bin/python3 -c "
import json, sys
blank = [s for s in map(json.loads, sys.stdin) if s.get(\"exercise\")]
assert len(blank) == 2, blank
assert all(s[\"running_sum\"] is None and s[\"equation\"].endswith(\"= ____\") for s in blank)
assert [s[\"target\"][\"index\"] for s in blank] == [[0, 0, 1, 0], [0, 0, 3, 0]]" <<<"$jl"'
"$convstep" steps "$sobel" --exercise 2 >/dev/null 2>"$tmp/err"
check "--exercise without --answers exits 2" '[ $? -eq 2 ] && grep -q "add --answers FILE" "$tmp/err"'
"$convstep" steps "$sobel" --answers "$tmp/x.md" >/dev/null 2>"$tmp/err"
check "--answers without --exercise exits 2" '[ $? -eq 2 ] && grep -q "add --exercise N" "$tmp/err"'
"$convstep" steps "$sobel" --exercise 2 --answers "$tmp/t.md" >/dev/null 2>"$tmp/err"
check "an existing answer key is kept without --force" '[ $? -eq 2 ] && grep -q "already exists" "$tmp/err"'
"$convstep" steps "$sobel" --exercise 2 --answers "$tmp/t.md" --force >/dev/null
check "--force replaces it" '[ $? -eq 0 ]'
"$convstep" steps "$sobel" --exercise 0 --answers "$tmp/z.md" >/dev/null 2>&1
check "--exercise 0 exits 2" '[ $? -eq 2 ]'
"$convstep" steps "$sobel" --exercise 2 --answers /dev/full >/dev/null 2>&1
check "an answer key on a full disk exits 1" '[ $? -eq 1 ]'

"$convstep" steps "$sobel" --phase backward 2>/dev/null
check "unknown phase exits 2" '[ $? -eq 2 ]'
# The matrix view: the default lesson's T(W) is 12×30, shown (4 stages, 30 dX cells); stride2's
# is 9×56, too large: asked for alone it says why, once, with exit 2; within all, its one step says it.
matrix=$("$convstep" steps "$sobel" --phase matrix --granularity cell)
check "the matrix view has 4 stages and 30 cells" '[ "$(wc -l <<<"$matrix")" -eq 34 ]'
why=$("$convstep" steps "$lessons/stride2.json" --phase matrix 2>&1 >/dev/null)
check "a matrix view too large exits 2" '[ $? -eq 2 ]'
check "and says why and what fits, on one line" \
  'grep -q "^convstep: .*stride2.json: .*9×56.*5×5 input" <<<"$why" && [ "$(wc -l <<<"$why")" -eq 1 ]'
all=$("$convstep" steps "$lessons/stride2.json" --phase all --granularity phase)
check "--phase all keeps the other phases and notes the matrix view" \
  '[ $? -eq 0 ] && grep -q "^db " <<<"$all" && grep -q "^matrix 0/1 matrix_too_large: .*9×56" <<<"$all"'
"$convstep" steps "$sobel" --format jsonl --granularity term > /dev/full 2>/dev/null
check "a full disk is an error" '[ $? -eq 1 ]'
exit $fail
