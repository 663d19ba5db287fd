#include "core/quiz.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/phases/phases.h"

namespace convstep {

std::vector<std::size_t> exercise_cells(std::size_t cells, int n) {
  std::vector<std::size_t> out;
  const std::size_t k = std::min(cells, static_cast<std::size_t>(std::max(n, 0)));
  for (std::size_t i = 0; i < k; ++i) out.push_back((2 * i + 1) * cells / (2 * k));
  return out;
}

namespace {

// A cell of a grid, by its offset in the grid's values.
CellRef cell_at(const Shape& s, Grid g, std::size_t offset) {
  CellRef r{g, 0, 0, 0, 0};
  r.w = static_cast<int>(offset % s.w), offset /= s.w;
  r.h = static_cast<int>(offset % s.h), offset /= s.h;
  r.c = static_cast<int>(offset % s.c), r.n = static_cast<int>(offset / s.c);
  return r;
}

// The cell the steps compute for a result cell: the dX phases compute dX's cells in dXp,
// inside its padding border; the matrix view computes dX itself.
CellRef step_cell(const Geometry& geo, CellRef r, Grid computed) {
  if (r.grid != Grid::dX || computed != Grid::dXp) return r;
  return {Grid::dXp, r.n, r.c, r.h + geo.pad_top, r.w + geo.pad_left};
}

}  // namespace

std::vector<ExerciseCell> exercise(const Timeline& tl, Phase p, int n) {
  std::vector<ExerciseCell> out;
  const Grid computed = tl.accumulation_grid(p);
  if (computed == Grid::None) return out;  // nothing computed, nothing to ask
  const Grid g = phase_result(p);
  const Tensor& t = tl.tensor(g);
  for (std::size_t o : exercise_cells(t.values.size(), n)) {
    ExerciseCell e;
    e.offset = o;
    e.result = cell_at(t.shape, g, o);
    e.step = step_cell(tl.geometry(), e.result, computed);
    out.push_back(e);
  }
  return out;
}

namespace {

// Whether the quiz asks a cell of the grid `g` the phase computes, once a step finishes it.
// `chosen`: the worksheet's cells, when it chooses some. The one rule for questions and for
// the cells a tooltip keeps hidden.
bool asked_cell(const Timeline& tl, Grid g, const CellRef& cell,
                const std::vector<ExerciseCell>* chosen) {
  if (g == Grid::dXp) {
    const Geometry& geo = tl.geometry();
    // The padding border is cropped away, and inputs no window reaches get 0 by the rule
    // (the gather fills them in a step of their own): neither is asked.
    if (tl.is_padding(Grid::dXp, cell.h, cell.w) ||
        tl.is_uncovered(cell.h - geo.pad_top, cell.w - geo.pad_left))
      return false;
  }
  return !chosen || std::any_of(chosen->begin(), chosen->end(),
                                [&](const ExerciseCell& e) { return e.step == cell; });
}

}  // namespace

std::vector<QuizQuestion> questions_at(const Timeline& tl, const Frame& f, bool skip,
                                       int worksheet_cells) {
  std::vector<QuizQuestion> out;
  const bool accumulating =
      f.kind == StepKind::Cell || f.kind == StepKind::Term || f.kind == StepKind::Sum;
  if (!accumulating || f.result.empty()) return out;
  // The cells finished by this step: done now, not done one step before.
  ResultFill before;  // a stage step, or another grid: every cell was pending
  if (f.index > 0) before = tl.frame(f.phase, f.granularity, f.index - 1, skip).result;
  const std::vector<ExerciseCell> chosen = exercise(tl, f.phase, worksheet_cells);
  const Grid g = f.result_grid;
  for (std::size_t o : f.result.finished_since(before)) {
    const CellRef cell = cell_at(f.result.shape(), g, o);
    if (!asked_cell(tl, g, cell, worksheet_cells > 0 ? &chosen : nullptr)) continue;
    QuizQuestion q;
    q.phase = f.phase, q.cell = cell, q.offset = o, q.answer = f.result.value(o);
    q.name = tl.cell_name(cell);
    const Geometry& geo = tl.geometry();
    if (g == Grid::dXp && (geo.pad_top > 0 || geo.pad_left > 0))
      q.dx_name =
          tl.cell_name({Grid::dX, cell.n, cell.c, cell.h - geo.pad_top, cell.w - geo.pad_left});
    if (const auto before = phase_def(f.phase).asked_before) q.before = before(tl.lesson());
    q.formula = tl.cell_equation(cell);
    q.equation = q.formula.text();
    out.push_back(std::move(q));
  }
  return out;
}

bool note_withheld(const Frame& f, const std::vector<CellRef>& hidden) {
  return f.kind != StepKind::Stage && phase_def(f.phase).term_value &&
         std::find(hidden.begin(), hidden.end(), f.target) != hidden.end();
}

std::optional<std::array<int, 3>> question_slice(const Frame& f, const CellRef& cell) {
  if (cell == f.target || cell.grid != Grid::dXp || f.source.grid != Grid::G) return std::nullopt;
  return std::array<int, 3>{cell.n, cell.c, f.source.c};
}

double answer_tolerance(double answer) {
  const double a = std::fabs(answer);
  // A whole number (within rounding noise) is asked exactly.
  if (std::fabs(answer - std::round(answer)) <= 1e-9 * std::max(1.0, a))
    return 1e-9 * std::max(1.0, a);
  // Half a unit of the third significant digit: −0.333 is right for −1/3, −0.33 is not.
  return 0.5 * std::pow(10.0, std::floor(std::log10(a)) - 2) * (1 + 1e-9);
}

std::string precision_words(double answer) {
  return answer_tolerance(answer) < 1e-6 * std::max(1.0, std::fabs(answer))
             ? "a whole number, exactly"
             : "to 3 significant digits, as the cells show it";
}

std::optional<double> parse_answer(const std::string& text) {
  std::string s;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\u2212") == 0) {  // the minus sign the stage writes
      s += '-', i += 2;
    } else if (text[i] == ',') {
      s += '.';  // a decimal comma
    } else if (text[i] != ' ' && text[i] != '\t') {
      s += text[i];
    }
  }
  const auto number = [](const std::string& t) -> std::optional<double> {
    if (t.empty() || t.find_first_not_of("+-.0123456789eE") != std::string::npos)
      return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  };
  const std::size_t slash = s.find('/');
  if (slash == std::string::npos) return number(s);
  const auto a = number(s.substr(0, slash)), b = number(s.substr(slash + 1));
  if (!a || !b || *b == 0 || !std::isfinite(*a / *b)) return std::nullopt;
  return *a / *b;
}

