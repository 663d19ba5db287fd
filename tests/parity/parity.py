#!/usr/bin/env python3
"""Live parity test: convstep against PyTorch autograd.

For a few fixed sanity lessons (the 6x5 Sobel example in several settings) and
`--count` random lessons generated from `--seed`, this writes a lesson file,
runs `convstep compute FILE --format json`, and recomputes the same four
tensors with torch (float64): the forward output Z, and with L = sum(Z * G)
the gradients dL/dX, dL/dW and dL/db. Each must have exactly torch's shape and
satisfy  max|ours - torch| / max(max|torch|, 1) <= 1e-9. It also runs, in torch, the
F.conv_transpose2d call that the dX scatter phase prints as its PyTorch equivalent (with the
lesson's stride, padding, output_padding, groups and dilation), which must give dX too, and
checks the matrix view's T(W) (as its worksheet prints it, to 6 digits) against torch's Jacobian
of one sample's convolution, dz/dx, on the lessons the view shows and the worksheet prints it.

Why: convstep implements the convolution and its backward pass by hand, so an
independent reference is the only way to catch index, padding, stride,
dilation and group mistakes. The random lessons cover every padding form
(scalar, [pH, pW], asymmetric 4-value, "valid", "same", "full"), strides and
dilations 1-3, groups 1-4, batches 1-3, bias or not, "ones" or a random
upstream gradient, and the 2-D shorthand forms. torch 1.13 rejects 4-value
padding and padding="same" with stride > 1, so the reference resolves every
padding form to explicit (top, bottom, left, right) itself and applies it with
F.pad before an unpadded F.conv2d.

With --pytorch-code, it checks `convstep export --format py` instead: the PyTorch
program convstep writes for each lesson (the same fixed and random ones, and the
lesson files of --lessons DIR) must run and pass its own assertions, which compare
autograd with the numbers convstep embedded.

Usage:
  python3 tests/parity/parity.py --convstep build/convstep \
      [--count 200] [--seed 12345] [--workdir DIR] [--pytorch-code [--lessons DIR]]
Exits 0 if every lesson matched, 1 otherwise.
"""

import argparse
import contextlib
import io
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

TOLERANCE = 1e-9
TENSORS = ("output", "grad_output", "grad_input", "grad_weight", "grad_bias")
LOSSES = ("sum", "half_sum_squares", "mse", "relu_then_sum")


# ---------------------------------------------------------------- lesson rules

def depth(a):
  """Nesting depth of a list (0 for a number)."""
  return 1 + depth(a[0]) if isinstance(a, list) else 0


def as_4d(a):
  """Expand the [H][W] shorthand to [1][1][H][W]."""
  return [[a]] if depth(a) == 2 else a


def as_pair(v):
  return (v, v) if isinstance(v, int) else tuple(v)


def same_padding(size, k, s, d):
  """TensorFlow's "same" rule for one axis: (before, after)."""
  out = math.ceil(size / s)
  total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
  return total // 2, total - total // 2


def explicit_padding(padding, hw, khw, stride, dilation):
  """Any padding form -> (top, bottom, left, right)."""
  if padding == "valid":
    return 0, 0, 0, 0
  if padding == "full":
    ph, pw = ((k - 1) * d for k, d in zip(khw, dilation))
    return ph, ph, pw, pw
  if padding == "same":
    (t, b), (l, r) = (same_padding(*a) for a in zip(hw, khw, stride, dilation))
    return t, b, l, r
  if isinstance(padding, int):
    return (padding,) * 4
  if len(padding) == 2:
    return padding[0], padding[0], padding[1], padding[1]
  return tuple(padding)


