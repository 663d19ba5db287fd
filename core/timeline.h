// timeline.h — the computation as a sequence of steps, with random access to any of them.
//
//   Timeline tl(lesson);                                    // computes everything once
//   long long n = tl.count(Phase::DxGather, Granularity::Term);
//   Frame f = tl.frame(Phase::DxGather, Granularity::Term, 17);   // O(1) in k: no replay
//   f.equation.text()   → "dXp[2,3] = Gp[2,3]·Wr[0,0] + … = 1·(−1) + … = −4"
//   f.equation.terms    → the terms as data (core/equation.h); f.equation.current: this one
//
// A phase is a list of stages (pad, dilate, rotate, crop, ...) and an accumulation block. Each
// phase is defined in its own file of core/phases/ (read phases.h to add one); the timeline
// walks them without knowing any by name. At `term` granularity every multiply–add is a step,
// zeros of the padding, of the stride and of holes included, so the counts follow the
// formulas; `skip_zero_terms` leaves those out. At `cell` granularity one step finishes one
// target cell; at `phase` granularity a whole block is one step. Indices are 0-based
// everywhere in code and files.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cancel.h"
#include "core/conv.h"
#include "core/equation.h"
#include "core/grid.h"
#include "core/lesson.h"
#include "core/phases/list.h"

namespace convstep {

// The phases, in lecture order: one line each in core/phases/list.h.
#define CONVSTEP_PHASE_ENUM(name, def) name,
enum class Phase { CONVSTEP_PHASES(CONVSTEP_PHASE_ENUM) };
#undef CONVSTEP_PHASE_ENUM
#define CONVSTEP_PHASE_VALUE(name, def) Phase::name,
inline constexpr Phase kAllPhases[] = {CONVSTEP_PHASES(CONVSTEP_PHASE_VALUE)};
#undef CONVSTEP_PHASE_VALUE
const char* phase_name(Phase p);  // "forward", "dw", "dx_gather", "dx_scatter", "db"
std::optional<Phase> parse_phase(std::string_view name);
const char* phase_label(Phase p);        // "dX gather": a button's words
const char* phase_title(Phase p);        // "Forward: Z = Xp ⋆ W + b"
const char* phase_explanation(Phase p);  // a paragraph for students
Grid phase_result(Phase p);              // the grid it ends with: Z, dW, dX, db
// Why the phase cannot show a lesson of this geometry (the matrix view's size limits), or "".
std::string phase_refusal(Phase p, const Geometry& geo);
// Whether its remarks decide its results (relu's "Z[1,2] = 5 > 0"): a worksheet hides them.
bool phase_remark_gives_result(Phase p);

enum class Granularity { Phase, Cell, Term };
inline constexpr Granularity kAllGranularities[] = {Granularity::Phase, Granularity::Cell,
                                                    Granularity::Term};
const char* granularity_name(Granularity g);  // "phase", "cell", "term"
std::optional<Granularity> parse_granularity(std::string_view name);

struct CellRef {
  Grid grid = Grid::None;
  int n = 0, c = 0, h = 0, w = 0;  // db[o] is (0, o, 0, 0)
  bool operator==(const CellRef&) const = default;
};

// One multiply–add: a·b (b is Grid::None for db, where terms are plain additions).
struct Term {
  CellRef a, b;
  double a_value = 0, b_value = 1, product = 0;
  bool zero = false;  // an operand is a padding zero, a stride-inserted zero or a hole
};

// The cells a kernel-like pattern covers: rows top + r·step_h for r < rows (same for columns).
// forward: the window on Xp; dw: G laid over Xp at (u·dil, v·dil) with step s; dx_gather: Wr
// on Gp; dx_scatter: the stamp of g·W on dXp. Also a region of related cells (correspondences).
struct Window {
  Grid grid = Grid::None;
  int n = 0, c = 0;
  int top = 0, left = 0, rows = 0, cols = 0, step_h = 1, step_w = 1;
};

enum class StepKind : std::uint8_t { Stage, Term, Cell, Block, Sum };

enum class Stage : std::uint8_t {
  None,
  PadInput,        // the padding ring appears around X: Xp (or, without padding, Xp = X)
  AddBias,         // Z += b
  ShowGradient,    // start from G
  DilateGradient,  // Gd: s−1 zeros between G's cells
  PadGradient,     // Gp: Gd padded by (k−1)·dil
  RotateKernel,    // Wr: W turned through 180°
  ZeroUncovered,   // the rows/columns of X no window reaches: their gradient is 0
  Crop,            // dXp's padding border is cropped off: dX
  ComputeLoss,     // L, the loss the lesson names, from Z
  GivenGradient,   // the lesson gives G itself: no loss to derive it from
  Im2col,          // the matrix view: each window of Xp becomes a column of cols
  ForwardProduct,  // Z = W·cols
  WeightProduct,   // dW = G·colsᵀ
  Toeplitz,        // T(W), the convolution as a matrix: Z = T(W)·x
  MatrixTooLarge,  // the lesson is too large (or grouped) for the matrix view: why
};
const char* stage_name(Stage s);  // "pad_input", ...

enum class Progress : std::uint8_t { Pending, Partial, Done };

// A phase's result grid as a step leaves it: each cell done (its final value), partial (its sum
// so far) or pending (0). A gathering phase finishes its cells one after another in loop order,
// so its fill is a count of finished cells plus the step's own cell, never a copy of the grid: a
// frame's cost grows neither with the grid nor with k. A scattering phase, whose cells fill in
// no order, holds the grid. A fill keeps its timeline's values alive.
class ResultFill {
 public:
  ResultFill() = default;  // none: a frame made without its result
  // Every cell pending, or every cell done. `final_values` stays alive with the fill.
  static ResultFill pending(std::shared_ptr<const Tensor> final_values);
  static ResultFill complete(std::shared_ptr<const Tensor> final_values);
  // The loop runs over the (n, c) slices and, in each, over the top-left rows × cols cells: the
  // first `done` cells of it are done; cell `at` (an offset) holds `value`.
  static ResultFill in_loop_order(std::shared_ptr<const Tensor> final_values, int rows, int cols,
                                  long long done, std::size_t at, double value, Progress state);
  // Each cell's value and progress as given.
  static ResultFill held(Tensor values, std::vector<Progress> progress);

