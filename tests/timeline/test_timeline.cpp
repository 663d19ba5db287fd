// The timeline against a reference written here with plain loops: the steps a student would
// follow, in order, with their running sums and partial results. frame(k) must give exactly
// that state for every k, with no replay.
#include <gtest/gtest.h>

#include <random>

#include "core/timeline.h"
#include "tests/core/random_lessons.h"

namespace convstep {
namespace {

// ---- The reference ----

// Whether some row or column of X is read by no window (i, tap u): then the dX phase has a
// step that says so (not when only padding is unread).
bool some_input_unreached(const Geometry& g) {
  auto axis = [](int in, int before, int k, int s, int dil, int out) {
    for (int y = before; y < before + in; ++y) {
      bool reached = false;
      for (int i = 0; i < out; ++i)
        for (int u = 0; u < k; ++u) reached |= i * s + u * dil == y;
      if (!reached) return true;
    }
    return false;
  };
  return axis(g.h, g.pad_top, g.kh, g.stride_h, g.dil_h, g.oh) ||
         axis(g.w, g.pad_left, g.kw, g.stride_w, g.dil_w, g.ow);
}

struct RefStep {
  StepKind kind;
  CellRef target;
  CellRef a, b;  // the term's operands (Term steps)
  double product = 0;
  bool zero = false;
  double running_sum = 0;  // the target's value after the step
  Tensor result;           // the result grid after the step (pending cells 0)
};

struct Reference {
  const Lesson& l;
  Geometry g;
  Tensor G;
  bool skip_zero;
  bool keep_results;  // a snapshot of the result grid per step: for small lessons only
  std::vector<RefStep> steps;

  Reference(const Lesson& lesson, bool skip, bool keep)
      : l(lesson),
        g(lesson.geometry()),
        G(lesson.upstream_gradient()),
        skip_zero(skip),
        keep_results(keep) {}
  Tensor snapshot(const Tensor& t) const { return keep_results ? t : Tensor(); }

  double x_at(int n, int c, int row, int col) const {  // Xp without building it
    const int y = row - g.pad_top, x = col - g.pad_left;
    return y < 0 || x < 0 || y >= g.h || x >= g.w ? 0.0 : l.input(n, c, y, x);
  }
  bool x_pad(int row, int col) const {
    const int y = row - g.pad_top, x = col - g.pad_left;
    return y < 0 || x < 0 || y >= g.h || x >= g.w;
  }
  void stage(const Tensor& result) {
    steps.push_back({StepKind::Stage, {}, {}, {}, 0, false, 0, snapshot(result)});
  }
  void term(Tensor& result, CellRef target, CellRef a, CellRef b, double av, double bv, bool zero) {
    if (skip_zero && zero) return;
    double& cell = result(target.n, target.c, target.h, target.w);
    cell += av * bv;
    steps.push_back({StepKind::Term, target, a, b, av * bv, zero, cell, snapshot(result)});
  }
  // Skipping zeros may leave a block with no step at all; the timeline then keeps one step
  // (of kind Sum, on the first cell) so that the finished block can be seen.
  void keep_one_step(std::size_t steps_before, const Tensor& result, CellRef first) {
    if (steps.size() == steps_before) sum(result, first);
  }
  void sum(const Tensor& result, CellRef target) {
    steps.push_back({StepKind::Sum,
                     target,
                     {},
                     {},
                     0,
                     false,
                     result(target.n, target.c, target.h, target.w),
                     snapshot(result)});
  }

  void forward() {
    Tensor Z(g.output_shape());
    stage(Z);
    const std::size_t before = steps.size();
    const int cg = g.c_per_group(), og = g.cout_per_group();
    for (int n = 0; n < g.n; ++n)
      for (int o = 0; o < g.cout; ++o)
        for (int i = 0; i < g.oh; ++i)
          for (int j = 0; j < g.ow; ++j) {
            for (int c = 0; c < cg; ++c)
              for (int u = 0; u < g.kh; ++u)
                for (int v = 0; v < g.kw; ++v) {
                  const int row = i * g.stride_h + u * g.dil_h, col = j * g.stride_w + v * g.dil_w;
                  const int ch = o / og * cg + c;
                  term(Z, {Grid::Z, n, o, i, j}, {Grid::Xp, n, ch, row, col}, {Grid::W, o, c, u, v},
                       x_at(n, ch, row, col), l.weight(o, c, u, v), x_pad(row, col));
                }
            if (cg > 1) sum(Z, {Grid::Z, n, o, i, j});
          }
    keep_one_step(before, Z, {Grid::Z, 0, 0, 0, 0});
    if (!l.bias.empty()) {
      for (std::size_t k = 0; k < Z.values.size(); ++k)
        Z.values[k] += l.bias[k / (g.oh * g.ow) % g.cout];
      stage(Z);
    }
  }

