// The matrix view: im2col's columns make the forward pass and dW matrix products, and the
// convolution written as one matrix T(W) makes dX = T(W)ᵀ·g, the transposed convolution.
// Stages: cols, Z = W·cols, dW = G·colsᵀ, T(W) with Z = T(W)·x. Then the accumulation
// dX[n,c,y,x] = column (c, y, x) of T(W) · vec(G[n]). Loops: cells (outer = n·C + c, a = y,
// b = x), terms (q = o, p = i, r = j): T(W)[o·oH·oW + i·oW + j, c·H·W + y·W + x]·G[n,o,i,j].
// Lessons with groups, or whose T(W) is too large to read, get one step that says why.
#include <algorithm>

#include "core/colormap.h"
#include "core/format.h"
#include "core/phases/canvas.h"
#include "core/phases/phases.h"

namespace convstep {

namespace {

bool shown(const Geometry& g) {
  return matrix_view_refusal(g).empty();
}

std::vector<Stage> stages(const Model& m) {
  if (!shown(m.geo)) return {Stage::MatrixTooLarge};
  return {Stage::Im2col, Stage::ForwardProduct, Stage::WeightProduct, Stage::Toeplitz, Stage::None};
}

BlockShape shape(const Geometry& g) {
  if (!shown(g)) return {};  // never walked: the phase is its one message
  return {.outer = g.n * g.c,
          .q = g.cout,
          .rows = g.h,
          .rows_inner = g.oh,
          .cols = g.w,
          .cols_inner = g.ow,
          .sum_step = g.cout > 1};
}

// Whether some tap of window i lands on index y of X (not Xp) along this axis: T(W)'s entries
// are inside the band when this holds for both the row and the column.
bool on_tap(const ConvAxis& axis, int y, int i) {
  const int d = y + axis.pad_before - axis.input_of(i, 0);
  return d >= 0 && d % axis.dil == 0 && d / axis.dil < axis.k;
}
bool row_ok(const Model& m, int y, int i) {
  return on_tap(m.geo.rows(), y, i);
}
bool col_ok(const Model& m, int x, int j) {
  return on_tap(m.geo.cols(), x, j);
}

int tw_row(const Geometry& g, int o, int i, int j) {
  return (o * g.oh + i) * g.ow + j;
}
int tw_col(const Geometry& g, int c, int y, int x) {
  return (c * g.h + y) * g.w + x;
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  const int n = t.outer / g.c, c = t.outer % g.c;
  Term term;
  term.a = {Grid::TW, 0, 0, tw_row(g, t.q, t.p, t.r), tw_col(g, c, t.a, t.b)};
  term.b = {Grid::G, n, t.q, t.p, t.r};
  *target = {Grid::dX, n, c, t.a, t.b};
  return term;
}

// The part of T(W)'s column (c, y, x) that output channel q's rows make.
Window window(const Geometry& g, const TermAt& t) {
  const int c = t.outer % g.c;
  return {Grid::TW, 0, 0, tw_row(g, t.q, 0, 0), tw_col(g, c, t.a, t.b), g.oh * g.ow, 1, 1, 1};
}

Grid result_grid(Stage) {
  return Grid::dX;
}

// dX, or nothing on a lesson the view cannot show: its one step computes no cell.
const Tensor& final_values(const Model& m, Stage) {
  static const Tensor none;
  return shown(m.geo) ? m.results.dX : none;
}

void slices(const Geometry&, const Frame& f, int* n, int* c, int* o) {
  if (f.kind == StepKind::Stage) return;
  *n = f.target.n, *c = f.target.c;
  if (f.current_term) *o = f.current_term->b.c;
}

// ---- The stage ----

// A tensor's (n) slice as a matrix: rows its channels, columns its cells row by row (Z, G).
Tensor sample_matrix(const Tensor& t, int n) {
  const Shape& s = t.shape;
  Tensor m(Shape{1, 1, s.c, s.h * s.w});
  const auto at = t.offset(n, 0, 0, 0);
  std::copy(t.values.begin() + at, t.values.begin() + at + m.values.size(), m.values.begin());
  return m;
}
// W or dW as a matrix: one row per kernel, its channels' cells in a row.
Tensor kernel_matrix(const Tensor& t) {
  const Shape& s = t.shape;
  Tensor m(Shape{1, 1, s.n, s.c * s.h * s.w});
  m.values = t.values;
  return m;
}
// A sample read as one column: x = vec(X[n]).
Tensor column(const Tensor& t, int n) {
  const Shape& s = t.shape;
  Tensor m(Shape{1, 1, s.c * s.h * s.w, 1});
  const auto at = t.offset(n, 0, 0, 0);
  std::copy(t.values.begin() + at, t.values.begin() + at + m.values.size(), m.values.begin());
  return m;
}
Tensor transposed(const Tensor& t, int n, int c) {
  const Shape& s = t.shape;
  Tensor m(Shape{1, 1, s.w, s.h});
  for (int y = 0; y < s.h; ++y)
    for (int x = 0; x < s.w; ++x) m(0, 0, x, y) = t(n, c, y, x);
  return m;
}

// T(W)'s entries outside the band are drawn like padding: the structural zeros that make it
// sparse (a zero weight inside the band stays an ordinary 0). One group: every channel pair.
void style_band(StageCanvas& s, SceneGrid& sg, bool transpose) {
  const Geometry& g = s.timeline().geometry();
  for (SceneCell& cell : sg.cells) {
    const int r = transpose ? cell.col : cell.row, k = transpose ? cell.row : cell.col;
    const int i = r / g.ow % g.oh, j = r % g.ow, y = k / g.w % g.h, x = k % g.w;
    if (!on_tap(g.rows(), y, i) || !on_tap(g.cols(), x, j))
      cell.style = CellStyle::Padding, cell.text.clear();
  }
  s.restyle_text(sg);
}

// Z without the bias: what W·cols and T(W)·x make.
Tensor unbiased_z(const Timeline& tl) {
  Tensor z = tl.tensor(Grid::Z);
  const auto& b = tl.lesson().bias;
  if (b.empty()) return z;
  const Shape& s = z.shape;
  for (int n = 0; n < s.n; ++n)
    for (int o = 0; o < s.c; ++o)
      for (int i = 0; i < s.h; ++i)
        for (int j = 0; j < s.w; ++j) z(n, o, i, j) -= b[o];
  return z;
}

std::string sample_label(const Geometry& g, const std::string& name, int n) {
  return g.n > 1 ? name + "[n=" + std::to_string(n) + "]" : name;
}

// The matrix view lays out its matrices itself: the generic focus view would page through a
// matrix without knowing which of its entries the step is on.
void layout_whole(StageCanvas& s, std::vector<StageCanvas::Slot>& slots) {
  for (StageCanvas::Slot& slot : slots) slot.whole = true;
  s.layout(slots);
}

// How many rows or columns of a matrix the view shows at once: as many as the tallest grid the
// lesson's other phases show, so that the matrix view's numbers are as large as theirs.
int part_side(const Geometry& g) {
  return std::max({g.hp(), g.gp_h(), g.kh, g.oh, g.h, 6});
}

// Shows `rows` × `cols` of a matrix `full_rows` × `full_cols` in `slot`, from (first_row,
// first_col) (clamped into the matrix), with the whole of it small in the overviews' column.
// A matrix that fits is left whole.
void show_part(StageCanvas::Slot& slot, int full_rows, int full_cols, int rows, int cols,
               int first_row, int first_col) {
  rows = std::min(rows, full_rows), cols = std::min(cols, full_cols);
  if (rows == full_rows && cols == full_cols) return;
  slot.rows = rows, slot.cols = cols;
  slot.first_row = std::clamp(first_row, 0, full_rows - rows);
  slot.first_col = std::clamp(first_col, 0, full_cols - cols);
  slot.overview = {0, 0, 1, 1};
}

// Where rows [r, r + nr) and columns [k, k + nk) of a `full_rows` × `full_cols` matrix are on
// its overview (placed as the stage places it: centred in the slot's overview rect).
Rect on_overview(const StageCanvas::Slot& slot, int full_rows, int full_cols, int r, int k, int nr,
                 int nk) {
  const Rect& at = slot.overview;
  const float cs =
      std::min(at.w / static_cast<float>(full_cols), at.h / static_cast<float>(full_rows));
  const float x = at.x + (at.w - static_cast<float>(full_cols) * cs) / 2,
              y = at.y + (at.h - static_cast<float>(full_rows) * cs) / 2;
  return {x + static_cast<float>(k) * cs, y + static_cast<float>(r) * cs,
          std::max(static_cast<float>(nk) * cs, 3.0f), std::max(static_cast<float>(nr) * cs, 3.0f)};
}

// The reason the view is not shown, wrapped at spaces into the stage's width, its type smaller
// when the lines would not fit the stage's height (a narrow stage at a large scale).
void draw_message(StageCanvas& s) {
  const Rect a = s.area();
  const std::string why = matrix_view_refusal(s.timeline().geometry());
  const float k = s.text_scale(), width = a.w * 0.9f;
  float size = 24 * k;
  std::vector<std::string> lines = wrap_text(why, size, width);
  while (static_cast<float>(lines.size()) * 1.5f * size > a.h && size > 8 * k)
    lines = wrap_text(why, size *= 0.92f, width);
  float y = a.y + a.h / 2 - (static_cast<float>(lines.size()) - 1) * size * 0.75f;
  for (const std::string& line : lines) {
    s.text(a.x + a.w / 2, y, line, size, s.ink(), Font::Sans, Align::Center, TextRole::Label);
    y += size * 1.5f;
  }
}

void draw_stage(StageCanvas& s, int n, int c) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const Tensor& cols = tl.tensor(Grid::cols);
  const int taps = g.c * g.kh * g.kw, cells = g.oh * g.ow;
  // Matrices too large to read whole show their first rows and columns, magnified: `side` of
  // them, or `half` where three grids share the width. A window (a column of cols) of up to 12
  // values stays whole (`window`), so that W·cols's sums are all there.
  const int side = part_side(g), half = std::max(3, side / 2), window = taps <= 12 ? taps : side;
  const std::string cols_label = sample_label(g, "cols", n);
  switch (s.frame().stage) {
    case Stage::Im2col: {
      std::vector<StageCanvas::Slot> slots = {{Grid::Xp, n, c, g.hp(), g.wp(), "→"},
                                              {Grid::cols, n, 0, taps, cells, ""}};
      show_part(slots[1], taps, cells, window, side, 0, 0);
      layout_whole(s, slots);
      s.style_padding(s.add_grid(slots[0], Grid::Xp, tl.tensor(Grid::Xp), n, c,
                                 s.slice_label(Grid::Xp, n, c, "n", "c")),
                      1.0f);
      s.add_grid(slots[1], Grid::cols, cols, n, 0, cols_label);
      break;
    }
    case Stage::ForwardProduct: {
      const std::string z_label = sample_label(g, tl.lesson().bias.empty() ? "Z" : "Z − b", n);
      const Tensor w = kernel_matrix(tl.tensor(Grid::W)), z = sample_matrix(unbiased_z(tl), n);
      std::vector<StageCanvas::Slot> slots = {
          {Grid::None, 0, 0, g.cout, taps, "·", {}, {}, "W"},
          {Grid::cols, n, 0, taps, cells, "="},
          {Grid::None, 0, 0, g.cout, cells, "", {}, {}, z_label}};
      show_part(slots[0], g.cout, taps, side, window, 0, 0);
      show_part(slots[1], taps, cells, window, half, 0, 0);
      show_part(slots[2], g.cout, cells, side, half, 0, 0);
      layout_whole(s, slots);
      s.add_grid(slots[0], Grid::None, w, 0, 0, "W");
      s.add_grid(slots[1], Grid::cols, cols, n, 0, cols_label);
      s.add_grid(slots[2], Grid::None, z, 0, 0, z_label);
      break;
    }
    case Stage::WeightProduct: {
      const std::string g_label = sample_label(g, "G", n), ct_label = sample_label(g, "colsᵀ", n);
      const Tensor gm = sample_matrix(tl.tensor(Grid::G), n), ct = transposed(cols, n, 0);
      const Tensor dw = kernel_matrix(tl.tensor(Grid::dW));
      std::vector<StageCanvas::Slot> slots = {
          {Grid::None, 0, 0, g.cout, cells, "·", {}, {}, g_label},
          {Grid::None, 0, 0, cells, taps, g.n > 1 ? "→ Σ" : "=", {}, {}, ct_label},
          {Grid::None, 0, 0, g.cout, taps, "", {}, {}, "dW"}};
      show_part(slots[0], g.cout, cells, side, half, 0, 0);
      show_part(slots[1], cells, taps, half, half, 0, 0);
      show_part(slots[2], g.cout, taps, side, half, 0, 0);
      layout_whole(s, slots);
      s.add_grid(slots[0], Grid::None, gm, 0, 0, g_label);
      s.add_grid(slots[1], Grid::None, ct, 0, 0, ct_label);
      s.add_grid(slots[2], Grid::None, dw, 0, 0, "dW");
      break;
    }
    case Stage::Toeplitz: {
      const std::string x_label = sample_label(g, "x", n),
                        zv_label = sample_label(g, tl.lesson().bias.empty() ? "z" : "z − b", n);
      const Tensor& T = tl.tensor(Grid::TW);
      const Tensor x = column(tl.tensor(Grid::X), n), z = column(unbiased_z(tl), n);
      std::vector<StageCanvas::Slot> slots = {
          {Grid::TW, 0, 0, T.shape.h, T.shape.w, "·"},
          {Grid::None, 0, 0, T.shape.w, 1, "=", {}, {}, x_label},
          {Grid::None, 0, 0, T.shape.h, 1, "", {}, {}, zv_label}};
      show_part(slots[0], T.shape.h, T.shape.w, side, side, 0, 0);
      show_part(slots[1], T.shape.w, 1, side, 1, 0, 0);
      show_part(slots[2], T.shape.h, 1, side, 1, 0, 0);
      layout_whole(s, slots);
      style_band(s, s.add_grid(slots[0], Grid::TW, T, 0, 0, "T(W)"), false);
      s.add_grid(slots[1], Grid::None, x, 0, 0, x_label);
      s.add_grid(slots[2], Grid::None, z, 0, 0, zv_label);
      break;
    }
    default:
      break;
  }
}

// The first column of T(W)ᵀ's part at a step on row `row`: the row's first entry in the band,
// or the page after it that holds the current term's entry `k` (-1: none).
int first_band_col(const Geometry& g, int row, int k, int shown, int full) {
  const int y = row / g.w % g.h, x = row % g.w;
  int first = 0;
  for (int col = 0; col < full; ++col) {
    const int i = col / g.ow % g.oh, j = col % g.ow;
    if (on_tap(g.rows(), y, i) && on_tap(g.cols(), x, j)) {
      first = col;
      break;
    }
  }
  // Pages of `shown` columns from there turn rather than scroll, so that the cells stay put
  // while the terms go along the row.
  if (k >= first) first += (k - first) / shown * shown;
  if (k >= 0 && k < first) first = k / shown * shown;
  return std::clamp(first, 0, std::max(0, full - shown));
}

// dX = T(W)ᵀ·g: the rows of T(W)ᵀ around the target's (T(W)'s column) and the part of g the
// current term is in, magnified, the whole of both small beside them with the row and the term
// marked; the target's row framed, the term's entry and G value framed, dX filling up.
void draw_block(StageCanvas& s, int n, int c) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const Frame& f = s.frame();
  const Tensor& T = tl.tensor(Grid::TW);
  const Tensor tt = transposed(T, 0, 0), gv = column(tl.tensor(Grid::G), n);
  const std::string gv_label = sample_label(g, "g", n);
  const int full_rows = T.shape.w, full_cols = T.shape.h, side = part_side(g);
  const bool on_cell = f.kind != StepKind::Stage;
  const int row = on_cell ? tw_col(g, f.target.c, f.target.h, f.target.w) : 0;  // T(W)ᵀ's
  const int k = f.kind == StepKind::Term && f.current_term
                    ? tw_row(g, f.current_term->b.c, f.current_term->b.h, f.current_term->b.w)
                    : -1;
  const int rows = std::min(side, full_rows), cols = std::min(side, full_cols);
  const int first_row = std::min(row / rows * rows, full_rows - rows);
  const int first_col = first_band_col(g, row, k, cols, full_cols);
  std::vector<StageCanvas::Slot> slots = {
      {Grid::None, 0, 0, full_rows, full_cols, "·", {}, {}, "T(W)ᵀ"},
      {Grid::None, 0, 0, full_cols, 1, "=", {}, {}, gv_label},
      {Grid::dX, n, c, g.h, g.w, ""}};
  show_part(slots[0], full_rows, full_cols, rows, cols, first_row, first_col);
  show_part(slots[1], full_cols, 1, cols, 1, first_col, 0);
  layout_whole(s, slots);
  SceneGrid& tg = s.add_grid(slots[0], Grid::None, tt, 0, 0, "T(W)ᵀ");
  style_band(s, tg, true);
  const SceneGrid tcopy = tg;  // add_grid may move the scene's grids
  const SceneGrid gcopy = s.add_grid(slots[1], Grid::None, gv, 0, 0, gv_label);
  SceneGrid& dx = s.add_grid(slots[2], Grid::dX, s.result_or_final(Grid::dX), n, c,
                             s.slice_label(Grid::dX, n, c, "n", "c"), &tl.tensor(Grid::dX));
  s.apply_progress(dx, n, c);
  s.term_overlay();  // dX's target cell
  if (!on_cell) return;
  const float thick = std::clamp(tcopy.cell_size * 0.08f, 2.0f, 5.0f);
  Rect r = cell_rect(tcopy, row, tcopy.first_col);
  r.w = tcopy.cell_size * static_cast<float>(tcopy.visible_cols());
  s.frame_rect(r, kRoleWindow, thick, FrameRole::Window);
  if (slots[0].overview.w > 0)
    s.frame_rect(on_overview(slots[0], full_rows, full_cols, row, 0, 1, full_cols), kRoleWindow, 2,
                 FrameRole::Overview);
  if (k < 0) return;
  s.frame_rect(scaled(cell_rect(tcopy, row, k), 0.88f), kRoleTerm, thick, FrameRole::Term);
  s.frame_rect(scaled(cell_rect(gcopy, k, 0), 0.88f), kRoleTerm, thick, FrameRole::Term);
  if (slots[0].overview.w > 0)
    s.frame_rect(on_overview(slots[0], full_rows, full_cols, row, k, 1, 1), kRoleTerm, 2,
                 FrameRole::Overview);
  if (slots[1].overview.w > 0)
    s.frame_rect(on_overview(slots[1], full_cols, 1, k, 0, 1, 1), kRoleTerm, 2,
                 FrameRole::Overview);
}

