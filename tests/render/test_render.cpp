// Real pixels from a real GL context (EGL surfaceless, Mesa llvmpipe): what a user would see.
//
// Each scene is painted through Dear ImGui by SceneRenderer exactly as the stage paints it, then
// read back top-down. Colours are compared with core/colormap, the reference for GL, SVG and
// tests alike. No display is needed, and nothing is written to the working directory.
#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "app/gl/egl_context.h"
#include "app/gl/font_set.h"
#include "app/gl/glyphs.h"
#include "app/gl/scene_painter.h"
#include "app/gl/scene_renderer.h"
#include "app/gl/shader_program.h"
#include "core/colormap.h"
#include "core/stage.h"
#include "tests/temp_dir.h"

namespace convstep {
namespace {

constexpr int kTolerance = 3;  // per channel, out of 255

struct Pixel {
  int r, g, b, a;
};

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // top-down
  Pixel at(float x, float y) const {
    const int ix = static_cast<int>(x), iy = static_cast<int>(y);
    const std::uint8_t* p = &rgba[(static_cast<std::size_t>(iy) * width + ix) * 4];
    return {p[0], p[1], p[2], p[3]};
  }
};

Pixel to_pixel(Color c) {
  auto q = [](float v) { return static_cast<int>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255)); };
  return {q(c.r), q(c.g), q(c.b), q(c.a)};
}

int max_difference(Pixel a, Pixel b) {
  return std::max({std::abs(a.r - b.r), std::abs(a.g - b.g), std::abs(a.b - b.b)});
}

::testing::AssertionResult same_colour(Pixel got, Color want_color, int tol = kTolerance) {
  const Pixel want = to_pixel(want_color);
  const int d = max_difference(got, want);
  if (d <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "pixel (" << got.r << ", " << got.g << ", " << got.b << ") differs from (" << want.r
         << ", " << want.g << ", " << want.b << ") by " << d << "/255 (tolerance " << tol << ")";
}

// One GL context and renderer per test program (gtest_discover_tests runs each test in its own
// process, so this is set up once per test).
class Render : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gl_ = std::make_unique<EglContext>();
    renderer_ = std::make_unique<SceneRenderer>();
  }
  static void TearDownTestSuite() {
    renderer_.reset();
    gl_.reset();
  }
  static Image render(const Scene& scene, int width, int height) {
    return Image{width, height, renderer_->render(scene, width, height)};
  }
  static std::unique_ptr<EglContext> gl_;
  static std::unique_ptr<SceneRenderer> renderer_;
};
std::unique_ptr<EglContext> Render::gl_;
std::unique_ptr<SceneRenderer> Render::renderer_;

// A rows × cols grid of square cells at (x, y), with shade(r, c) and style(r, c).
template <class ShadeFn, class StyleFn>
SceneGrid grid(Grid which, int rows, int cols, float x, float y, float cell, ShadeFn shade,
               StyleFn style) {
  SceneGrid g;
  g.grid = which;
  g.rows = rows, g.cols = cols, g.cell_size = cell;
  g.bounds = {x, y, cell * static_cast<float>(cols), cell * static_cast<float>(rows)};
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      SceneCell cell_;
      cell_.rect = {x + cell * static_cast<float>(c), y + cell * static_cast<float>(r), cell, cell};
      cell_.shade = shade(r, c);
      cell_.value = cell_.shade;
      cell_.style = style(r, c);
      cell_.row = r, cell_.col = c;
      g.cells.push_back(cell_);
    }
  return g;
}

auto all_data = [](int, int) { return CellStyle::Data; };

Scene blank_scene(float w, float h) {
  Scene s;
  s.width = w, s.height = h;
  s.background = rgb(0xFFFFFF);
  return s;
}

// The centre of cell (r, c) of a grid at (x, y), in pixels at scale 1.
float centre(float origin, int index, float cell) {
  return origin + cell * (index + 0.5f);
}

