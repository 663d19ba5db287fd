#!/usr/bin/env bash
# Hovers cells of a 1024×1024 lesson in every phase, headless: a kernel entry relates to two
# million cells. The highlight must stay a few regions, within bounded memory (a frame per
# cell took gigabytes and crashed the app).
set -u
convstep=$1
. "$(dirname "$0")/scratch_home.sh"
/usr/bin/python3 - <<'PY'
import json
n = 1024
json.dump({"title": "1024 x 1024",
           "input": [[[[(i * 7 + j * 3) % 5 - 2 for j in range(n)] for i in range(n)]]],
           "weight": [[[[1, 0, -1], [2, 0, -2], [1, 0, -1]]]]}, open("big.json", "w"))
PY
cat > hover.txt <<'SCRIPT'
phase forward
hover W[0][0]
screenshot forward.png
phase dw
granularity cell
seek 1
hover X[500][500]
screenshot dw.png
phase dx_gather
hover Wr[1][1]
screenshot gather.png
phase dx_scatter
pin G[3][4]
screenshot scatter.png
phase db
hover db[0]
screenshot db.png
quit
SCRIPT
# Bounded memory: an address-space limit for a plain build; AddressSanitizer reserves a huge
# address space, so there the limit is on resident memory.
# Under the sanitizers the app is a wrapper script (tests/app/under_asan.sh), not a program.
if ! ldd "$convstep" > /dev/null 2>&1 || ldd "$convstep" | grep -q libasan; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=3000
else
  ulimit -v 3000000
fi
timeout 900 "$convstep" --headless --no-restore --size 1600x900 --script hover.txt big.json
status=$?
[ $status -eq 0 ] || { echo "FAIL: exit status $status while hovering a large lesson"; exit 1; }
for f in forward dw gather scatter db; do
  [ -s $f.png ] || { echo "FAIL: $f.png was not written"; exit 1; }
done
