#!/usr/bin/env bash
# Runs convstep (or a test program) from the sanitizer build the way GL needs it under ASan
# (tests/CMakeLists.txt):
# Mesa's driver preloaded so that it stays loaded until LeakSanitizer runs, and the Mesa-only
# leak suppressions of tests/lsan.supp.
#   under_asan.sh MESA_DRIVER SUPPRESSIONS PROGRAM ARGS...
driver=$1 suppressions=$2 program=$3
shift 3
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$suppressions:print_suppressions=0"
if [ -f "$driver" ]; then
  export LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$driver"
else
  # Without the driver to preload, Mesa's leaks cannot be told from ours: leaks go unchecked.
  echo "under_asan.sh: Mesa's driver \"$driver\" was not found: leak checks are off" >&2
  export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
fi
exec "$program" "$@"
