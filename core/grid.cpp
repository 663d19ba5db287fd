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

}  // namespace convstep
