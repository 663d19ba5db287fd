// Forward: Z = Xp ⋆ W + b. Each output cell Z[n,o,i,j] is the sum over the input channels c of
// its group and the kernel taps (u, v) of Xp[n,c,i·s+u·dil,j·s+v·dil]·W[o,c,u,v].
// Loops: cells (outer = n·Cout + o, a = i, b = j), terms (q = c within the group, p = u, r = v).
#include <algorithm>
#include <array>

#include "core/colormap.h"
#include "core/equation.h"
#include "core/format.h"
#include "core/phases/canvas.h"
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model& m) {
  std::vector<Stage> s = {Stage::PadInput, Stage::None};
  if (!m.lesson.bias.empty()) s.push_back(Stage::AddBias);
  return s;
}

BlockShape shape(const Geometry& g) {
  return {.outer = g.n * g.cout,
          .q = g.c_per_group(),
          .rows = g.oh,
          .rows_inner = g.kh,
          .cols = g.ow,
          .cols_inner = g.kw,
          .sum_step = g.c_per_group() > 1};
}

// Tap u of window row i reads Xp row i·s + u·dil: a padding zero unless it falls on X.
bool row_ok(const Model& m, int i, int u) {
  const ConvAxis rows = m.geo.rows();
  return rows.in_input(rows.input_of(i, u));
}
bool col_ok(const Model& m, int j, int v) {
  const ConvAxis cols = m.geo.cols();
  return cols.in_input(cols.input_of(j, v));
}

// The input channel of term q: the q-th of output channel o's group.
int channel(const Geometry& g, int o, int q) {
  return o / g.cout_per_group() * g.c_per_group() + q;
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  Term term;
  term.a = {Grid::Xp, n, channel(g, o, t.q), t.a * g.stride_h + t.p * g.dil_h,
            t.b * g.stride_w + t.r * g.dil_w};
  term.b = {Grid::W, o, t.q, t.p, t.r};
  *target = {Grid::Z, n, o, t.a, t.b};
  return term;
}

Window window(const Geometry& g, const TermAt& t) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  return {Grid::Xp, n,      channel(g, o, t.q), t.a * g.stride_h, t.b * g.stride_w, g.kh, g.kw,
          g.dil_h,  g.dil_w};
}

Grid result_grid(Stage) {
  return Grid::Z;
}

// Z before the bias until the bias is added.
const Tensor& final_values(const Model& m, Stage stage) {
  return stage == Stage::AddBias || m.lesson.bias.empty() ? m.results.Z : m.Z_before_bias;
}

std::optional<long long> cell_of(const Model& m, const CellRef& cell) {
  if (cell.grid != Grid::Z) return std::nullopt;
  return m.results.Z.offset(cell.n, cell.c, cell.h, cell.w);
}

std::string cell_remark(const Model& m, const CellRef& cell) {
  if (m.lesson.bias.empty()) return "";
  return " (then + b[" + std::to_string(cell.c) + "] = " + number(m.lesson.bias[cell.c]) + ")";
}

// Groups: which input channels an output channel sums, and W's channel index within them.
std::string lesson_explanation(const Model& m) {
  const Geometry& g = m.geo;
  if (g.groups == 1) return "";
  const int o = (g.groups - 1) * g.cout_per_group(), c = (g.groups - 1) * g.c_per_group();
  return "Here " + group_split(g) + ". Output channel o sums over the " +
         plural(g.c_per_group(), "input channel") +
         " of its own group only. W's channel index counts within the group, Xp's counts all "
         "channels: W[" +
         std::to_string(o) + ",0] meets Xp channel " + std::to_string(c) + ".";
}

void slices(const Geometry&, const Frame& f, int* n, int* c, int* o) {
  if (f.window) *c = f.window->c;
  if (f.kind != StepKind::Stage) *n = f.target.n, *o = f.target.c;
}