  void dw() {
    Tensor dW(g.weight_shape());
    stage(dW);
    const std::size_t before = steps.size();
    const int cg = g.c_per_group(), og = g.cout_per_group();
    for (int o = 0; o < g.cout; ++o)
      for (int c = 0; c < cg; ++c)
        for (int u = 0; u < g.kh; ++u)
          for (int v = 0; v < g.kw; ++v) {
            for (int n = 0; n < g.n; ++n)
              for (int i = 0; i < g.oh; ++i)
                for (int j = 0; j < g.ow; ++j) {
                  const int row = i * g.stride_h + u * g.dil_h, col = j * g.stride_w + v * g.dil_w;
                  const int ch = o / og * cg + c;
                  term(dW, {Grid::dW, o, c, u, v}, {Grid::Xp, n, ch, row, col},
                       {Grid::G, n, o, i, j}, x_at(n, ch, row, col), G(n, o, i, j),
                       x_pad(row, col));
                }
            if (g.n > 1) sum(dW, {Grid::dW, o, c, u, v});
          }
    keep_one_step(before, dW, {Grid::dW, 0, 0, 0, 0});
  }

  // G at a Gp position, or nothing (a padding or inserted zero).
  bool g_at(int n, int o, int row, int col, double* value) const {
    const int r = row - (g.kh - 1) * g.dil_h, c = col - (g.kw - 1) * g.dil_w;
    if (r < 0 || c < 0 || r % g.stride_h || c % g.stride_w || r / g.stride_h >= g.oh ||
        c / g.stride_w >= g.ow) {
      *value = 0;
      return false;
    }
    *value = G(n, o, r / g.stride_h, c / g.stride_w);
    return true;
  }

  void dx_gather() {
    Tensor dXp(Shape{g.n, g.c, g.hp(), g.wp()});
    for (int s = 0; s < 4; ++s) stage(dXp);  // G, Gd, Gp, rotate
    const int cg = g.c_per_group(), og = g.cout_per_group();
    const int vh = g.gp_h() - g.span_h() + 1, vw = g.gp_w() - g.span_w() + 1;
    const std::size_t before = steps.size();
    for (int n = 0; n < g.n; ++n)
      for (int c = 0; c < g.c; ++c)
        for (int y = 0; y < vh; ++y)
          for (int x = 0; x < vw; ++x) {
            for (int oq = 0; oq < og; ++oq)
              for (int u = 0; u < g.kh; ++u)
                for (int v = 0; v < g.kw; ++v) {
                  const int o = c / cg * og + oq;
                  double gv;
                  const bool real = g_at(n, o, y + u * g.dil_h, x + v * g.dil_w, &gv);
                  // Wr[c][oq][u][v] = W[o][c % cg][kh-1-u][kw-1-v]
                  term(dXp, {Grid::dXp, n, c, y, x},
                       {Grid::Gp, n, o, y + u * g.dil_h, x + v * g.dil_w}, {Grid::Wr, c, oq, u, v},
                       gv, l.weight(o, c % cg, g.kh - 1 - u, g.kw - 1 - v), !real);
                }
            if (og > 1) sum(dXp, {Grid::dXp, n, c, y, x});
          }
    keep_one_step(before, dXp, {Grid::dXp, 0, 0, 0, 0});
    if (some_input_unreached(g)) stage(dXp);
    crop(dXp);
  }

  void crop(const Tensor& dXp) {
    Tensor dX(g.input_shape());
    for (int n = 0; n < g.n; ++n)
      for (int c = 0; c < g.c; ++c)
        for (int y = 0; y < g.h; ++y)
          for (int x = 0; x < g.w; ++x) dX(n, c, y, x) = dXp(n, c, y + g.pad_top, x + g.pad_left);
    stage(dX);
  }