Verdict check_answer(const std::string& typed, double answer) {
  const std::optional<double> v = parse_answer(typed);
  if (!v) return Verdict::NotANumber;
  return std::fabs(*v - answer) <= answer_tolerance(answer) ? Verdict::Right : Verdict::Wrong;
}

// ---- The quiz as the app runs it ----

void Quiz::set_on(bool on) {
  on_ = on;
  at_.reset();  // the step is looked at again on the next arrival
  if (!on) questions_.clear(), next_ = 0, feedback_.reset();
}

void Quiz::set_worksheet_cells(int n) {
  worksheet_cells_ = std::clamp(n, 0, 100);
  at_.reset();
}

void Quiz::reset() {
  scores_ = {};
  for (auto& a : asked_) a.clear();
  questions_.clear(), next_ = 0, feedback_.reset();
  at_.reset();
}

void Quiz::arrive(const Timeline& tl, const Frame& f, bool skip, long long revision) {
  if (!on_) return;
  if (revision != revision_) reset(), revision_ = revision;
  const std::array<long long, 3> here = {static_cast<long long>(f.phase),
                                         static_cast<long long>(f.granularity), f.index};
  if (at_ && *at_ == here) return;
  // A move forward past open questions skips them; a move back leaves them to be asked again.
  const bool forward = at_ && (*at_)[1] == here[1] &&
                       ((*at_)[0] < here[0] || ((*at_)[0] == here[0] && (*at_)[2] < here[2]));
  const bool had_step = at_.has_value();
  at_ = here;
  if (had_step) {
    for (; next_ < questions_.size(); ++next_)
      if (forward) {
        const QuizQuestion& q = questions_[next_];
        QuizScore& s = scores_[static_cast<int>(q.phase)];
        ++s.asked, ++s.skipped;
        asked_[static_cast<int>(q.phase)].insert(q.offset);
      }
  }
  questions_.clear(), next_ = 0, feedback_.reset();
  const std::set<std::size_t>& asked = asked_[static_cast<int>(f.phase)];
  for (QuizQuestion& q : questions_at(tl, f, skip, worksheet_cells_))
    if (!asked.contains(q.offset)) questions_.push_back(std::move(q));
}

const QuizQuestion* Quiz::question() const {
  return on_ && next_ < questions_.size() ? &questions_[next_] : nullptr;
}

void Quiz::close(Outcome o, const std::string& typed) {
  const QuizQuestion& q = questions_[next_];
  QuizScore& s = scores_[static_cast<int>(q.phase)];
  ++s.asked;
  if (o == Outcome::Right) ++s.right;
  if (o == Outcome::Wrong) ++s.wrong;
  if (o == Outcome::Revealed) ++s.revealed;
  asked_[static_cast<int>(q.phase)].insert(q.offset);
  feedback_ = Feedback{q, o, typed};
  ++next_;
}

Verdict Quiz::answer(const std::string& typed) {
  if (!question()) return Verdict::NotANumber;
  const Verdict v = check_answer(typed, questions_[next_].answer);
  if (v != Verdict::NotANumber) close(v == Verdict::Right ? Outcome::Right : Outcome::Wrong, typed);
  return v;
}

bool Quiz::reveal() {
  if (!question()) return false;
  close(Outcome::Revealed, "");
  return true;
}

std::vector<CellRef> Quiz::hidden() const {
  std::vector<CellRef> out;
  if (!on_) return out;
  for (std::size_t i = next_; i < questions_.size(); ++i) out.push_back(questions_[i].cell);
  return out;
}

bool Quiz::conceals(const Timeline& tl, const Frame& f, const CellRef& cell) const {
  if (!on_) return false;
  for (const CellRef& h : hidden())
    if (h == cell) return true;
  // The phase's result, where the step has not finished it and the quiz will ask it: its final
  // value is the answer to a question still to come. dX's cells are read in dXp while the
  // steps compute dXp.
  CellRef at = cell;
  if (cell.grid == Grid::dX && f.result_grid == Grid::dXp)
    at = step_cell(tl.geometry(), cell, Grid::dXp);
  if (at.grid != f.result_grid || f.result.empty() || f.granularity == Granularity::Phase)
    return false;
  const Shape& s = f.result.shape();
  if (at.n < 0 || at.c < 0 || at.h < 0 || at.w < 0 || at.n >= s.n || at.c >= s.c || at.h >= s.h ||
      at.w >= s.w)
    return false;
  if (f.result.progress(f.result.offset(at.n, at.c, at.h, at.w)) == Progress::Done) return false;
  const std::vector<ExerciseCell> chosen = exercise(tl, f.phase, worksheet_cells_);
  return asked_cell(tl, f.result_grid, at, worksheet_cells_ > 0 ? &chosen : nullptr);
}

}  // namespace convstep
