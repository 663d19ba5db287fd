#include "app/export/pytorch.h"

#include <charconv>
#include <string_view>

namespace convstep {

namespace {

// The shortest text that reads back as the same double ("0.1", "3", "-2.5e-07").
void append_number(std::string& out, double v) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  out.append(buffer, end);
}

// Nested Python lists of a tensor's values, one innermost row per line, the rows lined up
// under each other: [[[[1, 2],\n     [3, 4]]]] with `indent` spaces before every continuation.
void append_lists(std::string& out, const Tensor& t, std::size_t indent) {
  const int sizes[4] = {t.shape.n, t.shape.c, t.shape.h, t.shape.w};
  std::size_t at = 0;
  auto nest = [&](auto& self, int depth) -> void {
    out += '[';
    for (int i = 0; i < sizes[depth]; ++i) {
      if (i > 0) {
        out += ',';
        if (depth == 3)
          out += ' ';
        else
          out.append("\n").append(indent + depth + 1, ' ');
      }
      if (depth == 3)
        append_number(out, t.values[at++]);
      else
        self(self, depth + 1);
    }
    out += ']';
  };
  nest(nest, 0);
}

void append_tensor(std::string& out, std::string_view name, const Tensor& t,
                   std::string_view after = "") {
  const std::string opening = std::string(name) + " = torch.tensor(";
  out += opening;
  append_lists(out, t, opening.size());
  out.append(",\n").append(opening.size(), ' ').append("dtype=torch.float64");
  out.append(after).append(")\n");
}

void append_vector(std::string& out, std::string_view name, const std::vector<double>& v,
                   std::string_view after = "") {
  out.append(name).append(" = torch.tensor([");
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    append_number(out, v[i]);
  }
  out.append("], dtype=torch.float64").append(after).append(")\n");
}

// The title on one comment line: a lesson's title may hold any character.
std::string comment_line(const std::string& text) {
  std::string line;
  for (unsigned char ch : text) line += ch < 0x20 || ch == 0x7F ? ' ' : static_cast<char>(ch);
  return line;
}

std::string pair(int a, int b) {
  return "(" + std::to_string(a) + ", " + std::to_string(b) + ")";
}

}  // namespace

