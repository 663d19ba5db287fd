// The reference colours: what the GL painter, the SVG export and the tests all agree on.
#include <gtest/gtest.h>

#include <cmath>

#include "core/colormap.h"

namespace convstep {
namespace {

::testing::AssertionResult near_color(Color got, Color want, float tol = 0.5f / 255) {
  const float d = std::max({std::abs(got.r - want.r), std::abs(got.g - want.g),
                            std::abs(got.b - want.b), std::abs(got.a - want.a)});
  if (d <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "got (" << got.r * 255 << ", " << got.g * 255 << ", " << got.b * 255 << ", " << got.a
         << "), want (" << want.r * 255 << ", " << want.g * 255 << ", " << want.b * 255 << ", "
         << want.a << "): max difference " << d * 255 << "/255";
}

TEST(Colormap, EndsAndCentreAreColorBrewerRdBu) {
  EXPECT_TRUE(near_color(diverging_color(-1), rgb(0x2166AC)));  // blue
  EXPECT_TRUE(near_color(diverging_color(0), rgb(0xF7F7F7)));   // near-white grey
  EXPECT_TRUE(near_color(diverging_color(1), rgb(0xB2182B)));   // red
  for (std::size_t i = 0; i < kDivergingStops.size(); ++i)
    EXPECT_TRUE(
        near_color(diverging_color(-1.0f + 0.25f * static_cast<float>(i)), rgb(kDivergingStops[i])))
        << "stop " << i;
}

TEST(Colormap, NegativeIsBluePositiveIsRedAndOutOfRangeClamps) {
  for (float s = 0.05f; s <= 1.0f; s += 0.05f) {
    const Color neg = diverging_color(-s), pos = diverging_color(s);
    EXPECT_GT(neg.b, neg.r) << "shade " << -s;
    EXPECT_GT(pos.r, pos.b) << "shade " << s;
  }
  EXPECT_EQ(diverging_color(-7), diverging_color(-1));
  EXPECT_EQ(diverging_color(3), diverging_color(1));
  EXPECT_EQ(diverging_color(std::nanf("")), diverging_color(0));
}

TEST(Colormap, InterpolatesSmoothlyBetweenStops) {
  // No jump anywhere: neighbouring shades 0.001 apart differ by less than 1/255.
  Color prev = diverging_color(-1);
  float worst = 0;
  for (int i = 1; i <= 2000; ++i) {
    const Color c = diverging_color(-1.0f + 0.001f * static_cast<float>(i));
    worst =
        std::max({worst, std::abs(c.r - prev.r), std::abs(c.g - prev.g), std::abs(c.b - prev.b)});
    prev = c;
  }
  EXPECT_LT(worst, 1.0f / 255) << "largest step between shades 0.001 apart: " << worst * 255;
}

TEST(Colormap, WcagLuminanceAndContrast) {
  EXPECT_NEAR(relative_luminance(rgb(0xFFFFFF)), 1.0, 1e-9);
  EXPECT_NEAR(relative_luminance(rgb(0x000000)), 0.0, 1e-9);
  EXPECT_NEAR(contrast_ratio(rgb(0xFFFFFF), rgb(0x000000)), 21.0, 1e-9);
  EXPECT_NEAR(contrast_ratio(rgb(0x777777), rgb(0xFFFFFF)), 4.48, 0.01);  // the classic near-miss
}

TEST(Colormap, TextOnEveryShadeAndStyleReachesWcagAA) {
  double worst = 100;
  for (const Color bg : {rgb(0xFFFFFF), rgb(0x1E1E1E), rgb(0x000000)})
    for (int i = 0; i <= 400; ++i) {
      const float shade = -1.0f + 0.005f * static_cast<float>(i);
      for (CellStyle style : {CellStyle::Data, CellStyle::Padding, CellStyle::InsertedZero,
                              CellStyle::Pending, CellStyle::Discarded}) {
        const Color fill = cell_fill(shade, style, bg);
        worst = std::min(worst, contrast_ratio(text_color_on(fill), fill));
      }
    }
  EXPECT_GE(worst, 4.5) << "lowest text contrast over all shades and styles: " << worst;
  // Any grey at all, too.
  for (int v = 0; v < 256; ++v) {
    const Color fill{v / 255.0f, v / 255.0f, v / 255.0f, 1};
    EXPECT_GE(contrast_ratio(text_color_on(fill), fill), 4.5) << "grey " << v;
  }
  EXPECT_EQ(text_color_on(rgb(0x2166AC)), kInkLight);  // white on the darkest blue
  EXPECT_EQ(text_color_on(rgb(0xF7F7F7)), kInkDark);   // near-black on zero
}

TEST(Colormap, OkabeItoRolesAndHexColor) {
  EXPECT_EQ(hex_color(0xE69F00), kRoleWindow);
  EXPECT_EQ(hex_color(0x009E73), kRoleTarget);
  EXPECT_EQ(hex_color(0xCC79A7), kRoleTerm);
  EXPECT_EQ(hex_color(0x56B4E9), kRoleSource);
  EXPECT_EQ(hex_color(0xD55E00), kRoleDiff);
  EXPECT_EQ(role_color(FrameRole::Window), kRoleWindow);
  EXPECT_EQ(role_color(LineRole::Link), kRoleTerm);
  EXPECT_FLOAT_EQ(hex_color(0xFFFFFF, 0.25f).a, 0.25f);
  EXPECT_FLOAT_EQ(hex_color(0x80FF00).r, 128 / 255.0f);
}

TEST(Colormap, StylesAreDistinctFromDataZero) {
  const Color bg = rgb(0xFFFFFF);
  const Color zero = cell_fill(0, CellStyle::Data, bg);
  auto distance = [](Color a, Color b) {
    return std::abs(a.r - b.r) + std::abs(a.g - b.g) + std::abs(a.b - b.b);
  };
  EXPECT_GT(distance(cell_fill(0, CellStyle::Padding, bg), zero), 0.2f);                  // dimmed
  EXPECT_EQ(cell_fill(0.3f, CellStyle::Pending, bg), bg);                                 // blank
  EXPECT_GT(distance(cell_fill(1, CellStyle::Discarded, bg), diverging_color(1)), 0.3f);  // faded
}

TEST(SceneLookup, GridByName) {
  Scene scene;
  scene.grids.resize(2);
  scene.grids[0].grid = Grid::Xp;
  scene.grids[1].grid = Grid::W;
  ASSERT_NE(scene.grid(Grid::W), nullptr);
  EXPECT_EQ(scene.grid(Grid::W), &scene.grids[1]);
  EXPECT_EQ(scene.grid(Grid::dX), nullptr);
}

}  // namespace
}  // namespace convstep
