#!/usr/bin/env bash
# Every malformed lesson in tests/data/bad/ gives exit 2 and its own message.
# Each NAME.json has NAME.expect beside it: the text the message must contain.
set -u
convstep=$1 dir=$2
fail=0 count=0
declare -A seen
for lesson in "$dir"/*.json; do
  name=$(basename "$lesson" .json)
  expect=$(cat "$dir/$name.expect")
  message=$(timeout 20 "$convstep" validate "$lesson" 2>&1 >/dev/null)
  status=$?
  count=$((count + 1))
  if [ $status -ne 2 ]; then
    echo "FAIL $name: exit $status, want 2 (message: $message)"; fail=1; continue
  fi
  if [[ "$message" != *"$expect"* ]]; then
    echo "FAIL $name: message '$message' does not contain '$expect'"; fail=1
  fi
  if [[ "$message" != "convstep: $lesson: "* ]]; then
    echo "FAIL $name: the message does not name the file: $message"; fail=1
  fi
  if [ "$(wc -l <<<"$message")" -ne 1 ]; then
    echo "FAIL $name: want one line, got: $message"; fail=1
  fi
  text=${message#"convstep: $lesson: "}   # the message without the file name
  if [ -n "${seen[$text]:-}" ]; then
    echo "FAIL $name: same message as ${seen[$text]}: $text"; fail=1
  fi
  seen[$text]=$name
done
echo "$count bad lessons checked"
[ $count -ge 40 ] || { echo "FAIL: want at least 40 bad lessons"; fail=1; }
exit $fail
