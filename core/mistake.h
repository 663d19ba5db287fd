// mistake.h — a notebook's mistake inside the step view: beside the result a phase fills, the
// result the mistake gives, filled as far as the step has come, and the term where the two part.
//
//   if (const auto m = mistake_step(timeline, frame, Pitfall::NoRotation)) {
//     m->grid, m->values, m->progress   // the mistake's dXp, Pending where the right one is
//     m->differs                        // the cells shown that differ from the right ones
//     m->words                          // "Forgot to rotate the kernel: uses W[0,0] = 1 in …"
//   }
//
// The values come from compute_pitfall (Done cells) and, for the cell being summed, from the
// mistake's own terms so far (the same terms as the right sum, one operand changed), so that the
// partial fill follows the right one's step order exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/timeline.h"

namespace convstep {

// Whether a mistake changes what `phase` computes: the dW phase for the mistakes that touch dW,
// the dX gather phase for every mistake that touches dX (they are all mistakes of the gathering
// or of the gradient fed to it).
bool pitfall_changes(Pitfall p, Phase phase);
// The first phase, in lecture order, whose result the mistake changes.
Phase first_phase_changed(Pitfall p);

struct MistakeStep {
  Pitfall pitfall{};
  Grid grid = Grid::None;  // the mistake's version of the grid the phase shows: dW, dXp or dX
  Tensor values;           // its values as far as the step has come; Pending cells hold 0
  std::vector<Progress> progress;     // per value: as far as the right result has come
  std::vector<std::uint8_t> differs;  // per value: shown, and not the right number there
  // The mistake's cell where the right one's target is, when it has one (grid None: none).
  CellRef target;
  // What the mistake does at this step, with its numbers: the operand it uses in place of the
  // right one and the term it gives; or why there is no grid (empty, cannot happen).
  std::string words;
  bool has_grid() const { return values.shape.h > 0 && values.shape.w > 0; }
};

// The mistake `p` at frame `f`, or nullopt when it does not change f's phase. `f` must hold its
// result (Timeline::frame with_result).
std::optional<MistakeStep> mistake_step(const Timeline& tl, const Frame& f, Pitfall p);

// The mistake's sum for f's target cell through term `through_term` of the cell (in the order
// of Timeline::for_each_term, zeros included): the right terms with the mistake's operand.
double mistake_sum(const Timeline& tl, Pitfall p, const Frame& f, long long through_term);

// A line for a phase the mistake leaves alone: where its wrong result shows.
std::string mistake_elsewhere(Pitfall p);

}  // namespace convstep