  void dx_scatter() {
    Tensor dXp(Shape{g.n, g.c, g.hp(), g.wp()});
    const int cg = g.c_per_group(), og = g.cout_per_group();
    for (int n = 0; n < g.n; ++n)
      for (int o = 0; o < g.cout; ++o)
        for (int i = 0; i < g.oh; ++i)
          for (int j = 0; j < g.ow; ++j)
            for (int c = 0; c < cg; ++c)
              for (int u = 0; u < g.kh; ++u)
                for (int v = 0; v < g.kw; ++v)
                  term(dXp,
                       {Grid::dXp, n, o / og * cg + c, i * g.stride_h + u * g.dil_h,
                        j * g.stride_w + v * g.dil_w},
                       {Grid::G, n, o, i, j}, {Grid::W, o, c, u, v}, G(n, o, i, j),
                       l.weight(o, c, u, v), false);
    crop(dXp);
  }

  void db() {
    Tensor db(Shape{1, g.cout, 1, 1});
    for (int o = 0; o < g.cout; ++o) {
      for (int n = 0; n < g.n; ++n)
        for (int i = 0; i < g.oh; ++i)
          for (int j = 0; j < g.ow; ++j)
            term(db, {Grid::db, 0, o, 0, 0}, {Grid::G, n, o, i, j}, {}, G(n, o, i, j), 1.0, false);
      if (g.n > 1) sum(db, {Grid::db, 0, o, 0, 0});
    }
  }

  // Z by the definition, one output cell at a time.
  double z_at(int n, int o, int i, int j) const {
    const int cg = g.c_per_group(), og = g.cout_per_group();
    double z = l.bias.empty() ? 0.0 : l.bias[o];
    for (int c = 0; c < cg; ++c)
      for (int u = 0; u < g.kh; ++u)
        for (int v = 0; v < g.kw; ++v)
          z +=
              x_at(n, o / og * cg + c, i * g.stride_h + u * g.dil_h, j * g.stride_w + v * g.dil_w) *
              l.weight(o, c, u, v);
    return z;
  }

  // The loss phase: L, then each G cell from its own Z cell by the loss's derivative, written
  // out here: ΣZ → 1, ½ΣZ² → z, mean((Z − T)²) → 2(z − t)/count, Σ relu(Z) → 1 if z > 0, else 0.
  // A lesson that gives G: one step that shows it.
  void loss() {
    if (l.upstream.shape.count() > 0) {
      stage(l.upstream);
      return;
    }
    Tensor Gr(g.output_shape());
    stage(Gr);
    const double count = static_cast<double>(Gr.values.size());
    for (int n = 0; n < g.n; ++n)
      for (int o = 0; o < g.cout; ++o)
        for (int i = 0; i < g.oh; ++i)
          for (int j = 0; j < g.ow; ++j) {
            const double z = z_at(n, o, i, j);
            double d = 1;
            if (l.loss.kind == LossKind::HalfSumSquares) d = z;
            if (l.loss.kind == LossKind::Mse) d = 2 * (z - l.loss.target(n, o, i, j)) / count;
            if (l.loss.kind == LossKind::ReluThenSum) d = z > 0 ? 1 : 0;
            Gr(n, o, i, j) = d;
            steps.push_back({StepKind::Term,
                             {Grid::G, n, o, i, j},
                             {Grid::Z, n, o, i, j},
                             {},
                             d,
                             false,
                             d,
                             snapshot(Gr)});
          }
  }

  // The matrix view: four stages, then dX[n,c,y,x] = Σ_(o,i,j) T(W)[(o,i,j),(c,y,x)]·G[n,o,i,j],
  // T(W)'s entry being the weight window (i, j) puts on input (y, x), 0 off the band. Lessons
  // with groups or a T(W) over 32×32 get one step.
  void matrix() {
    const long long rows = 1LL * g.cout * g.oh * g.ow, cols = 1LL * g.c * g.h * g.w;
    if (g.groups > 1 || rows > 32 || cols > 32) {
      stage(Tensor());
      return;
    }
    Tensor dX(g.input_shape());
    for (int k = 0; k < 4; ++k) stage(dX);
    const std::size_t before = steps.size();
    for (int n = 0; n < g.n; ++n)
      for (int c = 0; c < g.c; ++c)
        for (int y = 0; y < g.h; ++y)
          for (int x = 0; x < g.w; ++x) {
            for (int o = 0; o < g.cout; ++o)
              for (int i = 0; i < g.oh; ++i)
                for (int j = 0; j < g.ow; ++j) {
                  double entry = 0;
                  bool on_band = false;
                  for (int u = 0; u < g.kh; ++u)
                    for (int v = 0; v < g.kw; ++v)
                      if (i * g.stride_h + u * g.dil_h == y + g.pad_top &&
                          j * g.stride_w + v * g.dil_w == x + g.pad_left)
                        entry += l.weight(o, c, u, v), on_band = true;
                  term(dX, {Grid::dX, n, c, y, x},
                       {Grid::TW, 0, 0, (o * g.oh + i) * g.ow + j, (c * g.h + y) * g.w + x},
                       {Grid::G, n, o, i, j}, entry, G(n, o, i, j), !on_band);
                }
            if (g.cout > 1) sum(dX, {Grid::dX, n, c, y, x});
          }
    keep_one_step(before, dX, {Grid::dX, 0, 0, 0, 0});
  }

