// ∂L/∂X by gathering: G spread out by the stride (Gd), padded by (k−1)·dil (Gp), and the kernel
// turned through 180° (Wr); then dXp = Gp ⋆ Wr, and the crop leaves dX.
// Loops: cells (outer = n·C + c, a = y, b = x over the part of dXp that Gp ⋆ Wr reaches),
// terms (q = o within c's group, p = u, r = v).
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model& m) {
  std::vector<Stage> s = {Stage::ShowGradient, Stage::DilateGradient, Stage::PadGradient,
                          Stage::RotateKernel, Stage::None};
  if (m.reach_h < m.geo.hp() || m.reach_w < m.geo.wp()) s.push_back(Stage::ZeroUncovered);
  s.push_back(Stage::Crop);
  return s;
}

BlockShape shape(const Geometry& g) {
  return {.outer = g.n * g.c,
          .q = g.cout_per_group(),
          .rows = g.gp_h() - g.span_h() + 1,
          .rows_inner = g.kh,
          .cols = g.gp_w() - g.span_w() + 1,
          .cols_inner = g.kw,
          .sum_step = g.cout_per_group() > 1};
}

// Gp holds a G value on row (k−1)·dil + i·s; the rest are inserted zeros and padding.
bool row_ok(const Model& m, int y, int u) {
  const Geometry& g = m.geo;
  const int r = y + u * g.dil_h - (g.kh - 1) * g.dil_h;
  return r >= 0 && r % g.stride_h == 0 && r / g.stride_h < g.oh;
}
bool col_ok(const Model& m, int x, int v) {
  const Geometry& g = m.geo;
  const int c = x + v * g.dil_w - (g.kw - 1) * g.dil_w;
  return c >= 0 && c % g.stride_w == 0 && c / g.stride_w < g.ow;
}

// The output channel of term q: the q-th of input channel c's group.
int out_channel(const Geometry& g, int c, int q) {
  return c / g.c_per_group() * g.cout_per_group() + q;
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  const int n = t.outer / g.c, c = t.outer % g.c;
  Term term;
  term.a = {Grid::Gp, n, out_channel(g, c, t.q), t.a + t.p * g.dil_h, t.b + t.r * g.dil_w};
  term.b = {Grid::Wr, c, t.q, t.p, t.r};
  *target = {Grid::dXp, n, c, t.a, t.b};
  return term;
}

Window window(const Geometry& g, const TermAt& t) {
  const int n = t.outer / g.c, c = t.outer % g.c;
  return {Grid::Gp, n, out_channel(g, c, t.q), t.a, t.b, g.kh, g.kw, g.dil_h, g.dil_w};
}

Grid result_grid(Stage stage) {
  return stage == Stage::Crop ? Grid::dX : Grid::dXp;
}

// dX and dXp cells: the gathering loop covers dXp's top-left reach_h × reach_w.
std::optional<long long> cell_of(const Model& m, const CellRef& cell) {
  if (cell.grid != Grid::dX && cell.grid != Grid::dXp) return std::nullopt;
  const bool cropped = cell.grid == Grid::dX;
  const int y = cell.h + (cropped ? m.geo.pad_top : 0), x = cell.w + (cropped ? m.geo.pad_left : 0);
  if (y >= m.reach_h || x >= m.reach_w) return -1;
  return ((1LL * cell.n * m.geo.c + cell.c) * m.reach_h + y) * m.reach_w + x;
}

void slices(const Geometry&, const Frame& f, int* n, int* c, int* o) {
  if (f.window) *n = f.window->n, *o = f.window->c;
  if (f.kind != StepKind::Stage) *c = f.target.c;
}

}  // namespace

const PhaseDef kDxGatherPhase = {
    .name = "dx_gather",
    .title = "∂L/∂X by gathering: Gp ⋆ Wr",
    .explanation =
        "Each input cell collects the gradient of every output whose window covered it. "
        "Spreading G out by the stride (s−1 zeros between cells) puts each output back where "
        "its window started; padding it by (k−1)·dil lets the kernel hang over its edges. "
        "Sliding the kernel over it the other way round is the same as sliding the kernel "
        "rotated by 180°: the top-left weight of a window reaches the input that is the "
        "bottom-right neighbour from the gathering cell's point of view. Inputs that no "
        "window reaches collect nothing and do not learn. Finally the border is cropped off: "
        "the padding zeros are constants, not inputs, so their gradients are discarded.",
    .result_name = "dX",
    .summed_over = "channels",
    .zero_term_note = "This term multiplies a zero of the padded gradient map: it adds nothing.",
    .unreached_remark = ": no window reaches it, so it gets no gradient",
    .stages = stages,
    .shape = shape,
    .row_ok = row_ok,
    .col_ok = col_ok,
    .term = term,
    .window = window,
    .source = nullptr,
    .block_step = gather_step,
    .result_grid = result_grid,
    .final_values = nullptr,
    .cell_of = cell_of,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = nullptr,
};

}  // namespace convstep