TEST_F(Render, DataCellsShowTheReferenceColormap) {
  // 21 shades from −1 to +1, in cells big enough that the centre is far from the borders. One
  // cell also carries a number: its colour is checked away from the text.
  Scene scene = blank_scene(21 * 30 + 20, 60);
  scene.grids.push_back(grid(
      Grid::Z, 1, 21, 10, 10, 30, [](int, int c) { return -1.0f + 0.1f * static_cast<float>(c); },
      all_data));
  scene.grids[0].cells[3].text = "−0.7";
  scene.grids[0].cells[3].text_color = text_color_on(diverging_color(-0.7f));
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
  int worst = 0;
  for (int c = 0; c < 21; ++c) {
    const float shade = -1.0f + 0.1f * static_cast<float>(c);
    const float y = c == 3 ? 10 + 5.5f : centre(10, 0, 30);  // above the text
    const Pixel got = img.at(centre(10, c, 30), y);
    worst = std::max(worst, max_difference(got, to_pixel(diverging_color(shade))));
    EXPECT_TRUE(same_colour(got, diverging_color(shade))) << "shade " << shade;
  }
  std::printf("largest GL vs C++ colormap difference: %d/255\n", worst);
}

TEST_F(Render, PaddingAndOtherStylesLookDifferentFromAZeroDataCell) {
  // Five cells, all of value 0: Data, Padding, InsertedZero, Pending, Discarded.
  Scene scene = blank_scene(5 * 60 + 20, 80);
  scene.grids.push_back(grid(
      Grid::Xp, 1, 5, 10, 10, 60, [](int, int) { return 0.0f; },
      [](int, int c) { return static_cast<CellStyle>(c); }));
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));

  // Mean colour and how much it varies (hatching, dots) over a cell's inside, 4 px in.
  struct Stats {
    double r = 0, g = 0, b = 0, spread = 0;
  };
  auto stats = [&](int c) {
    Stats s;
    std::vector<double> lum;
    for (int y = 14; y < 66; ++y)
      for (int x = 14 + 60 * c; x < 66 + 60 * c; ++x) {
        const Pixel p = img.at(static_cast<float>(x), static_cast<float>(y));
        s.r += p.r, s.g += p.g, s.b += p.b;
        lum.push_back(0.2126 * p.r + 0.7152 * p.g + 0.0722 * p.b);
      }
    const double n = static_cast<double>(lum.size());
    s.r /= n, s.g /= n, s.b /= n;
    double mean = 0;
    for (double l : lum) mean += l / n;
    for (double l : lum) s.spread += (l - mean) * (l - mean) / n;
    s.spread = std::sqrt(s.spread);
    return s;
  };
  const Stats data = stats(0), padding = stats(1), inserted = stats(2), pending = stats(3),
              discarded = stats(4);
  auto distance = [](const Stats& a, const Stats& b) {
    return std::abs(a.r - b.r) + std::abs(a.g - b.g) + std::abs(a.b - b.b);
  };
  std::printf(
      "mean-colour distance from a zero data cell: padding %.0f, inserted %.0f, "
      "discarded %.0f; spread: data %.1f, padding %.1f, inserted %.1f, discarded %.1f\n",
      distance(padding, data), distance(inserted, data), distance(discarded, data), data.spread,
      padding.spread, inserted.spread, discarded.spread);
  EXPECT_LT(data.spread, 1.0) << "a data cell is one flat colour";
  EXPECT_GT(distance(padding, data), 60) << "padding is dimmed";
  EXPECT_GT(padding.spread, 8.0) << "padding is hatched";
  EXPECT_GT(inserted.spread, 8.0) << "an inserted zero has a dotted outline";
  EXPECT_GT(discarded.spread, 8.0) << "a discarded cell is cross-hatched";
  // Pending is blank: the background at its centre.
  EXPECT_TRUE(same_colour(img.at(centre(10, 3, 60), centre(10, 0, 60)), scene.background));
  EXPECT_LT(pending.spread, 1.0);
}

