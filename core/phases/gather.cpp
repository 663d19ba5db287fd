// The accumulation step of a gathering phase (forward, dw, dx_gather, db): each target cell is
// the sum of its terms, the cells are computed one after another in loop order.
#include "core/format.h"
#include "core/phases/phases.h"

namespace convstep {

void show_complete(const BlockStep& s, Frame& f) {
  if (s.final_values) f.result = ResultFill::complete(s.final_values);
}

namespace {

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
  // and they are 0).
  if (s.granularity == Granularity::Phase || s.last) {
    show_complete(s, f);
  } else if (s.final_values) {
    // The cells before this one are done, this one holds its running sum, the rest pending.
    const std::size_t at = s.final_values->offset(f.target.n, f.target.c, f.target.h, f.target.w);
    f.result =
        ResultFill::in_loop_order(s.final_values, s.shape.rows, s.shape.cols, s.cell, at, s.sum,
                                  s.cell_complete ? Progress::Done : Progress::Partial);
  }

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
