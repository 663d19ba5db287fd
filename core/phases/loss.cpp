// The loss L and its gradient G = ∂L/∂Z, derived cell by cell: the backward phases start from
// it. Every loss a lesson can name adds up its output cells one by one, so G[n,o,i,j] reads only
// Z[n,o,i,j] (and, for the mean squared error, the target T[n,o,i,j]): each G cell is a cell of
// one term. Loops: cells (outer = n·Cout + o, a = i, b = j), one term each.
// A lesson that gives G itself names no loss: the phase then only says so, in one stage step.
#include <algorithm>

#include "core/colormap.h"
#include "core/format.h"
#include "core/phases/canvas.h"
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model& m) {
  if (m.lesson.gives_gradient()) return {Stage::GivenGradient};  // nothing is derived
  return {Stage::ComputeLoss, Stage::None};
}

BlockShape shape(const Geometry& g) {
  return {
      .outer = g.n * g.cout, .q = 1, .rows = g.oh, .rows_inner = 1, .cols = g.ow, .cols_inner = 1};
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  Term term;
  term.a = {Grid::Z, n, o, t.a, t.b};
  term.b = {};  // the derivative reads one cell of Z
  *target = {Grid::G, n, o, t.a, t.b};
  return term;
}

// ∂L/∂Z at the term's Z cell: the G cell it computes.
double term_value(const Model& m, const Term& t) {
  const Tensor& Z = m.results.Z;
  const std::size_t k = Z.offset(t.a.n, t.a.c, t.a.h, t.a.w);
  return m.lesson.gives_gradient() ? m.G.values[k] : loss_derivative(m.lesson.loss, Z, k);
}

Window window(const Geometry& g, const TermAt& t) {
  return {Grid::Z, t.outer / g.cout, t.outer % g.cout, t.a, t.b, 1, 1, 1, 1};
}

// "G[1,2] = ∂(½ΣZ²)/∂Z[1,2] = Z[1,2] = −7", with this loss's own rule.
Equation derivation(const Model& m, const CellRef& g) {
  const Loss& loss = m.lesson.loss;
  const CellRef z{Grid::Z, g.n, g.c, g.h, g.w}, t{Grid::T, g.n, g.c, g.h, g.w};
  const double zv = m.value(z);
  Equation e;
  e.target = m.name(g) + " = ∂(" + loss_formula(loss.kind) + ")/∂" + m.name(z);
  switch (loss.kind) {
    case LossKind::Sum:
      e.result = "1";
      break;
    case LossKind::HalfSumSquares:
      // The value is the result, not a term, so that the quiz can hide it.
      e.target += " = " + m.name(z);
      e.result = number(zv);
      break;
    case LossKind::Mse: {
      const std::string count = std::to_string(m.results.Z.shape.count());
      e.terms = {{"2·(" + m.name(z) + " − " + m.name(t) + ")/" + count,
                  "2·(" + number(zv) + " − " + factor(m.value(t)) + ")/" + count}};
      e.result = number(m.value(g));
      break;
    }
    case LossKind::ReluThenSum:
      e.result = number(m.value(g));
      e.remark = "  (" + m.name(z) + " = " + number(zv) + (zv > 0 ? " > 0)" : " ≤ 0)");
      break;
  }
  return e;
}

// Why a relu cell passes no gradient.
std::string relu_note(const Model& m, const CellRef& g) {
  const double zv = m.value({Grid::Z, g.n, g.c, g.h, g.w});
  if (zv > 0) return "relu passes a positive output through unchanged: its slope is 1.";
  if (zv == 0)
    return "This output is exactly 0, where relu has a corner: PyTorch takes its slope there "
           "as 0, so no gradient flows back from this cell.";
  return "relu turns a negative output into 0, and a small change of it changes nothing: no "
         "gradient flows back from this cell.";
}

void loss_step(const Model& m, const PhaseDef& def, const BlockStep& s, Frame& f) {
  gather_step(m, def, s, f);  // the target, its value and the grid's progress
  f.equation = derivation(m, f.target);
  if (f.kind == StepKind::Term && !f.equation.terms.empty()) f.equation.current = 0;
  if (f.kind == StepKind::Block)
    f.note = "All " + plural(s.cells, "cell") + " of G are derived; the last one is shown.";
  else if (m.lesson.loss.kind == LossKind::ReluThenSum)
    f.note = relu_note(m, f.target);
}

Grid result_grid(Stage) {
  return Grid::G;
}

std::optional<long long> cell_of(const Model& m, const CellRef& cell) {
  if (cell.grid != Grid::G || m.lesson.gives_gradient()) return std::nullopt;
  return m.G.offset(cell.n, cell.c, cell.h, cell.w);
}