  static Reference of(const Lesson& l, Phase p, bool skip, bool keep_results = true) {
    Reference r(l, skip, keep_results);
    switch (p) {
      case Phase::Forward:
        r.forward();
        break;
      case Phase::Loss:
        r.loss();
        break;
      case Phase::Dw:
        r.dw();
        break;
      case Phase::DxGather:
        r.dx_gather();
        break;
      case Phase::DxScatter:
        r.dx_scatter();
        break;
      case Phase::Db:
        r.db();
        break;
      case Phase::Matrix:
        r.matrix();
        break;
    }
    return r;
  }
};

Lesson lesson_of(const testing::RandomCase& r) {
  Lesson l;
  l.input = r.X, l.weight = r.W, l.bias = r.bias, l.spec = r.spec, l.upstream = r.G;
  return l;
}

Tensor values_of(const ResultFill& result) {
  Tensor t(result.shape());
  for (std::size_t i = 0; i < result.size(); ++i) t.values[i] = result.value(i);
  return t;
}

// Compares frame(k) with the reference at every term step; shown values must match, and so
// must every cell the frame calls done.
void check_every_term_step(const Timeline& tl, Phase p, bool skip) {
  const Reference ref = Reference::of(tl.lesson(), p, skip);
  ASSERT_EQ(tl.count(p, Granularity::Term, skip), static_cast<long long>(ref.steps.size()))
      << phase_name(p);
  for (std::size_t k = 0; k < ref.steps.size(); ++k) {
    SCOPED_TRACE(std::string(phase_name(p)) + " step " + std::to_string(k) +
                 (skip ? " (skip zeros)" : ""));
    const Frame f = tl.frame(p, Granularity::Term, static_cast<long long>(k), skip);
    const RefStep& want = ref.steps[k];
    ASSERT_EQ(f.kind, want.kind);
    ASSERT_EQ(f.result.shape(), want.result.shape);
    for (std::size_t i = 0; i < f.result.size(); ++i) {
      if (f.result.progress(i) == Progress::Pending) {
        ASSERT_EQ(f.result.value(i), 0.0) << "pending result cell " << i;
        continue;
      }
      ASSERT_NEAR(f.result.value(i), want.result.values[i], 1e-9) << "result cell " << i;
    }
    if (want.kind == StepKind::Stage) continue;
    ASSERT_EQ(f.target, want.target);
    ASSERT_NEAR(f.running_sum, want.running_sum, 1e-9);
    if (want.kind == StepKind::Term) {
      ASSERT_TRUE(f.current_term);
      EXPECT_EQ(f.current_term->a, want.a);
      EXPECT_EQ(f.current_term->b, want.b);
      EXPECT_EQ(f.current_term->zero, want.zero);
      EXPECT_NEAR(f.current_term->product, want.product, 1e-12);
      const Progress shown = f.result.progress(
          f.result.offset(want.target.n, want.target.c, want.target.h, want.target.w));
      EXPECT_NE(shown, Progress::Pending);
    }
    // Cell steps pass through the running sum too: each equals the sum of its terms so far.
    if (p != Phase::DxScatter && want.kind == StepKind::Term) {
      double sum = 0;
      for (double b : f.block_sums) sum += b;
      EXPECT_NEAR(sum, f.running_sum, 1e-9);
    }
  }
}

TEST(Timeline, EveryStepMatchesTheReferenceOnFiftySmallLessons) {
  std::mt19937 rng(2026);
  int checked = 0;
  while (checked < 50) {
    const auto r = testing::random_case(rng);
    if (r.geo.multiply_adds() > 3000) continue;  // keep every-step checks quick
    SCOPED_TRACE(r.describe());
    const Timeline tl(lesson_of(r));
    for (Phase p : kAllPhases)
      for (bool skip : {false, true}) check_every_term_step(tl, p, skip);
    ++checked;
  }
}

// The cells a step finished, as the fill lists them without scanning its grid (the quiz asks
// them), against a scan of every cell of the step and of the step before.
TEST(Timeline, FinishedCellsMatchAScanOfTheGrid) {
  std::mt19937 rng(77);
  int checked = 0;
  while (checked < 30) {
    const auto r = testing::random_case(rng);
    if (r.geo.multiply_adds() > 3000) continue;
    SCOPED_TRACE(r.describe());
    const Timeline tl(lesson_of(r));
    for (Phase p : kAllPhases)
      for (Granularity g : {Granularity::Term, Granularity::Cell})
        for (bool skip : {false, true}) {
          ResultFill before;
          for (long long k = 0; k < tl.count(p, g, skip); ++k) {
            SCOPED_TRACE(std::string(phase_name(p)) + " step " + std::to_string(k));
            const ResultFill now = tl.frame(p, g, k, skip).result;
            const bool same_grid = !before.empty() && before.shape() == now.shape();
            std::vector<std::size_t> scanned;
            for (std::size_t o = 0; o < now.size(); ++o)
              if (now.progress(o) == Progress::Done &&
                  !(same_grid && before.progress(o) == Progress::Done))
                scanned.push_back(o);
            ASSERT_EQ(now.finished_since(before), scanned);
            before = now;
          }
        }
    ++checked;
  }
}

// A lesson with a loss (random lessons give G): every phase, the loss first, against the
// reference, and G itself against the derivatives written out in the reference.
Lesson with_random_loss(Lesson l, LossKind kind, std::mt19937& rng) {
  l.upstream = {};
  l.loss.kind = kind;
  if (kind == LossKind::Mse) {
    l.loss.target = Tensor(l.geometry().output_shape());
    std::uniform_int_distribution<int> value(-3, 3);
    for (double& v : l.loss.target.values) v = value(rng);
  }
  return l;
}

TEST(Timeline, EveryStepOfEveryLossMatchesTheReference) {
  std::mt19937 rng(311);
  int checked = 0, relu_zeros = 0;
  while (checked < 40) {
    const auto r = testing::random_case(rng);
    if (r.geo.multiply_adds() > 3000) continue;
    const LossKind kind = static_cast<LossKind>(checked % 4);
    SCOPED_TRACE(r.describe() + " loss " + loss_name(kind));
    const Timeline tl(with_random_loss(lesson_of(r), kind, rng));
    // Skipping zeros changes nothing the loss decides (EveryStepMatchesTheReference covers it).
    for (Phase p : kAllPhases) check_every_term_step(tl, p, false);
    check_every_term_step(tl, Phase::Loss, true);
    // The phases after it run on the G the loss phase derived.
    const Reference ref = Reference::of(tl.lesson(), Phase::Loss, false);
    EXPECT_LE(max_abs_diff(ref.steps.back().result, tl.tensor(Grid::G)), 1e-12);
    if (kind == LossKind::ReluThenSum)
      for (double z : tl.results().Z.values) relu_zeros += z == 0;
    ++checked;
  }
  EXPECT_GT(relu_zeros, 0) << "no output was exactly 0: relu's corner went untested";
}

// The last frame of every phase, at every granularity, equals the core's results.
TEST(Timeline, LastFramesAreTheResults) {
  std::mt19937 rng(99);
  for (int t = 0; t < 200; ++t) {
    const auto r = testing::random_case(rng);
    SCOPED_TRACE(r.describe());
    const Timeline tl(lesson_of(r));
    const Results& res = tl.results();
    for (Granularity gr : {Granularity::Phase, Granularity::Cell, Granularity::Term})
      for (bool skip : {false, true}) {
        auto last = [&](Phase p) {
          return values_of(tl.frame(p, gr, tl.count(p, gr, skip) - 1, skip).result);
        };
        EXPECT_LE(max_abs_diff(last(Phase::Forward), res.Z), 1e-9);
        EXPECT_LE(max_abs_diff(last(Phase::Dw), res.dW), 1e-9);
        EXPECT_LE(max_abs_diff(last(Phase::DxGather), res.dX), 1e-9);
        EXPECT_LE(max_abs_diff(last(Phase::DxScatter), res.dX), 1e-9);
        EXPECT_EQ(last(Phase::Db).values, res.db);
        if (matrix_view_refusal(r.geo).empty())
          EXPECT_LE(max_abs_diff(last(Phase::Matrix), res.dX), 1e-9);
        else
          EXPECT_EQ(last(Phase::Matrix).values.size(), 0u);
        for (Phase p : kAllPhases) {
          const ResultFill result = tl.frame(p, gr, tl.count(p, gr, skip) - 1, skip).result;
          for (std::size_t i = 0; i < result.size(); ++i)
            ASSERT_EQ(result.progress(i), Progress::Done) << phase_name(p);
        }
      }
  }
}

// Counts follow the formulas, written out here from the definitions.
TEST(Timeline, StepCountsFollowTheFormulas) {
  std::mt19937 rng(5);
  for (int t = 0; t < 300; ++t) {
    const auto r = testing::random_case(rng);
    SCOPED_TRACE(r.describe());
    const Timeline tl(lesson_of(r));
    const Geometry& g = r.geo;
    const long long cg = g.c / g.groups, og = g.cout / g.groups;
    const long long z_cells = 1LL * g.n * g.cout * g.oh * g.ow;
    const long long w_cells = 1LL * g.cout * cg * g.kh * g.kw;
    const long long vh = g.gp_h() - g.span_h() + 1, vw = g.gp_w() - g.span_w() + 1;
    const long long dxp_cells = 1LL * g.n * g.c * vh * vw;
    const bool edge = some_input_unreached(g);
    const long long bias = r.bias.empty() ? 0 : 1;
    EXPECT_EQ(tl.count(Phase::Forward, Granularity::Term),
              1 + z_cells * (cg * g.kh * g.kw + (cg > 1)) + bias);
    EXPECT_EQ(tl.count(Phase::Forward, Granularity::Cell), 1 + z_cells + bias);
    EXPECT_EQ(tl.count(Phase::Forward, Granularity::Phase), 2 + bias);
    EXPECT_EQ(tl.count(Phase::Dw, Granularity::Term),
              1 + w_cells * (1LL * g.n * g.oh * g.ow + (g.n > 1)));
    EXPECT_EQ(tl.count(Phase::DxGather, Granularity::Term),
              5 + edge + dxp_cells * (og * g.kh * g.kw + (og > 1)));
    EXPECT_EQ(tl.count(Phase::DxGather, Granularity::Cell), 5 + edge + dxp_cells);
    EXPECT_EQ(tl.count(Phase::DxScatter, Granularity::Term), 1 + z_cells * cg * g.kh * g.kw);
    EXPECT_EQ(tl.count(Phase::Db, Granularity::Term),
              g.cout * (1LL * g.n * g.oh * g.ow + (g.n > 1)));
    EXPECT_EQ(tl.count(Phase::Forward, Granularity::Term),
              g.multiply_adds() + 1 + bias + (cg > 1 ? z_cells : 0));
    // The matrix view: 4 stages and a cell per dX value summing a term per output value.
    const long long x_cells = 1LL * g.n * g.c * g.h * g.w, z_per_sample = z_cells / g.n;
    const bool matrix = g.groups == 1 && z_per_sample <= 32 && x_cells / g.n <= 32;
    EXPECT_EQ(tl.count(Phase::Matrix, Granularity::Term),
              matrix ? 4 + x_cells * (z_per_sample + (g.cout > 1)) : 1);
    EXPECT_EQ(tl.count(Phase::Matrix, Granularity::Cell), matrix ? 4 + x_cells : 1);
    EXPECT_EQ(tl.count(Phase::Matrix, Granularity::Phase), matrix ? 5 : 1);
  }
}

// On the wider random set: sampled k, including the first and last of every phase, against
// the reference.
TEST(Timeline, SampledStepsOnTheWiderSet) {
  std::mt19937 rng(4242);
  for (int t = 0; t < 150; ++t) {
    const auto r = testing::random_case(rng);
    SCOPED_TRACE(r.describe());
    const Timeline tl(lesson_of(r));
    for (Phase p : kAllPhases) {
      const Reference ref = Reference::of(tl.lesson(), p, false, false);
      const long long n = static_cast<long long>(ref.steps.size());
      for (long long k :
           {0LL, n - 1, n / 2, n / 3, std::uniform_int_distribution<long long>(0, n - 1)(rng)}) {
        const Frame f = tl.frame(p, Granularity::Term, k);
        ASSERT_EQ(f.kind, ref.steps[k].kind) << phase_name(p) << " " << k;
        if (f.kind != StepKind::Stage) {
          EXPECT_EQ(f.target, ref.steps[k].target);
          EXPECT_NEAR(f.running_sum, ref.steps[k].running_sum, 1e-9);
        }
      }
    }
  }
}

// ---- Seed 000 ----

Lesson sobel() {
  return load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json");
}

TEST(Seed000, GatherShowsTheNotebooksPaddedGradientMapAndDX) {
  const Timeline tl(sobel());
  const Tensor& Gp = tl.tensor(Grid::Gp);
  ASSERT_EQ(Gp.shape, (Shape{1, 1, 8, 7}));
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 7; ++x) {
      const bool one = y >= 2 && y <= 5 && x >= 2 && x <= 4;
      EXPECT_EQ(Gp(0, 0, y, x), one ? 1 : 0) << y << "," << x;
      EXPECT_EQ(tl.is_padding(Grid::Gp, y, x), !one);
    }
  // Phase steps: G, Gd, Gp, rotate, the gathering, crop.
  ASSERT_EQ(tl.count(Phase::DxGather, Granularity::Phase), 6);
  EXPECT_EQ(tl.frame(Phase::DxGather, Granularity::Phase, 2).stage, Stage::PadGradient);
  EXPECT_EQ(tl.frame(Phase::DxGather, Granularity::Phase, 2).rotation_deg, 0);
  EXPECT_EQ(tl.frame(Phase::DxGather, Granularity::Phase, 3).rotation_deg, 180);
  const Frame last = tl.frame(Phase::DxGather, Granularity::Phase, 5);
  EXPECT_EQ(last.result_grid, Grid::dX);
  const double want[6][5] = {{1, 1, 0, -1, -1}, {3, 3, 0, -3, -3}, {4, 4, 0, -4, -4},
                             {4, 4, 0, -4, -4}, {3, 3, 0, -3, -3}, {1, 1, 0, -1, -1}};
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 5; ++x)
      EXPECT_EQ(last.result.value(last.result.offset(0, 0, y, x)), want[y][x]);
}

