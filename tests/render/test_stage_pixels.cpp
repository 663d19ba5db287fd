// The app's own stage, drawn through EGL: the seed lesson's dX phase. The pixels at the
// window's frame and the colour of known cells must be what the scene says they are.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "app/gl/egl_context.h"
#include "app/gl/scene_renderer.h"
#include "core/colormap.h"
#include "core/stage.h"

namespace convstep {
namespace {

struct Rgb {
  int r, g, b;
};

Rgb pixel(const std::vector<std::uint8_t>& rgba, int width, float x, float y) {
  const std::size_t at = (static_cast<std::size_t>(y) * width + static_cast<std::size_t>(x)) * 4;
  return {rgba[at], rgba[at + 1], rgba[at + 2]};
}

::testing::AssertionResult close_to(Rgb got, Color want, int tolerance = 4) {
  auto q = [](float v) { return static_cast<int>(std::lround(v * 255)); };
  const int d = std::max(
      {std::abs(got.r - q(want.r)), std::abs(got.g - q(want.g)), std::abs(got.b - q(want.b))});
  if (d <= tolerance) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "pixel (" << got.r << "," << got.g << "," << got.b << ") is " << d << "/255 away from ("
         << q(want.r) << "," << q(want.g) << "," << q(want.b) << ")";
}

TEST(StagePixels, SeedLessonGatherPhase) {
  EglContext gl;
  SceneRenderer renderer;
  const Timeline tl(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json"));
  // The 7th term of dX[2,3]: the window of Wr on Gp at (2,3).
  const Frame f = tl.frame(Phase::DxGather, Granularity::Term, 4 + 13 * 9 + 6);
  const Scene scene = build_stage(tl, f, f, 1, {});  // 1600×900 layout: one unit, one pixel
  const std::vector<std::uint8_t> rgba = renderer.render(scene, 1600, 900);

  // The window's frame: orange along its top edge, away from the corners.
  const SceneFrame* window = nullptr;
  for (const SceneFrame& fr : scene.frames)
    if (fr.role == FrameRole::Window) window = &fr;
  ASSERT_NE(window, nullptr);
  for (float u : {0.3f, 0.5f, 0.7f})
    EXPECT_TRUE(close_to(pixel(rgba, 1600, window->rect.x + u * window->rect.w, window->rect.y),
                         kRoleWindow))
        << "window frame at " << u;

  // A known cell, outside the window and away from its number: Gp[5,2] = 1, the largest
  // value of Gp, so the reddest end of the colormap.
  const SceneGrid* gp = scene.grid(Grid::Gp);
  ASSERT_NE(gp, nullptr);
  const SceneCell& one = gp->cells[5 * gp->cols + 2];
  ASSERT_EQ(one.value, 1);
  const Rgb inside =
      pixel(rgba, 1600, one.rect.x + one.rect.w * 0.15f, one.rect.y + one.rect.h * 0.2f);
  EXPECT_TRUE(close_to(inside, diverging_color(1.0f)));
  EXPECT_TRUE(close_to(inside, rgb(0xB2182B)));  // ColorBrewer RdBu's red end, from its table

  // dXp[1,3] = −3 of a grid whose largest magnitude is 4: shade −0.75, blue.
  const SceneGrid* dxp = scene.grid(Grid::dXp);
  ASSERT_NE(dxp, nullptr);
  const SceneCell& minus3 = dxp->cells[1 * dxp->cols + 3];
  ASSERT_EQ(minus3.value, -3);
  const Rgb blue = pixel(rgba, 1600, minus3.rect.x + minus3.rect.w * 0.15f,
                         minus3.rect.y + minus3.rect.h * 0.2f);
  EXPECT_TRUE(close_to(blue, diverging_color(-0.75f)));
  EXPECT_GT(blue.b, blue.r + 60);

  // The target cell's frame is bluish green.
  int targets = 0;
  for (const SceneFrame& fr : scene.frames) {
    if (fr.role != FrameRole::Target) continue;
    ++targets;
    EXPECT_TRUE(close_to(pixel(rgba, 1600, fr.rect.x + fr.rect.w / 2, fr.rect.y + fr.rect.h - 1),
                         kRoleTarget));
  }
  EXPECT_EQ(targets, 1);
}

}  // namespace
}  // namespace convstep
