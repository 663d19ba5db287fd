#!/usr/bin/env python3
"""Writes the worst-case lessons into a folder: each limit at its edge and just past it.

Each lesson is NAME.json, and NAME.expect holds "accept" or the words the rejection must say.
Large inputs are written here, at test time, rather than kept in the repository.
"""
import sys
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)


def grid(h, w, v=1):
    row = "[" + ",".join([str(v)] * w) + "]"
    return "[" + ",".join([row] * h) + "]"


def nested(n, c, h, w, v=1):
    plane = grid(h, w, v)
    channels = "[" + ",".join([plane] * c) + "]"
    return "[" + ",".join([channels] * n) + "]"


def lesson(name, expect, **keys):
    text = "{" + ", ".join(f'"{k}": {v}' for k, v in keys.items()) + "}"
    (out / f"{name}.json").write_text(text)
    (out / f"{name}.expect").write_text(expect + "\n")


ONE = "[[1]]"
# The 59-byte lesson: its padded input, 4095², is too large.
lesson("padding-2047", "more than the limit of 8388608", input="[[[[1]]]]",
       weight="[[[[1]]]]", padding=2047)
# Terms per cell: dW sums Xp's 2047² cells (4,190,209), then 2049² (4,198,401).
lesson("terms-per-cell-edge", "accept", input=ONE, weight=ONE, padding=1023)
lesson("terms-per-cell-past", "terms, more than the limit of 4194304", input=ONE, weight=ONE,
       padding=1024)
# Tensor values: Xp exactly 4096×2048 (stride 2 keeps dW's cells at 2048·1024 terms), then
# 4097×2048.
lesson("tensor-values-edge", "accept", input=ONE, weight=ONE, padding="[2048, 2047, 1024, 1023]",
       stride=2)
lesson("tensor-values-past", "more than the limit of 8388608", input=ONE, weight=ONE,
       padding="[2048, 2048, 1024, 1023]", stride=2)
# Dimension: a 1×4096 kernel on a 1×4096 input, then 4097 wide.
lesson("dimension-edge", "accept", input=grid(1, 4096), weight=grid(1, 4096))
lesson("dimension-past", "more than the limit of 4096", input=grid(1, 4097), weight=ONE)
# Multiply-adds: 64 channels in and out, 1×1 kernel, 128×128 cells: exactly 2^26; then 129 rows.
lesson("multiply-adds-edge", "accept", input=nested(1, 64, 128, 128), weight=nested(64, 64, 1, 1))
lesson("multiply-adds-past", "multiply-adds, more than the limit of 67108864",
       input=nested(1, 64, 129, 128), weight=nested(64, 64, 1, 1))
# Term steps: gathering dX over a 2048×1024 padded input with an 8×8 kernel at stride 2 walks
# exactly 2048·1024·64 = 2^27 terms, zeros included; then 2050 rows.
lesson("term-steps-edge", "accept", input=ONE, weight=grid(8, 8),
       padding="[1024, 1023, 512, 511]", stride=2)
lesson("term-steps-past", "more than the limit of 134217728", input=ONE, weight=grid(8, 8),
       padding="[1025, 1024, 512, 511]", stride=2)
# Dilation at the limit: a 2×1 kernel spanning 4097 rows of a 4096-row input padded by 1.
lesson("dilation-edge", "accept", input=grid(4096, 1), weight="[[1], [1]]",
       dilation="[4096, 1]", padding="[1, 0, 0, 0]")
lesson("dilation-past", "at most 4096", input=grid(4096, 1), weight="[[1], [1]]",
       dilation="[4097, 1]", padding="[1, 0, 0, 0]")
# Groups at the limit: 4096 channels, each with its own 1×1 kernel, on 16×16 cells.
lesson("groups-edge", "accept", input=nested(1, 4096, 16, 16), weight=nested(4096, 1, 1, 1),
       groups=4096)
lesson("groups-past", "at most 4096", input=ONE, weight=ONE, groups=4097)
# Channels at the limit: 4096 input channels, stacked on the stage in the forward phase.
lesson("channels-edge", "accept", input=nested(1, 4096, 8, 8), weight=nested(1, 4096, 3, 3),
       padding=1)
# A 4096×4096 input has too many values; 4096×2048 is at the limit, and with a 1×1 kernel at
# stride 2 fits every other. Its 16 MB take seconds to read: it runs fewer steps.
lesson("input-4096x4096", "more than the limit of 8388608", input=grid(4096, 4096), weight=ONE)
lesson("input-4096x2048", "accept fewer", input=grid(4096, 2048), weight=ONE, stride=2)
