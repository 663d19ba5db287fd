#include "core/timeline.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "core/equation.h"
#include "core/format.h"
#include "core/phases/phases.h"

namespace convstep {

// ---------------------------------------------------------------------------------------------
// Names

namespace {
constexpr std::array<const char*, 3> kGranularityNames = {"phase", "cell", "term"};
}  // namespace

const char* phase_name(Phase p) {
  return phase_def(p).name;
}
const char* phase_label(Phase p) {
  return phase_def(p).label;
}
const char* phase_title(Phase p) {
  return phase_def(p).title;
}
const char* phase_explanation(Phase p) {
  return phase_def(p).explanation;
}
Grid phase_result(Phase p) {
  return phase_def(p).result;
}
std::string phase_refusal(Phase p, const Geometry& geo) {
  const PhaseDef& def = phase_def(p);
  return def.refusal ? def.refusal(geo) : "";
}
bool phase_remark_gives_result(Phase p) {
  return phase_def(p).remark_gives_result;
}
const char* granularity_name(Granularity g) {
  return kGranularityNames[static_cast<int>(g)];
}

std::optional<Phase> parse_phase(std::string_view name) {
  for (Phase p : kAllPhases)
    if (name == phase_name(p)) return p;
  return std::nullopt;
}

std::optional<Granularity> parse_granularity(std::string_view name) {
  for (int i = 0; i < 3; ++i)
    if (name == kGranularityNames[i]) return static_cast<Granularity>(i);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// A result grid as a step leaves it

ResultFill ResultFill::pending(std::shared_ptr<const Tensor> final_values) {
  ResultFill r;
  r.final_ = std::move(final_values);
  return r;
}

ResultFill ResultFill::complete(std::shared_ptr<const Tensor> final_values) {
  ResultFill r = pending(std::move(final_values));
  r.all_done_ = true;
  return r;
}

ResultFill ResultFill::in_loop_order(std::shared_ptr<const Tensor> final_values, int rows, int cols,
                                     long long done, std::size_t at, double value, Progress state) {
  ResultFill r = pending(std::move(final_values));
  r.rows_ = rows, r.cols_ = cols, r.done_ = done;
  r.at_ = at, r.at_value_ = value, r.at_state_ = state;
  return r;
}

ResultFill ResultFill::held(Tensor values, std::vector<Progress> progress) {
  ResultFill r;
  r.held_ = std::move(values);
  r.held_progress_ = std::move(progress);
  return r;
}

bool ResultFill::done(std::size_t offset) const {
  if (all_done_) return true;
  const Shape& s = final_->shape;
  const std::size_t w = offset % s.w, h = offset / s.w % s.h, slice = offset / s.w / s.h;
  if (h >= static_cast<std::size_t>(rows_) || w >= static_cast<std::size_t>(cols_)) return false;
  return static_cast<long long>((slice * rows_ + h) * cols_ + w) < done_;
}

double ResultFill::value(std::size_t offset) const {
  if (!final_) return held_.values[offset];
  if (offset == at_) return at_value_;
  return done(offset) ? final_->values[offset] : 0.0;
}

Progress ResultFill::progress(std::size_t offset) const {
  if (!final_) return held_progress_[offset];
  if (offset == at_) return at_state_;
  return done(offset) ? Progress::Done : Progress::Pending;
}

std::size_t ResultFill::loop_offset(long long index) const {
  const Shape& s = final_->shape;
  const long long per_slice = static_cast<long long>(rows_) * cols_;
  const long long slice = index / per_slice, h = index % per_slice / cols_, w = index % cols_;
  return static_cast<std::size_t>((slice * s.h + h) * s.w + w);
}

std::vector<std::size_t> ResultFill::finished_since(const ResultFill& before) const {
  const bool same_grid = !before.empty() && before.shape() == shape();
  auto finished = [&](std::size_t o) {
    return progress(o) == Progress::Done && !(same_grid && before.progress(o) == Progress::Done);
  };
  std::vector<std::size_t> out;
  // Both filled in loop order by the same loop (or `before` with nothing done yet): besides
  // the two steps' own cells, only the loop's cells from before's count to this one's differ.
  const bool in_loop = final_ && !all_done_ && (rows_ > 0 && cols_ > 0);
  const bool before_in_loop =
      !same_grid || (before.final_ && !before.all_done_ &&
                     (before.done_ == 0 || (before.rows_ == rows_ && before.cols_ == cols_)));
  if (in_loop && before_in_loop) {
    const long long from = same_grid ? std::min(before.done_, done_) : 0;
    for (long long i = from; i < done_; ++i)
      if (const std::size_t o = loop_offset(i); finished(o)) out.push_back(o);
    for (std::size_t o : {at_, same_grid ? before.at_ : at_})
      if (o < size() && finished(o)) out.push_back(o);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  for (std::size_t o = 0; o < size(); ++o)
    if (finished(o)) out.push_back(o);
  return out;
}

// ---------------------------------------------------------------------------------------------
// An accumulation block: cells (outer, a, b), each the sum of terms (q, p, r).
// Term (q, p, r) of cell (outer, a, b) is a structural zero unless row_ok(a, p) and
// col_ok(b, r): the validity separates by axis, which makes counting the non-zero terms, and
// finding the k-th one, cheap.

namespace {

struct AxisTable {
  int count = 0, inner = 0;         // a in [0, count), p in [0, inner)
  std::vector<int> valid_list;      // for each a: its valid p, packed
  std::vector<int> valid_start;     // count + 1 offsets into valid_list
  std::vector<std::uint8_t> valid;  // count × inner

  // `ok` nullptr: every term is valid.
  static AxisTable build(const Model& m, int count, int inner, bool (*ok)(const Model&, int, int)) {
    AxisTable t;
    t.count = count, t.inner = inner;
    t.valid.resize(static_cast<std::size_t>(count) * inner);
    t.valid_start.push_back(0);
    for (int a = 0; a < count; ++a) {
      for (int p = 0; p < inner; ++p)
        if (!ok || ok(m, a, p)) {
          t.valid[static_cast<std::size_t>(a) * inner + p] = 1;
          t.valid_list.push_back(p);
        }
      t.valid_start.push_back(static_cast<int>(t.valid_list.size()));
    }
    return t;
  }
  int valid_count(int a) const { return valid_start[a + 1] - valid_start[a]; }
  long long valid_before(int a) const { return valid_start[a]; }
  int nth_valid(int a, int k) const { return valid_list[valid_start[a] + k]; }
  bool ok(int a, int p) const { return valid[static_cast<std::size_t>(a) * inner + p]; }
};

struct Block {
  BlockShape shape;
  int outer = 1;  // cells = outer · rows.count · cols.count
  int q = 1;      // terms per cell = q · rows.inner · cols.inner
  AxisTable rows, cols;
  bool sum_step = false;  // a Sum step after each cell's terms

  long long cells_per_outer() const { return 1LL * rows.count * cols.count; }
  long long cells() const { return outer * cells_per_outer(); }
  long long terms_per_cell() const { return 1LL * q * rows.inner * cols.inner; }
  long long extra() const { return sum_step ? 1 : 0; }
  long long nonzero_in(int a, int b) const {
    return 1LL * q * rows.valid_count(a) * cols.valid_count(b);
  }
  long long term_steps_per_outer(bool skip) const {
    if (!skip) return cells_per_outer() * (terms_per_cell() + extra());
    return 1LL * q * rows.valid_before(rows.count) * cols.valid_before(cols.count) +
           cells_per_outer() * extra();
  }
  long long steps(Granularity g, bool skip) const {
    switch (g) {
      case Granularity::Phase:
        return 1;
      case Granularity::Cell:
        return cells();
      // Skipping zeros can leave nothing (every window on padding): keep one step to show it.
      case Granularity::Term:
        return std::max(outer * term_steps_per_outer(skip), 1LL);
    }
    return 0;
  }
};

// A phase's block from the geometry alone: its loops and sizes, with empty axis tables. The
// step counts of a full (non-skipping) walk need nothing more, so the limits can check them
// before anything is computed.
Block block_shape(const PhaseDef& def, const Geometry& g) {
  Block b;
  b.shape = def.shape(g);
  b.outer = b.shape.outer, b.q = b.shape.q, b.sum_step = b.shape.sum_step;
  b.rows.count = b.shape.rows, b.rows.inner = b.shape.rows_inner;
  b.cols.count = b.shape.cols, b.cols.inner = b.shape.cols_inner;
  return b;
}

Block built_block(const PhaseDef& def, const Model& m) {
  Block b = block_shape(def, m.geo);
  b.rows = AxisTable::build(m, b.rows.count, b.rows.inner, def.row_ok);
  b.cols = AxisTable::build(m, b.cols.count, b.cols.inner, def.col_ok);
  return b;
}

// Where a term step lands: the cell, and the term within it (or the Sum step after it).
struct BlockPosition {
  long long cell = 0;
  int outer = 0, a = 0, b = 0;
  long long term = 0;  // index in the cell's full term order (q, p, r); terms_per_cell = sum
  bool sum = false;
};

BlockPosition locate_term(const Block& blk, long long k, bool skip) {
  BlockPosition pos;
  const long long per_outer = std::max(blk.term_steps_per_outer(skip), 1LL);
  pos.outer = static_cast<int>(k / per_outer);
  k %= per_outer;
  if (!skip) {
    const long long per_cell = blk.terms_per_cell() + blk.extra();
    const long long cell_in_outer = k / per_cell;
    pos.a = static_cast<int>(cell_in_outer / blk.cols.count);
    pos.b = static_cast<int>(cell_in_outer % blk.cols.count);
    pos.term = k % per_cell;
  } else {
    // Steps before row a: q·(valid rows before a)·(all valid cols) + a·cols·extra; monotonic.
    const long long all_cols = blk.cols.valid_before(blk.cols.count);
    auto before_row = [&](int a) {
      return 1LL * blk.q * blk.rows.valid_before(a) * all_cols +
             1LL * a * blk.cols.count * blk.extra();
    };
    // The first row that ends after k (rows of only zero terms may take no steps at all).
    int lo = 0, hi = blk.rows.count - 1;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (before_row(mid + 1) > k)
        hi = mid;
      else
        lo = mid + 1;
    }
    pos.a = lo;
    k -= before_row(lo);
    const int rows_here = blk.rows.valid_count(pos.a);
    auto before_col = [&](int b) {
      return 1LL * blk.q * rows_here * blk.cols.valid_before(b) + b * blk.extra();
    };
    lo = 0, hi = blk.cols.count - 1;
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (before_col(mid + 1) > k)
        hi = mid;
      else
        lo = mid + 1;
    }
    pos.b = lo;
    k -= before_col(lo);
    const long long nonzero = blk.nonzero_in(pos.a, pos.b);
    if (k < nonzero) {
      const int cols_here = blk.cols.valid_count(pos.b);
      const long long per_q = 1LL * rows_here * cols_here;
      const int q = static_cast<int>(k / per_q);
      const long long rem = k % per_q;
      const int p = blk.rows.nth_valid(pos.a, static_cast<int>(rem / cols_here));
      const int r = blk.cols.nth_valid(pos.b, static_cast<int>(rem % cols_here));
      pos.term = (1LL * q * blk.rows.inner + p) * blk.cols.inner + r;
    } else {
      pos.term = blk.terms_per_cell();  // the Sum step
    }
  }
  pos.sum = pos.term == blk.terms_per_cell();
  pos.cell = pos.outer * blk.cells_per_outer() + 1LL * pos.a * blk.cols.count + pos.b;
  return pos;
}

// The cell of a whole-cell step (Cell granularity: the k-th; Phase: the last).
BlockPosition locate_cell(const Block& blk, long long cell) {
  BlockPosition pos;
  pos.cell = cell;
  pos.outer = static_cast<int>(cell / blk.cells_per_outer());
  const long long in_outer = cell % blk.cells_per_outer();
  pos.a = static_cast<int>(in_outer / blk.cols.count);
  pos.b = static_cast<int>(in_outer % blk.cols.count);
  pos.term = blk.terms_per_cell();
  pos.sum = true;
  return pos;
}

// A cell ref and how it moves with a term's (q, p, r).
struct MovingRef {
  CellRef base;
  int d[3][4] = {};

  MovingRef() = default;
  MovingRef(const CellRef& at0, const CellRef (&at1)[3]) : base(at0) {
    for (int k = 0; k < 3; ++k)
      d[k][0] = at1[k].n - at0.n, d[k][1] = at1[k].c - at0.c, d[k][2] = at1[k].h - at0.h,
      d[k][3] = at1[k].w - at0.w;
  }
  CellRef at(int q, int p, int r) const {
    CellRef c = base;
    c.n += q * d[0][0] + p * d[1][0] + r * d[2][0];
    c.c += q * d[0][1] + p * d[1][1] + r * d[2][1];
    c.h += q * d[0][2] + p * d[1][2] + r * d[2][2];
    c.w += q * d[0][3] + p * d[1][3] + r * d[2][3];
    return c;
  }
};

// The terms of one cell, without a call to the phase for each: a phase's term() is affine in
// (q, p, r) (phases.h), so term (q, p, r) is term (0, 0, 0) moved by q, p and r steps.
class CellTerms {
 public:
  CellTerms(const PhaseDef& def, const Model& m, const Block& blk, int outer, int a, int b)
      : blk_(blk), model_(m), term_value_(def.term_value) {
    CellRef t0, t1[3];
    const Term base = def.term(m.geo, {outer, a, b, 0, 0, 0}, &t0);
    Term step[3];
    for (int k = 0; k < 3; ++k)
      step[k] = def.term(m.geo, {outer, a, b, k == 0, k == 1, k == 2}, &t1[k]);
    a_ = MovingRef(base.a, {step[0].a, step[1].a, step[2].a});
    b_ = MovingRef(base.b, {step[0].b, step[1].b, step[2].b});
    target_ = MovingRef(t0, t1);
    a_values_ = &m.tensor(base.a.grid);
    b_values_ = base.b.grid == Grid::None ? nullptr : &m.tensor(base.b.grid);
    a_cell_ = a, b_cell_ = b;
  }

  // Term t of the cell in its full order (q, p, r), and the cell it adds into.
  Term at(long long t, CellRef* target) const {
    const int q = static_cast<int>(t / (1LL * blk_.rows.inner * blk_.cols.inner));
    const int p = static_cast<int>(t / blk_.cols.inner % blk_.rows.inner);
    const int r = static_cast<int>(t % blk_.cols.inner);
    Term term;
    term.a = a_.at(q, p, r);
    term.zero = !blk_.rows.ok(a_cell_, p) || !blk_.cols.ok(b_cell_, r);
    term.a_value = (*a_values_)(term.a.n, term.a.c, term.a.h, term.a.w);
    if (b_values_) {
      term.b = b_.at(q, p, r);
      term.b_value = (*b_values_)(term.b.n, term.b.c, term.b.h, term.b.w);
    }
    term.product = term_value_ ? term_value_(model_, term) : term.a_value * term.b_value;
    *target = target_.at(q, p, r);
    return term;
  }

 private:
  const Block& blk_;
  const Model& model_;
  double (*term_value_)(const Model&, const Term&);
  MovingRef a_, b_, target_;
  const Tensor *a_values_ = nullptr, *b_values_ = nullptr;
  int a_cell_ = 0, b_cell_ = 0;
};

// The terms an equation shows: all of them when there are few, else the first and the last
// few. Keeping only those makes an equation cost the same at any term of a long sum; they are
// kept as indices in the cell's term order (cheap to note at every term) and made at the end.
struct EquationTerms {
  static constexpr long long kMaxShown = 64, kHead = 6, kTail = 3;
  std::vector<long long> head;        // the first kMaxShown
  std::array<long long, kTail> ring;  // the last kTail, cyclically
  long long total = 0;

  void add(long long t) {
    if (total < kMaxShown) head.push_back(t);
    ring[total % kTail] = t;
    ++total;
  }
  std::vector<long long> shown() const {
    if (total <= kMaxShown) return head;
    std::vector<long long> out(head.begin(), head.begin() + kHead);
    for (long long i = total - kTail; i < total; ++i) out.push_back(ring[i % kTail]);
    return out;
  }
};

// "Z[1,2] = Xp[1,2]·W[0,0] + … = 1·1 + … = 5"; long sums show their first and last terms.
Equation sum_equation(const Model& m, const CellRef& target, const CellTerms& cell,
                      const EquationTerms& terms, double sum) {
  Equation e;
  e.target = m.name(target);
  e.result = terms.total == 0 ? "0" : number(sum);
  for (long long index : terms.shown()) {
    CellRef unused;
    const Term t = cell.at(index, &unused);
    e.terms.push_back(
        product_term(m.name(t.a), t.a_value, t.b.grid == Grid::None ? "" : m.name(t.b), t.b_value));
  }
  if (terms.total > EquationTerms::kMaxShown) {
    e.elided_at = EquationTerms::kHead;
    e.elided = terms.total - EquationTerms::kHead - EquationTerms::kTail;
  }
  return e;
}

}  // namespace

void check_step_limits(const Geometry& g) {
  for (Phase p : kAllPhases) {
    const PhaseDef& def = phase_def(p);
    const Block b = block_shape(def, g);
    if (b.terms_per_cell() > kMaxTermsPerCell)
      throw ConvError(std::string("each cell of ") + def.result_name + " is a sum of " +
                      std::to_string(b.terms_per_cell()) + " terms, more than the limit of " +
                      std::to_string(kMaxTermsPerCell) +
                      ": every step recomputes its cell, which would be too slow. Use a smaller "
                      "input, kernel or padding, or a larger stride");
    if (b.steps(Granularity::Term, false) > kMaxTermSteps)
      throw ConvError(std::string("stepping through ") + def.name + " term by term takes " +
                      std::to_string(b.steps(Granularity::Term, false)) +
                      " steps, the terms on padding and inserted zeros included, more than the "
                      "limit of " +
                      std::to_string(kMaxTermSteps) +
                      ": computing them would be too slow. Use a smaller input, kernel, padding "
                      "or dilation, or a larger stride");
  }
}

// ---------------------------------------------------------------------------------------------

struct Timeline::Impl {
  Model model;
  // Per phase, in the order of kAllPhases: its steps, and its accumulation.
  std::array<std::vector<Stage>, std::size(kAllPhases)> stages;
  std::array<Block, std::size(kAllPhases)> blocks;
  std::vector<std::uint8_t> covered;  // per X cell (h × w): some window reaches it
  mutable std::array<std::optional<PitfallResult>, std::size(kAllPitfalls)> pitfalls;

