// The structural moves are taught, not flashed: the padding ring, the inserted zeros and the
// crop take their time and grow ring by ring or row by row, the cropped border stays as a ghost,
// W stays beside Wr while the turn traces one corner, and the shapes on the stage add up.
// Checked on the scene (no GPU, no clock): durations are data, moves are scenes at a time t.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>

#include "core/stage.h"
#include "tests/core/random_lessons.h"

namespace convstep {
namespace {

Timeline preset(const std::string& name) {
  return Timeline(load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/" + name));
}

std::vector<std::string> preset_paths() {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons"))
    if (e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The step of `phase` (phase granularity) that is `stage`; -1 if none.
long long stage_step(const Timeline& tl, Phase phase, Stage stage) {
  for (long long k = 0; k < tl.count(phase, Granularity::Phase); ++k) {
    const Frame f = tl.frame(phase, Granularity::Phase, k);
    if (f.kind == StepKind::Stage && f.stage == stage) return k;
  }
  return -1;
}

// The scene `seconds` into the move onto step k (from step k − 1) at 1×.
Scene during(const Timeline& tl, Phase phase, long long k, double seconds) {
  const Frame from = tl.frame(phase, Granularity::Phase, std::max(0LL, k - 1));
  const Frame to = tl.frame(phase, Granularity::Phase, k);
  return build_stage(tl, from, to, static_cast<float>(seconds / move_seconds(to)), {});
}

TEST(TeachingMoves, PaddingInsertedZerosAndCropEachTakeAtLeastEightTenthsOfASecond) {
  for (const std::string& path : preset_paths()) {
    const Timeline tl(load_lesson(path));
    for (Phase p : kAllPhases)
      for (long long k = 0; k < tl.count(p, Granularity::Phase); ++k) {
        const Frame f = tl.frame(p, Granularity::Phase, k);
        if (f.kind != StepKind::Stage) continue;
        const Stage s = f.stage;
        if (s == Stage::PadInput || s == Stage::DilateGradient || s == Stage::PadGradient ||
            s == Stage::Crop)
          EXPECT_GE(move_seconds(f), 0.8) << path << " " << stage_name(s);
        else
          EXPECT_GT(move_seconds(f), 0) << path << " " << stage_name(s);
      }
  }
}

// The cells of a grid whose scaled rect is smaller than the cell (still growing or shrinking),
// by their distance from the data inside: 0 the ring next to it.
float mean_scale(const SceneGrid& g, const std::function<bool(const SceneCell&)>& which) {
  float sum = 0;
  int n = 0;
  for (const SceneCell& c : g.cells)
    if (which(c)) sum += c.rect.w / g.cell_size, ++n;
  return n ? sum / n : -1;
}

TEST(TeachingMoves, ThePaddedGradientMapGrowsRingByRingFromTheInside) {
  const Timeline tl = preset("sobel-6x5.json");  // k = 3: two rings around Gd
  const long long k = stage_step(tl, Phase::DxGather, Stage::PadGradient);
  ASSERT_GE(k, 0);
  const Geometry& g = tl.geometry();
  auto ring = [&](int r) {  // ring r, counted from Gd outwards
    return [&g, r](const SceneCell& c) {
      const int top = 1 - r, left = 1 - r, bottom = 2 + g.gd_h() + r, right = 2 + g.gd_w() + r;
      const bool inside = c.row >= top && c.row <= bottom && c.col >= left && c.col <= right;
      const bool on = c.row == top || c.row == bottom || c.col == left || c.col == right;
      return inside && on;
    };
  };
  const Scene early = during(tl, Phase::DxGather, k, 0.4);
  const SceneGrid* gp = early.grid(Grid::Gp);
  ASSERT_NE(gp, nullptr);
  // 0.4 s in: the inner ring is on its way, the outer one has not started.
  EXPECT_GT(mean_scale(*gp, ring(0)), 0.1);
  EXPECT_LT(mean_scale(*gp, ring(1)), 0.05);
  const Scene late = during(tl, Phase::DxGather, k, 0.7);
  EXPECT_NEAR(mean_scale(*late.grid(Grid::Gp), ring(0)), 1, 1e-3);
  EXPECT_LT(mean_scale(*late.grid(Grid::Gp), ring(1)), 1);
}

TEST(TeachingMoves, TheStrideZerosComeInRowByRow) {
  const Timeline tl = preset("stride2.json");
  const long long k = stage_step(tl, Phase::DxGather, Stage::DilateGradient);
  ASSERT_GE(k, 0);
  const Scene s = during(tl, Phase::DxGather, k, 0.8);
  const SceneGrid* gd = s.grid(Grid::Gd);
  ASSERT_NE(gd, nullptr);
  auto zeros_of_row = [](int row) {
    return [row](const SceneCell& c) { return c.style == CellStyle::InsertedZero && c.row == row; };
  };
  // Each row of zeros after the one above it: the first row is further in than the last.
  int first = -1, last = -1;
  for (const SceneCell& c : gd->cells)
    if (c.style == CellStyle::InsertedZero) {
      if (first < 0) first = c.row;
      last = c.row;
    }
  ASSERT_LT(first, last);
  EXPECT_GT(mean_scale(*gd, zeros_of_row(first)), mean_scale(*gd, zeros_of_row(last)) + 0.2f);
}

TEST(TeachingMoves, TheCropShrinksTheBorderAwayAndLeavesAFaintGhost) {
  const Timeline tl = preset("padding1-4x4.json");
  const long long k = stage_step(tl, Phase::DxGather, Stage::Crop);
  ASSERT_GE(k, 0);
  const Geometry& g = tl.geometry();
  // 0.5 s in, the border is still going.
  const Scene mid = during(tl, Phase::DxGather, k, 0.5);
  const SceneGrid* dxp = mid.grid(Grid::dXp);
  ASSERT_NE(dxp, nullptr);
  const float going =
      mean_scale(*dxp, [](const SceneCell& c) { return c.style == CellStyle::Discarded; });
  EXPECT_GT(going, 0.05);
  EXPECT_LT(going, 0.95);
  // Arrived: dX, where dXp's inside was, and a ghost of the border around it.
  const Frame f = tl.frame(Phase::DxGather, Granularity::Phase, k);
  const Scene done = build_stage(tl, f, f, 1, {});
  const SceneGrid* dx = done.grid(Grid::dX);
  ASSERT_NE(dx, nullptr);
  EXPECT_EQ(done.grid(Grid::dXp), nullptr);
  Rect ghost{};
  int ghosts = 0;
  for (const SceneFrame& fr : done.frames)
    if (fr.role == FrameRole::Ghost) {
      ++ghosts;
      EXPECT_LE(fr.fill.a, 0.3f) << "a ghost is faint";
      EXPECT_LE(fr.stroke.a, 0.5f) << "a ghost is faint";
      if (ghosts == 1 || fr.rect.w * fr.rect.h > ghost.w * ghost.h) ghost = fr.rect;
    }
  ASSERT_GT(ghosts, 0);
  const float c = dx->cell_size;
  EXPECT_NEAR(ghost.x, dx->bounds.x - g.pad_left * c, 1e-3);
  EXPECT_NEAR(ghost.y, dx->bounds.y - g.pad_top * c, 1e-3);
  EXPECT_NEAR(ghost.w, g.wp() * c, 1e-3);
  EXPECT_NEAR(ghost.h, g.hp() * c, 1e-3);
}

const SceneLine* trace_end(const Scene& s) {
  const SceneLine* last = nullptr;
  for (const SceneLine& l : s.lines)
    if (l.role == LineRole::Trace) last = &l;
  return last;
}

const SceneLine* trace_start(const Scene& s) {
  for (const SceneLine& l : s.lines)
    if (l.role == LineRole::Trace) return &l;
  return nullptr;
}

TEST(TeachingMoves, WStaysBesideWrAndTheTurnTracesOneCorner) {
  for (const char* name : {"sobel-6x5.json", "rotation-2x2.json", "dilation2.json"}) {
    const Timeline tl = preset(name);
    const long long k = stage_step(tl, Phase::DxGather, Stage::RotateKernel);
    ASSERT_GE(k, 0);
    const Frame before = tl.frame(Phase::DxGather, Granularity::Phase, k - 1);
    const Frame turned = tl.frame(Phase::DxGather, Granularity::Phase, k);
    const Frame gathering = tl.frame(Phase::DxGather, Granularity::Phase, k + 1);
    const int kh = tl.geometry().kh, kw = tl.geometry().kw;
    for (const Scene& s :
         {build_stage(tl, turned, turned, 1, {}), build_stage(tl, turned, gathering, 1, {})}) {
      const SceneGrid* w = s.grid(Grid::W);
      const SceneGrid* wr = s.grid(Grid::Wr);
      ASSERT_NE(w, nullptr) << name;
      ASSERT_NE(wr, nullptr) << name;
      EXPECT_EQ(w->rotation_deg, 0);
      EXPECT_EQ(wr->rotation_deg, 0);
      EXPECT_FALSE(
          w->bounds.x + w->bounds.w > wr->bounds.x && wr->bounds.x + wr->bounds.w > w->bounds.x &&
          w->bounds.y + w->bounds.h > wr->bounds.y && wr->bounds.y + wr->bounds.h > w->bounds.y)
          << "W and Wr side by side, not on top of each other";
    }
    // The turn: from W[0,0] to Wr[k−1,k−1], the path of one corner.
    const Scene end = build_stage(tl, before, turned, 1, {});
    const SceneLine* first = trace_start(end);
    const SceneLine* last = trace_end(end);
    ASSERT_NE(first, nullptr) << name;
    const SceneGrid* w = end.grid(Grid::W);
    const SceneGrid* wr = end.grid(Grid::Wr);
    ASSERT_TRUE(w && wr);
    EXPECT_NEAR(first->x0, w->bounds.x + 0.5f * w->cell_size, 1e-2) << name;
    EXPECT_NEAR(first->y0, w->bounds.y + 0.5f * w->cell_size, 1e-2) << name;
    EXPECT_NEAR(last->x1, wr->bounds.x + (kw - 0.5f) * wr->cell_size, 1e-2) << name;
    EXPECT_NEAR(last->y1, wr->bounds.y + (kh - 0.5f) * wr->cell_size, 1e-2) << name;
    EXPECT_TRUE(last->arrow);
    // Half-way, the path has come half-way round.
    const Scene half = build_stage(tl, before, turned, 0.5f, {});
    EXPECT_NE(trace_end(half), nullptr);
    int turning = 0;
    for (const SceneGrid& g : half.grids) turning += g.rotation_deg > 0 && g.rotation_deg < 180;
    EXPECT_EQ(turning, 1) << name;
    EXPECT_NE(half.grid(Grid::W), nullptr);
  }
}

// "dXp (7×7 + 1 row = 8×7)": the label's shapes, as numbers; false if it is not a label of
// that grid.
struct Shapes {
  int rows = 0, cols = 0;              // the grid, or what Gp ⋆ Wr reaches
  int extra_rows = 0, extra_cols = 0;  // + rows and columns no window reaches
  int span_rows = 0, span_cols = 0;    // a dilated kernel's extent
  int total_rows = 0, total_cols = 0;  // = the grid
};

// A reader of a label, without std::regex (slow to compile): each method reads one piece at
// `at` and moves past it, or leaves `at` where it was and answers false.
struct LabelReader {
  const std::string& text;
  std::size_t at = 0;

  bool word(std::string_view w) {
    if (std::string_view(text).substr(at).starts_with(w)) return at += w.size(), true;
    return false;
  }
  bool number(std::optional<std::string>* out) {
    std::size_t end = at;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == at) return false;
    *out = text.substr(at, end - at);
    at = end;
    return true;
  }
  // "7×7"
  bool pair(std::optional<std::string>* a, std::optional<std::string>* b) {
    const std::size_t start = at;
    if (number(a) && word("×") && number(b)) return true;
    at = start, a->reset(), b->reset();
    return false;
  }
  // "1 row", "2 rows"
  bool count(std::optional<std::string>* n, std::string_view noun) {
    const std::size_t start = at;
    if (number(n) && word(" ") && word(noun)) return word("s"), true;
    at = start, n->reset();
    return false;
  }
};

// The label's form: NAME (R×C[, spans R×C][ + [N rows][, ][N columns]][ = R×C]).
bool label_shapes(const Scene& s, const std::string& grid, Shapes* out) {
  auto is_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  for (const SceneText& t : s.texts) {
    if (t.role != TextRole::Label) continue;
    const std::string& text = t.text;
    const std::size_t name_end = std::find_if(text.begin(), text.end(), is_space) - text.begin();
    if (name_end == 0 || text.substr(0, name_end) != grid) continue;
    LabelReader r{text, name_end};
    std::optional<std::string> rows, cols, span_rows, span_cols, extra_rows, extra_cols, total_rows,
        total_cols;
    if (!r.word(" (") || !r.pair(&rows, &cols)) continue;
    if (r.word(", spans ") && !r.pair(&span_rows, &span_cols)) continue;
    if (r.word(" + ")) {
      r.count(&extra_rows, "row");
      r.word(", ");
      r.count(&extra_cols, "column");
    }
    if (r.word(" = ") && !r.pair(&total_rows, &total_cols)) continue;
    if (!r.word(")") || r.at != text.size()) continue;
    auto num = [](const std::optional<std::string>& n, int otherwise) {
      return n ? std::stoi(*n) : otherwise;
    };
    out->rows = num(rows, 0), out->cols = num(cols, 0);
    out->span_rows = num(span_rows, out->rows), out->span_cols = num(span_cols, out->cols);
    out->extra_rows = num(extra_rows, 0), out->extra_cols = num(extra_cols, 0);
    out->total_rows = num(total_rows, out->rows + out->extra_rows);
    out->total_cols = num(total_cols, out->cols + out->extra_cols);
    return true;
  }
  return false;
}

// Gp ⋆ Wr = reach, + what no window reaches = dXp, as the student reads it on the labels.
void expect_shapes_add_up(const Timeline& tl, const std::string& what) {
  const long long k = stage_step(tl, Phase::DxGather, Stage::RotateKernel);
  ASSERT_GE(k, 0);
  const Frame f = tl.frame(Phase::DxGather, Granularity::Phase, k + 1);  // gathering
  const Scene s = build_stage(tl, f, f, 1, {});
  Shapes gp, wr, dxp;
  ASSERT_TRUE(label_shapes(s, "Gp", &gp)) << what;
  ASSERT_TRUE(label_shapes(s, "Wr", &wr)) << what;
  ASSERT_TRUE(label_shapes(s, "dXp", &dxp)) << what;
  EXPECT_EQ(gp.rows - wr.span_rows + 1, dxp.rows) << what;
  EXPECT_EQ(gp.cols - wr.span_cols + 1, dxp.cols) << what;
  EXPECT_EQ(dxp.rows + dxp.extra_rows, dxp.total_rows) << what;
  EXPECT_EQ(dxp.cols + dxp.extra_cols, dxp.total_cols) << what;
  const Geometry& g = tl.geometry();
  EXPECT_EQ(dxp.total_rows, g.hp()) << what;
  EXPECT_EQ(dxp.total_cols, g.wp()) << what;
  EXPECT_EQ(gp.rows, g.gp_h()) << what;
  EXPECT_EQ(wr.rows, g.kh) << what;
}

TEST(TeachingMoves, ShapeEquationsAddUpOnPresets) {
  for (const std::string& path : preset_paths())
    expect_shapes_add_up(Timeline(load_lesson(path)), path);
}

TEST(TeachingMoves, ShapeEquationsAddUpOnRandomLessons) {
  std::mt19937 rng(10061);
  for (int i = 0; i < 100; ++i) {
    const testing::RandomCase r = testing::random_case(rng);
    Lesson l;
    l.input = r.X, l.weight = r.W, l.bias = r.bias, l.spec = r.spec, l.upstream = r.G;
    expect_shapes_add_up(Timeline(std::move(l)), r.describe());
  }
}

}  // namespace
}  // namespace convstep
