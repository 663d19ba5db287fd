#!/usr/bin/env bash
# The exit-status contract (README, "Exit status"), for every command and the app itself:
# 0 success; 2 bad input or bad arguments; 1 the environment failed; never a signal.
# Each row: the exit status wanted, a fragment the message must contain, where standard
# output goes, and the command. A failure must be one line on stderr, and a short one.
# The huge inputs are made here, at test time, not kept in the repository.
set -u
convstep=$1 lessons=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export XDG_CONFIG_HOME=$work/config XDG_STATE_HOME=$work/state
fail=0 count=0 context=
lesson=$lessons/sobel-6x5.json

# check STATUS FRAGMENT STDOUT COMMAND...
check() {
  local want=$1 fragment=$2 out=$3
  shift 3
  local message status
  message=$(timeout 120 "$@" 2>&1 >"$out")
  status=$?
  count=$((count + 1))
  local row="[$*]${context:+ running \"$context\"}"
  row=${row:0:200}
  if [ $status -ne "$want" ]; then
    echo "FAIL $row: exit $status, want $want (message: ${message:0:300})"; fail=1; return
  fi
  if [[ "$message" != *"$fragment"* ]]; then
    echo "FAIL $row: message '${message:0:300}' does not contain '$fragment'"; fail=1
  fi
  if [ "$want" -ne 0 ]; then
    if [ "$(wc -l <<<"$message")" -ne 1 ]; then
      echo "FAIL $row: want one line, got: ${message:0:300}"; fail=1
    fi
    if [ ${#message} -gt 420 ]; then  # "convstep: ", 400 characters and a "…" at most
      echo "FAIL $row: the message is ${#message} characters long"; fail=1
    fi
  fi
}

# A version nested 100,000 deep (200 KB), and a stride that is a 1 MB string.
python3 -c "print('{\"version\": ' + '[' * 100000 + ']' * 100000 + ', \"input\": [[1]], \"weight\": [[1]]}')" >deep.json
python3 -c "print('{\"input\": [[1]], \"weight\": [[1]], \"stride\": \"' + 'x' * (1 << 20) + '\"}')" >stride.json
printf '{"input": [[1]], "weight": [[1]], "padding": "\\u001b[31mred\\nline"}' >control.json
echo '{"input": [[1]], "weight": [[1]]}' >tiny.json
mkdir folder
touch not-a-folder
huge=99999999999999999999
deep='"version" is nested more than 64 levels deep (line 1, column 76)'

for command in compute validate steps link; do
  check 0 "" /dev/null "$convstep" $command "$lesson"
  check 2 "cannot open: No such file or directory" /dev/null "$convstep" $command missing.json
  check 2 "is a folder, not a file" /dev/null "$convstep" $command folder
  check 2 "$deep" /dev/null "$convstep" $command deep.json
  check 2 'stride must be a whole number or [sH, sW], got the text "xxxx' /dev/null \
    "$convstep" $command stride.json
  check 2 'got "\x1b[31mred\nline"' /dev/null "$convstep" $command control.json
  check 1 "cannot write" /dev/full "$convstep" $command "$lesson"
  check 2 "" /dev/null "$convstep" $command
done
check 2 "--format" /dev/null "$convstep" compute "$lesson" --format yaml
check 2 "--count must be a whole number" /dev/null "$convstep" steps "$lesson" --count $huge
check 2 "--count must be a whole number" /dev/null "$convstep" steps "$lesson" --count 1e30
check 2 "--count must be a whole number" /dev/null "$convstep" steps "$lesson" --count -1
check 2 "--from must be a whole number" /dev/null "$convstep" steps "$lesson" --from $huge
check 0 "" /dev/null "$convstep" steps "$lesson" --from 9223372036854775807 --count 9223372036854775807
check 0 "" /dev/null "$convstep" steps "$lesson" --count 9223372036854775807
# A reader that stops early (`| head`): a failed write, not death by SIGPIPE.
check 1 "cannot write the steps" /dev/null bash -c '"$@" | head -c 1; exit ${PIPESTATUS[0]}' - \
  "$convstep" steps "$lesson" --granularity term
check 2 "--phase" /dev/null "$convstep" steps "$lesson" --phase "$(printf 'x%.0s' {1..5000})"

# link: the step is checked against the lesson; a lesson too big for a link is bad input.
check 2 "--step 99 is past the end: dx_gather has 35 cell steps (0..34)" /dev/null \
  "$convstep" link "$lesson" --phase dx_gather --step 99
check 2 "--step must be a whole number" /dev/null "$convstep" link "$lesson" --step $huge
check 2 "--phase" /dev/null "$convstep" link "$lesson" --phase dx
check 2 "--granularity" /dev/null "$convstep" link "$lesson" --granularity cells
check 2 "The matrix view shows lessons with one group" /dev/null \
  "$convstep" link "$lessons/groups.json" --phase matrix
python3 -c "print('{\"input\": [' + ','.join(['[' + ','.join(['0.123456789'] * 100) + ']'] * 100) + '], \"weight\": [[1]]}')" >big-link.json
check 2 "big-link.json: this lesson is too big for a link: its link would be 1" /dev/null \
  "$convstep" link big-link.json
check 2 "share the lesson file instead" /dev/null "$convstep" link big-link.json

check 0 "" /dev/null "$convstep" svg "$lesson" -o out.svg
check 2 "--step must be a whole number" /dev/null "$convstep" svg "$lesson" --step $huge -o out.svg
check 2 "past the end" /dev/null "$convstep" svg "$lesson" --step 999 -o out.svg
check 2 "$deep" /dev/null "$convstep" svg deep.json -o out.svg
check 2 "-o" /dev/null "$convstep" svg "$lesson"
# export: the lesson as PyTorch code or a worksheet; an existing file only with --force.
check 0 "" /dev/null "$convstep" export "$lesson" --format py -o lesson.py
check 2 "already exists: add --force" /dev/null "$convstep" export "$lesson" --format py -o lesson.py
check 0 "" /dev/null "$convstep" export "$lesson" --format py -o lesson.py --force
check 0 "" /dev/null "$convstep" export "$lesson" --format md -o sheet.md
check 2 "--format" /dev/null "$convstep" export "$lesson" --format docx -o x.docx
check 2 "$deep" /dev/null "$convstep" export deep.json --format py -o deep.py
check 1 "cannot write" /dev/full "$convstep" export "$lesson" --format py -o /dev/full
check 1 "cannot write" /dev/null "$convstep" svg "$lesson" -o not-a-folder/out.svg
check 1 "cannot write" /dev/null "$convstep" svg "$lesson" -o missing/out.svg
check 1 "cannot write" /dev/full "$convstep" svg "$lesson" -o out.svg
check 2 "" /dev/null "$convstep" no-such-command
# A long path is cut at its start: the message keeps the file's name and the reason.
long=$(printf 'd%.0s' {1..200})
mkdir -p "$long/$long"
check 2 "dddd/missing.json: cannot open: No such file or directory" /dev/null \
  "$convstep" validate "$long/$long/missing.json"
check 1 "dddd/nowhere/x.svg: cannot create a file in" /dev/null \
  "$convstep" svg "$lesson" -o "$long/$long/nowhere/x.svg"
check 1 "nowhere: No such file or directory; nothing was changed" /dev/null \
  "$convstep" svg "$lesson" -o "$long/$long/nowhere/x.svg"

# Out of memory is the environment failing: 1 and a message, not std::bad_alloc's abort. A
# 4096×4096 input needs well over 100 MB. (AddressSanitizer cannot run under a ulimit; with
# the app, the sanitizer build's convstep is the wrapper script tests/app/under_asan.sh.)
if ! grep -qa -e __asan_init -e under_asan.sh "$convstep"; then
  python3 -c "
row = '[' + ','.join(['1'] * 4096) + ']'
print('{\"input\": [' + ','.join([row] * 4096) + '], \"weight\": [[1]]}')" >big.json
  for command in validate compute; do
    check 1 "out of memory" /dev/null bash -c 'ulimit -v 100000 && exec "$@"' - "$convstep" \
      $command big.json
  done
fi

# The app: only in builds that have it.
if "$convstep" --headless --help 2>/dev/null | grep -q "run the commands of a script file"; then
  app() { check "$@"; }
  script() { printf '%s\n' "$@" >"$work/script.txt"; context=${1:0:40}; }
  script quit
  context=
  app 0 "" /dev/null "$convstep" --headless --no-restore --script script.txt
  app 2 "$deep" /dev/null "$convstep" --headless --no-restore --script script.txt deep.json
  app 2 "cannot open" /dev/null "$convstep" --headless --no-restore --script script.txt missing.json
  app 2 "convstep: link, lesson: character 4, \"*\", is not base64url" /dev/null \
    "$convstep" --headless --no-restore --script script.txt "https://example.org/#lesson=abc*"
  app 2 "convstep: link: it is 100007 bytes long after its" /dev/null \
    "$convstep" --headless --no-restore --script script.txt "#lesson=$(printf 'A%.0s' {1..100000})"
  app 2 "is a folder, not a file" /dev/null "$convstep" --headless --no-restore --script script.txt folder
  app 2 "missing.txt: cannot open" /dev/null "$convstep" --headless --no-restore --script missing.txt
  app 2 "is a folder, not a file" /dev/null "$convstep" --headless --no-restore --script folder
  app 2 "--size's width must be a whole number" /dev/null \
    "$convstep" --headless --no-restore --size 99999999999x10 --script script.txt
  app 2 "--size must be WIDTHxHEIGHT" /dev/null "$convstep" --headless --size big --script script.txt
  app 2 "--monkey must be a whole number" /dev/null "$convstep" --headless --monkey $huge
  app 2 "--seed must be a whole number" /dev/null "$convstep" --headless --monkey 1 --seed -1
  app 2 "--seed must be a whole number" /dev/null "$convstep" --headless --monkey 1 --seed $huge
  app 1 "no display" /dev/null env -u DISPLAY -u WAYLAND_DISPLAY "$convstep" --no-restore \
    --script script.txt
  for line in "seek $huge" "step $huge" "wait $huge" "resize $huge 10" "scale 1e999" "speed nan" \
    "shape 1 1 5 5 1 3 4294967299" "randomize -1" "edit W[0][0] 1e999"; do
    script "$line" quit
    app 2 "script.txt:1: ${line%% *}: " /dev/null "$convstep" --headless --no-restore --script script.txt
  done
  script "set version $(printf '[%.0s' {1..100000})" quit
  app 2 "script.txt:1: set: the value: the text is nested more than 64 levels deep" /dev/null \
    "$convstep" --headless --no-restore --script script.txt
  script "phase $(printf 'x%.0s' {1..100000})" quit
  app 2 'script.txt:1: phase: unknown phase "xxxx' /dev/null \
    "$convstep" --headless --no-restore --script script.txt
  script "preset $(printf 'x%.0s' {1..100000})" quit
  app 2 "script.txt:1: preset: " /dev/null "$convstep" --headless --no-restore --script script.txt
  script "screenshot $(printf 'x%.0s' {1..100000}).png" quit
  app 1 "script.txt:1: screenshot: " /dev/null "$convstep" --headless --no-restore --script script.txt
  script "edit $(printf 'x%.0s' {1..100000})[0][0] 1" quit
  app 2 'script.txt:1: edit: unknown tensor "xxx' /dev/null \
    "$convstep" --headless --no-restore --script script.txt
  script "set groups 4294967298" quit
  app 2 "script.txt:1: set: groups must be" /dev/null \
    "$convstep" --headless --no-restore --script script.txt
  script "screenshot not-a-folder/shot.png" quit
  app 1 "script.txt:1: screenshot: " /dev/null "$convstep" --headless --no-restore --script script.txt
  script "save missing/lesson.json" quit
  app 1 "script.txt:1: save: " /dev/null "$convstep" --headless --no-restore --script script.txt
  script "save $long/$long/nowhere/lesson.json" quit
  app 1 "dddd/nowhere/lesson.json: cannot create a file in" /dev/null \
    "$convstep" --headless --no-restore --script script.txt
  script "export pngs not-a-folder/steps" quit
  app 1 "script.txt:1: export: " /dev/null "$convstep" --headless --no-restore --script script.txt
  script "export $(printf 'x%.0s' {1..5000}) out" quit
  app 2 "script.txt:1: export: unknown export" /dev/null \
    "$convstep" --headless --no-restore --script script.txt
  # Unsaved edits from an earlier run that cannot be read are not offered: a normal start.
  mkdir -p state/convstep
  cp deep.json state/convstep/unsaved-lesson.json
  script quit
  app 0 "" /dev/null "$convstep" --headless --script script.txt
  # Settings nested too deep: one warning, the defaults, a normal start.
  mkdir -p config/convstep
  python3 -c "print('{\"theme\": ' + '[' * 100000 + ']' * 100000 + '}')" >config/convstep/settings.json
  script quit
  app 0 '"theme" is nested more than 64 levels deep' /dev/null \
    "$convstep" --headless --no-restore --script script.txt
fi

echo "$count cases checked"
exit $fail
