// ∂L/∂b = ΣG: db[o] is the sum of G[n,o,i,j] over the batch and every position.
// Loops: cells (outer = o, a = b = 0), terms (q = n, p = i, r = j): plain additions.
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

}  // namespace

const PhaseDef kDbPhase = {
    .name = "db",
    .title = "∂L/∂b = ΣG",
    .explanation =
        "The bias is added to every output cell of its channel, in every sample, so each "
        "of them passes its gradient straight to it: db = ΣG over the batch and all "
        "positions. With L = ΣZ, G is all ones and db counts the output cells.",
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
    .result_grid = result_grid,
    .final_values = nullptr,
    .cell_of = cell_of,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = nullptr,
};

}  // namespace convstep
