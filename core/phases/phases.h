// phases.h — a phase of the computation as a value. Each file of core/phases/ defines one
// PhaseDef that holds everything about its phase; the timeline and the stage walk them without
// knowing any phase by name.
//
// To add a phase (say a "loss" phase):
//   1. add its line to core/phases/list.h, where it falls in lecture order:
//      `X(Loss, kLossPhase)` makes Phase::Loss and finds its PhaseDef;
//   2. write core/phases/loss.cpp, defining `extern const PhaseDef kLossPhase = {...}` (the
//      build picks up every file of core/phases/). Fill in, reading dw.cpp (the simplest) or
//      dx_scatter.cpp:
//      - words: name, title, explanation (and what a lesson adds to it), what a Sum step adds
//        up, what a zero term multiplies;
//      - stages(): the stage steps around the accumulation (Stage::None marks the block);
//      - shape(): the accumulation's loops: cells (outer, a, b), each the sum of terms
//        (q, p, r); row_ok/col_ok say which terms are structural zeros (padding, stride);
//      - term(): the operands of term (q, p, r) of cell (outer, a, b), and the cell it adds
//        into; window(): the cells it covers; result, result_grid(), final_values(): what it
//        computes;
//      - block_step: gather_step (each target cell is the sum of its terms) or your own
//        (scatter_step in dx_scatter.cpp: a step's terms land in many cells);
//      - cell_of(): which of its cells computes a result cell (the hovered cell's equation);
//      - slices() and draw(): what the stage lays out (core/phases/canvas.h);
//      - if they apply: why it refuses a lesson (matrix.cpp), a later step its questions come
//        before (forward.cpp), and how the notebooks' mistakes take its terms (dw.cpp,
//        dx_gather.cpp).
//   A new kind of stage step goes in `enum class Stage` (core/timeline.h), with its words in
//   core/phases/stages.cpp. Equations are data (core/equation.h): set their parts, never text.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/equation.h"
#include "core/phases/canvas.h"
#include "core/timeline.h"

namespace convstep {

// Everything the timeline computes once: the lesson's grids, by their DESIGN.md names.
struct Model {
  Lesson lesson;
  Geometry geo;
  Results results;
  // X and W are the lesson's own; Z before the bias is kept only when there is a bias.
  Tensor Xp, G, Gd, Gp, Wr, dXp, Z_before_bias, db;
  double loss = 0;  // L, when the lesson names a loss (L = ΣZ when it gives neither)
  // The matrix view's, built only for lessons it shows (matrix_view_refusal is empty).
  Tensor cols, TW;
  bool simple_names = false;     // one sample, one channel in and out: 2-D indices
  int reach_h = 0, reach_w = 0;  // the extent of dXp that Gp ⋆ Wr reaches
  // The rows and columns of X that no window reaches, as indices of Xp, ascending: their
  // inputs get no gradient (ConvAxis::miss says why).
  std::vector<int> unreached_rows, unreached_cols;
  double discarded_sum = 0;  // the crop's discarded gradients, and how many cells
  long long discarded_cells = 0;

  // Checks `cancel` between the grids it computes (core/cancel.h).
  explicit Model(Lesson l, const CancelFlag* cancel = nullptr);
  const Tensor& tensor(Grid grid) const;
  double value(const CellRef& r) const { return tensor(r.grid)(r.n, r.c, r.h, r.w); }
  std::string name(const CellRef& r) const;  // "Gp[2,3]", or "Gp[0,0,2,3]" for bigger lessons
};

// An operand of a term, as a mistake's line names it.
struct MistakeOperand {
  std::string name;
  double value = 0;
};

// The operand a mistake changes in a term, and the term it gives.
struct MistakeSwap {
  bool first = true;  // the mistake changes the term's first operand (else its second)
  bool zero = false;  // it is a zero of the padded gradient map in the mistake too
  MistakeOperand right, wrong;
  double product = 0;  // the mistake's term
};
MistakeOperand mistake_operand(const Timeline& tl, const CellRef& r);  // core/mistake.cpp

// An accumulation's loops: cells (outer, a, b), a < rows and b < cols, each the sum of the
// terms (q, p, r), q < q, p < rows_inner and r < cols_inner. For a gathering phase the result
// grid's (n, c) slices are the outer loop and its top-left rows × cols cells are (a, b).
struct BlockShape {
  int outer = 1, q = 1;
  int rows = 0, rows_inner = 0, cols = 0, cols_inner = 0;
  bool sum_step = false;  // a Sum step after each cell's terms: adds the q subtotals
};

// Term (q, p, r) of cell (outer, a, b).
struct TermAt {
  int outer = 0, a = 0, b = 0, q = 0, p = 0, r = 0;
};

// A step of the accumulation, as the walker found it.
struct BlockStep {
  Granularity granularity = Granularity::Term;
  TermAt at;                  // the cell, and the step's term (q = 0 on whole-cell steps)
  long long cell = 0;         // in loop order
  long long term = 0;         // in the cell's (q, p, r) order; a whole-cell step: past the end
  bool whole_cell = false;    // a Sum, Cell or Block step
  bool last = false;          // the block's last step
  bool cell_complete = true;  // no term of the cell is still to come
  long long cells = 0;        // the block's cells
  BlockShape shape;
  Term current;            // the step's term, when it is a Term step
  CellRef current_target;  // where it adds
  double sum = 0;          // the cell's terms so far
  Equation sum_equation;   // "target = terms so far = their values = sum"
  // The result's final values; null when the frame is made without its result.
  std::shared_ptr<const Tensor> final_values;
};

struct PhaseDef {
  // ---- Words ----
  const char* name;         // "dx_gather": as the command line, scripts and files spell it
  const char* label;        // "dX gather": its button, in a student's words
  const char* title;        // "∂L/∂X by gathering: Gp ⋆ Wr"
  const char* explanation;  // a paragraph for students, true of every lesson
  // What this lesson adds to it (how its groups split the channels), or "". nullptr: nothing.
  std::string (*lesson_explanation)(const Model&);
  const char* result_name;       // "dX": what the limits' message calls its cells
  const char* summed_over;       // a Sum step adds the subtotals of the "channels"
  const char* zero_term_note;    // a term on a structural zero: "This term multiplies ..."
  const char* unreached_remark;  // a result cell no term reaches: ": no window reaches it, ..."

