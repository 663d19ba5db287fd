// ∂L/∂X by scattering: each G cell adds g·W into the window it came from (a transposed
// convolution); the crop then leaves dX. A step's terms land in many cells of dXp.
// Loops: cells (outer = n·Cout + o, a = i, b = j: the G cell that stamps), terms (q = c within
// o's group, p = u, r = v).
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model&) {
  return {Stage::None, Stage::Crop};
}

BlockShape shape(const Geometry& g) {
  return {.outer = g.n * g.cout,
          .q = g.c_per_group(),
          .rows = g.oh,
          .rows_inner = g.kh,
          .cols = g.ow,
          .cols_inner = g.kw,
          .sum_step = false};
}

// The input channel of term q: the q-th of output channel o's group.
int channel(const Geometry& g, int o, int q) {
  return o / g.cout_per_group() * g.c_per_group() + q;
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  Term term;
  term.a = {Grid::G, n, o, t.a, t.b};
  term.b = {Grid::W, o, t.q, t.p, t.r};
  *target = {Grid::dXp, n, channel(g, o, t.q), t.a * g.stride_h + t.p * g.dil_h,
             t.b * g.stride_w + t.r * g.dil_w};
  return term;
}

// The stamp of g·W on dXp.
Window window(const Geometry& g, const TermAt& t) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  return {Grid::dXp, n,      channel(g, o, t.q), t.a * g.stride_h, t.b * g.stride_w, g.kh, g.kw,
          g.dil_h,   g.dil_w};
}

std::optional<CellRef> source(const Geometry& g, const TermAt& t) {
  return CellRef{Grid::G, t.outer / g.cout, t.outer % g.cout, t.a, t.b};
}

Grid result_grid(Stage stage) {
  return stage == Stage::Crop ? Grid::dX : Grid::dXp;
}

// dXp[n,c,y,x] as it stands at step s: every stamp of an earlier source, and this one's terms
// so far; `any`/`all`: whether some or every contribution has arrived.
double stamped(const Model& m, const BlockStep& s, int n, int c, int y, int x, bool* any,
               bool* all) {
  const Geometry& g = m.geo;
  const int grp = c / g.c_per_group(), c_in = c - grp * g.c_per_group();
  double v = 0;
  *any = false, *all = true;
  for (int o = grp * g.cout_per_group(); o < (grp + 1) * g.cout_per_group(); ++o)
    for (int u = 0; u < g.kh; ++u) {
      const int row = y - u * g.dil_h;
      if (row < 0 || row % g.stride_h || row / g.stride_h >= g.oh) continue;
      for (int vv = 0; vv < g.kw; ++vv) {
        const int col = x - vv * g.dil_w;
        if (col < 0 || col % g.stride_w || col / g.stride_w >= g.ow) continue;
        const int i = row / g.stride_h, j = col / g.stride_w;
        const long long source = ((1LL * n * g.cout + o) * g.oh + i) * g.ow + j;
        const long long t = (1LL * c_in * g.kh + u) * g.kw + vv;
        // Every contribution is computed, included or not: the cost must not depend on how
        // far the scatter has come.
        const bool in = source < s.cell || (source == s.cell && t <= s.term);
        const double product = m.G(n, o, i, j) * m.lesson.weight(o, c_in, u, vv);
        v += in ? product : 0.0;
        *any |= in;
        *all &= in;
      }
    }
  return v;
}

void show_stamps(const Model& m, const BlockStep& s, Frame& f) {
  const Geometry& g = m.geo;
  for (int n = 0; n < g.n; ++n)
    for (int c = 0; c < g.c; ++c)
      for (int y = 0; y < g.hp(); ++y)
        for (int x = 0; x < g.wp(); ++x) {
          bool any, all;
          const std::size_t at = f.result.offset(n, c, y, x);
          f.result.values[at] = stamped(m, s, n, c, y, x, &any, &all);
          f.progress[at] = all ? Progress::Done : any ? Progress::Partial : Progress::Pending;
        }
}

// A term adds into one cell of dXp; a whole step stamps g·W into the source's window.
void scatter_step(const Model& m, const PhaseDef&, const BlockStep& s, Frame& f) {
  if (s.with_result) show_stamps(m, s, f);
  if (s.granularity == Granularity::Phase) show_complete(s, f);
  Equation& e = f.equation;
  e.op = "+=";
  if (s.whole_cell) {
    f.target = f.source;
    f.running_sum = m.value(f.source);
    e.target = "dXp[window of " + m.name(f.source) + "]";
    e.terms = {{m.name(f.source) + "·W", factor(f.running_sum) + "·W"}};
    f.note = "The gradient " + number(f.running_sum) + " of " + m.name(f.source) +
             " flows back through every weight of its window.";
    return;
  }
  const CellRef& t = s.current_target;
  const Term& term = s.current;
  f.target = t;
  bool any, all;
  f.running_sum = stamped(m, s, t.n, t.c, t.h, t.w, &any, &all);
  e.target = m.name(t);
  e.terms = {
      {m.name(term.a) + "·" + m.name(term.b), factor(term.a_value) + "·" + factor(term.b_value)}};
  e.result = number(term.product);
  e.running = number(f.running_sum);
}

void slices(const Geometry&, const Frame& f, int* n, int* c, int* o) {
  if (f.kind != StepKind::Stage) *n = f.source.n, *o = f.source.c;
  if (f.window) *c = f.window->c;
}

}  // namespace

const PhaseDef kDxScatterPhase = {
    .name = "dx_scatter",
    .title = "∂L/∂X by scattering: each G cell stamps g·W",
    .explanation =
        "The same gradient, computed the other way round: each output's gradient g flows "
        "back along the weights that produced it, so every G cell adds g·W into the window it "
        "came from (a transposed convolution). No rotation is needed here. Where windows "
        "overlap, the contributions add up; the parts that land on the padding are cropped "
        "off at the end.",
    .result_name = "dX",
    .summed_over = "",
    .zero_term_note = "",
    .unreached_remark = "",
    .stages = stages,
    .shape = shape,
    .row_ok = nullptr,
    .col_ok = nullptr,
    .term = term,
    .window = window,
    .source = source,
    .block_step = scatter_step,
    .result_grid = result_grid,
    .final_values = nullptr,
    .cell_of = nullptr,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = nullptr,
};

}  // namespace convstep
