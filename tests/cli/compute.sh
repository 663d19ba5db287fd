#!/usr/bin/env bash
# `convstep compute` as a user runs it: the seed's numbers in text and JSON, and exit codes.
set -u
convstep=$1 lessons=$2
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; fi; }

text=$("$convstep" compute "$lessons/sobel-6x5.json" --format text)
check "text exits 0" '[ $? -eq 0 ]'
# Seed 000's Z and dX rows, as the notebook printed them (integers without decimals).
check "text shows Z row 0"  'grep -qE "^ +0 +-4 +-8$" <<<"$text"'
check "text shows dW row 0" 'grep -qE "^ +15 +18 +25$" <<<"$text"'
check "text shows dX row 1" 'grep -qE "^ +3 +3 +0 +-3 +-3$" <<<"$text"'
check "text has no -0"      '! grep -qE "(^| )-0( |$)" <<<"$text"'
check "text names dX as X_grad" 'grep -q "dX = X_grad" <<<"$text"'

json=$("$convstep" compute "$lessons/sobel-6x5.json" --format json)
expected='{"grad_bias":[12.0],"grad_input":[[[[1.0,1.0,0.0,-1.0,-1.0],[3.0,3.0,0.0,-3.0,-3.0],[4.0,4.0,0.0,-4.0,-4.0],[4.0,4.0,0.0,-4.0,-4.0],[3.0,3.0,0.0,-3.0,-3.0],[1.0,1.0,0.0,-1.0,-1.0]]]],"grad_output":[[[[1.0,1.0,1.0],[1.0,1.0,1.0],[1.0,1.0,1.0],[1.0,1.0,1.0]]]],"grad_weight":[[[[15.0,18.0,25.0],[21.0,23.0,28.0],[30.0,31.0,34.0]]]],"loss":-28.0,"output":[[[[0.0,-4.0,-8.0],[0.0,-3.0,-7.0],[0.0,-1.0,-4.0],[0.0,0.0,-1.0]]]]}'
check "json is seed 000's numbers, always 4-D" '[ "$json" = "$expected" ]'

"$convstep" validate "$lessons/sobel-6x5.json" >/dev/null
check "validate exits 0" '[ $? -eq 0 ]'
"$convstep" compute /nonexistent.json 2>/dev/null
check "missing file exits 2" '[ $? -eq 2 ]'
"$convstep" compute "$lessons/sobel-6x5.json" --format yaml 2>/dev/null
check "bad option exits 2" '[ $? -eq 2 ]'
"$convstep" compute "$lessons/sobel-6x5.json" > /dev/full 2>/dev/null
check "a full disk is an error" '[ $? -eq 1 ]'
exit $fail