  bool empty() const { return size() == 0; }
  const Shape& shape() const { return final_ ? final_->shape : held_.shape; }
  std::size_t size() const { return static_cast<std::size_t>(shape().count()); }
  std::size_t offset(int n, int c, int h, int w) const {
    return ((static_cast<std::size_t>(n) * shape().c + c) * shape().h + h) * shape().w + w;
  }
  double value(std::size_t offset) const;
  Progress progress(std::size_t offset) const;
  // The offsets, in order, of the cells done here and not in `before`: the same grid's fill one
  // step earlier, or another grid's (or none), whose cells count as pending. Filling in loop
  // order, only the cells the loop passed since `before` are looked at, not the whole grid.
  std::vector<std::size_t> finished_since(const ResultFill& before) const;

 private:
  bool done(std::size_t offset) const;
  std::size_t loop_offset(long long index) const;  // the index-th cell of the loop

  std::shared_ptr<const Tensor> final_;  // null when held
  bool all_done_ = false;
  int rows_ = 0, cols_ = 0;
  long long done_ = 0;
  std::size_t at_ = static_cast<std::size_t>(-1);
  double at_value_ = 0;
  Progress at_state_ = Progress::Pending;
  Tensor held_;
  std::vector<Progress> held_progress_;
};

struct Frame {
  Phase phase = Phase::Forward;
  Granularity granularity = Granularity::Term;
  long long index = 0, count = 0;  // this step and the phase's number of steps
  StepKind kind = StepKind::Stage;
  Stage stage = Stage::None;

  // The accumulation (kind Term, Cell, Block or Sum).
  long long cell = -1, cells = 0;     // the current target cell in the phase's loop order
  int term = -1, terms_per_cell = 0;  // the current term within the cell (Term steps)
  CellRef target;                     // the cell being accumulated
  CellRef source;                     // a scattering phase: the cell being stamped (else None)
  std::optional<Term> current_term;   // Term steps: the multiply–add of this step. A cell's
                                      // terms are never held: Timeline::for_each_term visits them
  double running_sum = 0;             // the target's value after this step
  std::vector<double> block_sums;     // per input channel (forward), sample (dw, db) or output
                                      // channel (dx): the subtotals so far
  std::optional<Window> window;

