// ∂L/∂b = ΣG: db[o] is the sum of G[n,o,i,j] over the batch and every position.
// Loops: cells (outer = o, a = b = 0), terms (q = n, p = i, r = j): plain additions.
#include <algorithm>

#include "core/colormap.h"
#include "core/phases/canvas.h"
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model&) {
  return {Stage::None};
}

BlockShape shape(const Geometry& g) {
  return {.outer = g.cout,
          .q = g.n,
          .rows = 1,
          .rows_inner = g.oh,
          .cols = 1,
          .cols_inner = g.ow,
          .sum_step = g.n > 1};
}

Term term(const Geometry&, const TermAt& t, CellRef* target) {
  Term term;
  term.a = {Grid::G, t.q, t.outer, t.p, t.r};
  term.b = {};  // no second factor
  *target = {Grid::db, 0, t.outer, 0, 0};
  return term;
}

Window window(const Geometry& g, const TermAt& t) {
  return {Grid::G, t.q, t.outer, 0, 0, g.oh, g.ow, 1, 1};
}

Grid result_grid(Stage) {
  return Grid::db;
}

std::optional<long long> cell_of(const Model&, const CellRef& cell) {
  if (cell.grid != Grid::db) return std::nullopt;
  return cell.c;
}

void slices(const Geometry&, const Frame& f, int* n, int*, int* o) {
  if (f.window) *n = f.window->n, *o = f.window->c;
}

// G Σ → db: one row of db, its channels in columns.
void draw(StageCanvas& s) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const Frame& f = s.frame();
  int n, c, o;
  s.slices(&n, &c, &o);
  Tensor row(Shape{1, 1, 1, g.cout});
  const GridValues db = s.result_or_final(Grid::db);  // cout values, one per channel
  for (int k = 0; k < g.cout; ++k) row.values[k] = db(0, k, 0, 0);
  std::vector<StageCanvas::Slot> slots = {{Grid::G, n, o, g.oh, g.ow, "Σ →"},
                                          {Grid::db, 0, 0, 1, g.cout, ""}};
  s.layout(slots);
  s.add_grid(slots[0], Grid::G, tl.tensor(Grid::G), n, o, s.slice_label(Grid::G, n, o, "n", "o"));
  Tensor final_row(row.shape);
  final_row.values = tl.results().db;
  SceneGrid& dbg = s.add_grid(slots[1], Grid::db, row, 0, 0, "db", &final_row);
  if (!f.result.empty())
    for (SceneCell& cell : dbg.cells)
      if (f.result.progress(cell.col) == Progress::Pending)
        cell.style = CellStyle::Pending, cell.text.clear();
  const float cell = s.cell_size();
  const Rect target = cell_rect(dbg, 0, f.target.c);
  s.window_overlay();
  // db's target is (0, o, 0, 0): on the stage its cell is column o of the row.
  if (f.kind != StepKind::Stage)
    s.frame_rect(target, kRoleTarget, std::clamp(cell * 0.1f, 2.5f, 6.0f), FrameRole::Target);
  if (f.kind == StepKind::Term && f.current_term) {
    const CellRef& a = f.current_term->a;
    if (a.n == n && a.c == o)
      s.frame_rect(scaled(cell_rect(*s.find(Grid::G, n, o), a.h, a.w), 0.8f), kRoleTerm, 3,
                   FrameRole::Term);
  }
}

}  // namespace

extern const PhaseDef kDbPhase = {
    .name = "db",
    .label = "db",
    .title = "∂L/∂b = ΣG",
    .explanation =
        "The bias is added to every output cell of its channel, in every sample, so each "
        "of them passes its gradient straight to it: db = ΣG over the batch and all "
        "positions. With L = ΣZ, G is all ones and db counts the output cells.",
    .lesson_explanation = nullptr,
    .result_name = "db",
    .summed_over = "samples",
    .zero_term_note = "",
    .unreached_remark = "",
    .stages = stages,
    .shape = shape,
    .row_ok = nullptr,
    .col_ok = nullptr,
    .term = term,
    .window = window,
    .source = nullptr,
    .block_step = gather_step,
    .result = Grid::db,
    .result_grid = result_grid,
    .final_values = nullptr,
    .cell_of = cell_of,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = draw,
};

}  // namespace convstep
