// The cells related to a hovered cell: regions of each grid, checked against every term of
// small lessons written out with plain loops, and bounded on large ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "core/timeline.h"
#include "tests/core/random_lessons.h"

namespace convstep {
namespace {

using Key = std::tuple<Grid, int, int, int, int>;
Key key(const CellRef& r) {
  return {r.grid, r.n, r.c, r.h, r.w};
}

// Every cell of every region, one by one (small lessons only).
std::set<Key> cells_of(const std::vector<Window>& regions) {
  std::set<Key> out;
  for (const Window& w : regions)
    for (int i = 0; i < w.rows; ++i)
      for (int j = 0; j < w.cols; ++j)
        out.insert({w.grid, w.n, w.c, w.top + i * w.step_h, w.left + j * w.step_w});
  return out;
}

long long count_of(const std::vector<Window>& regions) {
  long long n = 0;
  for (const Window& w : regions) n += 1LL * w.rows * w.cols;
  return n;
}

bool covers(const std::vector<Window>& regions, const CellRef& r) {
  for (const Window& w : regions)
    if (w.grid == r.grid && w.n == r.n && w.c == r.c && r.h >= w.top && r.w >= w.left &&
        (r.h - w.top) % w.step_h == 0 && (r.w - w.left) % w.step_w == 0 &&
        (r.h - w.top) / w.step_h < w.rows && (r.w - w.left) / w.step_w < w.cols)
      return true;
  return false;
}

// The reference: every multiply–add names the cells it touches. A cell is related to every
// cell of every term it takes part in; an output also to its bias gradient, and db[o] to every
// output of channel o. An input cell is always related to its own places in Xp, dXp, X and dX,
// even when no window reaches it.
struct Reference {
  std::map<Key, std::set<Key>> related;

