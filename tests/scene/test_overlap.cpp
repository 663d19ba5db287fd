// Labels never overlap each other or the grids (issue 10): on the scene, no two text boxes
// intersect, and no text box intersects a grid, over the presets and random lessons from
// 1×1×1×1 to 3×8×128×128, on the stages of 1024×640, 1600×900 and 1920×1080 windows. Text
// boxes are estimated with the glyph metrics the legibility test uses. No GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "core/lesson.h"
#include "core/stage.h"
#include "tests/core/random_lessons.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
// Under the sanitizers: samples, to keep make test short.
constexpr int kRandomLessons = 40, kFocusStepsPerPhase = 24;
#else
constexpr int kRandomLessons = 200, kFocusStepsPerPhase = 97;
#endif

std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

// A text's box, on the wide side: DejaVu Sans averages under 0.56 of the size per character,
// Sans Bold 0.62, Sans Mono advances 0.602; the line is the size high, centred on the anchor.
Rect text_box(const SceneText& t) {
  const float per = t.font == Font::Mono ? 0.602f : t.font == Font::SansBold ? 0.62f : 0.56f;
  const float w = columns(t.text) * t.size * per, h = t.size;
  const float x = t.align == Align::Left ? t.x : t.align == Align::Center ? t.x - w / 2 : t.x - w;
  return {x, t.y - h / 2, w, h};
}

// Whether two rects overlap by more than a hair (anti-aliased edges may touch).
bool intersect(const Rect& a, const Rect& b) {
  constexpr float kHair = 0.5f;
  return a.x + a.w > b.x + kHair && b.x + b.w > a.x + kHair && a.y + a.h > b.y + kHair &&
         b.y + b.h > a.y + kHair;
}

std::string describe(const Rect& r) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "(%.1f, %.1f, %.1f×%.1f)", r.x, r.y, r.w, r.h);
  return buf;
}

// The first overlap on the scene, or equation line running off the stage's side, described,
// or "".
std::string first_overlap(const Scene& s) {
  std::vector<Rect> boxes;
  for (const SceneText& t : s.texts) boxes.push_back(text_box(t));
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const TextRole role = s.texts[i].role;
    if ((role == TextRole::Equation || role == TextRole::CurrentTerm ||
         role == TextRole::RunningSum) &&
        boxes[i].x + boxes[i].w > s.width + 0.5f)
      return "\"" + s.texts[i].text + "\" " + describe(boxes[i]) + " runs off the stage";
    for (std::size_t j = i + 1; j < boxes.size(); ++j)
      if (intersect(boxes[i], boxes[j]))
        return "\"" + s.texts[i].text + "\" " + describe(boxes[i]) + " and \"" + s.texts[j].text +
               "\" " + describe(boxes[j]);
    for (const SceneGrid& g : s.grids)
      if (g.opacity > 0 && intersect(boxes[i], g.bounds))
        return "\"" + s.texts[i].text + "\" " + describe(boxes[i]) + " and the grid " + grid_id(g) +
               " " + describe(g.bounds);
  }
  return "";
}

