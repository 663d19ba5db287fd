// The one table of phase, granularity, theme and pitfall names (core/names) that the command line,
// scripts and the app's menus are built from.
#include <gtest/gtest.h>

#include "core/names.h"
#include "core/stage.h"
#include "core/timeline.h"

namespace convstep {
namespace {

// Every name reads back as the value at its place in the list of all values.
TEST(Names, EveryNameParsesBackToItsValue) {
  const auto phases = phase_names();
  ASSERT_EQ(phases.size(), std::size(kAllPhases));
  for (std::size_t i = 0; i < phases.size(); ++i) EXPECT_EQ(parse_phase(phases[i]), kAllPhases[i]);

  const auto granularities = granularity_names();
  ASSERT_EQ(granularities.size(), std::size(kAllGranularities));
  for (std::size_t i = 0; i < granularities.size(); ++i)
    EXPECT_EQ(parse_granularity(granularities[i]), kAllGranularities[i]);

  const auto themes = theme_names();
  ASSERT_EQ(themes.size(), std::size(kAllThemes));
  for (std::size_t i = 0; i < themes.size(); ++i) EXPECT_EQ(parse_theme(themes[i]), kAllThemes[i]);
}

// Scripts name cells by their grid ("hover dXp[1][2]"): every grid reads back, a case slip does
// not, and no name reads as the empty grid.
TEST(Names, EveryGridNameParsesBackToItsGrid) {
  for (int g = 0; g < static_cast<int>(Grid::None); ++g)
    EXPECT_EQ(parse_grid(grid_name(static_cast<Grid>(g))), static_cast<Grid>(g));
  EXPECT_EQ(parse_grid("dxp"), std::nullopt);
  EXPECT_EQ(parse_grid(""), std::nullopt);
}

// What the help and the messages say, word for word.
TEST(Names, SpelledOutAsTheMessagesSayThem) {
  EXPECT_EQ(spelled_out(phase_names()), "forward, loss, dw, dx_gather, dx_scatter, db or matrix");
  EXPECT_EQ(spelled_out(granularity_names()), "phase, cell or term");
  EXPECT_EQ(spelled_out(theme_names()), "dark, light or high_contrast");
  EXPECT_EQ(spelled_out(pitfall_names()),
            "convolution_convention, no_rotation, output_as_gradient, no_gradient_padding or "
            "dx_as_gradient");
  EXPECT_EQ(spelled_out({}), "");
  EXPECT_EQ(spelled_out({"a"}), "a");
  EXPECT_EQ(spelled_out({"a", "b"}), "a or b");
}

// The grid names of cell addresses ("dXp[3,4]") and of the scene read back as their grids.
TEST(Names, GridNamesParseBackToTheirGrids) {
  for (int g = 0; g < static_cast<int>(Grid::None); ++g)
    EXPECT_EQ(parse_grid(grid_name(static_cast<Grid>(g))), static_cast<Grid>(g));
  EXPECT_EQ(parse_grid("dXp"), Grid::dXp);
  EXPECT_EQ(parse_grid(""), std::nullopt);  // the name of Grid::None is not a grid
  EXPECT_EQ(parse_grid("dxp"), std::nullopt);
  EXPECT_EQ(parse_grid("Xp "), std::nullopt);
}

}  // namespace
}  // namespace convstep
