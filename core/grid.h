// grid.h — the grids of the lesson by their DESIGN.md names, shared by the timeline (which
// computes them) and the scene (which draws them) without either including the other.
//
//   grid_name(Grid::dXp)   // "dXp"
//   parse_grid("dXp")      // Grid::dXp; nullopt for a name that is no grid
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace convstep {

// The grids that appear on the stage, by their DESIGN.md names.
enum class Grid : std::uint8_t { X, Xp, W, Z, G, Gd, Gp, Wr, dXp, dX, dW, db, None };
const char* grid_name(Grid g);                          // "Xp", "dXp", ...; "" for None
std::optional<Grid> parse_grid(std::string_view name);  // never None

}  // namespace convstep