// This lesson's loss and the rule that gives its G.
std::string lesson_explanation(const Model& m) {
  if (m.lesson.gives_gradient())
    return "This lesson gives G directly and names no loss, so nothing is derived here.";
  switch (m.lesson.loss.kind) {
    case LossKind::Sum:
      return "Here L = ΣZ: every output counts once, so G is all ones, as in the notebooks.";
    case LossKind::HalfSumSquares:
      return "Here L = ½ΣZ²: the derivative of ½z² is z, so G = Z, and the largest outputs "
             "push back hardest.";
    case LossKind::Mse:
      return "Here L = mean((Z − T)²), PyTorch's mean squared error as it is by default: the "
             "mean is taken over all " +
             std::to_string(m.results.Z.shape.count()) +
             " output cells, every sample and channel included, so G = 2·(Z − T)/" +
             std::to_string(m.results.Z.shape.count()) + ".";
    case LossKind::ReluThenSum:
      return "Here L = Σ relu(Z): G = 1 where Z > 0 and 0 elsewhere. At Z = 0 exactly, PyTorch "
             "takes relu's gradient as 0.";
  }
  return "";
}

void slices(const Geometry&, const Frame& f, int* n, int*, int* o) {
  if (f.kind != StepKind::Stage) *n = f.target.n, *o = f.target.c;
}

// Z (− T) → G, with L written under them; G alone when the lesson gives it.
void draw(StageCanvas& s) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const Lesson& l = tl.lesson();
  int n, c, o;
  s.slices(&n, &c, &o);
  if (l.gives_gradient()) {
    std::vector<StageCanvas::Slot> slots = {{Grid::G, n, o, g.oh, g.ow, ""}};
    s.layout(slots);
    s.add_grid(slots[0], Grid::G, tl.tensor(Grid::G), n, o, s.slice_label(Grid::G, n, o, "n", "o"));
    return;
  }
  const bool mse = l.loss.kind == LossKind::Mse;
  std::vector<StageCanvas::Slot> slots = {{Grid::Z, n, o, g.oh, g.ow, mse ? "−" : "→"}};
  if (mse) slots.push_back({Grid::T, n, o, g.oh, g.ow, "→"});
  slots.push_back({Grid::G, n, o, g.oh, g.ow, ""});
  s.layout(slots);
  s.add_grid(slots[0], Grid::Z, tl.tensor(Grid::Z), n, o, s.slice_label(Grid::Z, n, o, "n", "o"));
  if (mse)
    s.add_grid(slots[1], Grid::T, tl.tensor(Grid::T), n, o, s.slice_label(Grid::T, n, o, "n", "o"));
  SceneGrid& grad = s.add_grid(slots.back(), Grid::G, s.result_or_final(Grid::G), n, o,
                               s.slice_label(Grid::G, n, o, "n", "o"), &tl.tensor(Grid::G));
  s.apply_progress(grad, n, o);
  s.window_overlay();
  s.term_overlay();
  // The mean squared error's term reads T too: framed as the term's other operand.
  const Frame& f = s.frame();
  if (mse && f.kind == StepKind::Term && f.current_term && f.current_term->a.n == n &&
      f.current_term->a.c == o)
    if (const SceneGrid* t = s.find(Grid::T, n, o))
      s.frame_rect(scaled(cell_rect(*t, f.current_term->a.h, f.current_term->a.w), 0.8f), kRoleTerm,
                   3, FrameRole::Term);
  // L is one number: text under the grids, where there is room (step 0 says it in any case).
  const Rect area = s.area();
  float bottom = 0;
  for (const StageCanvas::Slot& slot : slots) {
    bottom = std::max({bottom, slot.bounds.y + slot.bounds.h, slot.overview.y + slot.overview.h});
    if (const SceneGrid* grid = s.find(slot.grid, n, o))
      bottom = std::max(bottom, grid->bounds.y + grid->bounds.h);
  }
  const float size = s.label_size();
  if (bottom + size * 2.1f > area.y + area.h) return;
  const std::string text =
      "L = " + loss_formula(l.loss.kind) + " = " + number(loss_value(l.loss, tl.tensor(Grid::Z)));
  s.text(area.x + area.w / 2, bottom + size * 1.5f, text, size, s.ink(), Font::Sans, Align::Center,
         TextRole::Label);
}

}  // namespace

extern const PhaseDef kLossPhase = {
    .name = "loss",
    .label = "loss",
    .title = "The loss: G = ∂L/∂Z",
    .explanation =
        "Training starts from a loss L: one number that says how far the output is from what "
        "is wanted. Backpropagation starts from its gradient G = ∂L/∂Z, one value per output "
        "cell: how much L changes when that cell of Z changes. Every loss a lesson can name treats "
        "each output cell on its own, so each G cell depends only on its own Z cell (and, "
        "for the mean squared error, on its own cell of the target T).",
    .lesson_explanation = lesson_explanation,
    .result_name = "G",
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
    .term_value = term_value,
    .block_step = loss_step,
    .result = Grid::G,
    .result_grid = result_grid,
    .final_values = nullptr,
    .cell_of = cell_of,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = draw,
    .remark_gives_result = true,
};

}  // namespace convstep