// The colour most pixels of a cell's inside have: its fill between hatch lines and dots.
Pixel most_common(const Image& img, int x0, int y0, int w, int h) {
  std::map<std::tuple<int, int, int>, int> counts;
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x) {
      const Pixel p = img.at(static_cast<float>(x), static_cast<float>(y));
      ++counts[{p.r, p.g, p.b}];
    }
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it)
    if (it->second > best->second) best = it;
  return {std::get<0>(best->first), std::get<1>(best->first), std::get<2>(best->first), 255};
}

TEST_F(Render, StyleFillsMatchCellFillOnLightAndDarkThemes) {
  // What SVG export and text contrast assume (cell_fill) is what the shader paints.
  for (const Color background : {rgb(0xFFFFFF), rgb(0x1E2026)}) {
    Scene scene = blank_scene(5 * 60 + 20, 80);
    scene.background = background;
    scene.grids.push_back(grid(
        Grid::Xp, 1, 5, 10, 10, 60, [](int, int c) { return 0.5f * (c - 2); },
        [](int, int c) { return static_cast<CellStyle>(c); }));
    const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
    for (int c = 0; c < 5; ++c) {
      const Color want = cell_fill(0.5f * (c - 2), static_cast<CellStyle>(c), background);
      EXPECT_TRUE(same_colour(most_common(img, 14 + 60 * c, 14, 52, 52), want))
          << "style " << c << " on background luminance " << relative_luminance(background);
    }
  }
}

TEST_F(Render, UncoveredCellsCarryANoGradientMark) {
  Scene scene = blank_scene(2 * 60 + 20, 80);
  scene.grids.push_back(grid(
      Grid::dX, 1, 2, 10, 10, 60, [](int, int) { return 0.0f; }, all_data));
  scene.grids[0].cells[1].uncovered = true;
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
  auto darkest_in_top_right = [&](int c) {
    int darkest = 255;
    for (int y = 12; y < 30; ++y)
      for (int x = 10 + 60 * c + 40; x < 10 + 60 * c + 58; ++x) {
        const Pixel p = img.at(static_cast<float>(x), static_cast<float>(y));
        darkest = std::min(darkest, (p.r + p.g + p.b) / 3);
      }
    return darkest;
  };
  EXPECT_GT(darkest_in_top_right(0), 200) << "a covered cell has no mark";
  EXPECT_LT(darkest_in_top_right(1), 120) << "an uncovered cell has a dark mark in its corner";
}

TEST_F(Render, LargeGridShowsEveryCellsColourAndItsPaddingHatched) {
  // A 128×128 grid of 6 px cells (the size of a 128×128 lesson's input on the stage): the top 8
  // rows are padding, the rest data with a shade that varies from cell to cell.
  const int n = 128;
  const float cell = 6, origin = 10;
  auto shade = [](int r, int c) { return std::sin(0.37f * r + 0.91f * c); };
  auto style = [](int r, int) { return r < 8 ? CellStyle::Padding : CellStyle::Data; };
  Scene scene = blank_scene(n * cell + 2 * origin, n * cell + 2 * origin);
  scene.grids.push_back(grid(Grid::Xp, n, n, origin, origin, cell, shade, style));
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
  const int probes[][2] = {{8, 0},   {8, 127},  {20, 3},  {64, 64},  {65, 64},
                           {64, 65}, {100, 17}, {127, 0}, {127, 127}};
  for (const auto& [r, c] : probes)
    EXPECT_TRUE(same_colour(img.at(centre(origin, c, cell), centre(origin, r, cell)),
                            diverging_color(shade(r, c))))
        << "cell " << r << "," << c;
  // The padding rows: dimmed toward grey and hatched, unlike the data below them.
  double sum = 0, sum2 = 0, count = 0;
  for (int y = static_cast<int>(origin) + 2; y < static_cast<int>(origin + 8 * cell) - 2; ++y)
    for (int x = 200; x < 400; ++x) {
      const Pixel p = img.at(static_cast<float>(x), static_cast<float>(y));
      const double l = 0.2126 * p.r + 0.7152 * p.g + 0.0722 * p.b;
      sum += l, sum2 += l * l, ++count;
    }
  const double mean = sum / count, spread = std::sqrt(std::max(0.0, sum2 / count - mean * mean));
  std::printf("padding rows of a 128×128 grid: mean luminance %.0f, spread %.1f\n", mean, spread);
  EXPECT_GT(spread, 8.0) << "padding is hatched";
  // Between the hatch lines, each padding cell shows its own dimmed fill (cell_fill).
  int dimmed = 0;
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < n; ++c)
      dimmed += same_colour(img.at(centre(origin, c, cell), centre(origin, r, cell)),
                            cell_fill(shade(r, c), CellStyle::Padding, scene.background));
  EXPECT_GT(dimmed, 8 * n / 2) << "padding cells whose centre shows their dimmed fill";
}