  // ---- Steps ----
  std::vector<Stage> (*stages)(const Model&);  // in order; Stage::None is the accumulation

  // ---- The accumulation ----
  BlockShape (*shape)(const Geometry&);
  // Term (q, p, r) of cell (outer, a, b) is a structural zero unless row_ok(a, p) and
  // col_ok(b, r). nullptr: never.
  bool (*row_ok)(const Model&, int a, int p);
  bool (*col_ok)(const Model&, int b, int r);
  // The operands of a term (values are filled in by the walker) and the cell it adds into.
  // Affine in (q, p, r): each index of the operands and the target is a constant plus
  // multiples of q, p and r (a window's cells, a kernel's taps), so that the walker can step
  // through a cell's terms without calling it for each one.
  Term (*term)(const Geometry&, const TermAt&, CellRef* target);
  Window (*window)(const Geometry&, const TermAt&);                  // nullptr: none
  std::optional<CellRef> (*source)(const Geometry&, const TermAt&);  // the cell that stamps
  // What a term adds, when it is not the product a·b of its operands (the loss phase: the
  // derivative of L at its Z cell). nullptr: a·b.
  double (*term_value)(const Model&, const Term&) = nullptr;
  // Fills the frame of a step of the accumulation: target, running sum, result, equation.
  void (*block_step)(const Model&, const PhaseDef&, const BlockStep&, Frame&);

  // ---- The result ----
  Grid result;                 // the grid the phase ends with: "dX"
  Grid (*result_grid)(Stage);  // the grid shown during `stage`
  // Its values when complete. nullptr: the model's tensor of that grid.
  const Tensor& (*final_values)(const Model&, Stage);
  // Which cell of the accumulation computes a result cell: -1 if none reaches it (it is 0),
  // nullopt if the phase does not compute that grid. nullptr: it explains no cell.
  std::optional<long long> (*cell_of)(const Model&, const CellRef&);
  std::string (*cell_remark)(const Model&, const CellRef&);  // nullptr: none

  // ---- The stage ----
  // The (n, c) slice of the input-side grids and the output channel o that a frame is on.
  void (*slices)(const Geometry&, const Frame&, int* n, int* c, int* o);
  void (*draw)(StageCanvas&);  // lays out the phase's grids and overlays

  // ---- What else a phase may say ----
  // Why it cannot show a lesson (the matrix view's size limits), or "". nullptr: it shows all.
  std::string (*refusal)(const Geometry&) = nullptr;
  // A later step that changes the cells its accumulation finishes, as a question names it
  // ("the bias": Z is asked before the bias), or "". nullptr: none.
  const char* (*asked_before)(const Lesson&) = nullptr;
  // Its remarks decide its results (relu's "Z[1,2] = 5 > 0"): a worksheet hides them with the
  // answers.
  bool remark_gives_result = false;

  // ---- A notebook's mistakes inside the step view (core/mistake.h) ----
  // Which mistakes change what the phase computes. nullptr: none.
  bool (*mistake_changes)(Pitfall) = nullptr;
  // How mistake `p` takes term `t` of `target`: the operand it uses in place of the right one;
  // nullopt when it takes the term as it is.
  std::optional<MistakeSwap> (*mistake_term)(const Timeline&, Pitfall, const Term& t,
                                             const CellRef& target) = nullptr;
  // What the mistake does instead, in a few words: "it gathers with W in place of Wr".
  const char* (*mistake_how)(Pitfall) = nullptr;
  // What the mistake does at a stage step, or "" (then the line counts the cells that differ).
  std::string (*mistake_at_stage)(Pitfall, Stage) = nullptr;
};

const PhaseDef& phase_def(Phase p);

// Shared by the phases.
// The accumulation of a gathering phase: each target cell is the sum of its terms.
void gather_step(const Model& m, const PhaseDef& def, const BlockStep& s, Frame& f);
Equation describe_stage(const Model& m, Stage stage, std::string* note);  // core/phases/stages.cpp
Equation describe_matrix_stage(const Model& m, Stage stage, std::string* note);  // matrix.cpp
void show_complete(const BlockStep& s, Frame& f);  // the result grid complete, every cell done
// With groups > 1, how they split the channels: "the 4 input channels and 2 output channels
// form 2 groups: input channels 0 and 1 with output channel 0, and ...". "" when groups = 1.
std::string group_split(const Geometry& g);
// The dX phases' result slot on the stage: dXp filling up, then cropped to dX (dx_gather.cpp).
void draw_dx_result(StageCanvas& s, const StageCanvas::Slot& slot, int n, int c);

}  // namespace convstep
