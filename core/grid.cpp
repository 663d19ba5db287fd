#include "core/grid.h"

#include <array>
#include <cctype>

namespace convstep {

namespace {
constexpr std::array<const char*, 16> kGridNames = {
    "X", "Xp", "W", "Z", "G", "Gd", "Gp", "Wr", "dXp", "dX", "dW", "db", "T", "cols", "T(W)", ""};
constexpr std::array<const char*, 16> kGridGlosses = {
    "X: the input",
    "Xp: X with its padding of zeros",
    "W: the kernel (its weights)",
    "Z: the output",
    "G: the upstream gradient ∂L/∂Z",
    "Gd: G spread out by the stride",
    "Gp: Gd with a border of zeros, the padded gradient map",
    "Wr: W rotated by 180°",
    "dXp: the gradient of the padded input Xp",
    "dX: the gradient of the input, ∂L/∂X",
    "dW: the gradient of the kernel, ∂L/∂W",
    "db: the gradient of the bias, ∂L/∂b",
    "T: the target the output is compared with",
    "cols: the windows of Xp as columns, one column per output cell",
    "T(W): the convolution as a matrix, one row per output cell and one column per input cell",
    ""};
}  // namespace

const char* grid_gloss(Grid g) {
  return kGridGlosses[static_cast<int>(g)];
}

const char* grid_name(Grid g) {
  return kGridNames[static_cast<int>(g)];
}

std::optional<Grid> parse_grid(std::string_view name) {
  for (int g = 0; g < static_cast<int>(Grid::None); ++g)
    if (name == kGridNames[g]) return static_cast<Grid>(g);
  return std::nullopt;
}

std::vector<Grid> grids_named_in(std::string_view text) {
  std::array<bool, kGridNames.size()> named{};
  named[static_cast<int>(Grid::TW)] = text.find("T(W)") != std::string_view::npos;
  // Names are runs of ASCII letters and digits: "dXp[2,3]" and "Gp⋆" name dXp and Gp.
  for (std::size_t i = 0; i < text.size();) {
    std::size_t end = i;
    while (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end]))) ++end;
    // "T(W)" is the matrix view's T(W), not the mean squared error's target T.
    const bool of_w = text.substr(end, 3) == "(W)";
    if (const auto g = parse_grid(text.substr(i, end - i)); g && !(*g == Grid::T && of_w))
      named[static_cast<int>(*g)] = true;
    i = end + 1;
  }
  std::vector<Grid> out;
  for (int g = 0; g < static_cast<int>(Grid::None); ++g)
    if (named[g]) out.push_back(static_cast<Grid>(g));
  return out;
}

}  // namespace convstep
