#include "core/grid.h"

#include <array>

namespace convstep {

namespace {
constexpr std::array<const char*, 13> kGridNames = {"X",  "Xp",  "W",  "Z",  "G",  "Gd", "Gp",
                                                    "Wr", "dXp", "dX", "dW", "db", ""};
}  // namespace

const char* grid_name(Grid g) {
  return kGridNames[static_cast<int>(g)];
}

std::optional<Grid> parse_grid(std::string_view name) {
  for (int g = 0; g < static_cast<int>(Grid::None); ++g)
    if (name == kGridNames[g]) return static_cast<Grid>(g);
  return std::nullopt;
}

}  // namespace convstep