void draw(StageCanvas& s) {
  if (!shown(s.timeline().geometry())) return draw_message(s);
  int n, c, o;
  s.slices(&n, &c, &o);
  if (s.frame().stage == Stage::None)
    draw_block(s, n, c);
  else
    draw_stage(s, n, c);
}

}  // namespace

// The stage steps' words (describe_stage sends them here).
Equation describe_matrix_stage(const Model& m, Stage stage, std::string* note) {
  const Geometry& g = m.geo;
  const bool bias = !m.lesson.bias.empty();
  const bool padded = g.hp() > g.h || g.wp() > g.w;
  const std::string taps = dims(g.c * g.kh * g.kw, g.oh * g.ow);
  const std::string samples = g.n > 1 ? " Each sample has its own cols." : "";
  Equation e;
  switch (stage) {
    case Stage::Im2col:
      *note =
          "Each window of Xp becomes one column of cols: column i·oW + j holds the inputs that "
          "window (i, j) reads, channel by channel, row by row. An input under several windows "
          "is copied into each of their columns." +
          samples;
      e.target = "cols", e.result = "im2col(Xp): " + taps;
      break;
    case Stage::ForwardProduct:
      *note =
          "With one kernel per row, W times cols is the whole forward pass at once: entry "
          "(o, i·oW + j) is kernel o's dot product with window (i, j), which is Z[o,i,j]" +
          std::string(bias ? " before its bias b[o] is added" : "") +
          (g.n > 1 ? " (for one sample: each sample has its own cols)." : ".");
      e.target = "Z", e.result = std::string("W·cols") + (bias ? " + b" : "") + ": " +
                                 dims(g.cout, g.c * g.kh * g.kw) + " · " + taps + " = " +
                                 dims(g.cout, g.oh * g.ow);
      break;
    case Stage::WeightProduct:
      *note =
          "The same columns give dW: row o of G times column (c, u, v) of colsᵀ adds every "
          "window's input under tap (c, u, v), weighted by its output's gradient." +
          std::string(g.n > 1 ? " Over a batch, the samples' products are added (one "
                                "sample is shown)."
                              : "");
      e.target = "dW", e.result = std::string(g.n > 1 ? "Σ over samples of " : "") +
                                  "G·colsᵀ: " + dims(g.cout, g.oh * g.ow) + " · " +
                                  dims(g.oh * g.ow, g.c * g.kh * g.kw);
      break;
    case Stage::Toeplitz:
      *note =
          "T(W) is the convolution as one matrix acting on x, X read as one column: a row per "
          "output value, a column per input value. Row (o, i, j) holds kernel o's weights at "
          "the inputs window (i, j) reads, 0 elsewhere: a band." +
          std::string(padded ? " The padding has no column: its taps multiply zeros." : "");
      e.target = "Z", e.result = std::string("T(W)·x") + (bias ? " + b" : "") + ": T(W) is " +
                                 dims(g.cout * g.oh * g.ow, g.c * g.h * g.w);
      break;
    case Stage::MatrixTooLarge:
      *note = matrix_view_refusal(g);
      e.target = "T(W)", e.result = "not shown for this lesson";
      break;
    default:
      break;
  }
  return e;
}