TEST(Seed000, EquationsShowRealNumbers) {
  const Timeline tl(sobel());
  // dXp[2,3] (= dX[2,3]) is gathered over the 3×3 window of Gp at (2,3). By hand: Gp rows 2–4,
  // columns 3–5 are [[1,1,0],[1,1,0],[1,1,0]] and Wr = [[−1,0,1],[−2,0,2],[−1,0,1]], so the
  // sum is −1 + 0 − 2 + 0 − 1 + 0 = −4 = dX[2,3].
  const long long first_cell_step = 4;  // after G, Gd, Gp, rotate
  const Frame f = tl.frame(Phase::DxGather, Granularity::Cell, first_cell_step + 2 * 5 + 3);
  EXPECT_EQ(tl.cell_name(f.target), "dXp[2,3]");
  EXPECT_EQ(f.running_sum, -4);
  const std::string equation = f.equation.text();
  EXPECT_EQ(equation.rfind("dXp[2,3] = Gp[2,3]·Wr[0,0] + Gp[2,4]·Wr[0,1] + ", 0), 0u) << equation;
  EXPECT_NE(equation.find("= 1·(−1) + 1·0 + 0·1 + 1·(−2)"), std::string::npos) << equation;
  EXPECT_TRUE(equation.ends_with(" = −4")) << equation;
  // The seventh term of that cell, at term granularity: Gp[4,3]·Wr[2,0] = 1·(−1).
  const long long cell_start = 4 + (2 * 5 + 3) * 9;
  const Frame t = tl.frame(Phase::DxGather, Granularity::Term, cell_start + 6);
  ASSERT_TRUE(t.current_term);
  EXPECT_EQ(tl.cell_name(t.current_term->a), "Gp[4,3]");
  EXPECT_EQ(tl.cell_name(t.current_term->b), "Wr[2,0]");
  EXPECT_EQ(t.running_sum, -1 + -2 + -1);
}