TEST_F(Render, ACellThatGrowsInIsDrawnBetweenItsNeighbours) {
  // Mid-animation, one cell is scaled to half its size about its centre (off the grid's
  // lattice); its neighbours stay put.
  Scene scene = blank_scene(3 * 60 + 20, 80);
  scene.grids.push_back(grid(
      Grid::Xp, 1, 3, 10, 10, 60, [](int, int c) { return c == 1 ? 1.0f : -1.0f; }, all_data));
  SceneCell& middle = scene.grids[0].cells[1];
  middle.rect = {middle.rect.x + 15, middle.rect.y + 15, 30, 30};
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
  EXPECT_TRUE(same_colour(img.at(centre(10, 1, 60), centre(10, 0, 60)), diverging_color(1)));
  EXPECT_TRUE(same_colour(img.at(75, 15), scene.background)) << "the shrunk cell's corner";
  EXPECT_TRUE(same_colour(img.at(centre(10, 0, 60), centre(10, 0, 60)), diverging_color(-1)));
  EXPECT_TRUE(same_colour(img.at(centre(10, 2, 60), centre(10, 0, 60)), diverging_color(-1)));
}

TEST_F(Render, AnOverviewsCellsEachShowTheirBlockOfTheGrid) {
  // The overview of a large grid (core/stage.cpp) has one scene cell per step × step block of
  // the grid's cells, the last row and column of blocks shorter. The painter draws the blocks as
  // a lattice of their own (and the short ones as single quads): each shows its own colour.
  const int n = 10, step = 3;
  const float cell = 8, origin = 10;
  Scene scene = blank_scene(n * cell + 2 * origin, n * cell + 2 * origin);
  SceneGrid g;
  g.grid = Grid::Xp, g.copy = GridCopy::Overview;
  g.rows = g.cols = n, g.cell_size = cell;
  g.bounds = {origin, origin, n * cell, n * cell};
  for (int r = 0; r < n; r += step)
    for (int c = 0; c < n; c += step) {
      SceneCell x;
      x.row = r, x.col = c;
      x.rect = {origin + c * cell, origin + r * cell, std::min(step, n - c) * cell,
                std::min(step, n - r) * cell};
      x.shade = static_cast<float>((r * 7 + c * 5) % 9) / 4.0f - 1.0f;  // −1 … +1, mixed
      g.cells.push_back(x);
    }
  scene.grids.push_back(g);
  const int size = static_cast<int>(scene.width);
  const Image img = render(scene, size, size);
  for (const SceneCell& x : scene.grids[0].cells)
    EXPECT_TRUE(same_colour(img.at(x.rect.x + x.rect.w / 2, x.rect.y + x.rect.h / 2),
                            diverging_color(x.shade)))
        << "the block at row " << x.row << ", column " << x.col;
}

