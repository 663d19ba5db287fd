#include "core/mistake.h"

#include <cmath>

#include "core/equation.h"
#include "core/format.h"
#include "core/phases/phases.h"

namespace convstep {

bool pitfall_changes(Pitfall p, Phase phase) {
  const PhaseDef& def = phase_def(phase);
  return def.mistake_changes && def.mistake_changes(p);
}

Phase first_phase_changed(Pitfall p) {
  for (Phase phase : kAllPhases)
    if (pitfall_changes(p, phase)) return phase;
  return kAllPhases[0];  // every mistake changes a phase (tests/scene/test_mistakes.cpp)
}

std::string mistake_elsewhere(Pitfall p) {
  std::vector<std::string> labels;
  for (Phase phase : kAllPhases)
    if (pitfall_changes(p, phase)) labels.push_back(phase_label(phase));
  std::string where;
  for (std::size_t i = 0; i < labels.size(); ++i)
    where += (i == 0 ? "" : i + 1 == labels.size() ? " and " : ", ") + labels[i];
  std::string s = std::string(pitfall_title(p)) + ": this view draws the mistake in the " + where +
                  (labels.size() == 1 ? " phase." : " phases.");
  // Feeding back the wrong gradient changes every result computed from it.
  if (p == Pitfall::OutputAsGradient || p == Pitfall::InputGradientAsGradient)
    s += " It would change db too, as db adds up the gradient fed back.";
  return s;
}

MistakeOperand mistake_operand(const Timeline& tl, const CellRef& r) {
  return {tl.cell_name(r), tl.tensor(r.grid)(r.n, r.c, r.h, r.w)};
}

namespace {

// How the mistake takes term `t` of target `target` in `phase` (PhaseDef::mistake_term).
std::optional<MistakeSwap> swap_of(const Timeline& tl, Pitfall p, Phase phase, const Term& t,
                                   const CellRef& target) {
  return phase_def(phase).mistake_term(tl, p, t, target);
}

// Without padding the gradient map the mistake computes dXp[y,x] only where the kernel lies
// wholly on Gd; its cell there is (y − (kh−1)·dil, x − (kw−1)·dil), the same sum.
std::optional<CellRef> unpadded_cell(const Geometry& g, const Shape& wrong, const CellRef& dxp) {
  const int y = dxp.h - (g.kh - 1) * g.dil_h, x = dxp.w - (g.kw - 1) * g.dil_w;
  if (y < 0 || x < 0 || y >= wrong.h || x >= wrong.w) return std::nullopt;
  return CellRef{Grid::dX, dxp.n, dxp.c, y, x};
}

// The words for a term step.
std::string term_words(const Timeline& tl, Pitfall p, const Frame& f, const Shape& wrong) {
  const Term& t = *f.current_term;
  const std::string title = std::string(pitfall_title(p)) + ": ";
  const auto s = swap_of(tl, p, f.phase, t, f.target);
  if (!s) {
    const auto cell = unpadded_cell(tl.geometry(), wrong, f.target);
    if (!cell)
      return title +
             "here the kernel hangs over the edge of Gd, so the mistake computes no cell "
             "for " +
             tl.cell_name(f.target) + ": this sum is left out.";
    return title +
           "here the kernel lies wholly on Gd, so the mistake adds this same term, into "
           "its " +
           tl.cell_name(*cell) + ".";
  }
  if (s->zero)
    return title + s->right.name +
           " is a zero of the padded gradient map in the mistake too: the term is 0 either way.";
  const std::string values = s->first ? factor(s->wrong.value) + "·" + factor(t.b_value)
                                      : factor(t.a_value) + "·" + factor(s->wrong.value);
  const bool same = std::fabs(s->product - t.product) <= 1e-9;
  return title + "uses " + s->wrong.name + " = " + number(s->wrong.value) + " in place of " +
         s->right.name + " = " + number(s->right.value) + ", so the term is " + values + " = " +
         number(s->product) + (same ? " either way." : " instead of " + number(t.product) + ".");
}

// The words for a step that finishes a cell (cell granularity, a sum over channels or samples).
std::string cell_words(const Timeline& tl, Pitfall p, const Frame& f, const MistakeStep& m) {
  const std::string title = std::string(pitfall_title(p)) + ": ";
  if (p == Pitfall::NoGradientPadding) {
    const auto cell = unpadded_cell(tl.geometry(), m.values.shape, f.target);
    if (!cell)
      return title + "the kernel hangs over the edge of Gd for " + tl.cell_name(f.target) +
             ", so the mistake computes no cell for it.";
    return title + "the kernel lies wholly on Gd for " + tl.cell_name(f.target) +
           ", so the mistake's " + tl.cell_name(*cell) + " is this same sum, " +
           number(m.values(cell->n, cell->c, cell->h, cell->w)) + ".";
  }
  const double wrong = m.values(f.target.n, f.target.c, f.target.h, f.target.w);
  const bool same = std::fabs(wrong - f.running_sum) <= 1e-9;
  return title + tl.cell_name(f.target) + " comes out " + number(wrong) + " in the mistake (" +
         phase_def(f.phase).mistake_how(p) + ")" +
         (same ? ", the same here." : ", not " + number(f.running_sum) + ".");
}

// The words for a step with no single term or cell: what the mistake skips at a stage, or how
// many of its cells differ so far.
std::string stage_words(Pitfall p, const Frame& f, const MistakeStep& m) {
  const std::string title = std::string(pitfall_title(p)) + ": ";
  if (const PhaseDef& def = phase_def(f.phase); f.kind == StepKind::Stage && def.mistake_at_stage)
    if (const std::string words = def.mistake_at_stage(p, f.stage); !words.empty())
      return title + words;
  long long shown = 0, differ = 0;
  for (std::size_t k = 0; k < m.progress.size(); ++k)
    shown += m.progress[k] != Progress::Pending, differ += m.differs[k];
  if (shown == 0)
    return title + "the mistake's " + grid_name(m.grid) +
           " fills beside the right one, cell by cell.";
  if (differ == 0)
    return title + "so far no cell of the mistake's " + grid_name(m.grid) + " differs.";
  return title + plural(differ, "cell") + " of the mistake's " + grid_name(m.grid) +
         (differ == 1 ? " differs" : " differ") + " from the right ones so far (framed).";
}

}  // namespace

double mistake_sum(const Timeline& tl, Pitfall p, const Frame& f, long long through_term) {
  double sum = 0;
  long long at = 0;
  tl.for_each_term(f.phase, f.cell, false, [&](const Term& t) {
    if (at++ > through_term) return;
    const auto s = swap_of(tl, p, f.phase, t, f.target);
    sum += s ? s->product : t.product;
  });
  return sum;
}

std::optional<MistakeStep> mistake_step(const Timeline& tl, const Frame& f, Pitfall p) {
  if (!pitfall_changes(p, f.phase)) return std::nullopt;
  const PitfallResult& r = tl.pitfall(p);
  const Geometry& g = tl.geometry();
  MistakeStep m;
  m.pitfall = p;
  const std::string title = std::string(pitfall_title(p)) + ": ";
  if (!r.cannot_happen.empty()) {
    m.words = title + r.cannot_happen;
    return m;
  }
  const bool unpadded = p == Pitfall::NoGradientPadding;
  // The mistake's version of the phase's result: dX is shown as dXp until the crop, and the
  // mistake that skips the padding computes dX itself.
  m.grid = phase_result(f.phase);
  if (m.grid == Grid::dX && !unpadded && f.result_grid != Grid::dX) m.grid = Grid::dXp;
  const Tensor& wrong = m.grid == Grid::dW ? r.dW : m.grid == Grid::dX ? r.dX : r.dXp;
  m.values = Tensor(wrong.shape);
  if (!m.has_grid()) {
    m.words = title + "its result is empty (" + dims(wrong.shape.h, wrong.shape.w) +
              "): the kernel, spanning " + dims(g.span_h(), g.span_w()) +
              ", fits nowhere inside the " + dims(g.gd_h(), g.gd_w()) +
              " Gd, so no input gets a gradient at all.";
    return m;
  }
  // A mistake that lands on the right answer here (Z fed back under L = ½ΣZ², where Z is
  // ∂L/∂Z; the kernel left unrotated when it is the same turned through 180°) has no wrong
  // result to show.
  if (const Tensor& right = tl.tensor(m.grid);
      right.shape == wrong.shape && right.values == wrong.values) {
    m.values = Tensor();
    m.words = title + "on this lesson it gives exactly the right " + grid_name(m.grid) +
              ", so there is no wrong result to show.";
    return m;
  }
  // The right result as the step shows it, when it is this grid: the fill follows it.
  const bool follows = f.result_grid == m.grid && f.result.shape() == wrong.shape;
  const bool mapped = unpadded && f.result_grid == Grid::dXp && !f.result.empty();
  const Tensor& right_final = tl.tensor(m.grid);
  const std::size_t count = wrong.values.size();
  const long long through = f.kind == StepKind::Term ? f.term : f.terms_per_cell;
  m.progress.assign(count, Progress::Done);
  m.differs.assign(count, 0);
  const Shape& s = wrong.shape;
  for (int n = 0; n < s.n; ++n)
    for (int c = 0; c < s.c; ++c)
      for (int y = 0; y < s.h; ++y)
        for (int x = 0; x < s.w; ++x) {
          const std::size_t k = wrong.offset(n, c, y, x);
          Progress& pr = m.progress[k];
          if (follows) pr = f.result.progress(k);
          if (mapped)
            pr = f.result.progress(
                f.result.offset(n, c, y + (g.kh - 1) * g.dil_h, x + (g.kw - 1) * g.dil_w));
          if (pr == Progress::Pending) continue;
          // The cell being summed: the mistake's terms so far (without padding the gradient
          // map, the same terms as the right one's).
          m.values.values[k] = pr == Progress::Done ? wrong.values[k]
                               : unpadded           ? f.running_sum
                                                    : mistake_sum(tl, p, f, through);
          double right = 0;
          bool outside = false;
          if (follows) {
            right = f.result.value(k);
          } else if (unpadded) {  // the mistake's dX against the right dX, cell by cell
            outside = y >= right_final.shape.h || x >= right_final.shape.w;
            if (!outside) right = right_final(n, c, y, x);
          } else {
            right = right_final.values[k];
          }
          m.differs[k] = outside || std::fabs(m.values.values[k] - right) > 1e-9;
        }
  if (f.kind != StepKind::Stage && f.target.grid == (unpadded ? Grid::dXp : m.grid)) {
    if (!unpadded)
      m.target = f.target;
    else if (const auto cell = unpadded_cell(g, s, f.target))
      m.target = *cell;
  }
  if (f.kind == StepKind::Term && f.current_term)
    m.words = term_words(tl, p, f, wrong.shape);
  else if ((f.kind == StepKind::Cell || f.kind == StepKind::Sum) && f.target.grid != Grid::None)
    m.words = cell_words(tl, p, f, m);
  else
    m.words = stage_words(p, f, m);
  return m;
}

}  // namespace convstep