TEST(Seed000, EveryResultCellSaysHowItIsComputed) {
  const Timeline tl(sobel());
  // Z[1,2] = −7 in the notebook; dX[2,3] = −4; dW[0,0] = 15; db = 12.
  EXPECT_TRUE(tl.equation_of({Grid::Z, 0, 0, 1, 2}).starts_with("Z[1,2] = Xp[1,2]·W[0,0] + "));
  EXPECT_TRUE(tl.equation_of({Grid::Z, 0, 0, 1, 2}).ends_with(" = −7"));
  EXPECT_TRUE(tl.equation_of({Grid::dX, 0, 0, 2, 3}).ends_with(" = −4"));
  EXPECT_TRUE(tl.equation_of({Grid::dW, 0, 0, 0, 0}).ends_with(" = 15"));
  EXPECT_TRUE(tl.equation_of({Grid::db, 0, 0, 0, 0}).ends_with(" = 12"));
  EXPECT_EQ(tl.equation_of({Grid::Xp, 0, 0, 0, 0}), "");
}

TEST(Coverage, HolesAndEdgesAreUncovered) {
  Lesson l;
  l.input = Tensor(Shape{1, 1, 8, 8}, 1.0);
  l.weight = Tensor(Shape{1, 1, 2, 2}, 1.0);
  l.spec.stride_h = l.spec.stride_w = 2;
  l.spec.dil_h = l.spec.dil_w = 2;
  const Timeline tl(l);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) EXPECT_EQ(tl.is_uncovered(y, x), y % 2 == 1 || x % 2 == 1);
}

