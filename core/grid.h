// grid.h — the grids of the lesson by their DESIGN.md names, shared by the timeline (which
// computes them) and the scene (which draws them) without either including the other.
//
//   grid_name(Grid::dXp)   // "dXp"
//   grid_gloss(Grid::Gd)   // "Gd: G spread out by the stride"
//   parse_grid("dXp")      // Grid::dXp; nullopt for a name that is no grid
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace convstep {

// The grids that appear on the stage, by their DESIGN.md names.
// T is the target of a lesson whose loss is the mean squared error; cols and TW are the matrix
// view's: im2col's columns, and T(W), the convolution as a matrix.
enum class Grid : std::uint8_t { X, Xp, W, Z, G, Gd, Gp, Wr, dXp, dX, dW, db, T, cols, TW, None };
const char* grid_name(Grid g);  // "Xp", "dXp", ...; "" for None
// The name with a plain gloss, for its first use and tooltips: "Gd: G spread out by the stride".
const char* grid_gloss(Grid g);                         // "" for None
std::optional<Grid> parse_grid(std::string_view name);  // never None
// The grids a text names ("Gp ⋆ Wr" names Gp and Wr), each once, in the order of Grid.
std::vector<Grid> grids_named_in(std::string_view text);

}  // namespace convstep
