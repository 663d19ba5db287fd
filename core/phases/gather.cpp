// The accumulation step of a gathering phase (forward, dw, dx_gather, db): each target cell is
// the sum of its terms, the cells are computed one after another in loop order.
#include "core/format.h"
#include "core/phases/phases.h"

namespace convstep {

void show_complete(const BlockStep& s, Frame& f) {
  if (!s.with_result) return;
  f.result = *s.final_values;
  std::fill(f.progress.begin(), f.progress.end(), Progress::Done);
}

namespace {

// The result grid: cells before this one are done, this one holds its running sum. Every
// value is visited whatever the step, so the cost does not depend on k.
void show_progress(const BlockStep& s, Frame& f) {
  const Shape rs = f.result.shape;
  const int rows = s.shape.rows, cols = s.shape.cols;  // the cells the loop reaches
  // Locals, not the frame's members: the stores below cannot move them.
  const long long now = s.cell;
  const double* final_values = s.final_values->values.data();
  double* values = f.result.values.data();
  Progress* progress = f.progress.data();
  for (int a0 = 0; a0 < rs.n; ++a0)
    for (int a1 = 0; a1 < rs.c; ++a1)
      for (int y = 0; y < rs.h && y < rows; ++y)
        for (int x = 0; x < rs.w && x < cols; ++x) {
          const long long cell = ((1LL * a0 * rs.c + a1) * rows + y) * cols + x;
          const std::size_t at = ((static_cast<std::size_t>(a0) * rs.c + a1) * rs.h + y) * rs.w + x;
          const bool done = cell < now;
          values[at] = done ? final_values[at] : 0.0;
          progress[at] = done ? Progress::Done : Progress::Pending;
        }
  const auto target = f.result.offset(f.target.n, f.target.c, f.target.h, f.target.w);
  values[target] = s.sum;
  progress[target] = s.cell_complete ? Progress::Done : Progress::Partial;
}

// "Z[1,2] = 3 + (−1) = 2  (sum over channels)".
Equation subtotals(const Model& m, const PhaseDef& def, const Frame& f) {
  Equation e;
  e.target = m.name(f.target);
  for (double v : f.block_sums) e.terms.push_back({"", factor(v)});
  e.result = number(f.running_sum);
  e.remark = std::string("  (sum over ") + def.summed_over + ")";
  return e;
}

}  // namespace

void gather_step(const Model& m, const PhaseDef& def, const BlockStep& s, Frame& f) {
  def.term(m.geo, {s.at.outer, s.at.a, s.at.b, 0, 0, 0}, &f.target);  // fixed for the cell
  f.running_sum = s.sum;
  if (s.with_result) show_progress(s, f);
  // The block's last step: cells of only skipped zero terms may follow, and they are 0.
  if (s.granularity == Granularity::Phase || s.last) show_complete(s, f);

  if (f.kind == StepKind::Sum && s.shape.q > 1) {
    f.equation = subtotals(m, def, f);
    f.note = std::string("The subtotals of the ") + def.summed_over + " are added.";
  } else if (f.kind == StepKind::Block) {
    f.equation = s.sum_equation;
    f.note = std::string("All ") + plural(s.cells, "cell") + " of " + grid_name(f.result_grid) +
             " are computed; the last one is shown.";
  } else {
    f.equation = s.sum_equation;
    if (f.kind == StepKind::Term && s.current.zero) f.note = def.zero_term_note;
  }
}

}  // namespace convstep