TEST_F(Render, AChangedValueShowsOnTheNextRender) {
  // The painter keeps each grid's shades on the GPU between frames: a step that changes one
  // cell, or a grid of another shape, must still show the new colours.
  Scene scene = blank_scene(3 * 40 + 20, 3 * 40 + 20);
  scene.grids.push_back(grid(
      Grid::Z, 3, 3, 10, 10, 40, [](int, int) { return 0.0f; }, all_data));
  const int size = static_cast<int>(scene.width);
  EXPECT_TRUE(same_colour(render(scene, size, size).at(centre(10, 1, 40), centre(10, 1, 40)),
                          diverging_color(0)));
  scene.grids[0].cells[4].shade = 1;
  EXPECT_TRUE(same_colour(render(scene, size, size).at(centre(10, 1, 40), centre(10, 1, 40)),
                          diverging_color(1)))
      << "the changed cell";
  // 2×3, then 3×2 with the same shades in the same order: every cell where it belongs.
  auto six = [](int r, int c, int cols) { return -1.0f + 0.4f * static_cast<float>(r * cols + c); };
  for (const auto& [rows, cols] : {std::pair{2, 3}, std::pair{3, 2}}) {
    Scene s = blank_scene(3 * 40 + 20, 3 * 40 + 20);
    s.grids.push_back(grid(
        Grid::Z, rows, cols, 10, 10, 40, [&, cols = cols](int r, int c) { return six(r, c, cols); },
        all_data));
    const Image img = render(s, size, size);
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        EXPECT_TRUE(same_colour(img.at(centre(10, c, 40), centre(10, r, 40)),
                                diverging_color(six(r, c, cols))))
            << rows << "×" << cols << " cell " << r << "," << c;
  }
}

TEST_F(Render, FrameOutlineHasItsRoleColour) {
  Scene scene = blank_scene(3 * 50 + 40, 90);
  scene.grids.push_back(grid(
      Grid::Xp, 1, 3, 20, 20, 50, [](int, int c) { return 0.5f - 0.5f * c; }, all_data));
  SceneFrame window;
  window.rect = {70, 20, 100, 50};  // cells 1 and 2
  window.stroke = kRoleWindow;
  window.stroke_width = 6;
  window.role = FrameRole::Window;
  scene.frames.push_back(window);
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
  EXPECT_TRUE(same_colour(img.at(120, 20), kRoleWindow)) << "top edge";
  EXPECT_TRUE(same_colour(img.at(70, 45), kRoleWindow)) << "left edge";
  EXPECT_TRUE(same_colour(img.at(169, 60), kRoleWindow)) << "right edge";
  // Unfilled: the cells inside keep their colours, the cell outside has no orange.
  EXPECT_TRUE(same_colour(img.at(centre(20, 1, 50), 45), diverging_color(0)));
  EXPECT_TRUE(same_colour(img.at(centre(20, 0, 50), 45), diverging_color(0.5f)));
}

TEST_F(Render, Rotation180PutsTheFirstCellWhereTheLastWas) {
  const int rows = 3, cols = 4;
  auto shade = [](int r, int c) { return -1.0f + 2.0f * static_cast<float>(r * 4 + c) / 11.0f; };
  Scene scene = blank_scene(cols * 50 + 40, rows * 50 + 40);
  scene.grids.push_back(grid(Grid::Wr, rows, cols, 20, 20, 50, shade, all_data));
  scene.grids[0].rotation_deg = 180;
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      // Cell (r, c) now shows at (rows−1−r, cols−1−c).
      const Pixel got = img.at(centre(20, cols - 1 - c, 50), centre(20, rows - 1 - r, 50));
      EXPECT_TRUE(same_colour(got, diverging_color(shade(r, c)))) << "cell " << r << "," << c;
    }
}