// Xp ⋆ W = Z, on one input channel.
void draw_one_channel(StageCanvas& s, int n, int c, int o) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const int cq = c % g.c_per_group();
  std::vector<StageCanvas::Slot> slots = {{Grid::Xp, n, c, g.hp(), g.wp(), "⋆"},
                                          {Grid::W, o, cq, g.kh, g.kw, "="},
                                          {Grid::Z, n, o, g.oh, g.ow, ""}};
  s.layout(slots);
  const bool growing = s.stepping() && s.frame().stage == Stage::PadInput;
  s.style_padding(s.add_grid(slots[0], Grid::Xp, tl.tensor(Grid::Xp), n, c,
                             s.slice_label(Grid::Xp, n, c, "n", "c")),
                  growing ? s.move() : 1.0f);
  s.add_grid(slots[1], Grid::W, tl.tensor(Grid::W), o, cq, s.slice_label(Grid::W, o, cq, "o", "c"));
  SceneGrid& z = s.add_grid(slots[2], Grid::Z, s.result_or_final(Grid::Z), n, o,
                            s.slice_label(Grid::Z, n, o, "n", "o"), &tl.tensor(Grid::Z));
  s.apply_progress(z, n, o);
}

// Several input channels: one row per channel of o's group, Xp[n,c] ⋆ W[o,c] = its
// subtotal, and the subtotals summed into Z. Each row shows the same window. When the rows
// leave the cells too small to read, the step's channel alone, in the focus view.
void draw_channels(StageCanvas& s, int n, int c_now, int o) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const Frame& f = s.frame();
  const int cg = g.c_per_group(), first = o / g.cout_per_group() * cg;
  const std::string sum = f.stage == Stage::AddBias || !tl.lesson().bias.empty() ? "Σ+b" : "Σ";
  // The columns are as wide as their grids or their labels, whichever is wider; the gaps hold
  // the operators; a row is its labels (two lines: name and slice) and its grids.
  auto label_size = [&](float cell) {
    return std::clamp(cell * 0.42f, 14 * s.text_scale(), 26 * s.text_scale());
  };
  auto column = [&](const char* name, int rows, int cols, float cell) {
    const std::string shape = std::string(name) + " (" + dims(rows, cols) + ")";
    return std::max({cols * cell, text_width(shape, label_size(cell), Font::SansBold),
                     text_width("[n=00,c=00]", 0.75f * label_size(cell))});
  };
  auto op_size = [&](float cell) {
    return std::clamp(cell * 0.8f, 16 * s.text_scale(), 44 * s.text_scale());
  };
  auto gap = [&](const std::string& op, float scale, float cell) {
    return std::max(1.6f * cell, text_width(op, op_size(cell) * scale) + 16 * s.text_scale());
  };
  auto row_height = [&](float cell) { return 2.3f * label_size(cell) + (g.hp() + 0.6f) * cell; };
  auto widths = [&](float cell) {
    return std::array<float, 7>{
        column("Xp", g.hp(), g.wp(), cell),
        gap("⋆", 1.5f, cell),
        column("W", g.kh, g.kw, cell),
        gap("=", 1, cell),
        std::max(cell, text_width("c=00", label_size(cell), Font::SansBold)),
        gap(sum, 1, cell),
        column("Z", g.oh, g.ow, cell)};
  };
  auto fits = [&](float cell) {
    const std::array<float, 7> w = widths(cell);
    float total = 0;
    for (float x : w) total += x;
    return total <= s.area().w && cg * row_height(cell) <= s.area().h;
  };
  auto fit = [&] {
    float lo = 0.01f, hi = std::max(lo, s.max_cell());
    for (int i = 0; i < 30; ++i) (fits((lo + hi) / 2) ? lo : hi) = (lo + hi) / 2;
    return fits(hi) ? hi : lo;
  };
  if (!s.readable_whole(fit)) {
    draw_one_channel(s, n, c_now, o);
    return;
  }
  s.fit_zoom(fit);
  const float cell = fit();
  s.set_cell_size(cell, label_size(cell));
  const Rect area = s.area();
  const std::array<float, 7> w = widths(cell);
  float total_w = 0;
  for (float x : w) total_w += x;
  const float x0 = area.x + (area.w - total_w) / 2, top = area.y;
  const float x_w = x0 + w[0] + w[1], x_sub = x_w + w[2] + w[3], x_z = x_sub + w[4] + w[5];
  const float op = op_size(cell), row_h = row_height(cell);
  const bool counting =
      f.kind != StepKind::Stage && f.block_sums.size() == static_cast<std::size_t>(cg);
  Tensor subtotals(Shape{1, cg, 1, 1});
  if (counting) subtotals.values = f.block_sums;
  for (int q = 0; q < cg; ++q) {
    const float y = top + q * row_h + 2.3f * label_size(cell);
    const float mid = y + g.hp() * cell / 2;
    const StageCanvas::Slot xp{Grid::Xp,
                               n,
                               first + q,
                               g.hp(),
                               g.wp(),
                               "",
                               {x0 + (w[0] - g.wp() * cell) / 2, y, g.wp() * cell, g.hp() * cell}};
    s.style_padding(s.add_grid(xp, Grid::Xp, tl.tensor(Grid::Xp), n, first + q,
                               s.slice_label(Grid::Xp, n, first + q, "n", "c")),
                    s.stepping() && f.stage == Stage::PadInput ? s.move() : 1.0f);
    s.text(x_w - w[1] / 2, mid, "⋆", op * 1.5f, s.ink(), Font::Sans, Align::Center,
           TextRole::Operator);
    const StageCanvas::Slot wk{
        Grid::W,
        o,
        q,
        g.kh,
        g.kw,
        "",
        {x_w + (w[2] - g.kw * cell) / 2, mid - g.kh * cell / 2, g.kw * cell, g.kh * cell}};
    s.add_grid(wk, Grid::W, tl.tensor(Grid::W), o, q, s.slice_label(Grid::W, o, q, "o", "c"));
    s.text(x_sub - w[3] / 2, mid, "=", op, s.ink(), Font::Sans, Align::Center, TextRole::Operator);
    const StageCanvas::Slot sub{
        Grid::None, 0, q, 1, 1, "", {x_sub + (w[4] - cell) / 2, mid - cell / 2, cell, cell}};
    SceneGrid& box = s.add_grid(sub, Grid::None, subtotals, 0, q, "c=" + std::to_string(first + q),
                                &subtotals, false);
    box.copy = GridCopy::Subtotal;
    if (!counting) box.cells[0].style = CellStyle::Pending, box.cells[0].text.clear();
    if (q == c_now - first && f.kind == StepKind::Term)
      s.frame_rect(box.cells[0].rect, kRoleTerm, std::clamp(cell * 0.08f, 2.0f, 4.0f),
                   FrameRole::Subtotal);
  }
  const float z_mid = top + cg * row_h / 2;
  s.text(x_z - w[5] / 2, z_mid, sum, op, s.ink(), Font::Sans, Align::Center, TextRole::Operator);
  const StageCanvas::Slot z{
      Grid::Z,
      n,
      o,
      g.oh,
      g.ow,
      "",
      {x_z + (w[6] - g.ow * cell) / 2, z_mid - g.oh * cell / 2, g.ow * cell, g.oh * cell}};
  SceneGrid& zg = s.add_grid(z, Grid::Z, s.result_or_final(Grid::Z), n, o,
                             s.slice_label(Grid::Z, n, o, "n", "o"), &tl.tensor(Grid::Z));
  s.apply_progress(zg, n, o);
}