  explicit Reference(const Timeline& tl) {
    const Geometry& g = tl.geometry();
    const int cg = g.c_per_group(), og = g.cout_per_group();
    for (int n = 0; n < g.n; ++n)
      for (int c = 0; c < g.c; ++c)
        for (int y = 0; y < g.hp(); ++y)
          for (int x = 0; x < g.wp(); ++x) {
            std::vector<CellRef> places = {{Grid::Xp, n, c, y, x}, {Grid::dXp, n, c, y, x}};
            if (!tl.is_padding(Grid::Xp, y, x)) {
              places.push_back({Grid::X, n, c, y - g.pad_top, x - g.pad_left});
              places.push_back({Grid::dX, n, c, y - g.pad_top, x - g.pad_left});
            }
            for (const CellRef& a : places)
              for (const CellRef& b : places) relate(a, b);
          }
    for (int n = 0; n < g.n; ++n)
      for (int o = 0; o < g.cout; ++o)
        for (int i = 0; i < g.oh; ++i)
          for (int j = 0; j < g.ow; ++j) {
            const std::vector<CellRef> outputs = {
                {Grid::Z, n, o, i, j},
                {Grid::G, n, o, i, j},
                {Grid::Gd, n, o, i * g.stride_h, j * g.stride_w},
                {Grid::Gp, n, o, (g.kh - 1) * g.dil_h + i * g.stride_h,
                 (g.kw - 1) * g.dil_w + j * g.stride_w}};
            const CellRef db{Grid::db, 0, o, 0, 0};
            for (const CellRef& a : outputs) {
              relate(a, db);
              relate(db, a);
            }
            for (int cq = 0; cq < cg; ++cq)
              for (int u = 0; u < g.kh; ++u)
                for (int v = 0; v < g.kw; ++v) {
                  const int c = o / og * cg + cq;
                  const int y = i * g.stride_h + u * g.dil_h, x = j * g.stride_w + v * g.dil_w;
                  std::vector<CellRef> term = outputs;
                  term.push_back({Grid::Xp, n, c, y, x});
                  term.push_back({Grid::dXp, n, c, y, x});
                  if (!tl.is_padding(Grid::Xp, y, x)) {
                    term.push_back({Grid::X, n, c, y - g.pad_top, x - g.pad_left});
                    term.push_back({Grid::dX, n, c, y - g.pad_top, x - g.pad_left});
                  }
                  term.push_back({Grid::W, o, cq, u, v});
                  term.push_back({Grid::dW, o, cq, u, v});
                  term.push_back({Grid::Wr, c, o % og, g.kh - 1 - u, g.kw - 1 - v});
                  for (const CellRef& a : term)
                    for (const CellRef& b : term) relate(a, b);
                }
          }
  }
  void relate(const CellRef& a, const CellRef& b) {
    if (!(a == b)) related[key(a)].insert(key(b));
  }
};

Lesson lesson_of(const testing::RandomCase& r) {
  Lesson l;
  l.input = r.X, l.weight = r.W, l.bias = r.bias, l.spec = r.spec, l.upstream = r.G;
  return l;
}

TEST(Correspondences, EveryCellOfFortySmallLessonsMatchesTheTermsItTakesPartIn) {
  std::mt19937 rng(8);
  int checked = 0;
  while (checked < 40) {
    const auto r = testing::random_case(rng);
    if (r.geo.multiply_adds() > 2000) continue;
    SCOPED_TRACE(r.describe());
    const Timeline tl(lesson_of(r));
    const Reference ref(tl);
    for (int gi = 0; gi < static_cast<int>(Grid::None); ++gi) {
      const Grid grid = static_cast<Grid>(gi);
      const Shape s = tl.tensor(grid).shape;
      for (int n = 0; n < s.n; ++n)
        for (int c = 0; c < s.c; ++c)
          for (int h = 0; h < s.h; ++h)
            for (int w = 0; w < s.w; ++w) {
              const CellRef cell{grid, n, c, h, w};
              const std::vector<Window> regions = tl.correspondences(cell);
              const auto it = ref.related.find(key(cell));
              const std::set<Key> want = it == ref.related.end() ? std::set<Key>{} : it->second;
              ASSERT_EQ(cells_of(regions), want) << tl.cell_name(cell);
              // Regions never overlap: their sizes add up to the cells highlighted.
              ASSERT_EQ(count_of(regions), static_cast<long long>(want.size()))
                  << tl.cell_name(cell);
            }
    }
    ++checked;
  }
}

TEST(Correspondences, ACellOutsideItsGridHasNone) {
  Lesson l;
  l.input = Tensor(Shape{1, 1, 4, 4}, 1.0);
  l.weight = Tensor(Shape{1, 1, 3, 3}, 1.0);
  const Timeline tl(l);
  EXPECT_TRUE(tl.correspondences({Grid::Z, 0, 0, 100, 100}).empty());
  EXPECT_TRUE(tl.correspondences({Grid::W, 0, 1, 0, 0}).empty());
  EXPECT_TRUE(tl.correspondences({Grid::None}).empty());
}

// A kernel entry of a 1024×1024 input relates to a million cells of each of several grids:
// they come back as a few regions, not as millions of cells.
TEST(Correspondences, AKernelEntryOfALargeLessonIsAFewRegions) {
  Lesson l;
  l.input = Tensor(Shape{1, 1, 1024, 1024}, 1.0);
  l.weight = Tensor(Shape{1, 1, 3, 3}, 1.0);
  const Timeline tl(l);
  const std::vector<Window> regions = tl.correspondences({Grid::W, 0, 0, 1, 2});
  EXPECT_LE(regions.size(), 10u);
  // Z, G, Gd, Gp, Xp, dXp, X and dX: 1022×1022 cells each; dW and Wr: one each.
  EXPECT_EQ(count_of(regions), 8LL * 1022 * 1022 + 2);
  EXPECT_TRUE(covers(regions, {Grid::Xp, 0, 0, 1 + 1021, 2 + 1021}));
  EXPECT_FALSE(covers(regions, {Grid::Xp, 0, 0, 0, 2}));
  EXPECT_TRUE(covers(regions, {Grid::Z, 0, 0, 1021, 0}));
}

TEST(Seed000, CorrespondencesOfAnOutputCell) {
  const Timeline tl(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json"));
  const auto refs = tl.correspondences({Grid::Z, 0, 0, 1, 2});
  // Z[1,2] reads Xp rows 1–3, columns 2–4, with every W entry.
  for (int y = 1; y <= 3; ++y)
    for (int x = 2; x <= 4; ++x) EXPECT_TRUE(covers(refs, {Grid::Xp, 0, 0, y, x})) << y << "," << x;
  EXPECT_FALSE(covers(refs, {Grid::Xp, 0, 0, 0, 2}));
  EXPECT_TRUE(covers(refs, {Grid::W, 0, 0, 2, 2}));
  EXPECT_TRUE(covers(refs, {Grid::G, 0, 0, 1, 2}));
  EXPECT_FALSE(covers(refs, {Grid::Z, 0, 0, 1, 2}));  // not related to itself
  // A dX cell maps to the G cells and W entries that reach it: dX[0,0] only from G[0,0]·W[0,0].
  const auto corner = tl.correspondences({Grid::dX, 0, 0, 0, 0});
  long long g_cells = 0;
  for (const Window& w : corner)
    if (w.grid == Grid::G) g_cells += 1LL * w.rows * w.cols;
  EXPECT_EQ(g_cells, 1);
  EXPECT_TRUE(covers(corner, {Grid::W, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace convstep