def resolve(lesson):
  """Lesson dict -> the canonical parameters the reference needs."""
  x = as_4d(lesson["input"])
  w = as_4d(lesson["weight"])
  hw = (len(x[0][0]), len(x[0][0][0]))
  khw = (len(w[0][0]), len(w[0][0][0]))
  stride = as_pair(lesson.get("stride", 1))
  dilation = as_pair(lesson.get("dilation", 1))
  pads = explicit_padding(lesson.get("padding", 0), hw, khw, stride, dilation)
  upstream = lesson.get("upstream", "ones")
  loss = lesson.get("loss", "sum")
  target = as_4d(loss["mse"]) if isinstance(loss, dict) and "mse" in loss else None
  if isinstance(loss, dict):
    loss = "mse" if target is not None else "relu_then_sum"
  return dict(x=x, w=w, bias=lesson.get("bias"), stride=stride, dilation=dilation,
              groups=lesson.get("groups", 1), pads=pads,
              upstream=None if upstream == "ones" else as_4d(upstream), loss=loss, target=target)


def output_size(size, pad_total, k, s, d):
  span = (k - 1) * d + 1
  return (size + pad_total - span) // s + 1 if span <= size + pad_total else 0


# ------------------------------------------------------------------- reference

def reference(p):
  """Forward and backward with torch autograd, float64."""
  f64 = torch.float64
  x = torch.tensor(p["x"], dtype=f64, requires_grad=True)
  w = torch.tensor(p["w"], dtype=f64, requires_grad=True)
  b = None if p["bias"] is None else torch.tensor(p["bias"], dtype=f64, requires_grad=True)
  t, bo, l, r = p["pads"]
  z = F.conv2d(F.pad(x, (l, r, t, bo)), w, b, stride=p["stride"], padding=0,
               dilation=p["dilation"], groups=p["groups"])
  loss = None
  if p["upstream"] is not None:  # the lesson gives G
    g = torch.tensor(p["upstream"], dtype=f64)
    z.backward(g)
  else:  # the loss, computed in torch; autograd derives G = dL/dZ
    z.retain_grad()
    if p["loss"] == "sum":
      loss = z.sum()
    elif p["loss"] == "half_sum_squares":
      loss = 0.5 * (z ** 2).sum()
    elif p["loss"] == "mse":
      loss = F.mse_loss(z, torch.tensor(p["target"], dtype=f64))  # reduction "mean"
    else:
      loss = F.relu(z).sum()
    loss.backward()
    g = z.grad
  grad_bias = g.sum(dim=(0, 2, 3)) if b is None else b.grad
  return dict(output=z.detach(), grad_output=g, grad_input=x.grad, grad_weight=w.grad,
              grad_bias=grad_bias, upstream=g, weight=w.detach(),
              loss=None if loss is None else loss.item())


# ------------------------------------------------------------------- generator

def values(rng, shape, kind):
  """Nested list of the given shape: small integers, floats, or a mix."""
  if not shape:
    if kind == "int" or (kind == "mixed" and rng.random() < 0.5):
      return rng.randint(-3, 3)
    return rng.uniform(-2.0, 2.0)
  return [values(rng, shape[1:], kind) for _ in range(shape[0])]


def spacing_value(rng, a, b):
  """A stride or dilation in one of its forms, or None to leave it out."""
  if a != b:
    return [a, b]
  if a == 1 and rng.random() < 0.3:
    return None
  return a if rng.random() < 0.6 else [a, a]


def random_padding(rng):
  form = rng.choice(["omit", "scalar", "pair", "quad", "valid", "same", "full"])
  if form == "scalar":
    return rng.randint(0, 3)
  if form == "pair":
    return [rng.randint(0, 3), rng.randint(0, 3)]
  if form == "quad":
    return [rng.randint(0, 3) for _ in range(4)]
  return None if form == "omit" else form