void draw(StageCanvas& s) {
  int n, c, o;
  s.slices(&n, &c, &o);
  if (s.timeline().geometry().c_per_group() > 1)
    draw_channels(s, n, c, o);
  else
    draw_one_channel(s, n, c, o);
  s.window_overlay();
  s.term_overlay();
}

// Z is asked at the step that sums its terms: the bias comes in a step of its own, later.
const char* asked_before(const Lesson& lesson) {
  return lesson.bias.empty() ? "" : "the bias";
}

}  // namespace

extern const PhaseDef kForwardPhase = {
    .name = "forward",
    .label = "forward",
    .title = "Forward: Z = Xp ⋆ W + b",
    .explanation =
        "The kernel W slides over the padded input Xp with the stride. Each output cell "
        "Z[i,j] is the sum of the products of the window's cells with the kernel's: a "
        "cross-correlation, as in PyTorch, so the kernel is not flipped. With several input "
        "channels, each output channel adds up one such sum per input channel of its group "
        "(all of them, unless the lesson splits the channels into groups); then the bias, if "
        "there is one, is added to every cell of its output channel.",
    .lesson_explanation = lesson_explanation,
    .result_name = "Z",
    .summed_over = "channels",
    .zero_term_note = "This term multiplies a zero of the padding: it adds nothing.",
    .unreached_remark = "",
    .stages = stages,
    .shape = shape,
    .row_ok = row_ok,
    .col_ok = col_ok,
    .term = term,
    .window = window,
    .source = nullptr,
    .block_step = gather_step,
    .result = Grid::Z,
    .result_grid = result_grid,
    .final_values = final_values,
    .cell_of = cell_of,
    .cell_remark = cell_remark,
    .slices = slices,
    .draw = draw,
    .asked_before = asked_before,
};

}  // namespace convstep
