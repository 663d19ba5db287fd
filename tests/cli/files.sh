#!/usr/bin/env bash
# What `convstep svg -o PATH` does to what PATH names: a link is written through, a named pipe
# and standard output are written directly, a folder is a clear error, and a full disk
# (the file size limit) keeps the old file, leaves no temporary file and exits 1.
set -u
convstep=$1 lessons=$2
lesson=$lessons/sobel-6x5.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
svg() { "$convstep" svg "$lesson" --phase forward --step 3 -o "$@"; }
leftovers() { find "$work" -name '.*.tmp-*' | head -1; }

# A symbolic link stays a link, and the file it points to gets the picture.
mkdir real
echo old > real/target.svg
ln -s real/target.svg link.svg
svg link.svg > /dev/null || { echo "FAIL link: exit $?"; fail=1; }
[ -L link.svg ] || { echo "FAIL link: the link was replaced by a file"; fail=1; }
grep -q "<svg" real/target.svg || { echo "FAIL link: the target was not written"; fail=1; }

# A named pipe is written into, not replaced (a reader gets the picture).
mkfifo pipe.svg
timeout 20 cat pipe.svg > from-pipe.svg &
reader=$!
timeout 20 "$convstep" svg "$lesson" --phase forward --step 3 -o pipe.svg > /dev/null ||
  { echo "FAIL pipe: exit $?"; fail=1; }
[ -p pipe.svg ] || { echo "FAIL pipe: the pipe was replaced by a file"; fail=1; }
wait $reader
grep -q "<svg" from-pipe.svg || { echo "FAIL pipe: the reader got no picture"; fail=1; }

# Standard output, through /dev/stdout: into a pipe and into a file.
svg /dev/stdout | grep -q "<svg" || { echo "FAIL stdout: no picture through a pipe"; fail=1; }
svg /dev/stdout > stdout.svg || { echo "FAIL stdout: exit $?"; fail=1; }
head -c 200 stdout.svg | grep -q "<svg" || { echo "FAIL stdout: the file does not start with the picture"; fail=1; }
# The picture is all there is: the file's name, printed after a written file, is not appended.
[ "$(tail -n 1 stdout.svg)" = "</svg>" ] || { echo "FAIL stdout: the picture is followed by: $(tail -n 1 stdout.svg)"; fail=1; }
[ -c /dev/null ] && [ -L /dev/stdout ] || { echo "FAIL: /dev was changed"; fail=1; }
# "-" is standard output too, never a file named "-".
svg - | grep -q "<svg" || { echo "FAIL -o -: no picture on standard output"; fail=1; }
[ ! -e ./- ] || { echo "FAIL -o -: a file named - was written"; fail=1; }

# A folder is a clear error, exit 1, and stays as it was.
mkdir folder.svg
message=$(svg folder.svg 2>&1 >/dev/null)
status=$?
[ $status -eq 1 ] || { echo "FAIL folder: exit $status, want 1"; fail=1; }
[ "$message" = "convstep: cannot write folder.svg: it is a folder, not a file" ] ||
  { echo "FAIL folder: message: $message"; fail=1; }
[ -z "$(ls -A folder.svg)" ] || { echo "FAIL folder: something was written into it"; fail=1; }

# A full disk: the file size limit (1 KiB) is smaller than the picture.
echo "old picture" > full.svg
message=$( (ulimit -f 1; svg full.svg) 2>&1 >/dev/null)
status=$?
[ $status -eq 1 ] || { echo "FAIL full disk: exit $status, want 1 (153 is the signal)"; fail=1; }
[[ "$message" == "convstep: cannot write full.svg: the disk is full or the file size limit was reached"*"; nothing was changed" ]] ||
  { echo "FAIL full disk: message: $message"; fail=1; }
[ "$(cat full.svg)" = "old picture" ] || { echo "FAIL full disk: the old file was changed"; fail=1; }
[ -z "$(leftovers)" ] || { echo "FAIL: a temporary file was left: $(leftovers)"; fail=1; }
exit $fail
