// The stages the phases are built from (pad, dilate, rotate, crop, ...): their names and words.
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
  *note = "The padding ring of zeros appears around X: Xp is " + dims(g.hp(), g.wp()) + ".";
  if (g.pad_top + g.pad_bottom + g.pad_left + g.pad_right == 0) return said("Xp", "X (no padding)");
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
  return said("G", m.lesson.upstream.shape.count() == 0 ? "∂L/∂Z = 1 everywhere (L = ΣZ)"
                                                        : "∂L/∂Z, given by the lesson");
}

Equation dilate_gradient(const Model& m, std::string* note) {
  const Geometry& g = m.geo;
  *note =
      "Gd is G spread out by the stride: each G cell moves back to where its window started in "
      "Xp, and the stride's gaps are filled with zeros.";
  if (g.stride_h == 1 && g.stride_w == 1) return said("Gd", "G (stride 1: no zeros to insert)");
  return said("Gd", "G with " + plural(g.stride_h - 1, "zero row") + " and " +
                        plural(g.stride_w - 1, "zero column") +
                        " between cells: " + dims(g.oh, g.ow) + " → " + dims(g.gd_h(), g.gd_w()));
}

Equation pad_gradient(const Model& m, std::string* note) {
  const Geometry& g = m.geo;
  *note =
      "Gp is the padded gradient map: the kernel can now hang over G's edges, so every input "
      "cell finds all the outputs it fed.";
  return said("Gp", "Gd padded by (k−1)·dil = " + plural((g.kh - 1) * g.dil_h, "row") + " and " +
                        plural((g.kw - 1) * g.dil_w, "column") +
                        " on each side: " + dims(g.gp_h(), g.gp_w()));
}

Equation rotate_kernel(const Model& m, std::string* note) {
  *note = "Wr is W rotated: the kernel turns through 180° about its centre.";
  if (m.geo.c == 1 && m.geo.cout == 1) return said("Wr", "rot180(W)");
  return said("Wr[c,o]", "rot180(W[o,c]) within each group");
}

Equation zero_uncovered(const Model& m, std::string* note) {
  *note =
      "No window reaches these inputs, because the stride does not divide the rest: their "
      "gradient is 0 and they do not learn.";
  return said(
      "dXp rows ≥ " + std::to_string(m.reach_h) + " and columns ≥ " + std::to_string(m.reach_w),
      "0");
}

Equation crop(const Model& m, std::string* note) {
  const Geometry& g = m.geo;
  *note = m.discarded_cells == 0
              ? "There is no padding, so nothing is discarded: dX = dXp."
              : "The gradients that landed on the padding are discarded: " +
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
    case Stage::None:
      break;
  }
  return {};
}

}  // namespace convstep