  // The phase's result grid as it stands after this step.
  Grid result_grid = Grid::None;  // Z, dW, dXp then dX, db
  ResultFill result;              // each cell's value and progress
  float rotation_deg = 0;         // Wr's turn: 0 before RotateKernel, 180 from it on

  Equation equation;  // with real numbers; equation.text() writes it
  std::string note;   // one sentence about this step
};

// Throws ConvError when a phase's cells sum more terms, or its walk at term granularity (zeros
// included) takes more steps, than the limits allow (README, "Limits"). Lesson::geometry()
// applies it, so every lesson the program accepts can be stepped through.
void check_step_limits(const Geometry& g);

class Timeline {
 public:
  explicit Timeline(Lesson lesson);  // the lesson must be valid (load_lesson validates)
  // The same, called off by `cancel` from another thread: throws Cancelled once it sees it set.
  Timeline(Lesson lesson, const CancelFlag* cancel);
  ~Timeline();
  Timeline(Timeline&&) noexcept;
  Timeline& operator=(Timeline&&) noexcept;

  const Lesson& lesson() const;
  const Geometry& geometry() const;
  const Results& results() const;
  // Any stage grid's final values: X, Xp, W, G, Gd, Gp, Wr, and the results.
  const Tensor& tensor(Grid g) const;
  // Whether a cell of Xp, Gd or Gp is a structural zero (padding, inserted zero).
  bool is_padding(Grid g, int h, int w) const;
  // Whether an input cell (of X) is reached by no window: it gets no gradient.
  bool is_uncovered(int h, int w) const;

  long long count(Phase p, Granularity g, bool skip_zero_terms = false) const;  // O(1)
  // "" when `step` is one of them, else why not: "99 is past the end: dx_gather has 35 cell
  // steps (0..34)" (the command line and links put where it comes from in front).
  std::string past_the_end(Phase p, Granularity g, long long step) const;
  // The grid the phase's accumulation fills cell by cell (dXp for the dX phases, dX for the
  // matrix view), or None when it computes nothing for this lesson: a loss phase on a lesson
  // that gives G, the matrix view of a lesson too large for it.
  Grid accumulation_grid(Phase p) const;
  // The complete state of step k, 0 ≤ k < count; time independent of k. Without
  // `with_result` the frame leaves `result` empty (the scattering phase's frame then makes no
  // copy of its grid).
  Frame frame(Phase p, Granularity g, long long k, bool skip_zero_terms = false,
              bool with_result = true) const;

  // Visits the terms of target cell `cell` (Frame::cell, in the phase's loop order) one by
  // one, in step order, without holding them: a cell may sum millions of terms.
  void for_each_term(Phase p, long long cell, bool skip_zero_terms,
                     const std::function<void(const Term&)>& visit) const;

  // The phase's explanation, with what this lesson adds to it (how its groups split the
  // channels): what the Why panel and the worksheet show.
  std::string explanation(Phase p) const;

  // A notebook's mistake on this lesson, computed on first use and kept (the lesson never
  // changes), and why it differs from the right answer, in words true of this lesson.
  const PitfallResult& pitfall(Pitfall p) const;
  // `with_values` false: without the right value of any cell (a mistake's "dX[0,1] should be
  // 4"), while the quiz may be asking that cell.
  std::string pitfall_explanation(Pitfall p, bool with_values = true) const;

  // The cells of every grid that `cell` depends on or feeds, itself excluded, as lattices
  // (one per grid slice, none overlapping): a few regions whatever the lesson's size. Empty
  // for a cell outside its grid, or a zero of the padding or the stride.
  std::vector<Window> correspondences(const CellRef& cell) const;

  // How a result cell (of Z, dW, dXp, dX or db) is computed: its full equation with real
  // numbers. Empty for other grids. equation_of is its text.
  Equation cell_equation(const CellRef& cell) const;
  std::string equation_of(const CellRef& cell) const;

  // "Gp[2,3]" or, for lessons with several samples or channels, "Gp[0,0,2,3]".
  std::string cell_name(const CellRef& cell) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the frames' result fills, which read its values
};

}  // namespace convstep