TEST_F(Render, Rotation90TurnsClockwiseWithTheText) {
  Scene scene = blank_scene(3 * 50 + 40, 3 * 50 + 40);
  scene.grids.push_back(grid(
      Grid::W, 3, 3, 20, 20, 50, [](int r, int c) { return r == 0 && c == 0 ? 1.0f : 0.0f; },
      all_data));
  scene.grids[0].rotation_deg = 90;
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
  // Clockwise on screen: the top-left cell goes to the top-right.
  EXPECT_TRUE(same_colour(img.at(centre(20, 2, 50), centre(20, 0, 50)), diverging_color(1)));
  EXPECT_TRUE(same_colour(img.at(centre(20, 0, 50), centre(20, 0, 50)), diverging_color(0)));
}

// The bounding box of pixels much darker than `fill` within a box.
struct Box {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
  bool empty() const { return x1 < 0; }
};
Box ink_box(const Image& img, int bx, int by, int bw, int bh, int threshold) {
  Box b;
  for (int y = by; y < by + bh; ++y)
    for (int x = bx; x < bx + bw; ++x) {
      const Pixel p = img.at(static_cast<float>(x), static_cast<float>(y));
      if ((p.r + p.g + p.b) / 3 < threshold) {
        b.x0 = std::min(b.x0, x), b.y0 = std::min(b.y0, y);
        b.x1 = std::max(b.x1, x), b.y1 = std::max(b.y1, y);
      }
    }
  return b;
}

TEST_F(Render, CellNumbersAreCentredAndSizedFromTheCell) {
  Scene scene = blank_scene(2 * 80 + 20, 100);
  scene.grids.push_back(grid(
      Grid::Z, 1, 2, 10, 10, 80, [](int, int) { return 0.0f; }, all_data));
  for (SceneCell& c : scene.grids[0].cells) c.text_color = kInkDark;
  scene.grids[0].cells[0].text = "8";
  scene.grids[0].cells[1].text = "−12.5";
  const Image img = render(scene, static_cast<int>(scene.width), static_cast<int>(scene.height));
  // Inside the cell's borders (4 px in), pixels darker than mid-grey are the number.
  const Box eight = ink_box(img, 14, 14, 72, 72, 128);
  ASSERT_FALSE(eight.empty()) << "the number 8 was not drawn";
  const float cx = 0.5f * (eight.x0 + eight.x1 + 1), cy = 0.5f * (eight.y0 + eight.y1 + 1);
  EXPECT_NEAR(cx, 50, 1.5) << "horizontal centre of the 8";
  EXPECT_NEAR(cy, 50, 1.5) << "vertical centre of the 8";
  // Digits of a font sized kTextPerCell × 80 px = 40 px, drawn at the nearest baked size, 44 px
  // (DejaVu: digit height ≈ 0.63 of the size).
  static_assert(kTextPerCell * 80 == 40);
  std::printf("height of the digit 8 in an 80 px cell: %d px\n", eight.y1 - eight.y0 + 1);
  EXPECT_NEAR(eight.y1 - eight.y0 + 1, 0.63 * 44, 2) << "digit height";
  // A long number is shrunk to fit inside its cell.
  const Box long_number = ink_box(img, 94, 14, 72, 72, 128);
  ASSERT_FALSE(long_number.empty());
  EXPECT_GE(long_number.x0, 90 + 4);
  EXPECT_LE(long_number.x1, 170 - 4);
  EXPECT_NEAR(0.5f * (long_number.x0 + long_number.x1 + 1), 130, 1.5);
}

