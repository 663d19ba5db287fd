// The stages the phases are built from (pad, dilate, rotate, crop, ...): their names and words.
#include <string>
#include <utility>
#include <vector>

#include "core/format.h"
#include "core/phases/phases.h"

namespace convstep {

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::None:
      return "none";
    case Stage::PadInput:
      return "pad_input";
    case Stage::AddBias:
      return "add_bias";
    case Stage::ShowGradient:
      return "show_gradient";
    case Stage::DilateGradient:
      return "dilate_gradient";
    case Stage::PadGradient:
      return "pad_gradient";
    case Stage::RotateKernel:
      return "rotate_kernel";
    case Stage::ZeroUncovered:
      return "zero_uncovered";
    case Stage::Crop:
      return "crop";
    case Stage::ComputeLoss:
      return "compute_loss";
    case Stage::GivenGradient:
      return "given_gradient";
    case Stage::Im2col:
      return "im2col";
    case Stage::ForwardProduct:
      return "forward_product";
    case Stage::WeightProduct:
      return "weight_product";
    case Stage::Toeplitz:
      return "toeplitz";
    case Stage::MatrixTooLarge:
      return "matrix_too_large";
  }
  return "";
}

namespace {

// A stage's equation: "target = right side".
Equation said(std::string target, std::string right) {
  Equation e;
  e.target = std::move(target), e.result = std::move(right);
  return e;
}

Equation pad_input(const Model& m, std::string* note) {
  const Geometry& g = m.geo;
  if (g.pad_top + g.pad_bottom + g.pad_left + g.pad_right == 0) {
    *note = "There is no padding: Xp is X itself, " + dims(g.hp(), g.wp()) + ".";
    return said("Xp", "X (no padding)");
  }
  if (g.pad_top > 0 && g.pad_bottom > 0 && g.pad_left > 0 && g.pad_right > 0) {
    *note = "The padding ring of zeros appears around X: Xp is " + dims(g.hp(), g.wp()) + ".";
  } else {  // not a ring: name the sides
    std::vector<std::string> sides;
    for (const auto& [pad, side] : {std::pair{g.pad_top, "top"}, std::pair{g.pad_bottom, "bottom"},
                                    std::pair{g.pad_left, "left"}, std::pair{g.pad_right, "right"}})
      if (pad > 0) sides.push_back(side);
    std::string where;
    for (std::size_t i = 0; i < sides.size(); ++i)
      where += (i == 0 ? "" : i + 1 == sides.size() ? " and " : ", ") + sides[i];
    *note = "Zeros of padding appear on the " + where + " of X only: Xp is " +
            dims(g.hp(), g.wp()) + ".";
  }
  return said("Xp", "pad(X): " + std::to_string(g.pad_top) + " top, " +
                        std::to_string(g.pad_bottom) + " bottom, " + std::to_string(g.pad_left) +
                        " left, " + std::to_string(g.pad_right) + " right");
}

Equation add_bias(const Model& m, std::string* note) {
  std::string b;
  for (std::size_t i = 0; i < m.lesson.bias.size(); ++i)
    b += (i ? ", " : "") + number(m.lesson.bias[i]);
  *note = "The bias of each output channel is added to every cell of that channel.";
  return said("Z", "Z + b, b = [" + b + "]");
}

Equation show_gradient(const Model& m, std::string* note) {
  *note = "Start from the upstream gradient G = ∂L/∂Z, one value per output cell.";
  if (m.lesson.gives_gradient()) return said("G", "∂L/∂Z, given by the lesson");
  const LossKind k = m.lesson.loss.kind;
  if (k == LossKind::Sum) return said("G", "∂L/∂Z = 1 everywhere (L = ΣZ)");
  return said("G", "∂L/∂Z of L = " + loss_formula(k) + ", derived in the loss phase");
}

// The loss phase of a lesson that gives G: nothing to derive.
Equation given_gradient(std::string* note) {
  *note =
      "This lesson gives G directly; no loss is named, so nothing is derived here: the "
      "backward phases start from G as given.";
  return said("G", "∂L/∂Z, given by the lesson");
}

// L itself, from the output Z.
Equation compute_loss(const Model& m, std::string* note) {
  const Loss& loss = m.lesson.loss;
  const long long cells = m.results.Z.shape.count();
  *note =
      "The loss L = " + loss_formula(loss.kind) + " is one number, computed from " +
      (cells == 1 ? std::string("the one output cell") : "all " + plural(cells, "output cell")) +
      ". Backpropagation starts from its gradient G = ∂L/∂Z: how much L changes when "
      "each cell of Z changes.";
  std::string right = loss_formula(loss.kind);
  if (loss.kind == LossKind::Mse) right += " = Σ(Z − T)²/" + std::to_string(cells);
  return said("L", right + " = " + number(m.loss));
}

Equation dilate_gradient(const Model& m, std::string* note) {
  const Geometry& g = m.geo;
  if (g.stride_h == 1 && g.stride_w == 1) {
    *note = "With stride 1 the windows start one cell apart, so there are no gaps to fill.";
    return said("Gd", "G (stride 1: no zeros to insert)");
  }
  *note =
      "Gd is G spread out by the stride: each G cell moves back to where its window started in Xp; "
      "the stride's gaps are filled "
      "with zeros.";
  std::string zeros;
  if (g.stride_h > 1) zeros = plural(g.stride_h - 1, "zero row") + " between rows";
  if (g.stride_w > 1)
    zeros +=
        (zeros.empty() ? "" : " and ") + plural(g.stride_w - 1, "zero column") + " between columns";
  return said("Gd", "G with " + zeros + ": " + dims(g.oh, g.ow) + " → " + dims(g.gd_h(), g.gd_w()));
}

Equation pad_gradient(const Model& m, std::string* note) {
  const Geometry& g = m.geo;
  const int ring_h = (g.kh - 1) * g.dil_h, ring_w = (g.kw - 1) * g.dil_w;
  if (ring_h == 0 && ring_w == 0) {
    *note = "A 1×1 kernel never hangs over G's edges, so Gd needs no padding.";
    return said("Gp", "Gd (a 1×1 kernel needs no padding)");
  }
  *note =
      "Gp is the padded gradient map: the kernel can now hang over G's edges, so every input cell "
      "finds all the outputs it fed.";
  return said("Gp", "Gd padded by (k−1)·dil = " + plural(ring_h, "row") + " and " +
                        plural(ring_w, "column") + " on each side: " + dims(g.gp_h(), g.gp_w()));
}

Equation rotate_kernel(const Model& m, std::string* note) {
  *note = "Wr is W rotated: the kernel turns through 180° about its centre.";
  if (m.geo.c == 1 && m.geo.cout == 1) return said("Wr", "rot180(W)");
  return said("Wr[c,o]", "rot180(W[o,c]) within each group");
}

// "row 7", "rows 1, 3, 5", or for many "rows 1, 3, 5, …, 99 (50 rows)".
std::string indices(const std::vector<int>& list, const std::string& noun) {
  if (list.empty()) return "";
  std::string s = (list.size() == 1 ? noun : noun + "s") + " ";
  const std::size_t shown = list.size() <= 6 ? list.size() : 3;
  for (std::size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + std::to_string(list[i]);
  if (shown < list.size())
    s += ", …, " + std::to_string(list.back()) + " (" +
         plural(static_cast<long long>(list.size()), noun) + ")";
  return s;
}

// "rows 1, 3" and "column 5", joined by `with`; either may be empty.
std::string rows_and_columns(const std::vector<int>& rows, const std::vector<int>& cols,
                             const char* with) {
  const std::string r = indices(rows, "row"), c = indices(cols, "column");
  return r.empty() ? c : c.empty() ? r : r + with + c;
}

// The inputs no window reaches, and why, as the ConvAxis::Miss of each row and column says:
// the stride (past the last window, between windows), the dilation (between a window's taps).
Equation zero_uncovered(const Model& m, std::string* note) {
  const ConvAxis rows = m.geo.rows(), cols = m.geo.cols();
  using Miss = ConvAxis::Miss;
  *note = "No window reaches these inputs, so their gradient is 0 and they do not learn.";
  const std::pair<Miss, const char*> reasons[] = {
      {Miss::BetweenTaps,
       " between the kernel's taps, which the dilation spreads apart, and no window puts a tap "
       "there."},
      {Miss::BetweenWindows, " between two windows: the stride is longer than a window."},
      {Miss::PastLastWindow, " past the last window: a window one stride further would not fit."},
  };
  for (const auto& [why, words] : reasons) {
    std::vector<int> r, c;
    for (int y : m.unreached_rows)
      if (rows.miss(y) == why) r.push_back(y);
    for (int x : m.unreached_cols)
      if (cols.miss(x) == why) c.push_back(x);
    if (r.empty() && c.empty()) continue;
    std::string subject = rows_and_columns(r, c, " and ");
    subject[0] = static_cast<char>(subject[0] - 'a' + 'A');
    const bool one = r.size() + c.size() == 1;
    const char* verb =
        why == Miss::PastLastWindow ? (one ? " lies" : " lie") : (one ? " falls" : " fall");
    *note += " " + subject + verb + words;
  }
  return said("dXp " + rows_and_columns(m.unreached_rows, m.unreached_cols, " or "), "0");
}

Equation crop(const Model& m, std::string* note) {
  const Geometry& g = m.geo;
  if (m.discarded_cells == 0) {
    *note = "There is no padding, so nothing is discarded: dX = dXp.";
    return said("dX", "dXp (no padding to crop): " + dims(g.h, g.w));
  }
  *note = "The gradients that landed on the padding are discarded: " +
          plural(m.discarded_cells, "cell") + " summing to " + number(m.discarded_sum) +
          ". The padding zeros are constants, not inputs.";
  return said("dX",
              "dXp without its padding border: " + dims(g.hp(), g.wp()) + " → " + dims(g.h, g.w));
}

}  // namespace

Equation describe_stage(const Model& m, Stage stage, std::string* note) {
  switch (stage) {
    case Stage::PadInput:
      return pad_input(m, note);
    case Stage::AddBias:
      return add_bias(m, note);
    case Stage::ShowGradient:
      return show_gradient(m, note);
    case Stage::DilateGradient:
      return dilate_gradient(m, note);
    case Stage::PadGradient:
      return pad_gradient(m, note);
    case Stage::RotateKernel:
      return rotate_kernel(m, note);
    case Stage::ZeroUncovered:
      return zero_uncovered(m, note);
    case Stage::Crop:
      return crop(m, note);
    case Stage::ComputeLoss:
      return compute_loss(m, note);
    case Stage::GivenGradient:
      return given_gradient(note);
    case Stage::Im2col:
    case Stage::ForwardProduct:
    case Stage::WeightProduct:
    case Stage::Toeplitz:
    case Stage::MatrixTooLarge:
      return describe_matrix_stage(m, stage, note);
    case Stage::None:
      break;
  }
  return {};
}

}  // namespace convstep