// Random lessons from 1×1×1×1 up to 3×8×128×128: sides drawn log-uniformly, so that small and
// large lessons both come often.
std::vector<Lesson> random_lessons(int count) {
  std::mt19937 rng(10);
  auto side = [&](int hi) {
    return static_cast<int>(
        std::exp(std::uniform_real_distribution<double>(0, std::log(hi + 0.999))(rng)));
  };
  std::vector<Lesson> out;
  while (static_cast<int>(out.size()) < count) {
    Lesson l;
    const int n = side(3), c = side(8), h = side(128), w = side(128);
    const int kh = std::min(h, side(7)), kw = std::min(w, side(7));
    const int cout = side(8);
    l.spec.stride_h = side(3), l.spec.stride_w = side(3);
    l.spec.padding.top = l.spec.padding.bottom = std::uniform_int_distribution<int>(0, 2)(rng);
    l.spec.padding.left = l.spec.padding.right = l.spec.padding.top;
    l.input = testing::random_tensor(rng, Shape{n, c, h, w});
    l.weight = testing::random_tensor(rng, Shape{cout, c, kh, kw});
    if (rng() % 2) l.bias = std::vector<double>(cout, 1.0);
    l.title = "random " + l.input.shape.str() + " ⋆ " + l.weight.shape.str();
    try {
      (void)l.geometry();
    } catch (const ConvError&) {
      continue;
    }
    // Some with a target beside Z and G: the loss phase's widest layout.
    if (out.size() % 3 == 1)
      l.loss = {LossKind::Mse, testing::random_tensor(rng, l.geometry().output_shape())};
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<Lesson> presets() {
  std::vector<Lesson> out;
  for (const auto& e : fs::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons"))
    if (e.path().extension() == ".json") out.push_back(load_lesson(e.path().string()));
  return out;
}

// The stages of the three windows as the app lays them out (stage width × height, scale): with
// the side panels (folded into tabs at 1024×640, its timeline bar on two rows), without them,
// and classroom mode at 2×.
struct StageCase {
  const char* window;
  float w, h, scale;
  // A phone at 2× has no room for the grids beside the mistakes' lines, nor for the focus
  // view's kernel at 2 × 36 px: checked without the mistakes, and for 36 px.
  bool cramped = false;
};
const StageCase kStageCases[] = {
    {"1024×640 with the panels", 1024 - 2 * 36, 640 - 24 - 100, 1},
    {"1024×640", 1024, 640 - 110, 1},
    {"1600×900 with the panels", 1600 - 2 * 320, 900 - 110, 1},
    {"1600×900", 1600, 900 - 110, 1},
    {"1920×1080 with the panels", 1920 - 2 * 384, 1080 - 110, 1},
    {"1920×1080 classroom", 1920, 1080 - 116, 2},
    // Upright: the grids may stand on two or three shelves.
    {"a phone held upright (the page, 412×915 at 2.6×)", 1082 - 2 * 84, 2402 - 550, 1},
    {"a portrait page, 1240×1754", 1240, 1754, 1},
    {"a phone upright in classroom mode", 600, 1100, 2, true},
};

// Frames to look at: every step at phase granularity (the stage moves), and the first, middle
// and last terms.
std::vector<Frame> frames(const Timeline& tl, Phase p) {
  std::vector<Frame> out;
  for (long long k = 0; k < tl.count(p, Granularity::Phase); ++k)
    out.push_back(tl.frame(p, Granularity::Phase, k));
  const long long terms = tl.count(p, Granularity::Term);
  for (long long k : {0LL, terms / 2, terms - 1})
    if (k >= 0) out.push_back(tl.frame(p, Granularity::Term, k));
  return out;
}

constexpr int kMaxReported = 20;

// With `pitfalls` on: the mistakes' grids beside the results and their lines under the equation.
void expect_no_overlap(const std::vector<Lesson>& lessons,
                       const std::vector<std::vector<Pitfall>>& pitfalls = {{}}) {
  int failures = 0;
  for (const Lesson& l : lessons) {
    const Timeline tl(l);
    for (const StageCase& st : kStageCases)
      for (Phase p : kAllPhases)
        for (const Frame& f : frames(tl, p))
          for (const std::vector<Pitfall>& on : pitfalls) {
            if (!on.empty() && st.cramped) continue;
            StageOptions o = stage_view(st.w, st.h, st.scale);
            o.pitfalls = on;
            const std::string overlap = first_overlap(build_stage(tl, f, f, 1, o));
            if (overlap.empty()) continue;
            ADD_FAILURE() << l.title << ", " << phase_name(p) << " step " << f.index << " ("
                          << granularity_name(f.granularity) << "), " << st.window << ", "
                          << on.size() << " mistakes on: " << overlap;
            if (++failures >= kMaxReported) return;
          }
  }
}

// Each mistake alone, and all of them at once.
std::vector<std::vector<Pitfall>> every_mistake() {
  std::vector<std::vector<Pitfall>> out;
  for (Pitfall p : kAllPitfalls) out.push_back({p});
  out.emplace_back(std::begin(kAllPitfalls), std::end(kAllPitfalls));
  return out;
}

TEST(Overlap, NoLabelOverlapsAnotherOrAGridOnThePresets) {
  expect_no_overlap(presets());
}

TEST(Overlap, NoLabelOverlapsAnotherOrAGridOnRandomLessonsUpTo3x8x128x128) {
  expect_no_overlap(random_lessons(kRandomLessons));
}

// Issue 10, item 8: the mistakes inside the step view keep every label apart too.
TEST(Overlap, NoLabelOverlapsWithTheMistakesOnThePresets) {
  expect_no_overlap(presets(), every_mistake());
}

TEST(Overlap, NoLabelOverlapsWithEveryMistakeOnRandomLessons) {
  std::vector<Lesson> some = random_lessons(kRandomLessons / 4);
  expect_no_overlap(some, {std::vector<Pitfall>(std::begin(kAllPitfalls), std::end(kAllPitfalls))});
}

// The checker itself: text over a grid and two labels on each other are caught.
TEST(Overlap, TheCheckFindsOverlaps) {
  Scene s;
  SceneGrid g;
  g.bounds = {100, 100, 50, 50};
  s.grids.push_back(g);
  SceneText a;
  a.x = 60, a.y = 80, a.text = "Xp (8×7)", a.size = 20;
  s.texts.push_back(a);
  EXPECT_EQ(first_overlap(s), "");
  s.texts[0].y = 110;
  EXPECT_NE(first_overlap(s), "");
  s.texts[0].y = 80;
  SceneText b = a;
  b.x = 80;
  s.texts.push_back(b);
  EXPECT_NE(first_overlap(s), "");
}

// The focus view: a 128×128 lesson shows the part around the step magnified, with the kernel at
// a legible size, the current target inside the part at every step, and an overview of each
// whole grid with the part framed.
TEST(Focus, A128x128LessonIsShownMagnifiedAroundTheStep) {
  Lesson big;
  std::mt19937 rng(3);
  big.input = testing::random_tensor(rng, Shape{1, 1, 128, 128});
  big.weight = testing::random_tensor(rng, Shape{1, 1, 3, 3});
  const Timeline tl(big);
  for (const StageCase& st : kStageCases) {
    const StageOptions view = stage_view(st.w, st.h, st.scale);
    float kernel_px = 1e9, digit_px = 1e9, kernel_digit_px = 1e9;
    for (Phase p : kAllPhases) {
      // The matrix view of a lesson this large is one sentence saying why it is not shown.
      if (p == Phase::Matrix && !matrix_view_refusal(tl.geometry()).empty()) continue;
      const long long count = tl.count(p, Granularity::Cell);
      const long long every = count / kFocusStepsPerPhase + 1;  // steps of every kind
      for (long long k = 0; k < count;
           k += k + every < count ? every : std::max(1LL, count - 1 - k)) {
        const Frame f = tl.frame(p, Granularity::Cell, k);
        const Scene s = build_stage(tl, f, f, 1, view);
        const std::string where =
            std::string(phase_name(p)) + " step " + std::to_string(k) + ", " + st.window;
        int overviews = 0;
        for (const SceneGrid& g : s.grids) {
          overviews += g.copy == GridCopy::Overview;
          if (g.copy != GridCopy::Own) continue;
          if (g.grid == Grid::W || g.grid == Grid::Wr)
            kernel_px = std::min(kernel_px, g.cell_size * view.pixels_per_unit);
          for (const SceneCell& c : g.cells) {
            if (c.text.empty()) continue;
            const float px =
                std::min(kTextPerCell * c.rect.h, 0.88f * c.rect.w / (0.518f * columns(c.text))) *
                view.pixels_per_unit;
            digit_px = std::min(digit_px, px);
            if (g.grid == Grid::W || g.grid == Grid::Wr)
              kernel_digit_px = std::min(kernel_digit_px, px);
          }
        }
        EXPECT_GT(overviews, 0) << where;
        if (f.kind == StepKind::Stage) continue;
        const SceneGrid* target = nullptr;
        for (const SceneGrid& g : s.grids)
          if (g.copy == GridCopy::Own && g.grid == f.target.grid && g.slice_n == f.target.n &&
              g.slice_c == f.target.c)
            target = &g;
        ASSERT_NE(target, nullptr) << where;
        EXPECT_TRUE(f.target.h >= target->first_row &&
                    f.target.h < target->first_row + target->visible_rows() &&
                    f.target.w >= target->first_col &&
                    f.target.w < target->first_col + target->visible_cols())
            << where << ": the target " << f.target.h << "," << f.target.w << " is out of view";
      }
    }
    EXPECT_GE(kernel_px, kFocusCellPixels * (st.cramped ? 1 : st.scale)) << st.window;
    std::printf(
        "128×128 focus view, %s: smallest kernel cell %.1f px, its digits %.1f px; smallest "
        "number anywhere %.1f px\n",
        st.window, kernel_px, kernel_digit_px, digit_px);
  }
}

}  // namespace
}  // namespace convstep