TEST_F(Render, SceneIsFittedUniformlyAndCentred) {
  // A 400×300 layout in an 800×400 image: scale 4/3, 133 px bars left and right.
  Scene scene = blank_scene(400, 300);
  scene.background = rgb(0x202020);
  scene.grids.push_back(grid(
      Grid::X, 2, 2, 0, 0, 150, [](int r, int c) { return r == c ? 1.0f : -1.0f; }, all_data));
  const Image img = render(scene, 800, 400);
  const float scale = 400.0f / 300.0f, left = 0.5f * (800 - 400 * scale);
  EXPECT_TRUE(same_colour(img.at(left + 75 * scale, 75 * scale), diverging_color(1)));
  EXPECT_TRUE(same_colour(img.at(left + 225 * scale, 75 * scale), diverging_color(-1)));
  EXPECT_TRUE(same_colour(img.at(left + 225 * scale, 225 * scale), diverging_color(1)));
  EXPECT_TRUE(same_colour(img.at(left - 10, 200), scene.background)) << "the bar is background";
  EXPECT_TRUE(same_colour(img.at(left + 350 * scale, 200), scene.background));
}

TEST_F(Render, OpacityFadesAGridOverTheBackground) {
  Scene scene = blank_scene(100, 100);
  scene.grids.push_back(grid(
      Grid::W, 1, 1, 20, 20, 60, [](int, int) { return 1.0f; }, all_data));
  scene.grids[0].opacity = 0.5f;
  const Image img = render(scene, 100, 100);
  EXPECT_TRUE(same_colour(img.at(50, 50), mix(scene.background, diverging_color(1), 0.5f)));
}

TEST_F(Render, LinesAndArrowsUseTheirColour) {
  Scene scene = blank_scene(200, 100);
  SceneLine link;
  link.x0 = 20, link.y0 = 50, link.x1 = 180, link.y1 = 50;
  link.color = kRoleTerm;
  link.width = 4;
  link.arrow = true;
  scene.lines.push_back(link);
  const Image img = render(scene, 200, 100);
  EXPECT_TRUE(same_colour(img.at(100, 50), kRoleTerm)) << "the shaft";
  EXPECT_TRUE(same_colour(img.at(174, 50), kRoleTerm)) << "the head";
  EXPECT_TRUE(same_colour(img.at(167, 45), kRoleTerm)) << "the head is wider than the shaft";
  EXPECT_TRUE(same_colour(img.at(100, 44), scene.background));
}

TEST_F(Render, LeavesNoImGuiContextAndWritesNoFiles) {
  Scene scene = blank_scene(50, 50);
  EXPECT_EQ(ImGui::GetCurrentContext(), nullptr);
  render(scene, 50, 50);
  EXPECT_EQ(ImGui::GetCurrentContext(), nullptr) << "the caller's (absent) context is restored";
  EXPECT_FALSE(std::filesystem::exists("imgui.ini"));
}

// A scratch folder under the system's temporary directory, removed afterwards.

TEST_F(Render, ShaderCompileErrorsNameTheFileAndLine) {
  TempDir dir;
  std::filesystem::copy_file(std::string(CONVSTEP_SHADER_DIR) + "/grid.vert",
                             dir.path / "grid.vert");
  std::ofstream(dir.path / "grid.frag") << "// a comment\nout vec4 c;\n"
                                        << "void main() { c = vec4(undeclared); }\n";
  ImFontAtlas atlas;
  FontSet fonts(&atlas);
  try {
    ScenePainter painter(fonts, dir.path.string());
    FAIL() << "no error for a broken fragment shader";
  } catch (const ShaderError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find((dir.path / "grid.frag").string() + " (CELL_STYLE 0)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("undeclared"), std::string::npos) << message;
    EXPECT_NE(message.find(":3("), std::string::npos) << "the file's own line, 3: " << message;
  }
}

TEST(Fonts, AMissingFontNamesEveryPathTried) {
  try {
    FontSet::find_font_file("DejaVuSans.ttf", {"/nonexistent/a", "/nonexistent/b"});
    FAIL() << "no error";
  } catch (const FontError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("/nonexistent/a/DejaVuSans.ttf"), std::string::npos) << message;
    EXPECT_NE(message.find("/nonexistent/b/DejaVuSans.ttf"), std::string::npos) << message;
  }
}