std::string pytorch_code(const Lesson& lesson, const Results& results) {
  const Geometry g = lesson.geometry();
  const bool has_bias = !lesson.bias.empty(), given_g = lesson.upstream.shape.count() > 0;
  std::string py;
  py += "# " + comment_line(lesson.title.empty() ? "A convstep lesson" : lesson.title) + "\n";
  py +=
      "#\n"
      "# This lesson as PyTorch code, written by convstep. It computes the convolution with\n"
      "# PyTorch and its gradients with autograd, prints them, and checks that they equal the\n"
      "# numbers convstep showed. Run it with python3.\n"
      "import torch\n"
      "import torch.nn.functional as F\n\n"
      "torch.set_default_dtype(torch.float64)\n\n"
      "# The input X [N, C, H, W], the kernel W [Cout, C/groups, kH, kW] and the bias b [Cout].\n";
  append_tensor(py, "X", lesson.input, ", requires_grad=True");
  append_tensor(py, "W", lesson.weight, ", requires_grad=True");
  if (has_bias)
    append_vector(py, "b", lesson.bias, ", requires_grad=True");
  else
    py += "b = None  # this lesson has no bias\n";

  py +=
      "\n# Forward: Z = Xp ⋆ W + b. PyTorch's conv2d slides the kernel without turning it, as\n"
      "# convstep does (a cross-correlation).\n";
  if (g.pad_top + g.pad_bottom + g.pad_left + g.pad_right == 0) {
    py += "Xp = X  # no padding\n";
  } else {
    py += "# The padding ring of zeros: F.pad takes (left, right, top, bottom).\n";
    py += "Xp = F.pad(X, (" + std::to_string(g.pad_left) + ", " + std::to_string(g.pad_right) +
          ", " + std::to_string(g.pad_top) + ", " + std::to_string(g.pad_bottom) + "))\n";
  }
  py += "Z = F.conv2d(Xp, W, b, stride=" + pair(g.stride_h, g.stride_w) +
        ", dilation=" + pair(g.dil_h, g.dil_w) + ", groups=" + std::to_string(g.groups) + ")\n";

  py += "\n# Backward: G = ∂L/∂Z flows back through the convolution.\n";
  const LossKind loss = lesson.loss.kind;
  const bool named_loss = !given_g && loss != LossKind::Sum;
  if (given_g) {
    py += "# The lesson gives G.\n";
    append_tensor(py, "G", lesson.upstream);
    py += "Z.backward(G)\n";
  } else if (!named_loss) {
    py += "# L = ΣZ, so every cell of G is 1.\n";
    py += "G = torch.ones_like(Z)\n";
    py += "Z.backward(G)\n";
  } else {
    py += "# The loss L; autograd derives G = ∂L/∂Z from it (kept, to compare with convstep's).\n";
    py += "Z.retain_grad()\n";
    if (loss == LossKind::HalfSumSquares) py += "L = 0.5 * (Z ** 2).sum()  # G = Z\n";
    if (loss == LossKind::ReluThenSum)
      py += "L = F.relu(Z).sum()  # G = 1 where Z > 0, else 0 (0 at Z = 0 too)\n";
    if (loss == LossKind::Mse) {
      append_tensor(py, "T", lesson.loss.target);
      py += "L = F.mse_loss(Z, T)  # reduction \"mean\": over all cells, so G = 2·(Z − T)/" +
            std::to_string(lesson.loss.target.shape.count()) + "\n";
    }
    py += "L.backward()\n";
    py += "G = Z.grad\n";
    py += "print(\"L =\", L.item())\n";
  }
  py += has_bias ? "db = b.grad\n"
                 : "db = G.sum(dim=(0, 2, 3))  # what a bias would get: the sum of G per channel\n";
  py +=
      "\nprint(\"Z =\", Z.detach())\n"
      "print(\"dX = ∂L/∂X =\", X.grad)\n"
      "print(\"dW = ∂L/∂W =\", W.grad)\n"
      "print(\"db = ∂L/∂b =\", db)\n";

  py += "\n# The numbers convstep computed.\n";
  append_tensor(py, "Z_convstep", results.Z);
  append_tensor(py, "dX_convstep", results.dX);
  append_tensor(py, "dW_convstep", results.dW);
  append_vector(py, "db_convstep", results.db);
  if (named_loss) append_tensor(py, "G_convstep", lesson.upstream_gradient());
  const std::string also_g = named_loss ? " + [(\"G\", G_convstep, G)]" : "";
  py +=
      "\n# They agree when they differ by no more than rounding: 1e-9 of the largest value.\n"
      "for name, ours, theirs in [(\"Z\", Z_convstep, Z.detach()), (\"dX\", dX_convstep, "
      "X.grad),\n"
      "                           (\"dW\", dW_convstep, W.grad), (\"db\", db_convstep, db)]" +
      also_g +
      ":\n"
      "    assert ours.shape == theirs.shape, f\"{name}: convstep's shape {tuple(ours.shape)}, "
      "PyTorch's {tuple(theirs.shape)}\"\n"
      "    scale = max(theirs.abs().max().item(), 1.0) if theirs.numel() else 1.0\n"
      "    difference = (ours - theirs).abs().max().item() if ours.numel() else 0.0\n"
      "    assert difference <= 1e-9 * scale, f\"{name}: convstep and PyTorch differ by "
      "{difference}\"\n"
      "print(\"PyTorch agrees with convstep on Z, dX, dW and db" +
      (named_loss ? ", and on G = ∂L/∂Z" : "") + ".\")\n";
  return py;
}

}  // namespace convstep