// A cell's terms are visited on demand, in the order of its term steps: the k-th visited term
// is the current term of the cell's k-th step. Frames hold at most that one term.
TEST(Timeline, VisitingACellsTermsFollowsItsTermSteps) {
  std::mt19937 rng(17);
  int checked = 0;
  while (checked < 40) {
    const auto r = testing::random_case(rng);
    if (r.geo.multiply_adds() > 3000) continue;
    SCOPED_TRACE(r.describe());
    const Timeline tl(lesson_of(r));
    for (Phase p : kAllPhases)
      for (bool skip : {false, true}) {
        std::vector<Term> walked;  // the term steps, cell by cell
        std::vector<long long> cells;
        for (long long k = 0; k < tl.count(p, Granularity::Term, skip); ++k) {
          const Frame f = tl.frame(p, Granularity::Term, k, skip, false);
          if (f.kind != StepKind::Term) continue;
          ASSERT_TRUE(f.current_term);
          walked.push_back(*f.current_term), cells.push_back(f.cell);
        }
        std::size_t i = 0;
        const long long n = tl.count(p, Granularity::Cell, skip);
        for (long long k = 0; k < n; ++k) {
          const Frame f = tl.frame(p, Granularity::Cell, k, skip, false);
          if (f.kind != StepKind::Cell) continue;
          EXPECT_FALSE(f.current_term);
          double sum = 0;
          tl.for_each_term(p, f.cell, skip, [&](const Term& t) {
            ASSERT_LT(i, walked.size());
            EXPECT_EQ(cells[i], f.cell);
            EXPECT_EQ(t.a, walked[i].a);
            EXPECT_EQ(t.b, walked[i].b);
            EXPECT_EQ(t.product, walked[i].product);
            sum += t.product, ++i;
          });
          if (p != Phase::DxScatter) {
            EXPECT_NEAR(sum, f.running_sum, 1e-9);
          }
        }
        EXPECT_EQ(i, walked.size()) << phase_name(p);
      }
    ++checked;
  }
}