TEST(Fonts, NearestSnapsToABakedSize) {
  ImFontAtlas atlas;
  FontSet fonts(&atlas);
  EXPECT_EQ(fonts.nearest(Font::Mono, 19).size, 20);
  EXPECT_EQ(fonts.nearest(Font::Sans, 33.5f).size, 36);
  EXPECT_EQ(fonts.nearest(Font::Sans, 120).size, 120) << "beyond the ladder: scaled, exact size";
  EXPECT_EQ(fonts.at_most(Font::Mono, 29).size, 24);
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  atlas.GetTexDataAsAlpha8(&pixels, &w, &h);
  // Every character the program writes (app/gl/glyphs.h) is baked, in every face: the font
  // files have them all.
  for (Font face : {Font::Sans, Font::SansBold, Font::Mono}) {
    const ImFont* font = fonts.nearest(face, 20).font;
    for (const unsigned short* r = kGlyphRanges; r[0] != 0; r += 2)
      for (unsigned c = r[0]; c <= r[1]; ++c)
        if (c != 0x7F && (c < 0x80 || c >= 0xA0)) {  // control characters have no glyph
          EXPECT_NE(font->FindGlyphNoFallback(static_cast<ImWchar>(c)), nullptr)
              << "no glyph for U+" << std::hex << c << " in face " << static_cast<int>(face);
        }
  }
}

TEST_F(Render, ShaderErrorsNameTheFile) {
  ImFontAtlas atlas;
  FontSet fonts(&atlas);
  try {
    ScenePainter painter(fonts, "/nonexistent-shaders");
    FAIL() << "no error for a missing shader folder";
  } catch (const ShaderError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-shaders/grid.vert"), std::string::npos)
        << e.what();
  }
}

TEST(RenderPng, WritesAPngAtomically) {
  Scene scene = blank_scene(120, 80);
  scene.grids.push_back(grid(
      Grid::X, 1, 2, 10, 10, 50, [](int, int c) { return c ? 1.0f : -1.0f; }, all_data));
  TempDir dir;
  const std::string out = (dir.path / "step.png").string();
  render_scene_png(scene, 240, 160, out);
  std::ifstream in(out, std::ios::binary);
  char signature[8] = {};
  in.read(signature, 8);
  EXPECT_EQ(std::string(signature, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "step.png") << "a temporary file was left behind";
  }
  EXPECT_EQ(files, 1);
  // A folder that does not exist: an error naming the path, and nothing written.
  const std::string bad = (dir.path / "missing" / "step.png").string();
  try {
    render_scene_png(scene, 240, 160, bad);
    FAIL() << "no error for " << bad;
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
}

// A picture with a side of 0 (what a minimized window has) is refused with a plain message,
// not a GL error; the renderer goes on working at a real size afterwards.
TEST_F(Render, ASizeOfZeroIsRefused) {
  const Scene scene = blank_scene(120, 80);
  for (const auto& [w, h] : {std::pair{0, 0}, std::pair{0, 80}, std::pair{120, 0}}) {
    try {
      renderer_->render(scene, w, h);
      ADD_FAILURE() << "no error for " << w << "×" << h;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(w) + "×" + std::to_string(h)),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(render(scene, 12, 8).rgba.size(), 12u * 8 * 4);
}

TEST(RenderPng, ASizeOfZeroWritesNothing) {
  const Scene scene = blank_scene(120, 80);
  TempDir dir;
  const std::string out = (dir.path / "zero.png").string();
  for (const auto& [w, h] : {std::pair{0, 0}, std::pair{0, 80}, std::pair{120, 0}}) {
    EXPECT_THROW(render_scene_png(scene, w, h, out), std::invalid_argument) << w << "×" << h;
    EXPECT_TRUE(std::filesystem::is_empty(dir.path));
  }
}

}  // namespace
}  // namespace convstep