extern const PhaseDef kMatrixPhase = {
    .name = "matrix",
    .label = "matrix",
    .title = "The matrix view: Z = T(W)·x, dX = T(W)ᵀ·g",
    .explanation =
        "A convolution is a matrix product. im2col turns every window of Xp into a column of "
        "cols, so the forward pass is Z = W·cols (+ b) and the kernel's gradient is dW = G·colsᵀ. "
        "Written as one matrix T(W) acting on the whole input x, the convolution is "
        "z = T(W)·x (+ b), and the chain rule gives dx = T(W)ᵀ·g, with g the upstream gradient "
        "G read as one column. That is why computing dX is called a transposed convolution: it "
        "multiplies by the transpose of the convolution's matrix. Column (c, y, x) of T(W) holds "
        "the weight "
        "that every window puts on input (c, y, x), so dX[c,y,x] sums G times those weights, "
        "over every output channel. With a stride or a dilation, some inputs are under fewer "
        "windows, and an input no window reads has a column of zeros: its gradient is 0. Every "
        "sample uses the same T(W).",
    .lesson_explanation = nullptr,
    .result_name = "dX",
    .summed_over = "output channels",
    .zero_term_note =
        "This entry of T(W) is outside the band: no tap of this window lands on "
        "this input, so the term adds nothing.",
    .unreached_remark = "",
    .stages = stages,
    .shape = shape,
    .row_ok = row_ok,
    .col_ok = col_ok,
    .term = term,
    .window = window,
    .source = nullptr,
    .block_step = gather_step,
    .result = Grid::dX,
    .result_grid = result_grid,
    .final_values = final_values,
    .cell_of = nullptr,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = draw,
    .refusal = matrix_view_refusal,
};

}  // namespace convstep