// The limits on terms are checked against the timeline's own counts, before anything is
// computed: a lesson just within them opens, one just past is refused.
TEST(Limits, TermLimitsUseTheTimelinesCounts) {
  // The 59-byte lesson: one 1×1 input padded by 2047 on every side. Its padded input
  // is too large, and every dW cell would sum 4095² terms.
  Lesson huge;
  huge.input = Tensor(Shape{1, 1, 1, 1}, 1.0);
  huge.weight = Tensor(Shape{1, 1, 1, 1}, 1.0);
  huge.spec.padding = {PaddingMode::Explicit, 2047, 2047, 2047, 2047};
  EXPECT_THROW(huge.geometry(), ConvError);
  huge.spec.padding = {PaddingMode::Explicit, 1023, 1023, 1023, 1023};  // 2047² terms: fits
  const Timeline fits(huge);
  EXPECT_EQ(fits.count(Phase::Dw, Granularity::Term), 1 + 2047LL * 2047);
  EXPECT_LE(fits.frame(Phase::Dw, Granularity::Cell, 1).terms_per_cell, kMaxTermsPerCell);
  huge.spec.padding = {PaddingMode::Explicit, 1024, 1024, 1024, 1024};  // 2049²: too many
  EXPECT_THROW(huge.geometry(), ConvError);
  try {
    huge.geometry();
  } catch (const ConvError& e) {
    EXPECT_NE(std::string(e.what()).find("each cell of dW is a sum of 4198401 terms"),
              std::string::npos)
        << e.what();
  }
}

TEST(Timeline, OutOfRangeStepsAreRefused) {
  const Timeline tl(sobel());
  EXPECT_THROW(tl.frame(Phase::Forward, Granularity::Term, -1), std::out_of_range);
  EXPECT_THROW(
      tl.frame(Phase::Forward, Granularity::Term, tl.count(Phase::Forward, Granularity::Term)),
      std::out_of_range);
}

}  // namespace
}  // namespace convstep
