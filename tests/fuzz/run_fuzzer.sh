#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time, starting from its seed corpus
# (tests/fuzz/corpus/TARGET/) and dictionary (tests/fuzz/TARGET.dict, if any).
# New inputs go to a scratch folder, so the repository's corpus stays as it is. A crash, a
# sanitizer report, a timeout or running out of memory fails, and the input that caused it is
# kept in tests/fuzz/crashes/TARGET/ (not committed) with the command that replays it.
#   run_fuzzer.sh FUZZER TARGET SECONDS [more libFuzzer options]
set -u
fuzzer=$1 target=$2 seconds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
crashes=$here/crashes/$target
mkdir -p "$crashes"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dict=()
[ -f "$here/$target.dict" ] && dict=(-dict="$here/$target.dict")
"$fuzzer" "$work" "$here/corpus/$target" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$crashes/" -print_final_stats=1 "$@" > "$work/log" 2>&1
status=$?
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|cov: .*ft: .*corp" "$work/log" |
  grep -E "stat::|DONE" | tr '\n' ' '
echo
if [ $status -ne 0 ]; then
  cat "$work/log" | grep -v -E "^#[0-9]+.*(NEW|REDUCE|pulse)" | tail -60
  for input in $(sed -n 's/.*Test unit written to //p' "$work/log"); do
    echo "FAIL: fuzz_$target: the input that fails is $input"
    echo "      replay it with: $fuzzer $input"
  done
  exit 1
fi