  Impl(Lesson l, const CancelFlag* cancel) : model(std::move(l), cancel) {
    for (Phase p : kAllPhases) {
      check_cancel(cancel);
      stages[static_cast<int>(p)] = phase_def(p).stages(model);
      blocks[static_cast<int>(p)] = built_block(phase_def(p), model);
    }
    check_cancel(cancel);
    // A cell is covered when some window reads its row and some window reads its column.
    const Geometry& geo = model.geo;
    std::vector<bool> row_reached(geo.h, true), col_reached(geo.w, true);
    for (int y : model.unreached_rows) row_reached[y - geo.pad_top] = false;
    for (int x : model.unreached_cols) col_reached[x - geo.pad_left] = false;
    covered.assign(static_cast<std::size_t>(geo.h) * geo.w, 0);
    for (int y = 0; y < geo.h; ++y)
      for (int x = 0; x < geo.w; ++x) covered[y * geo.w + x] = row_reached[y] && col_reached[x];
  }

  const Block& block(Phase p) const { return blocks[static_cast<int>(p)]; }
  const std::vector<Stage>& segs(Phase p) const { return stages[static_cast<int>(p)]; }

  BlockStep walk_cell(const PhaseDef& def, const Block& blk, const BlockPosition& pos, bool skip,
                      Frame& f) const;
  void block_frame(const PhaseDef& def, Phase phase, long long local, bool skip, Frame& f,
                   std::shared_ptr<const Tensor> final_values) const;
};

// ---------------------------------------------------------------------------------------------

Timeline::Timeline(Lesson lesson) : Timeline(std::move(lesson), nullptr) {}
Timeline::Timeline(Lesson lesson, const CancelFlag* cancel)
    : impl_(std::make_shared<Impl>(std::move(lesson), cancel)) {}
Timeline::~Timeline() = default;
Timeline::Timeline(Timeline&&) noexcept = default;
Timeline& Timeline::operator=(Timeline&&) noexcept = default;

const Lesson& Timeline::lesson() const {
  return impl_->model.lesson;
}
const Geometry& Timeline::geometry() const {
  return impl_->model.geo;
}
const Results& Timeline::results() const {
  return impl_->model.results;
}
const Tensor& Timeline::tensor(Grid g) const {
  return impl_->model.tensor(g);
}
std::string Timeline::cell_name(const CellRef& cell) const {
  return impl_->model.name(cell);
}

bool Timeline::is_padding(Grid grid, int h, int w) const {
  const ConvAxis rows = impl_->model.geo.rows(), cols = impl_->model.geo.cols();
  switch (grid) {
    case Grid::Xp:
    case Grid::dXp:
      return !rows.in_input(h) || !cols.in_input(w);
    case Grid::Gd:
      return rows.gd_output(h) < 0 || cols.gd_output(w) < 0;
    case Grid::Gp:
      return rows.gp_output(h) < 0 || cols.gp_output(w) < 0;
    default:
      return false;
  }
}

bool Timeline::is_uncovered(int h, int w) const {
  return !impl_->covered[static_cast<std::size_t>(h) * impl_->model.geo.w + w];
}

long long Timeline::count(Phase p, Granularity g, bool skip) const {
  long long n = 0;
  for (Stage s : impl_->segs(p)) n += s == Stage::None ? impl_->block(p).steps(g, skip) : 1;
  return n;
}

std::string Timeline::past_the_end(Phase p, Granularity g, long long step) const {
  const long long n = count(p, g);
  if (step < n) return "";
  return std::to_string(step) + " is past the end: " + phase_name(p) + " has " +
         plural(n, std::string(granularity_name(g)) + " step") + " (0.." + std::to_string(n - 1) +
         ")";
}

Grid Timeline::accumulation_grid(Phase p) const {
  const std::vector<Stage>& segs = impl_->segs(p);
  if (std::find(segs.begin(), segs.end(), Stage::None) == segs.end()) return Grid::None;
  return phase_def(p).result_grid(Stage::None);
}

// Every term of the cell is made and summed, so that the cost does not depend on where in the
// cell we are: the terms past the step go into sums of their own, which are dropped. None is
// kept but the few the equation shows (the limits bound the terms per cell).
BlockStep Timeline::Impl::walk_cell(const PhaseDef& def, const Block& blk, const BlockPosition& pos,
                                    bool skip, Frame& f) const {
  BlockStep s;
  const long long per_q = 1LL * blk.rows.inner * blk.cols.inner;
  f.block_sums.assign(blk.q, 0.0);
  double later = 0;
  std::vector<double> later_sums(blk.q, 0.0);
  EquationTerms so_far;
  bool current_shown = false;
  const CellTerms terms(def, model, blk, pos.outer, pos.a, pos.b);
  for (long long t = 0; t < blk.terms_per_cell(); ++t) {
    CellRef target;
    const Term term = terms.at(t, &target);
    if (t == pos.term) s.current = term, s.current_target = target;
    if (skip && term.zero) continue;
    const bool done = t <= pos.term;
    (done ? s.sum : later) += term.product;
    (done ? f.block_sums : later_sums)[t / per_q] += term.product;
    if (!done) {
      s.cell_complete = false;
      continue;
    }
    so_far.add(t);
    current_shown = t == pos.term;
  }
  CellRef target;
  def.term(model.geo, {pos.outer, pos.a, pos.b, 0, 0, 0}, &target);
  s.sum_equation = sum_equation(model, target, terms, so_far, s.sum);
  // A term step's term is the last of the sum so far: the stage underlines it.
  if (f.kind == StepKind::Term && current_shown)
    s.sum_equation.current = static_cast<int>(s.sum_equation.terms.size()) - 1;
  return s;
}

// A step of the accumulation block: the walk finds the cell and its terms, the phase says
// what they mean.
void Timeline::Impl::block_frame(const PhaseDef& def, Phase phase, long long local, bool skip,
                                 Frame& f, std::shared_ptr<const Tensor> final_values) const {
  const Block& blk = block(phase);
  const Granularity gran = f.granularity;
  const BlockPosition pos = gran == Granularity::Term   ? locate_term(blk, local, skip)
                            : gran == Granularity::Cell ? locate_cell(blk, local)
                                                        : locate_cell(blk, blk.cells() - 1);
  f.kind = gran == Granularity::Phase  ? StepKind::Block
           : gran == Granularity::Cell ? StepKind::Cell
           : pos.sum                   ? StepKind::Sum
                                       : StepKind::Term;
  f.cell = pos.cell;
  f.term = pos.sum ? -1 : static_cast<int>(pos.term);

  BlockStep s = walk_cell(def, blk, pos, skip, f);
  if (gran == Granularity::Term && !pos.sum) f.current_term = s.current;
  const int q_now =
      pos.sum ? 0 : static_cast<int>(pos.term / (1LL * blk.rows.inner * blk.cols.inner));
  s.granularity = gran;
  s.at = {pos.outer, pos.a, pos.b, q_now, 0, 0};
  s.cell = pos.cell, s.term = pos.term, s.whole_cell = pos.sum;
  s.last = local == blk.steps(gran, skip) - 1;
  s.cells = blk.cells();
  s.shape = blk.shape;
  s.final_values = std::move(final_values);
  if (def.source)
    if (const auto source = def.source(model.geo, s.at)) f.source = *source;
  if (def.window) f.window = def.window(model.geo, s.at);
  def.block_step(model, def, s, f);
}

Frame Timeline::frame(Phase phase, Granularity gran, long long k, bool skip,
                      bool with_result) const {
  const Impl& m = *impl_;
  const PhaseDef& def = phase_def(phase);
  Frame f;
  f.phase = phase, f.granularity = gran, f.index = k, f.count = count(phase, gran, skip);
  if (k < 0 || k >= f.count)
    throw std::out_of_range(std::string("step ") + std::to_string(k) + " is outside " + def.name +
                            "'s 0.." + std::to_string(f.count - 1));
  const Block& blk = m.block(phase);
  f.cells = blk.cells();
  f.terms_per_cell = static_cast<int>(blk.terms_per_cell());

  // Find the stage, and whether the block is before (done) or after (pending) this step.
  const auto& segs = m.segs(phase);
  std::size_t seg = 0;
  long long local = k;
  bool block_done = false;
  for (; seg < segs.size(); ++seg) {
    const long long len = segs[seg] == Stage::None ? blk.steps(gran, skip) : 1;
    if (local < len) break;
    local -= len;
    if (segs[seg] == Stage::None) block_done = true;
  }
  f.stage = segs[seg];
  for (std::size_t s = 0; s <= seg; ++s)
    if (segs[s] == Stage::RotateKernel) f.rotation_deg = 180;

  // The result grid: which grid, and its final values.
  f.result_grid = def.result_grid(f.stage);
  // Its final values, kept alive by the fills that read them.
  const std::shared_ptr<const Tensor> final_values(impl_, def.final_values
                                                              ? &def.final_values(m.model, f.stage)
                                                              : &m.model.tensor(f.result_grid));
  if (f.stage != Stage::None) {
    f.kind = StepKind::Stage;
    // A phase of stages only (the loss phase when the lesson gives G) computes nothing: its
    // result is there from the start.
    const bool no_block = std::find(segs.begin(), segs.end(), Stage::None) == segs.end();
    if (with_result)
      f.result = block_done || no_block ? ResultFill::complete(final_values)
                                        : ResultFill::pending(final_values);
    f.equation = describe_stage(m.model, f.stage, &f.note);
    return f;
  }
  m.block_frame(def, phase, local, skip, f, with_result ? final_values : nullptr);
  return f;
}

void Timeline::for_each_term(Phase phase, long long cell, bool skip,
                             const std::function<void(const Term&)>& visit) const {
  const Impl& m = *impl_;
  const PhaseDef& def = phase_def(phase);
  const Block& blk = m.block(phase);
  if (cell < 0 || cell >= blk.cells())
    throw std::out_of_range(std::string("cell ") + std::to_string(cell) + " is outside " +
                            def.name + "'s 0.." + std::to_string(blk.cells() - 1));
  const BlockPosition pos = locate_cell(blk, cell);
  const CellTerms terms(def, m.model, blk, pos.outer, pos.a, pos.b);
  for (long long t = 0; t < blk.terms_per_cell(); ++t) {
    CellRef target;
    const Term term = terms.at(t, &target);
    if (!(skip && term.zero)) visit(term);
  }
}

std::string Timeline::explanation(Phase p) const {
  const PhaseDef& def = phase_def(p);
  const std::string more = def.lesson_explanation ? def.lesson_explanation(impl_->model) : "";
  return more.empty() ? def.explanation : std::string(def.explanation) + " " + more;
}

const PitfallResult& Timeline::pitfall(Pitfall p) const {
  auto& slot = impl_->pitfalls[static_cast<std::size_t>(p)];
  if (!slot) {
    const Lesson& l = impl_->model.lesson;
    slot = compute_pitfall(p, l.input, l.weight, l.bias, impl_->model.G, impl_->model.geo);
  }
  return *slot;
}

std::string Timeline::pitfall_explanation(Pitfall p, bool with_values) const {
  const Lesson& l = impl_->model.lesson;
  // Without the right dX and the mistake's, the explanation names no cell's value.
  const bool values = with_values || p != Pitfall::InputGradientAsGradient;
  return convstep::pitfall_explanation(p, impl_->model.geo, l.gives_gradient() ? nullptr : &l.loss,
                                       values ? &results().dX : nullptr,
                                       values ? &pitfall(p) : nullptr);
}

Equation Timeline::cell_equation(const CellRef& cell) const {
  const Model& m = impl_->model;
  for (Phase phase : kAllPhases) {
    const PhaseDef& def = phase_def(phase);
    const auto index = def.cell_of ? def.cell_of(m, cell) : std::nullopt;
    if (!index) continue;
    if (*index < 0) {
      Equation e;
      e.target = m.name(cell), e.result = "0", e.remark = def.unreached_remark;
      return e;
    }
    // Cell steps follow the stages that open the phase.
    long long k = *index;
    for (Stage s : impl_->segs(phase)) {
      if (s == Stage::None) break;
      ++k;
    }
    Equation e = frame(phase, Granularity::Cell, k, false, false).equation;
    if (def.cell_remark) e.remark += def.cell_remark(m, cell);
    return e;
  }
  return {};
}

std::string Timeline::equation_of(const CellRef& cell) const {
  return cell_equation(cell).text();
}

// ---------------------------------------------------------------------------------------------
// Correspondences
//
// The cells related to one cell are, in each grid slice, an evenly spaced lattice: a window on
// Xp, all of an output, the kernel entries whose stride and dilation reach an input. So the
// answer is a few regions however large the lesson, never a list of its cells (a kernel entry
// of a 4096×4096 input relates to 16 million cells).

namespace {

Lattice one(int x) {
  return {x, 1, 1};
}

// x → offset + scale·x, scale > 0.
Lattice scaled(Lattice a, int scale, int offset) {
  return {offset + scale * a.first, a.count, a.step * scale};
}

// x → k − 1 − x: the rotated kernel.
Lattice flipped(Lattice a, int k) {
  return {k - 1 - (a.first + (a.count - 1) * a.step), a.count, a.step};
}

// The part of the axis within [lo, hi).
Lattice clipped(Lattice a, int lo, int hi) {
  const long long first = a.first, step = a.step;
  const long long k0 = lo > first ? (lo - first + step - 1) / step : 0;
  const long long k1 =
      hi - 1 < first ? -1 : std::min<long long>(a.count - 1, (hi - 1 - first) / step);
  if (k1 < k0) return {a.first, 0, a.step};
  return {static_cast<int>(first + k0 * step), static_cast<int>(k1 - k0 + 1), a.step};
}

}  // namespace

std::vector<Window> Timeline::correspondences(const CellRef& cell) const {
  const Geometry& g = impl_->model.geo;
  const ConvAxis R = g.rows(), C = g.cols();
  std::vector<Window> out;
  if (cell.grid == Grid::None) return out;
  const Shape s = tensor(cell.grid).shape;
  if (cell.n < 0 || cell.c < 0 || cell.h < 0 || cell.w < 0 || cell.n >= s.n || cell.c >= s.c ||
      cell.h >= s.h || cell.w >= s.w)
    return out;
  auto add = [&](Grid grid, int n, int c, Lattice rows, Lattice cols) {
    if (rows.count <= 0 || cols.count <= 0) return;
    // The cell itself is not related to itself; it is always alone in its own region.
    if (CellRef{grid, n, c, rows.first, cols.first} == cell && rows.count == 1 && cols.count == 1)
      return;
    out.push_back({grid, n, c, rows.first, cols.first, rows.count, cols.count,
                   rows.count > 1 ? rows.step : 1, cols.count > 1 ? cols.step : 1});
  };
  const int cg = g.c_per_group(), og = g.cout_per_group();
  // Output cells of sample n, channel o: Z, G, and their places in Gd and Gp.
  const bool target = impl_->model.lesson.loss.kind == LossKind::Mse;
  auto outputs = [&](int n, int o, Lattice i, Lattice j) {
    add(Grid::Z, n, o, i, j);
    add(Grid::G, n, o, i, j);
    if (target) add(Grid::T, n, o, i, j);
    add(Grid::Gd, n, o, scaled(i, g.stride_h, 0), scaled(j, g.stride_w, 0));
    add(Grid::Gp, n, o, scaled(i, g.stride_h, (g.kh - 1) * g.dil_h),
        scaled(j, g.stride_w, (g.kw - 1) * g.dil_w));
  };
  // Cells of Xp (rows y, columns x) and dXp; those off the padding also in X and dX.
  auto inputs = [&](int n, int c, Lattice y, Lattice x) {
    add(Grid::Xp, n, c, y, x);
    add(Grid::dXp, n, c, y, x);
    const Lattice yi = scaled(clipped(y, g.pad_top, g.pad_top + g.h), 1, -g.pad_top);
    const Lattice xi = scaled(clipped(x, g.pad_left, g.pad_left + g.w), 1, -g.pad_left);
    add(Grid::X, n, c, yi, xi);
    add(Grid::dX, n, c, yi, xi);
  };
  // Kernel entries of output channel o and input channel cq of its group: W, dW and Wr.
  auto kernel = [&](int o, int cq, Lattice u, Lattice v) {
    add(Grid::W, o, cq, u, v);
    add(Grid::dW, o, cq, u, v);
    add(Grid::Wr, o / og * cg + cq, o % og, flipped(u, g.kh), flipped(v, g.kw));
  };
  const Lattice all_rows{0, g.oh, 1}, all_cols{0, g.ow, 1};

  switch (cell.grid) {
    case Grid::Z:
    case Grid::G:
    case Grid::Gd:
    case Grid::Gp: {
      int i = cell.h, j = cell.w;
      if (cell.grid == Grid::Gd) i = R.gd_output(cell.h), j = C.gd_output(cell.w);
      if (cell.grid == Grid::Gp) i = R.gp_output(cell.h), j = C.gp_output(cell.w);
      if (i < 0 || j < 0) break;  // an inserted zero or padding: no G value
      const int n = cell.n, o = cell.c, group = o / og;
      outputs(n, o, one(i), one(j));
      add(Grid::db, 0, o, one(0), one(0));
      for (int cq = 0; cq < cg; ++cq) {
        inputs(n, group * cg + cq, R.window(i), C.window(j));
        kernel(o, cq, {0, g.kh, 1}, {0, g.kw, 1});
      }
      break;
    }
    case Grid::X:
    case Grid::dX:
    case Grid::Xp:
    case Grid::dXp: {
      const bool padded = cell.grid == Grid::Xp || cell.grid == Grid::dXp;
      const int y = cell.h + (padded ? 0 : g.pad_top), x = cell.w + (padded ? 0 : g.pad_left);
      inputs(cell.n, cell.c, one(y), one(x));
      const Lattice u = R.taps_reaching(y), v = C.taps_reaching(x);
      if (u.count == 0 || v.count == 0) break;  // no window reaches it
      const Lattice i = R.windows_reaching(y), j = C.windows_reaching(x);
      const int group = cell.c / cg;
      for (int o = group * og; o < (group + 1) * og; ++o) {
        outputs(cell.n, o, i, j);
        kernel(o, cell.c % cg, u, v);
      }
      break;
    }
    case Grid::W:
    case Grid::dW:
    case Grid::Wr: {
      int o = cell.n, cq = cell.c, u = cell.h, v = cell.w;
      if (cell.grid == Grid::Wr) {
        o = cell.c + cell.n / cg * og, cq = cell.n % cg, u = g.kh - 1 - cell.h,
        v = g.kw - 1 - cell.w;
      }
      kernel(o, cq, one(u), one(v));
      const int c = o / og * cg + cq;
      for (int n = 0; n < g.n; ++n) {
        outputs(n, o, all_rows, all_cols);
        inputs(n, c, R.tap(u), C.tap(v));
      }
      break;
    }
    case Grid::db:
      for (int n = 0; n < g.n; ++n) outputs(n, cell.c, all_rows, all_cols);
      break;
    case Grid::T:  // a target cell is compared with its own output cell only
      add(Grid::Z, cell.n, cell.c, one(cell.h), one(cell.w));
      add(Grid::G, cell.n, cell.c, one(cell.h), one(cell.w));
      break;
    case Grid::cols:  // the matrix view's matrices relate to no cell of the other grids here
    case Grid::TW:
    case Grid::None:
      break;
  }
  return out;
}

}  // namespace convstep
