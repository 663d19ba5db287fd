// Forward: Z = Xp ⋆ W + b. Each output cell Z[n,o,i,j] is the sum over the input channels c of
// its group and the kernel taps (u, v) of Xp[n,c,i·s+u·dil,j·s+v·dil]·W[o,c,u,v].
// Loops: cells (outer = n·Cout + o, a = i, b = j), terms (q = c within the group, p = u, r = v).
#include "core/equation.h"
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model& m) {
  std::vector<Stage> s = {Stage::PadInput, Stage::None};
  if (!m.lesson.bias.empty()) s.push_back(Stage::AddBias);
  return s;
}

BlockShape shape(const Geometry& g) {
  return {.outer = g.n * g.cout,
          .q = g.c_per_group(),
          .rows = g.oh,
          .rows_inner = g.kh,
          .cols = g.ow,
          .cols_inner = g.kw,
          .sum_step = g.c_per_group() > 1};
}

// Tap u of window row i reads Xp row i·s + u·dil: a padding zero unless it falls on X.
bool row_ok(const Model& m, int i, int u) {
  const Geometry& g = m.geo;
  const int y = i * g.stride_h + u * g.dil_h;
  return y >= g.pad_top && y < g.pad_top + g.h;
}
bool col_ok(const Model& m, int j, int v) {
  const Geometry& g = m.geo;
  const int x = j * g.stride_w + v * g.dil_w;
  return x >= g.pad_left && x < g.pad_left + g.w;
}

// The input channel of term q: the q-th of output channel o's group.
int channel(const Geometry& g, int o, int q) {
  return o / g.cout_per_group() * g.c_per_group() + q;
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  Term term;
  term.a = {Grid::Xp, n, channel(g, o, t.q), t.a * g.stride_h + t.p * g.dil_h,
            t.b * g.stride_w + t.r * g.dil_w};
  term.b = {Grid::W, o, t.q, t.p, t.r};
  *target = {Grid::Z, n, o, t.a, t.b};
  return term;
}

Window window(const Geometry& g, const TermAt& t) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  return {Grid::Xp, n,      channel(g, o, t.q), t.a * g.stride_h, t.b * g.stride_w, g.kh, g.kw,
          g.dil_h,  g.dil_w};
}

Grid result_grid(Stage) {
  return Grid::Z;
}

// Z before the bias until the bias is added.
const Tensor& final_values(const Model& m, Stage stage) {
  return stage == Stage::AddBias || m.lesson.bias.empty() ? m.results.Z : m.Z_before_bias;
}

std::optional<long long> cell_of(const Model& m, const CellRef& cell) {
  if (cell.grid != Grid::Z) return std::nullopt;
  return m.results.Z.offset(cell.n, cell.c, cell.h, cell.w);
}

std::string cell_remark(const Model& m, const CellRef& cell) {
  if (m.lesson.bias.empty()) return "";
  return " (then + b[" + std::to_string(cell.c) + "] = " + number(m.lesson.bias[cell.c]) + ")";
}

void slices(const Geometry&, const Frame& f, int* n, int* c, int* o) {
  if (f.window) *c = f.window->c;
  if (f.kind != StepKind::Stage) *n = f.target.n, *o = f.target.c;
}

}  // namespace

const PhaseDef kForwardPhase = {
    .name = "forward",
    .title = "Forward: Z = Xp ⋆ W + b",
    .explanation =
        "The kernel W slides over the padded input Xp with the stride. Each output cell "
        "Z[i,j] is the sum of the products of the window's cells with the kernel's: a "
        "cross-correlation, as in PyTorch, so the kernel is not flipped. With several input "
        "channels each channel's window contributes its own sum, and the sums are added; "
        "then the bias is added to every cell of its output channel.",
    .result_name = "Z",
    .summed_over = "channels",
    .zero_term_note = "This term multiplies a zero of the padding: it adds nothing.",
    .unreached_remark = "",
    .stages = stages,
    .shape = shape,
    .row_ok = row_ok,
    .col_ok = col_ok,
    .term = term,
    .window = window,
    .source = nullptr,
    .block_step = gather_step,
    .result_grid = result_grid,
    .final_values = final_values,
    .cell_of = cell_of,
    .cell_remark = cell_remark,
    .slices = slices,
    .draw = nullptr,
};

}  // namespace convstep
