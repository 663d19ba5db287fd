// The list of phases, and the model they read.
#include "core/phases/phases.h"

#include <iterator>

#include "core/format.h"

namespace convstep {

// Each defined in its own file.
#define CONVSTEP_PHASE_DECLARE(name, def) extern const PhaseDef def;
CONVSTEP_PHASES(CONVSTEP_PHASE_DECLARE)
#undef CONVSTEP_PHASE_DECLARE

namespace {

// In the order of enum class Phase: both come from core/phases/list.h.
#define CONVSTEP_PHASE_ADDRESS(name, def) &def,
constexpr const PhaseDef* kPhaseDefs[] = {CONVSTEP_PHASES(CONVSTEP_PHASE_ADDRESS)};
#undef CONVSTEP_PHASE_ADDRESS
static_assert(std::size(kPhaseDefs) == std::size(kAllPhases));

}  // namespace

namespace {

// "channel 2", "channels 2 and 3", "channels 2 to 5".
std::string channel_range(const char* kind, int first, int count) {
  const std::string head = std::string(kind) + (count == 1 ? " channel " : " channels ");
  if (count == 1) return head + std::to_string(first);
  return head + std::to_string(first) + (count == 2 ? " and " : " to ") +
         std::to_string(first + count - 1);
}

}  // namespace

std::string group_split(const Geometry& g) {
  if (g.groups == 1) return "";
  const int cg = g.c_per_group(), og = g.cout_per_group();
  std::string s = "the " + plural(g.c, "input channel") + " and " +
                  plural(g.cout, "output channel") + " form " + std::to_string(g.groups) +
                  " groups: ";
  // Every group when there are few; else the first two and the last.
  for (int k = 0; k < g.groups; ++k) {
    if (g.groups > 3 && k == 2) {
      s += ", …";
      k = g.groups - 1;
    }
    s += k == 0 ? "" : k == g.groups - 1 ? ", and " : ", ";
    s += channel_range("input", k * cg, cg) + " with " + channel_range("output", k * og, og);
  }
  return s;
}

const PhaseDef& phase_def(Phase p) {
  return *kPhaseDefs[static_cast<int>(p)];
}

Model::Model(Lesson l, const CancelFlag* cancel) : lesson(std::move(l)), geo(lesson.geometry()) {
  const Tensor &X = lesson.input, &W = lesson.weight;
  if (lesson.gives_gradient() || lesson.loss.kind == LossKind::Sum) {
    G = lesson.upstream_gradient();
    results = compute(X, W, lesson.bias, G, geo);
  } else {  // G = ∂L/∂Z needs Z first
    Tensor Z = forward(X, W, lesson.bias, geo);
    G = loss_gradient(lesson.loss, Z);
    results = compute(X, W, lesson.bias, G, geo);
    results.Z = std::move(Z);  // the very Z that G was derived from
  }
  if (!lesson.gives_gradient()) loss = loss_value(lesson.loss, results.Z);
  check_cancel(cancel);
  // Before Xp, Gd and Gp: its own temporaries are then freed while fewer grids are held.
  dXp = grad_padded_input_gather(G, W, geo);
  check_cancel(cancel);
  if (!lesson.bias.empty()) Z_before_bias = forward(X, W, {}, geo);
  Xp = pad_input(X, geo);
  Gd = dilate_by_stride(G, geo);
  Gp = pad_gradient(Gd, geo);
  Wr = rotate_weight(W, geo);
  check_cancel(cancel);
  if (matrix_view_refusal(geo).empty()) {
    cols = im2col_matrix(X, geo);
    TW = toeplitz_matrix(W, geo);
  }
  db = Tensor(Shape{1, geo.cout, 1, 1});
  db.values = results.db;
  simple_names = geo.n == 1 && geo.c == 1 && geo.cout == 1;
  const ConvAxis rows = geo.rows(), cols = geo.cols();
  reach_h = rows.gather_extent();
  reach_w = cols.gather_extent();
  for (int y = geo.pad_top; y < geo.pad_top + geo.h; ++y)
    if (!rows.reached(y)) unreached_rows.push_back(y);
  for (int x = geo.pad_left; x < geo.pad_left + geo.w; ++x)
    if (!cols.reached(x)) unreached_cols.push_back(x);
  // What the crop discards: the gradients that landed on dXp's padding border.
  for (int n = 0; n < geo.n; ++n)
    for (int c = 0; c < geo.c; ++c)
      for (int y = 0; y < geo.hp(); ++y)
        for (int x = 0; x < geo.wp(); ++x)
          if (!rows.in_input(y) || !cols.in_input(x))
            discarded_sum += dXp(n, c, y, x), ++discarded_cells;
}

const Tensor& Model::tensor(Grid grid) const {
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
      return db;
    case Grid::T:
      return lesson.loss.target;
    case Grid::cols:
      return cols;
    case Grid::TW:
      return TW;
    case Grid::None:
      break;
  }
  static const Tensor empty;
  return empty;
}

std::string Model::name(const CellRef& r) const {
  std::string s = grid_name(r.grid);
  if (r.grid == Grid::db) return s + "[" + std::to_string(r.c) + "]";
  // Matrices: row and column (cols has one per sample, T(W) one for all).
  if (r.grid == Grid::TW || r.grid == Grid::cols)
    return s + "[" + (r.grid == Grid::cols && geo.n > 1 ? std::to_string(r.n) + "," : "") +
           std::to_string(r.h) + "," + std::to_string(r.w) + "]";
  if (simple_names) return s + "[" + std::to_string(r.h) + "," + std::to_string(r.w) + "]";
  return s + "[" + std::to_string(r.n) + "," + std::to_string(r.c) + "," + std::to_string(r.h) +
         "," + std::to_string(r.w) + "]";
}

}  // namespace convstep
