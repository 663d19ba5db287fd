#!/usr/bin/env bash
# `convstep steps --format jsonl` stays byte-identical on every preset and granularity: the
# checksums in tests/data/golden/steps-jsonl.sha256 were made by convstep at commit bee8321,
# before frames were streamed, and remade on purpose for issue 11 (the phases' words made true
# of every lesson, and the scatter's whole stamps ending on a dXp value), and again when the
# loss phase and the matrix view joined (the other phases' lines checked byte-identical first). They hold until a
# change to the steps is meant. After such a
# change, regenerate them with: golden_steps.sh CONVSTEP LESSONS GOLDEN --update
set -u
convstep=$1 lessons=$2 golden=$3 update=${4:-}
actual=$(for lesson in "$lessons"/*.json; do
  for granularity in phase cell term; do
    sum=$("$convstep" steps "$lesson" --granularity "$granularity" --format jsonl | sha256sum)
    echo "${sum%% *}  $(basename "$lesson") $granularity"
  done
done)
if [ "$update" = --update ]; then
  echo "$actual" > "$golden"
  exit 0
fi
if ! diff <(echo "$actual") "$golden"; then
  echo "FAIL: the steps differ from the golden copy (lines above: < now, > golden)"
  exit 1
fi
