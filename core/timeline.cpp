#include "core/timeline.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <tuple>

#include "core/format.h"

namespace convstep {

// ---------------------------------------------------------------------------------------------
// Names

namespace {
constexpr std::array<const char*, 5> kPhaseNames = {"forward", "dw", "dx_gather", "dx_scatter",
                                                    "db"};
constexpr std::array<const char*, 3> kGranularityNames = {"phase", "cell", "term"};
}  // namespace

const char* phase_name(Phase p) {
  return kPhaseNames[static_cast<int>(p)];
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

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::None:
      return "none";
    case Stage::PadInput:
      return "pad_input";
    case Stage::AddBias:
      return "add_bias";
    case Stage::ShowGradient:
      return "show_gradient";
    case Stage::DilateGradient:
      return "dilate_gradient";
    case Stage::PadGradient:
      return "pad_gradient";
    case Stage::RotateKernel:
      return "rotate_kernel";
    case Stage::ZeroUncovered:
      return "zero_uncovered";
    case Stage::Crop:
      return "crop";
  }
  return "";
}

const char* phase_title(Phase p) {
  switch (p) {
    case Phase::Forward:
      return "Forward: Z = Xp ⋆ W + b";
    case Phase::Dw:
      return "∂L/∂W: G laid over Xp";
    case Phase::DxGather:
      return "∂L/∂X by gathering: Gp ⋆ Wr";
    case Phase::DxScatter:
      return "∂L/∂X by scattering: each G cell stamps g·W";
    case Phase::Db:
      return "∂L/∂b = ΣG";
  }
  return "";
}