def random_lesson(rng, index):
  """A random lesson that is valid by construction (rejection sampling)."""
  while True:
    if rng.random() < 0.15:  # single channel, so the 2-D shorthand can occur
      n = c = cout = groups = 1
    else:
      groups = rng.choice([1, 1, 1, 2, 3, 4])
      c = groups * rng.randint(1, 6 // groups)
      cout = groups * rng.randint(1, max(1, 8 // groups))
      n = rng.randint(1, 3)
    h, w = rng.randint(1, 12), rng.randint(1, 12)
    kh, kw = rng.randint(1, 4), rng.randint(1, 4)
    sh = rng.choice([1, 1, 2, 3])
    sw = sh if rng.random() < 0.6 else rng.choice([1, 2, 3])
    dh = rng.choice([1, 1, 2, 3])
    dw = dh if rng.random() < 0.6 else rng.choice([1, 2, 3])
    padding = random_padding(rng)
    t, b, l, r = explicit_padding("valid" if padding is None else padding,
                                  (h, w), (kh, kw), (sh, sw), (dh, dw))
    oh = output_size(h, t + b, kh, sh, dh)
    ow = output_size(w, l + r, kw, sw, dw)
    if oh >= 1 and ow >= 1:
      break

  kind = rng.choice(["int", "float", "mixed"])
  lesson = {"title": f"random lesson {index}"}
  if rng.random() < 0.5:
    lesson["version"] = 1
  lesson["input"] = values(rng, [n, c, h, w], kind)
  lesson["weight"] = values(rng, [cout, c // groups, kh, kw], kind)
  if rng.random() < 0.5:
    lesson["bias"] = values(rng, [cout], kind)
  for key, v in (("stride", spacing_value(rng, sh, sw)),
                 ("dilation", spacing_value(rng, dh, dw)), ("padding", padding)):
    if v is not None:
      lesson[key] = v
  if groups > 1 or rng.random() < 0.3:
    lesson["groups"] = groups
  # G: all ones (by default or said), given, or derived from each loss in turn.
  upstream = ("omit", "ones", "random") + LOSSES
  upstream = upstream[index % len(upstream)]
  if upstream == "ones":
    lesson["upstream"] = "ones"
  elif upstream == "random":
    lesson["upstream"] = values(rng, [n, cout, oh, ow], kind)
  elif upstream == "mse":
    lesson["loss"] = {"mse": values(rng, [n, cout, oh, ow], kind)}
  elif upstream == "relu_then_sum":
    lesson["loss"] = {"relu_then_sum": True}
  elif upstream != "omit":
    lesson["loss"] = upstream
  if n == c == cout == 1 and rng.random() < 0.5:
    for key in ("input", "weight", "upstream"):
      if isinstance(lesson.get(key), list):
        lesson[key] = lesson[key][0][0]
    if isinstance(lesson.get("loss"), dict) and "mse" in lesson["loss"]:
      lesson["loss"]["mse"] = lesson["loss"]["mse"][0][0]
  return lesson


SOBEL_X = [[1, 1, 1, 2, 3], [1, 1, 1, 2, 3], [1, 1, 1, 2, 3],
           [2, 2, 2, 2, 3], [3, 3, 3, 3, 3], [4, 4, 4, 4, 4]]
SOBEL_W = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]


def fixed_lessons():
  """Seed 000's Sobel example, plain and with the trickier options."""
  base = {"input": SOBEL_X, "weight": SOBEL_W}
  return [
    {"title": "seed 000: Sobel 6x5", **base},
    {"title": "Sobel, same, stride [2, 1]", **base, "padding": "same", "stride": [2, 1]},
    {"title": "Sobel, full, bias", **base, "padding": "full", "bias": [0.5]},
    {"title": "Sobel, asymmetric padding, dilation [1, 2]", **base,
     "padding": [2, 0, 1, 3], "dilation": [1, 2]},
    {"title": "Sobel 4-D, upstream", "input": [[SOBEL_X]], "weight": [[SOBEL_W]],
     "upstream": [[[[1, -1, 2], [0, 3, 1], [-2, 1, 0], [1, 1, -1]]]]},
    {"title": "Sobel, half sum of squares, bias", **base, "bias": [-2],
     "loss": "half_sum_squares"},
    {"title": "Sobel, relu then sum (outputs of exactly 0)", **base,
     "loss": {"relu_then_sum": True}},
    {"title": "Sobel, mean squared error", **base,
     "loss": {"mse": [[1, -1, 2], [0, 3, 1], [-2, 1, 0], [1, 1, -1]]}},
  ]


# ------------------------------------------------------------------- checking

def shape_of(a):
  """Shape of a rectangular nested list of numbers, or None if it is not one."""
  if not isinstance(a, list):
    return () if isinstance(a, (int, float)) and not isinstance(a, bool) else None
  if not a:
    return (0,)
  inner = [shape_of(e) for e in a]
  if inner[0] is None or any(s != inner[0] for s in inner):
    return None
  return (len(a),) + inner[0]


def unravel(i, shape):
  """Flat index -> index tuple."""
  at = []
  for size in reversed(shape):
    at.append(i % size)
    i //= size
  return tuple(reversed(at))


def describe(p):
  n, c = len(p["x"]), len(p["x"][0])
  h, w = len(p["x"][0][0]), len(p["x"][0][0][0])
  cout, kh, kw = len(p["w"]), len(p["w"][0][0]), len(p["w"][0][0][0])
  return (f"input [{n}][{c}][{h}][{w}], weight [{cout}][{len(p['w'][0])}][{kh}][{kw}], "
          f"stride {p['stride']}, padding (t,b,l,r) {p['pads']}, dilation {p['dilation']}, "
          f"groups {p['groups']}, bias {'yes' if p['bias'] is not None else 'no'}, "
          f"upstream {'given' if p['upstream'] is not None else 'from loss ' + p['loss']}")


def check(convstep, path, lesson):
  """Returns (worst relative error, list of failure messages)."""
  p = resolve(lesson)
  ref = reference(p)
  run = subprocess.run([convstep, "compute", path, "--format", "json"],
                       capture_output=True, text=True, timeout=60)
  if run.returncode != 0:
    return 0.0, [f"exit code {run.returncode}; stderr: {run.stderr.strip()}"]
  try:
    ours = json.loads(run.stdout)
  except json.JSONDecodeError as e:
    return 0.0, [f"stdout is not JSON ({e}): {run.stdout[:200]!r}"]
  if not isinstance(ours, dict):
    return 0.0, [f"stdout is not a JSON object: {run.stdout[:200]!r}"]

  worst, failures = 0.0, []
  for name in TENSORS:
    want = ref[name]
    got_shape = shape_of(ours.get(name))
    if got_shape != tuple(want.shape):
      failures.append(f"{name}: shape {got_shape}, torch {tuple(want.shape)}")
      continue
    got = torch.tensor(ours[name], dtype=torch.float64)
    diff = torch.nan_to_num((got - want).abs(), nan=math.inf)
    err = diff.max().item() / max(want.abs().max().item(), 1.0)
    worst = max(worst, err)
    if err > TOLERANCE:
      at = unravel(int(diff.argmax()), want.shape)
      failures.append(f"{name}: relative error {err:.3e}; worst at {list(at)}: "
                      f"ours {got[at].item()!r}, torch {want[at].item()!r}")
  # L itself, when a loss gives G.
  if ref["loss"] is not None:
    got = ours.get("loss")
    err = math.inf if not isinstance(got, (int, float)) else \
        abs(got - ref["loss"]) / max(abs(ref["loss"]), 1.0)
    worst = max(worst, err)
    if err > TOLERANCE:
      failures.append(f"loss: ours {got!r}, torch {ref['loss']!r}")
  return worst, failures


CONV_TRANSPOSE = re.compile(
    r"dX = (F\.conv_transpose2d\(G, W, stride=\(\d+, \d+\), padding=\(\d+, \d+\), "
    r"output_padding=\(\d+, \d+\), groups=\d+, dilation=\(\d+, \d+\)\)"
    r"(?:\[:, :, \d+:\d+, \d+:\d+\])?)")


def check_conv_transpose(convstep, path, ref):
  """The dX scatter phase prints dX as one F.conv_transpose2d call with the lesson's arguments:
  runs that call in torch on the lesson's G and W; returns (relative error, failure messages)."""
  run = subprocess.run([convstep, "steps", path, "--phase", "dx_scatter", "--granularity",
                        "phase", "--format", "markdown"], capture_output=True, text=True,
                       timeout=60)
  if run.returncode != 0:
    return 0.0, [f"steps: exit code {run.returncode}; stderr: {run.stderr.strip()}"]
  found = CONV_TRANSPOSE.search(run.stdout)
  if not found:
    return 0.0, ["the dX scatter phase prints no F.conv_transpose2d call"]
  call = found.group(1)
  try:
    got = eval(call, {"F": F, "G": ref["upstream"], "W": ref["weight"]})  # pylint: disable=eval-used
  except Exception as e:  # a call torch refuses: wrong arguments
    return 0.0, [f"{call}: {type(e).__name__}: {e}"]
  want = ref["grad_input"]
  if tuple(got.shape) != tuple(want.shape):
    return 0.0, [f"{call}: shape {tuple(got.shape)}, autograd's dX {tuple(want.shape)}"]
  err = (got - want).abs().max().item() / max(want.abs().max().item(), 1.0)
  return err, [f"{call}: relative error {err:.3e} against autograd's dX"] if err > TOLERANCE else []


MATRIX_TABLE = re.compile(r"^\*\*T\(W\)\*\* \((\d+)×(\d+)\):\n\n\|.*\n\|[-|]+\n((?:\| \*\*\d+\*\* \|.*\n)+)",
                          re.M)


def check_matrix_view(convstep, path, p):
  """The matrix view's T(W), as its worksheet prints it, is the Jacobian dz/dx of one sample's
  convolution as torch's autograd computes it; returns (relative error, failure messages). A
  lesson the view does not show (exit 2, said in one line) has nothing to check."""
  run = subprocess.run([convstep, "steps", path, "--phase", "matrix", "--granularity", "phase",
                        "--format", "markdown"], capture_output=True, text=True, timeout=60)
  if run.returncode == 2 and run.stderr.count("\n") == 1 and "matrix view" in run.stderr:
    return 0.0, []
  if run.returncode != 0:
    return 0.0, [f"steps --phase matrix: exit code {run.returncode}; stderr: {run.stderr.strip()}"]
  if re.search(r"^\*\*T\(W\)\*\* \(\d+×\d+\): too large to print", run.stdout, re.M):
    return 0.0, []  # the worksheet prints tables up to 16×16
  found = MATRIX_TABLE.search(run.stdout)
  if not found:
    return 0.0, ["the matrix view prints no T(W) table"]
  rows = [[float(v.strip().replace("\u2212", "-")) for v in line.split("|")[2:-1]]
          for line in found.group(3).splitlines()]
  got = torch.tensor(rows, dtype=torch.float64)
  t, bo, l, r = p["pads"]
  w = torch.tensor(p["w"], dtype=torch.float64)
  x = torch.tensor(p["x"], dtype=torch.float64)[:1]
  conv = lambda x: F.conv2d(F.pad(x, (l, r, t, bo)), w, None, stride=p["stride"],
                            dilation=p["dilation"], groups=p["groups"]).reshape(-1)
  want = torch.autograd.functional.jacobian(conv, x).reshape(-1, x[0].numel())
  if tuple(got.shape) != tuple(want.shape):
    return 0.0, [f"T(W): shape {tuple(got.shape)}, torch's Jacobian {tuple(want.shape)}"]
  err = (got - want).abs().max().item() / max(want.abs().max().item(), 1.0)
  # The worksheet prints 6 significant digits.
  return err, [f"T(W): relative error {err:.3e} against torch's Jacobian"] if err > 1e-5 else []


def check_pytorch_code(convstep, path):
  """Runs the PyTorch program convstep writes for a lesson; returns failure messages."""
  code_path = path[:-len(".json")] + ".py"
  run = subprocess.run([convstep, "export", path, "--format", "py", "-o", code_path, "--force"],
                       capture_output=True, text=True, timeout=60)
  if run.returncode != 0:
    return [f"export: exit code {run.returncode}; stderr: {run.stderr.strip()}"]
  with open(code_path) as f:
    code = f.read()
  printed = io.StringIO()
  try:
    # In this interpreter, torch already loaded: the same as `python3 FILE`, without a
    # second or two of start-up per lesson.
    with contextlib.redirect_stdout(printed):
      exec(compile(code, code_path, "exec"), {"__name__": "__main__"})
  except Exception as e:  # an AssertionError is the check failing; anything else, bad code
    return [f"{code_path}: {type(e).__name__}: {e}"]
  if "PyTorch agrees with convstep" not in printed.getvalue():
    return [f"{code_path}: did not print its verdict"]
  return []


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument("--convstep", required=True, help="path to the convstep binary")
  ap.add_argument("--count", type=int, default=200, help="number of random lessons")
  ap.add_argument("--seed", type=int, default=12345, help="seed for random.Random")
  ap.add_argument("--workdir", help="directory for the lesson files (default: a temp dir)")
  ap.add_argument("--pytorch-code", action="store_true",
                  help="check the PyTorch code convstep exports instead of its numbers")
  ap.add_argument("--lessons", help="with --pytorch-code: also every lesson file in DIR")
  args = ap.parse_args()
  if args.count < 1:
    ap.error("--count must be at least 1")
  if not (os.path.isfile(args.convstep) and os.access(args.convstep, os.X_OK)):
    ap.error(f"not an executable file: {args.convstep}")

  workdir = args.workdir or tempfile.mkdtemp(prefix="convstep-parity-")
  os.makedirs(workdir, exist_ok=True)
  rng = random.Random(args.seed)
  lessons = [(f"fixed-{i}", l) for i, l in enumerate(fixed_lessons())]
  lessons += [(f"random-{i:04d}", random_lesson(rng, i)) for i in range(args.count)]
  if args.pytorch_code and args.lessons:
    for name in sorted(os.listdir(args.lessons)):
      if name.endswith(".json"):
        with open(os.path.join(args.lessons, name)) as f:
          lessons.append((name[:-len(".json")], json.load(f)))

  start = time.monotonic()
  worst, failed = 0.0, 0
  for name, lesson in lessons:
    path = os.path.join(workdir, name + ".json")
    with open(path, "w") as f:
      f.write(json.dumps(lesson) + "\n")
    try:
      if args.pytorch_code:
        err, failures = 0.0, check_pytorch_code(args.convstep, path)
      else:
        err, failures = check(args.convstep, path, lesson)
        call_err, call_failures = check_conv_transpose(args.convstep, path,
                                                       reference(resolve(lesson)))
        err, failures = max(err, call_err), failures + call_failures
        matrix_err, matrix_failures = check_matrix_view(args.convstep, path, resolve(lesson))
        err, failures = max(err, matrix_err), failures + matrix_failures
    except subprocess.TimeoutExpired:
      err, failures = 0.0, ["convstep timed out"]
    worst = max(worst, err)
    if failures:
      failed += 1
      print(f"FAIL {path}\n  {lesson.get('title')}: {describe(resolve(lesson))}")
      for message in failures:
        print("  " + message)

  seconds = time.monotonic() - start
  if failed:
    print(f"parity FAILED: {failed} of {len(lessons)} lessons; lesson files kept in {workdir}")
    return 1
  if not args.workdir:
    shutil.rmtree(workdir)
  what = "exported PyTorch code" if args.pytorch_code else "parity"
  print(f"{what} OK: {len(lessons)} lessons ({len(lessons) - args.count} fixed, "
        f"{args.count} random, seed {args.seed}), worst relative error {worst:.2e}, "
        f"{seconds:.1f} s")
  return 0


if __name__ == "__main__":
  sys.exit(main())
