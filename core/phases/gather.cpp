// The accumulation step of a gathering phase (forward, dw, dx_gather, db): each target cell is
// the sum of its terms, the cells are computed one after another in loop order.
#include <algorithm>

#include "core/format.h"
#include "core/phases/phases.h"

namespace convstep {

void show_complete(const BlockStep& s, Frame& f) {
  if (!s.with_result) return;
  f.result = *s.final_values;
  std::fill(f.progress.begin(), f.progress.end(), Progress::Done);
}

namespace {

// The result grid: cells before this one are done, this one holds its running sum, the rest
// are pending. In each row the loop reaches, the done cells come first: one copy and one fill
// a row, whatever the step, so the cost does not depend on k.
void show_progress(const BlockStep& s, Frame& f) {
  const Shape rs = f.result.shape;
  const int rows = std::min(rs.h, s.shape.rows), cols = std::min(rs.w, s.shape.cols);
  const double* final_values = s.final_values->values.data();
  double* values = f.result.values.data();
  Progress* progress = f.progress.data();
  for (int slice = 0; slice < rs.n * rs.c; ++slice)
    for (int y = 0; y < rows; ++y) {
      const long long first = (1LL * slice * s.shape.rows + y) * s.shape.cols;  // in loop order
      const int done = static_cast<int>(std::clamp<long long>(s.cell - first, 0, cols));
      const std::size_t at = (static_cast<std::size_t>(slice) * rs.h + y) * rs.w;
      std::copy(final_values + at, final_values + at + done, values + at);
      std::fill(values + at + done, values + at + cols, 0.0);
      std::fill(progress + at, progress + at + done, Progress::Done);
      std::fill(progress + at + done, progress + at + cols, Progress::Pending);
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
  // The block's last step shows every cell done (cells of only skipped zero terms may follow,
  // and they are 0): the progress up to it would be overwritten, so it is not made.
  if (s.granularity == Granularity::Phase || s.last)
    show_complete(s, f);
  else if (s.with_result)
    show_progress(s, f);

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