const char* phase_explanation(Phase p) {
  switch (p) {
    case Phase::Forward:
      return "The kernel W slides over the padded input Xp with the stride. Each output cell "
             "Z[i,j] is the sum of the products of the window's cells with the kernel's: a "
             "cross-correlation, as in PyTorch, so the kernel is not flipped. With several input "
             "channels each channel's window contributes its own sum, and the sums are added; "
             "then the bias is added to every cell of its output channel.";
    case Phase::Dw:
      return "W[u,v] multiplied Xp[i·s + u·dil, j·s + v·dil] in every window (i, j), so its "
             "gradient collects those inputs weighted by how much the loss cares about each "
             "output: dW[u,v] = Σ Xp[i·s + u·dil, j·s + v·dil]·G[i,j]. Picture G, spread out by "
             "the stride, laid over Xp at offset (u·dil, v·dil). The same kernel is used for every "
             "sample of the batch, so its gradient sums over the batch.";
    case Phase::DxGather:
      return "Each input cell collects the gradient of every output whose window covered it. "
             "Spreading G out by the stride (s−1 zeros between cells) puts each output back where "
             "its window started; padding it by (k−1)·dil lets the kernel hang over its edges. "
             "Sliding the kernel over it the other way round is the same as sliding the kernel "
             "rotated by 180°: the top-left weight of a window reaches the input that is the "
             "bottom-right neighbour from the gathering cell's point of view. Inputs that no "
             "window reaches collect nothing and do not learn. Finally the border is cropped off: "
             "the padding zeros are constants, not inputs, so their gradients are discarded.";
    case Phase::DxScatter:
      return "The same gradient, computed the other way round: each output's gradient g flows "
             "back along the weights that produced it, so every G cell adds g·W into the window it "
             "came from (a transposed convolution). No rotation is needed here. Where windows "
             "overlap, the contributions add up; the parts that land on the padding are cropped "
             "off at the end.";
    case Phase::Db:
      return "The bias is added to every output cell of its channel, in every sample, so each "
             "of them passes its gradient straight to it: db = ΣG over the batch and all "
             "positions. With L = ΣZ, G is all ones and db counts the output cells.";
  }
  return "";
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

  template <typename F>
  static AxisTable build(int count, int inner, F ok) {
    AxisTable t;
    t.count = count, t.inner = inner;
    t.valid.resize(static_cast<std::size_t>(count) * inner);
    t.valid_start.push_back(0);
    for (int a = 0; a < count; ++a) {
      for (int p = 0; p < inner; ++p)
        if (ok(a, p)) {
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
Block block_shape(Phase phase, const Geometry& g) {
  Block b;
  int rows = 0, rows_inner = 0, cols = 0, cols_inner = 0;
  switch (phase) {
    case Phase::Forward:
      b.outer = g.n * g.cout, b.q = g.c_per_group(), b.sum_step = b.q > 1;
      rows = g.oh, rows_inner = g.kh, cols = g.ow, cols_inner = g.kw;
      break;
    case Phase::Dw:
      b.outer = g.cout * g.c_per_group(), b.q = g.n, b.sum_step = g.n > 1;
      rows = g.kh, rows_inner = g.oh, cols = g.kw, cols_inner = g.ow;
      break;
    case Phase::DxGather:  // the extent of dXp that Gp ⋆ Wr reaches
      b.outer = g.n * g.c, b.q = g.cout_per_group(), b.sum_step = b.q > 1;
      rows = g.gp_h() - g.span_h() + 1, rows_inner = g.kh;
      cols = g.gp_w() - g.span_w() + 1, cols_inner = g.kw;
      break;
    case Phase::DxScatter:
      b.outer = g.n * g.cout, b.q = g.c_per_group(), b.sum_step = false;
      rows = g.oh, rows_inner = g.kh, cols = g.ow, cols_inner = g.kw;
      break;
    case Phase::Db:
      b.outer = g.cout, b.q = g.n, b.sum_step = g.n > 1;
      rows = 1, rows_inner = g.oh, cols = 1, cols_inner = g.ow;
      break;
  }
  b.rows.count = rows, b.rows.inner = rows_inner, b.cols.count = cols, b.cols.inner = cols_inner;
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

// A phase: its steps are stages and (at most) one accumulation block, in order.
struct Segment {
  Stage stage = Stage::None;  // None: the block
};

std::string number(double v) {
  return format_number(v, kUnicode);
}

// The terms an equation shows: all of them when there are few, else the first and the last
// few. Keeping only those makes an equation cost the same at any term of a long sum.
struct EquationTerms {
  static constexpr long long kMaxShown = 64, kHead = 6, kTail = 3;
  std::vector<Term> head;        // the first kMaxShown
  std::array<Term, kTail> ring;  // the last kTail, cyclically
  long long total = 0;

  void add(const Term& t) {
    if (total < kMaxShown) head.push_back(t);
    ring[total % kTail] = t;
    ++total;
  }
  std::vector<Term> tail() const {
    std::vector<Term> out;
    for (long long i = total - kTail; i < total; ++i) out.push_back(ring[i % kTail]);
    return out;
  }
};
std::string factor(double v) {
  return format_factor(v, kUnicode);
}

}  // namespace

void check_step_limits(const Geometry& g) {
  for (Phase p : kAllPhases) {
    const Block b = block_shape(p, g);
    const std::string result = p == Phase::Forward ? "Z"
                               : p == Phase::Dw    ? "dW"
                               : p == Phase::Db    ? "db"
                                                   : "dX";
    if (b.terms_per_cell() > kMaxTermsPerCell)
      throw ConvError("each cell of " + result + " is a sum of " +
                      std::to_string(b.terms_per_cell()) + " terms, more than the limit of " +
                      std::to_string(kMaxTermsPerCell) +
                      ": every step recomputes its cell, which would be too slow. Use a smaller "
                      "input, kernel or padding, or a larger stride");
    if (b.steps(Granularity::Term, false) > kMaxTermSteps)
      throw ConvError(std::string("stepping through ") + phase_name(p) + " term by term takes " +
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
  Lesson lesson;
  Geometry geo;
  Results results;
  // X and W are the lesson's own; Z before the bias is kept only when there is a bias.
  Tensor Xp, G, Gd, Gp, Wr, dXp, Z_before_bias, db_tensor;
  bool simple_names = false;     // one sample, one channel in and out: 2-D indices
  int valid_h = 0, valid_w = 0;  // the extent of dXp that Gp ⋆ Wr reaches
  double discarded_sum = 0;      // the crop's discarded gradients, and how many cells
  long long discarded_cells = 0;
  std::array<std::vector<Segment>, 5> segments;
  std::array<Block, 5> blocks;
  std::vector<std::uint8_t> covered;  // per X cell (h × w): some window reaches it
  mutable std::array<std::optional<PitfallResult>, std::size(kAllPitfalls)> pitfalls;

  explicit Impl(Lesson l) : lesson(std::move(l)), geo(lesson.geometry()) {
    const Tensor &X = lesson.input, &W = lesson.weight;
    G = lesson.upstream_gradient();
    results = compute(X, W, lesson.bias, G, geo);
    // Before Xp, Gd and Gp: its own temporaries are then freed while fewer grids are held.
    dXp = grad_padded_input_gather(G, W, geo);
    if (!lesson.bias.empty()) Z_before_bias = forward(X, W, {}, geo);
    Xp = pad_input(X, geo);
    Gd = dilate_by_stride(G, geo);
    Gp = pad_gradient(Gd, geo);
    Wr = rotate_weight(W, geo);
    db_tensor = Tensor(Shape{1, geo.cout, 1, 1});
    db_tensor.values = results.db;
    simple_names = geo.n == 1 && geo.c == 1 && geo.cout == 1;
    const ConvAxis rows = geo.rows(), cols = geo.cols();
    valid_h = rows.gather_extent();
    valid_w = cols.gather_extent();
    build_phases();
    // What the crop discards: the gradients that landed on dXp's padding border.
    for (int n = 0; n < geo.n; ++n)
      for (int c = 0; c < geo.c; ++c)
        for (int y = 0; y < geo.hp(); ++y)
          for (int x = 0; x < geo.wp(); ++x)
            if (!rows.in_input(y) || !cols.in_input(x))
              discarded_sum += dXp(n, c, y, x), ++discarded_cells;
    // A cell is covered when some window reads its row and some window reads its column.
    std::vector<bool> row_reached(geo.h), col_reached(geo.w);
    for (int y = 0; y < geo.h; ++y) row_reached[y] = rows.reached(y + geo.pad_top);
    for (int x = 0; x < geo.w; ++x) col_reached[x] = cols.reached(x + geo.pad_left);
    covered.assign(static_cast<std::size_t>(geo.h) * geo.w, 0);
    for (int y = 0; y < geo.h; ++y)
      for (int x = 0; x < geo.w; ++x) covered[y * geo.w + x] = row_reached[y] && col_reached[x];
  }

  void build_phases() {
    const Geometry& g = geo;
    auto in_rows = [&](int row) { return row >= g.pad_top && row < g.pad_top + g.h; };
    auto in_cols = [&](int col) { return col >= g.pad_left && col < g.pad_left + g.w; };
    // Gp holds a G value where the row is (k−1)·dil + i·s.
    auto gp_row = [&](int row) {
      const int r = row - (g.kh - 1) * g.dil_h;
      return r >= 0 && r % g.stride_h == 0 && r / g.stride_h < g.oh;
    };
    auto gp_col = [&](int col) {
      const int c = col - (g.kw - 1) * g.dil_w;
      return c >= 0 && c % g.stride_w == 0 && c / g.stride_w < g.ow;
    };

    Block& fwd = blocks[0];
    fwd = block_shape(Phase::Forward, g);
    fwd.rows = AxisTable::build(
        g.oh, g.kh, [&](int i, int u) { return in_rows(i * g.stride_h + u * g.dil_h); });
    fwd.cols = AxisTable::build(
        g.ow, g.kw, [&](int j, int v) { return in_cols(j * g.stride_w + v * g.dil_w); });

    Block& dw = blocks[1];
    dw = block_shape(Phase::Dw, g);
    dw.rows = AxisTable::build(g.kh, g.oh,
                               [&](int u, int i) { return in_rows(i * g.stride_h + u * g.dil_h); });
    dw.cols = AxisTable::build(g.kw, g.ow,
                               [&](int v, int j) { return in_cols(j * g.stride_w + v * g.dil_w); });

    Block& gather = blocks[2];
    gather = block_shape(Phase::DxGather, g);
    gather.rows =
        AxisTable::build(valid_h, g.kh, [&](int y, int u) { return gp_row(y + u * g.dil_h); });
    gather.cols =
        AxisTable::build(valid_w, g.kw, [&](int x, int v) { return gp_col(x + v * g.dil_w); });

    Block& scatter = blocks[3];
    scatter = block_shape(Phase::DxScatter, g);
    scatter.rows = AxisTable::build(g.oh, g.kh, [](int, int) { return true; });
    scatter.cols = AxisTable::build(g.ow, g.kw, [](int, int) { return true; });

    Block& db = blocks[4];
    db = block_shape(Phase::Db, g);
    db.rows = AxisTable::build(1, g.oh, [](int, int) { return true; });
    db.cols = AxisTable::build(1, g.ow, [](int, int) { return true; });

    using S = Segment;
    segments[0] = {S{Stage::PadInput}, S{Stage::None}};
    if (!lesson.bias.empty()) segments[0].push_back(S{Stage::AddBias});
    segments[1] = {S{Stage::PadInput}, S{Stage::None}};
    segments[2] = {S{Stage::ShowGradient}, S{Stage::DilateGradient}, S{Stage::PadGradient},
                   S{Stage::RotateKernel}, S{Stage::None}};
    if (valid_h < g.hp() || valid_w < g.wp()) segments[2].push_back(S{Stage::ZeroUncovered});
    segments[2].push_back(S{Stage::Crop});
    segments[3] = {S{Stage::None}, S{Stage::Crop}};
    segments[4] = {S{Stage::None}};
  }

  // The equation and note of a stage step.
  void describe_stage(Frame& f) const {
    switch (f.stage) {
      case Stage::PadInput:
        f.equation = geo.pad_top + geo.pad_bottom + geo.pad_left + geo.pad_right == 0
                         ? "Xp = X (no padding)"
                         : "Xp = pad(X): " + std::to_string(geo.pad_top) + " top, " +
                               std::to_string(geo.pad_bottom) + " bottom, " +
                               std::to_string(geo.pad_left) + " left, " +
                               std::to_string(geo.pad_right) + " right";
        f.note =
            "The padding ring of zeros appears around X: Xp is " + dims(geo.hp(), geo.wp()) + ".";
        break;
      case Stage::AddBias: {
        std::string b;
        for (std::size_t i = 0; i < lesson.bias.size(); ++i)
          b += (i ? ", " : "") + number(lesson.bias[i]);
        f.equation = "Z = Z + b, b = [" + b + "]";
        f.note = "The bias of each output channel is added to every cell of that channel.";
        break;
      }
      case Stage::ShowGradient:
        f.equation = lesson.upstream.shape.count() == 0 ? "G = ∂L/∂Z = 1 everywhere (L = ΣZ)"
                                                        : "G = ∂L/∂Z, given by the lesson";
        f.note = "Start from the upstream gradient G = ∂L/∂Z, one value per output cell.";
        break;
      case Stage::DilateGradient:
        f.equation = geo.stride_h == 1 && geo.stride_w == 1
                         ? "Gd = G (stride 1: no zeros to insert)"
                         : "Gd = G with " + std::to_string(geo.stride_h - 1) + " zero rows and " +
                               std::to_string(geo.stride_w - 1) +
                               " zero columns between cells: " + dims(geo.oh, geo.ow) + " → " +
                               dims(geo.gd_h(), geo.gd_w());
        f.note =
            "Each G cell moves back to where its window started in Xp; the stride's gaps "
            "are filled with zeros.";
        break;
      case Stage::PadGradient:
        f.equation = "Gp = Gd padded by (k−1)·dil = " + std::to_string((geo.kh - 1) * geo.dil_h) +
                     " rows and " + std::to_string((geo.kw - 1) * geo.dil_w) +
                     " columns on each side: " + dims(geo.gp_h(), geo.gp_w());
        f.note =
            "The padded gradient map: the kernel can now hang over G's edges, so every "
            "input cell finds all the outputs it fed.";
        break;
      case Stage::RotateKernel:
        f.equation = geo.c == 1 && geo.cout == 1 ? "Wr = rot180(W)"
                                                 : "Wr[c,o] = rot180(W[o,c]) within each group";
        f.note = "The kernel turns through 180° about its centre.";
        break;
      case Stage::ZeroUncovered:
        f.equation = "dXp rows ≥ " + std::to_string(valid_h) + " and columns ≥ " +
                     std::to_string(valid_w) + " = 0";
        f.note =
            "No window reaches these inputs, because the stride does not divide the rest: "
            "their gradient is 0 and they do not learn.";
        break;
      case Stage::Crop: {
        f.equation = "dX = dXp without its padding border: " + dims(geo.hp(), geo.wp()) + " → " +
                     dims(geo.h, geo.w);
        f.note = discarded_cells == 0
                     ? "There is no padding, so nothing is discarded: dX = dXp."
                     : "The gradients that landed on the padding are discarded: " +
                           plural(discarded_cells, "cell") + " summing to " +
                           number(discarded_sum) + ". The padding zeros are constants, not inputs.";
        break;
      }
      case Stage::None:
        break;
    }
  }

  const Block& block(Phase p) const { return blocks[static_cast<int>(p)]; }
  const std::vector<Segment>& segs(Phase p) const { return segments[static_cast<int>(p)]; }

  // ---- Terms ----

  // The full term order of a cell: (q, p, r) → its operands, and the cell it adds into.
  Term make_term(Phase phase, int outer, int a, int b, long long t, CellRef* target) const {
    const Block& blk = block(phase);
    const int q = static_cast<int>(t / (1LL * blk.rows.inner * blk.cols.inner));
    const int p = static_cast<int>(t / blk.cols.inner % blk.rows.inner);
    const int r = static_cast<int>(t % blk.cols.inner);
    const Geometry& g = geo;
    Term term;
    switch (phase) {
      case Phase::Forward: {
        const int n = outer / g.cout, o = outer % g.cout, group = o / g.cout_per_group();
        const int c = group * g.c_per_group() + q;
        term.a = {Grid::Xp, n, c, a * g.stride_h + p * g.dil_h, b * g.stride_w + r * g.dil_w};
        term.b = {Grid::W, o, q, p, r};
        *target = {Grid::Z, n, o, a, b};
        term.zero = !blk.rows.ok(a, p) || !blk.cols.ok(b, r);
        break;
      }
      case Phase::Dw: {
        const int o = outer / g.c_per_group(), cq = outer % g.c_per_group();
        const int c = o / g.cout_per_group() * g.c_per_group() + cq;
        term.a = {Grid::Xp, q, c, p * g.stride_h + a * g.dil_h, r * g.stride_w + b * g.dil_w};
        term.b = {Grid::G, q, o, p, r};
        *target = {Grid::dW, o, cq, a, b};
        term.zero = !blk.rows.ok(a, p) || !blk.cols.ok(b, r);
        break;
      }
      case Phase::DxGather: {
        const int n = outer / g.c, c = outer % g.c, group = c / g.c_per_group();
        term.a = {Grid::Gp, n, group * g.cout_per_group() + q, a + p * g.dil_h, b + r * g.dil_w};
        term.b = {Grid::Wr, c, q, p, r};
        *target = {Grid::dXp, n, c, a, b};
        term.zero = !blk.rows.ok(a, p) || !blk.cols.ok(b, r);
        break;
      }
      case Phase::DxScatter: {
        const int n = outer / g.cout, o = outer % g.cout, group = o / g.cout_per_group();
        term.a = {Grid::G, n, o, a, b};
        term.b = {Grid::W, o, q, p, r};
        *target = {Grid::dXp, n, group * g.c_per_group() + q, a * g.stride_h + p * g.dil_h,
                   b * g.stride_w + r * g.dil_w};
        break;
      }
      case Phase::Db:
        term.a = {Grid::G, q, outer, p, r};
        term.b = {};
        *target = {Grid::db, 0, outer, 0, 0};
        break;
    }
    term.a_value = value(term.a);
    term.b_value = term.b.grid == Grid::None ? 1.0 : value(term.b);
    term.product = term.a_value * term.b_value;
    return term;
  }

  double value(const CellRef& r) const {
    const Tensor& t = tensor(r.grid);
    return t(r.n, r.c, r.h, r.w);
  }

  const Tensor& tensor(Grid grid) const {
    switch (grid) {
      case Grid::X:
        return lesson.input;
      case Grid::Xp:
        return Xp;
      case Grid::W:
        return lesson.weight;
      case Grid::Z:
        return results.Z;
      case Grid::G:
        return G;
      case Grid::Gd:
        return Gd;
      case Grid::Gp:
        return Gp;
      case Grid::Wr:
        return Wr;
      case Grid::dXp:
        return dXp;
      case Grid::dX:
        return results.dX;
      case Grid::dW:
        return results.dW;
      case Grid::db:
        return db_tensor;
      case Grid::None:
        break;
    }
    static const Tensor empty;
    return empty;
  }

  std::string name(const CellRef& r) const {
    std::string s = grid_name(r.grid);
    if (r.grid == Grid::db) return s + "[" + std::to_string(r.c) + "]";
    if (simple_names) return s + "[" + std::to_string(r.h) + "," + std::to_string(r.w) + "]";
    return s + "[" + std::to_string(r.n) + "," + std::to_string(r.c) + "," + std::to_string(r.h) +
           "," + std::to_string(r.w) + "]";
  }

  // "Z[1,2] = Xp[1,2]·W[0,0] + … = 1·1 + … = 5"; long sums show their first and last terms.
  std::string equation(const CellRef& target, const EquationTerms& terms, double sum) const {
    if (terms.total == 0) return name(target) + " = 0";
    std::string symbols, values;
    auto add = [&](const Term& t) {
      if (!symbols.empty()) symbols += " + ", values += " + ";
      symbols += name(t.a) + (t.b.grid == Grid::None ? "" : "·" + name(t.b));
      values +=
          t.b.grid == Grid::None ? factor(t.a_value) : factor(t.a_value) + "·" + factor(t.b_value);
    };
    const bool elided = terms.total > EquationTerms::kMaxShown;
    for (std::size_t i = 0; i < terms.head.size() && (!elided || i < EquationTerms::kHead); ++i)
      add(terms.head[i]);
    if (elided) {
      const std::string more =
          " + … (" + std::to_string(terms.total - EquationTerms::kHead - EquationTerms::kTail) +
          " more)";
      symbols += more, values += more;
      for (const Term& t : terms.tail()) add(t);
    }
    return name(target) + " = " + symbols + " = " + values + " = " + number(sum);
  }
};

// ---------------------------------------------------------------------------------------------

Timeline::Timeline(Lesson lesson) : impl_(std::make_unique<Impl>(std::move(lesson))) {}
Timeline::~Timeline() = default;
Timeline::Timeline(Timeline&&) noexcept = default;
Timeline& Timeline::operator=(Timeline&&) noexcept = default;

const Lesson& Timeline::lesson() const {
  return impl_->lesson;
}
const Geometry& Timeline::geometry() const {
  return impl_->geo;
}
const Results& Timeline::results() const {
  return impl_->results;
}
const Tensor& Timeline::tensor(Grid g) const {
  return impl_->tensor(g);
}
std::string Timeline::cell_name(const CellRef& cell) const {
  return impl_->name(cell);
}

bool Timeline::is_padding(Grid grid, int h, int w) const {
  const ConvAxis rows = impl_->geo.rows(), cols = impl_->geo.cols();
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
  return !impl_->covered[static_cast<std::size_t>(h) * impl_->geo.w + w];
}

long long Timeline::count(Phase p, Granularity g, bool skip) const {
  long long n = 0;
  for (const Segment& s : impl_->segs(p))
    n += s.stage == Stage::None ? impl_->block(p).steps(g, skip) : 1;
  return n;
}

Frame Timeline::frame(Phase phase, Granularity gran, long long k, bool skip,
                      bool with_result) const {
  const Impl& m = *impl_;
  const Geometry& g = m.geo;
  Frame f;
  f.phase = phase, f.granularity = gran, f.index = k, f.count = count(phase, gran, skip);
  if (k < 0 || k >= f.count)
    throw std::out_of_range(std::string("step ") + std::to_string(k) + " is outside " +
                            phase_name(phase) + "'s 0.." + std::to_string(f.count - 1));
  const Block& blk = m.block(phase);
  f.cells = blk.cells();
  f.terms_per_cell = static_cast<int>(blk.terms_per_cell());

  // Find the segment, and whether the block is before (done) or after (pending) this step.
  const auto& segs = m.segs(phase);
  std::size_t seg = 0;
  long long local = k;
  bool block_done = false;
  for (; seg < segs.size(); ++seg) {
    const long long len = segs[seg].stage == Stage::None ? blk.steps(gran, skip) : 1;
    if (local < len) break;
    local -= len;
    if (segs[seg].stage == Stage::None) block_done = true;
  }
  f.stage = segs[seg].stage;
  f.rotation_deg = 0;
  if (phase == Phase::DxGather)
    for (std::size_t s = 0; s <= seg; ++s)
      if (segs[s].stage == Stage::RotateKernel) f.rotation_deg = 180;

  // The result grid: which grid, and its final values.
  const bool cropped = f.stage == Stage::Crop;
  switch (phase) {
    case Phase::Forward:
      f.result_grid = Grid::Z;
      break;
    case Phase::Dw:
      f.result_grid = Grid::dW;
      break;
    case Phase::DxGather:
    case Phase::DxScatter:
      f.result_grid = cropped ? Grid::dX : Grid::dXp;
      break;
    case Phase::Db:
      f.result_grid = Grid::db;
      break;
  }
  const Tensor& final_values = phase == Phase::Forward && f.stage != Stage::AddBias
                                   ? (m.lesson.bias.empty() ? m.results.Z : m.Z_before_bias)
                                   : m.tensor(f.result_grid);
  if (with_result) {
    f.result = Tensor(final_values.shape);
    f.progress.assign(final_values.values.size(), Progress::Pending);
  }
  auto mark_all_done = [&] {
    if (!with_result) return;
    f.result = final_values;
    std::fill(f.progress.begin(), f.progress.end(), Progress::Done);
  };

  if (f.stage != Stage::None) {
    f.kind = StepKind::Stage;
    if (block_done) mark_all_done();
    m.describe_stage(f);
    return f;
  }

  // ---- A step of the accumulation block ----
  BlockPosition pos;
  switch (gran) {
    case Granularity::Term:
      pos = locate_term(blk, local, skip);
      break;
    case Granularity::Cell:
    case Granularity::Phase: {
      pos.cell = gran == Granularity::Cell ? local : blk.cells() - 1;
      pos.outer = static_cast<int>(pos.cell / blk.cells_per_outer());
      const long long in_outer = pos.cell % blk.cells_per_outer();
      pos.a = static_cast<int>(in_outer / blk.cols.count);
      pos.b = static_cast<int>(in_outer % blk.cols.count);
      pos.term = blk.terms_per_cell();
      pos.sum = true;
      break;
    }
  }
  f.kind = gran == Granularity::Phase  ? StepKind::Block
           : gran == Granularity::Cell ? StepKind::Cell
           : pos.sum                   ? StepKind::Sum
                                       : StepKind::Term;
  f.cell = pos.cell;
  f.term = pos.sum ? -1 : static_cast<int>(pos.term);

  // Every term of the cell is made, so that the cost does not depend on where in the cell we
  // are; none is kept but the few the equation shows (the limits bound the terms per cell).
  const long long per_block = 1LL * blk.rows.inner * blk.cols.inner;
  f.block_sums.assign(blk.q, 0.0);
  EquationTerms so_far;
  double sum = 0;
  Term current;
  CellRef current_target;
  bool cell_complete = true;  // no term of the cell is still to come
  for (long long t = 0; t < blk.terms_per_cell(); ++t) {
    CellRef target;
    const Term term = m.make_term(phase, pos.outer, pos.a, pos.b, t, &target);
    if (t == pos.term) current = term, current_target = target;
    if (skip && term.zero) continue;
    if (t > pos.term) {
      cell_complete = false;
      continue;
    }
    sum += term.product;
    f.block_sums[t / per_block] += term.product;
    so_far.add(term);
  }
  if (gran == Granularity::Term && !pos.sum) f.current_term = current;

  if (phase == Phase::DxScatter) {
    // The source G cell stamps g·W into its window of dXp.
    const int n = pos.outer / g.cout, o = pos.outer % g.cout, group = o / g.cout_per_group();
    f.source = {Grid::G, n, o, pos.a, pos.b};
    const int cq = pos.sum ? 0 : static_cast<int>(pos.term / per_block);
    f.window = Window{Grid::dXp,
                      n,
                      group * g.c_per_group() + cq,
                      pos.a * g.stride_h,
                      pos.b * g.stride_w,
                      g.kh,
                      g.kw,
                      g.dil_h,
                      g.dil_w};
    // dXp as it stands: every stamp of an earlier source, and this one's terms so far.
    auto stamped = [&](int nn, int c, int y, int x, bool* any, bool* all) {
      const int grp = c / g.c_per_group(), c_in = c - grp * g.c_per_group();
      double v = 0;
      *any = false, *all = true;
      for (int oo = grp * g.cout_per_group(); oo < (grp + 1) * g.cout_per_group(); ++oo)
        for (int u = 0; u < g.kh; ++u) {
          const int row = y - u * g.dil_h;
          if (row < 0 || row % g.stride_h || row / g.stride_h >= g.oh) continue;
          for (int vv = 0; vv < g.kw; ++vv) {
            const int col = x - vv * g.dil_w;
            if (col < 0 || col % g.stride_w || col / g.stride_w >= g.ow) continue;
            const int i = row / g.stride_h, j = col / g.stride_w;
            const long long source = ((1LL * nn * g.cout + oo) * g.oh + i) * g.ow + j;
            const long long t = (1LL * c_in * g.kh + u) * g.kw + vv;
            // Every contribution is computed, included or not: the cost must not depend on
            // how far the scatter has come.
            const bool in = source < pos.cell || (source == pos.cell && t <= pos.term);
            const double product = m.G(nn, oo, i, j) * m.lesson.weight(oo, c_in, u, vv);
            v += in ? product : 0.0;
            *any |= in;
            *all &= in;
          }
        }
      return v;
    };
    if (with_result) {
      for (int nn = 0; nn < g.n; ++nn)
        for (int c = 0; c < g.c; ++c)
          for (int y = 0; y < g.hp(); ++y)
            for (int x = 0; x < g.wp(); ++x) {
              bool any, all;
              const std::size_t at = f.result.offset(nn, c, y, x);
              f.result.values[at] = stamped(nn, c, y, x, &any, &all);
              f.progress[at] = all ? Progress::Done : any ? Progress::Partial : Progress::Pending;
            }
    }
    if (gran == Granularity::Phase) mark_all_done();
    if (pos.sum) {
      // A whole stamp: the terms are those of the source cell.
      f.target = f.source;
      f.running_sum = m.G(n, o, pos.a, pos.b);
      f.equation = "dXp[window of " + m.name(f.source) + "] += " + m.name(f.source) +
                   "·W = " + factor(f.running_sum) + "·W";
      f.note = "The gradient " + number(f.running_sum) + " of " + m.name(f.source) +
               " flows back through every weight of its window.";
    } else {
      f.target = current_target;
      bool any, all;
      f.running_sum = stamped(current_target.n, current_target.c, current_target.h,
                              current_target.w, &any, &all);
      f.equation = m.name(current_target) + " += " + m.name(current.a) + "·" + m.name(current.b) +
                   " = " + factor(current.a_value) + "·" + factor(current.b_value) + " = " +
                   number(current.product) + " → " + number(f.running_sum);
    }
    return f;
  }

  // Gather-style phases: the target is fixed for the whole cell.
  m.make_term(phase, pos.outer, pos.a, pos.b, 0, &f.target);
  f.running_sum = sum;
  // The result grid: cells before this one are done, this one holds its running sum. Every
  // value is visited whatever the step, so the cost does not depend on k.
  if (with_result) {
    const Shape& rs = f.result.shape;
    for (int a0 = 0; a0 < rs.n; ++a0)
      for (int a1 = 0; a1 < rs.c; ++a1)
        for (int y = 0; y < rs.h; ++y)
          for (int x = 0; x < rs.w; ++x) {
            // The cell's place in the loop order: row-major, except for dx_gather's dXp, whose
            // uncovered edge (y ≥ valid_h or x ≥ valid_w) is not part of the loop.
            long long cell = f.result.offset(a0, a1, y, x);
            if (phase == Phase::DxGather) {
              if (y >= m.valid_h || x >= m.valid_w) continue;
              cell = ((1LL * a0 * rs.c + a1) * m.valid_h + y) * m.valid_w + x;
            }
            const std::size_t at = f.result.offset(a0, a1, y, x);
            const bool done = cell < pos.cell;
            f.result.values[at] = done ? final_values.values[at] : 0.0;
            f.progress[at] = done ? Progress::Done : Progress::Pending;
          }
    const auto target_offset = f.result.offset(f.target.n, f.target.c, f.target.h, f.target.w);
    f.result.values[target_offset] = sum;
    f.progress[target_offset] = cell_complete ? Progress::Done : Progress::Partial;
  }
  // The block's last step: cells of only skipped zero terms may follow, and they are 0.
  if (gran == Granularity::Phase || local == blk.steps(gran, skip) - 1) mark_all_done();

  const int q_now = pos.sum ? 0 : static_cast<int>(pos.term / per_block);
  switch (phase) {
    case Phase::Forward: {
      const int n = pos.outer / g.cout, o = pos.outer % g.cout;
      f.window = Window{Grid::Xp,
                        n,
                        o / g.cout_per_group() * g.c_per_group() + q_now,
                        pos.a * g.stride_h,
                        pos.b * g.stride_w,
                        g.kh,
                        g.kw,
                        g.dil_h,
                        g.dil_w};
      break;
    }
    case Phase::Dw: {
      const int o = pos.outer / g.c_per_group(), cq = pos.outer % g.c_per_group();
      f.window = Window{Grid::Xp,
                        q_now,
                        o / g.cout_per_group() * g.c_per_group() + cq,
                        pos.a * g.dil_h,
                        pos.b * g.dil_w,
                        g.oh,
                        g.ow,
                        g.stride_h,
                        g.stride_w};
      break;
    }
    case Phase::DxGather: {
      const int n = pos.outer / g.c, c = pos.outer % g.c;
      f.window = Window{Grid::Gp, n,       c / g.c_per_group() * g.cout_per_group() + q_now,
                        pos.a,    pos.b,   g.kh,
                        g.kw,     g.dil_h, g.dil_w};
      break;
    }
    case Phase::Db:
      f.window = Window{Grid::G, q_now, pos.outer, 0, 0, g.oh, g.ow, 1, 1};
      break;
    case Phase::DxScatter:
      break;
  }

  if (f.kind == StepKind::Sum && blk.q > 1) {
    std::string parts;
    for (int q = 0; q < blk.q; ++q) parts += (q ? " + " : "") + factor(f.block_sums[q]);
    const char* over = phase == Phase::Dw || phase == Phase::Db ? "samples" : "channels";
    f.equation =
        m.name(f.target) + " = " + parts + " = " + number(sum) + "  (sum over " + over + ")";
    f.note = std::string("The subtotals of the ") + over + " are added.";
  } else if (f.kind == StepKind::Block) {
    f.equation = m.equation(f.target, so_far, sum);
    f.note = std::string("All ") + plural(blk.cells(), "cell") + " of " + grid_name(f.result_grid) +
             " are computed; the last one is shown.";
  } else {
    f.equation = m.equation(f.target, so_far, sum);
    if (f.kind == StepKind::Term && current.zero)
      f.note = std::string("This term multiplies a zero of the ") +
               (phase == Phase::DxGather ? "padded gradient map" : "padding") +
               ": it adds nothing.";
  }
  return f;
}

void Timeline::for_each_term(Phase phase, long long cell, bool skip,
                             const std::function<void(const Term&)>& visit) const {
  const Impl& m = *impl_;
  const Block& blk = m.block(phase);
  if (cell < 0 || cell >= blk.cells())
    throw std::out_of_range(std::string("cell ") + std::to_string(cell) + " is outside " +
                            phase_name(phase) + "'s 0.." + std::to_string(blk.cells() - 1));
  const int outer = static_cast<int>(cell / blk.cells_per_outer());
  const long long in_outer = cell % blk.cells_per_outer();
  const int a = static_cast<int>(in_outer / blk.cols.count);
  const int b = static_cast<int>(in_outer % blk.cols.count);
  for (long long t = 0; t < blk.terms_per_cell(); ++t) {
    CellRef target;
    const Term term = m.make_term(phase, outer, a, b, t, &target);
    if (!(skip && term.zero)) visit(term);
  }
}

const PitfallResult& Timeline::pitfall(Pitfall p) const {
  auto& slot = impl_->pitfalls[static_cast<std::size_t>(p)];
  if (!slot) {
    const Lesson& l = impl_->lesson;
    slot = compute_pitfall(p, l.input, l.weight, l.bias, l.upstream, impl_->geo);
  }
  return *slot;
}

std::string Timeline::equation_of(const CellRef& cell) const {
  const Impl& m = *impl_;
  const Geometry& g = m.geo;
  Phase phase;
  long long index;
  switch (cell.grid) {
    case Grid::Z:
      phase = Phase::Forward, index = m.tensor(Grid::Z).offset(cell.n, cell.c, cell.h, cell.w);
      break;
    case Grid::dW:
      phase = Phase::Dw, index = m.tensor(Grid::dW).offset(cell.n, cell.c, cell.h, cell.w);
      break;
    case Grid::db:
      phase = Phase::Db, index = cell.c;
      break;
    case Grid::dX:
    case Grid::dXp: {
      const int y = cell.h + (cell.grid == Grid::dX ? g.pad_top : 0);
      const int x = cell.w + (cell.grid == Grid::dX ? g.pad_left : 0);
      if (y >= m.valid_h || x >= m.valid_w)
        return m.name(cell) + " = 0: no window reaches it, so it gets no gradient";
      phase = Phase::DxGather,
      index = ((1LL * cell.n * g.c + cell.c) * m.valid_h + y) * m.valid_w + x;
      break;
    }
    default:
      return "";
  }
  // Cell steps follow the stages that open the phase.
  long long k = index;
  for (const Segment& s : m.segs(phase)) {
    if (s.stage == Stage::None) break;
    ++k;
  }
  std::string eq = frame(phase, Granularity::Cell, k, false, false).equation;
  if (phase == Phase::Forward && !m.lesson.bias.empty())
    eq += " (then + b[" + std::to_string(cell.c) + "] = " + number(m.lesson.bias[cell.c]) + ")";
  return eq;
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
  const Geometry& g = impl_->geo;
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
  auto outputs = [&](int n, int o, Lattice i, Lattice j) {
    add(Grid::Z, n, o, i, j);
    add(Grid::G, n, o, i, j);
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
    case Grid::None:
      break;
  }
  return out;
}

}  // namespace convstep
