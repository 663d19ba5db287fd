// ∂L/∂X by gathering: G spread out by the stride (Gd), padded by (k−1)·dil (Gp), and the kernel
// turned through 180° (Wr); then dXp = Gp ⋆ Wr, and the crop leaves dX.
// Loops: cells (outer = n·C + c, a = y, b = x over the part of dXp that Gp ⋆ Wr reaches),
// terms (q = o within c's group, p = u, r = v).
#include <algorithm>
#include <cmath>

#include "core/format.h"
#include "core/phases/canvas.h"
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model& m) {
  std::vector<Stage> s = {Stage::ShowGradient, Stage::DilateGradient, Stage::PadGradient,
                          Stage::RotateKernel, Stage::None};
  // Said only when real inputs miss out: padding that no window reaches is cropped anyway.
  if (!m.unreached_rows.empty() || !m.unreached_cols.empty()) s.push_back(Stage::ZeroUncovered);
  s.push_back(Stage::Crop);
  return s;
}

BlockShape shape(const Geometry& g) {
  return {.outer = g.n * g.c,
          .q = g.cout_per_group(),
          .rows = g.rows().gather_extent(),
          .rows_inner = g.kh,
          .cols = g.cols().gather_extent(),
          .cols_inner = g.kw,
          .sum_step = g.cout_per_group() > 1};
}

// Gp holds a G value on row (k−1)·dil + i·s; the rest are inserted zeros and padding.
bool row_ok(const Model& m, int y, int u) {
  return m.geo.rows().gp_output(y + u * m.geo.dil_h) >= 0;
}
bool col_ok(const Model& m, int x, int v) {
  return m.geo.cols().gp_output(x + v * m.geo.dil_w) >= 0;
}

// The output channel of term q: the q-th of input channel c's group.
int out_channel(const Geometry& g, int c, int q) {
  return c / g.c_per_group() * g.cout_per_group() + q;
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  const int n = t.outer / g.c, c = t.outer % g.c;
  Term term;
  term.a = {Grid::Gp, n, out_channel(g, c, t.q), t.a + t.p * g.dil_h, t.b + t.r * g.dil_w};
  term.b = {Grid::Wr, c, t.q, t.p, t.r};
  *target = {Grid::dXp, n, c, t.a, t.b};
  return term;
}

Window window(const Geometry& g, const TermAt& t) {
  const int n = t.outer / g.c, c = t.outer % g.c;
  return {Grid::Gp, n, out_channel(g, c, t.q), t.a, t.b, g.kh, g.kw, g.dil_h, g.dil_w};
}

Grid result_grid(Stage stage) {
  return stage == Stage::Crop ? Grid::dX : Grid::dXp;
}

// dX and dXp cells: the gathering loop covers dXp's top-left reach_h × reach_w.
std::optional<long long> cell_of(const Model& m, const CellRef& cell) {
  if (cell.grid != Grid::dX && cell.grid != Grid::dXp) return std::nullopt;
  const bool cropped = cell.grid == Grid::dX;
  const int y = cell.h + (cropped ? m.geo.pad_top : 0), x = cell.w + (cropped ? m.geo.pad_left : 0);
  if (y >= m.reach_h || x >= m.reach_w) return -1;
  return ((1LL * cell.n * m.geo.c + cell.c) * m.reach_h + y) * m.reach_w + x;
}

// Groups: which output channels an input channel gathers from, and Wr's index within them.
// With stride 1 and no dilation, the tie to SciPy's full convolution.
std::string lesson_explanation(const Model& m) {
  const Geometry& g = m.geo;
  std::string s;
  if (g.groups > 1) {
    const int o = (g.groups - 1) * g.cout_per_group(), c = (g.groups - 1) * g.c_per_group();
    s = "Here " + group_split(g) + ". Input channel c gathers only from the " +
        plural(g.cout_per_group(), "output channel") +
        " of its own group, and Wr's second index counts them within the group: Wr[" +
        std::to_string(c) + ",0] pairs with Gp channel " + std::to_string(o) + ".";
  }
  if (g.stride_h == 1 && g.stride_w == 1 && g.dil_h == 1 && g.dil_w == 1)
    s += std::string(s.empty() ? "" : " ") +
         "Here the stride is 1 and there is no dilation, so Gd = G and dXp is the full "
         "convolution G ∗ W: SciPy's convolve2d(G, W, 'full') computes it as it is" +
         std::string(g.n > 1 || g.c > 1 || g.cout > 1
                         ? " (one sample and one pair of channels at a time, summed over the "
                           "output channels of the group)"
                         : "") +
         ", and flipping W before it, as one notebook does, breaks it.";
  return s;
}

void slices(const Geometry&, const Frame& f, int* n, int* c, int* o) {
  if (f.window) *n = f.window->n, *o = f.window->c;
  if (f.kind != StepKind::Stage) *c = f.target.c;
}

// How far the phase has come: 0 G, 1 Gd, 2 Gp, 3 rotated, 4 gathering, 5 after (uncovered,
// crop).
int stage_order(Stage stage) {
  switch (stage) {
    case Stage::ShowGradient:
      return 0;
    case Stage::DilateGradient:
      return 1;
    case Stage::PadGradient:
      return 2;
    case Stage::RotateKernel:
      return 3;
    case Stage::None:
      return 4;
    default:
      return 5;
  }
}

// A cell growing in or shrinking away, at `k` of its size: its number only once it has room.
void shrink(SceneCell& cell, float k) {
  cell.rect = scaled(cell.rect, k);
  if (k < 0.5f) cell.text.clear();
}

// The gradient slot: G, then Gd (zeros inserted, the G cells moving apart), then Gp (padded).
void draw_gradient(StageCanvas& s, const StageCanvas::Slot& slot, int n, int o) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const Stage stage = s.frame().stage;
  const int order = stage_order(stage);
  const float grow = s.stepping() ? s.move() : 1.0f, cell_size = s.cell_size();
  if (order <= 0) {
    s.add_grid(slot, Grid::G, tl.tensor(Grid::G), n, o, s.slice_label(Grid::G, n, o, "n", "o"));
  } else if (order == 1) {
    SceneGrid& gd = s.add_grid(slot, Grid::Gd, tl.tensor(Grid::Gd), n, o,
                               s.slice_label(Grid::Gd, n, o, "n", "o"));
    // The G cells move apart (the first half of the move), then the zeros come in between
    // them row by row, from the top (the second half).
    for (SceneCell& cell : gd.cells)
      if (tl.is_padding(Grid::Gd, cell.row, cell.col)) {
        cell.style = CellStyle::InsertedZero;
        if (stage == Stage::DilateGradient)
          shrink(cell, in_turn(in_turn(grow, 1, 2), cell.row, gd.rows));
      } else if (stage == Stage::DilateGradient && s.stepping()) {
        // The G cells move apart from where they sat in G to their places in Gd.
        const float gx = gd.bounds.x + gd.bounds.w / 2 - g.ow * cell_size / 2 +
                         cell.col / g.stride_w * cell_size;
        const float gy = gd.bounds.y + gd.bounds.h / 2 - g.oh * cell_size / 2 +
                         cell.row / g.stride_h * cell_size;
        cell.rect = lerp({gx, gy, cell_size, cell_size}, cell.rect, in_turn(s.move(), 0, 2));
      }
    s.restyle_text(gd);
  } else {
    SceneGrid& gp = s.add_grid(slot, Grid::Gp, tl.tensor(Grid::Gp), n, o,
                               s.slice_label(Grid::Gp, n, o, "n", "o"));
    // The padding grows in ring by ring, from Gd outwards.
    const int ring_h = (g.kh - 1) * g.dil_h, ring_w = (g.kw - 1) * g.dil_w;
    for (SceneCell& cell : gp.cells) {
      if (!tl.is_padding(Grid::Gp, cell.row, cell.col)) continue;
      const int ring = ring_of(cell.row, cell.col, ring_h, ring_w, g.gd_h(), g.gd_w());
      cell.style = ring > 0 ? CellStyle::Padding : CellStyle::InsertedZero;
      if (ring > 0 && stage == Stage::PadGradient)
        shrink(cell, in_turn(grow, ring - 1, std::max(ring_h, ring_w)));
    }
    s.restyle_text(gp);
  }
}

// The centre of cell (y, x) of a k_h × k_w grid of `cell`-sized cells centred on (cx, cy), turned
// by `deg` clockwise on screen about that centre.
std::pair<float, float> turned_cell(float cx, float cy, int kh, int kw, int y, int x, float cell,
                                    float deg) {
  const float dx = (x - (kw - 1) / 2.0f) * cell, dy = (y - (kh - 1) / 2.0f) * cell;
  const float a = deg * 3.14159265f / 180, c = std::cos(a), sn = std::sin(a);
  return {cx + c * dx - sn * dy, cy + sn * dx + c * dy};
}

// The kernel slot: W on top, where it stays all phase long, and Wr below it. At the
// RotateKernel stage a copy of W glides down into Wr's place while it turns through 180°, and
// a line traces its corner W[0,0] all the way to Wr[k−1,k−1].
void draw_kernel(StageCanvas& s, const StageCanvas::Slot& slot, int c, int oq) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const int order = stage_order(s.frame().stage);
  const int cq = c % g.c_per_group();
  const int o = c / g.c_per_group() * g.cout_per_group() + oq;
  const float cell = s.cell_size();
  // W stays above Wr when the gap between them holds Wr's label (one line, or two with the
  // slice); else Wr takes W's place, as it does in a lesson shown in the focus view.
  const bool two_lines = g.c > 1 || g.cout > 1;
  // (The label is centred 0.9 of its size above Wr, or 1.7 with the slice line: its top is 1.4
  // or 2.2 sizes above.)
  const bool stacked = (slot.rows - 2 * g.kh) * cell >= s.label_size() * (two_lines ? 2.3f : 1.5f);
  const StageCanvas::Slot top{
      Grid::W, o, cq, g.kh, g.kw, "", {slot.bounds.x, slot.bounds.y, slot.bounds.w, g.kh * cell}};
  const StageCanvas::Slot bottom{
      Grid::Wr,
      c,
      oq,
      g.kh,
      g.kw,
      "",
      {slot.bounds.x, slot.bounds.y + (stacked ? (slot.rows - g.kh) * cell : 0.0f), slot.bounds.w,
       g.kh * cell}};
  const bool turning = order == 3 && s.stepping() && s.move() < 1;
  const float t = turning ? s.move() : 1.0f;
  if (order >= 3 && !turning)
    s.add_grid(bottom, Grid::Wr, tl.tensor(Grid::Wr), c, oq,
               s.slice_label(Grid::Wr, c, oq, "c", "o"));
  if (!stacked && order >= 3 && !turning) return;
  const SceneGrid& w =
      s.add_grid(top, Grid::W, tl.tensor(Grid::W), o, cq, s.slice_label(Grid::W, o, cq, "o", "c"));
  const Rect w00 = cell_rect(w, 0, 0);
  // The turning copy last, so that it passes over W; unlabelled, as W's label stays above.
  if (turning) {
    StageCanvas::Slot moving = top;
    moving.bounds = lerp(top.bounds, bottom.bounds, t);
    SceneGrid& copy = s.add_grid(moving, Grid::W, tl.tensor(Grid::W), o, cq, "", nullptr, false);
    copy.rotation_deg = 180 * t;
  }
  if (order != 3) return;
  // The corner's path: the copy's centre glides from W's to Wr's while it turns.
  const float width = std::clamp(cell * 0.06f, 2.0f, 4.0f);
  const Color ink = s.ink();
  const Rect a = top.bounds, b = bottom.bounds;
  constexpr int kPieces = 24;
  const int pieces = std::max(1, static_cast<int>(std::ceil(kPieces * t)));
  auto at = [&](float u) {
    const Rect r = lerp(a, b, u);
    return turned_cell(r.x + r.w / 2, r.y + r.h / 2, g.kh, g.kw, 0, 0, cell, 180 * u);
  };
  for (int i = 0; i < pieces; ++i) {
    const auto [x0, y0] = at(t * i / pieces);
    const auto [x1, y1] = at(t * (i + 1) / pieces);
    s.line(x0, y0, x1, y1, ink, width, i + 1 == pieces, LineRole::Trace);
  }
  s.frame_rect(scaled(w00, 0.9f), ink, width, FrameRole::Corner);
  if (!turning)
    if (const SceneGrid* wr = s.find(Grid::Wr, c, oq))
      s.frame_rect(scaled(cell_rect(*wr, g.kh - 1, g.kw - 1), 0.9f), ink, width, FrameRole::Corner);
}

// Gp ⋆ Wr = dXp, the gradient and the kernel getting there stage by stage.
void draw(StageCanvas& s) {
  const Geometry& g = s.timeline().geometry();
  int n, c, o;
  s.slices(&n, &c, &o);
  const int oq = o % g.cout_per_group();
  // The kernel's slot holds W above Wr (draw_kernel), with room between them for Wr's label:
  // a row, or two when the label has its slice on a second line.
  // A lesson too large to show whole keeps the kernel's room for Wr alone, at a legible size.
  const int gap = g.c > 1 || g.cout > 1 ? 2 : 1;
  std::vector<StageCanvas::Slot> slots = {{Grid::Gp, n, o, g.gp_h(), g.gp_w(), "⋆"},
                                          {Grid::Wr, c, oq, 2 * g.kh + gap, g.kw, "="},
                                          {Grid::dXp, n, c, g.hp(), g.wp(), ""}};
  if (s.needs_focus(slots)) slots[1].rows = g.kh;
  s.layout(slots);
  draw_gradient(s, slots[0], n, o);
  draw_kernel(s, slots[1], c, oq);
  draw_dx_result(s, slots[2], n, c);
  if (stage_order(s.frame().stage) == 4) {
    s.window_overlay();
    s.term_overlay();
  }
}

// Every mistake touches dX: they are all mistakes of the gathering or of the gradient fed to it.
bool mistake_changes(Pitfall) {
  return true;
}

// t.a = Gp[n,o,y,x], t.b = Wr[c,o',u,v].
std::optional<MistakeSwap> mistake_term(const Timeline& tl, Pitfall p, const Term& t,
                                        const CellRef&) {
  const Geometry& g = tl.geometry();
  MistakeSwap s;
  switch (p) {
    case Pitfall::NoGradientPadding:
      // Without padding the gradient map, the terms it computes are the right ones; it
      // computes fewer cells.
      return std::nullopt;
    case Pitfall::ConvolutionConvention:
    case Pitfall::NoRotation:
      // Wr[c,o',u,v] is W[o,c',kh−1−u,kw−1−v]: the mistake reads W[o,c',u,v].
      s.first = false;
      s.right = mistake_operand(tl, t.b);
      s.wrong = mistake_operand(tl, {Grid::W, t.a.c, t.b.n % g.c_per_group(), t.b.h, t.b.w});
      break;
    case Pitfall::OutputAsGradient:
    case Pitfall::InputGradientAsGradient: {
      // The mistake's Gp holds Z (or dX) where this one holds G, and the same zeros.
      s.right = mistake_operand(tl, t.a);
      const int i = g.rows().gp_output(t.a.h), j = g.cols().gp_output(t.a.w);
      s.zero = i < 0 || j < 0;
      const Grid fed = p == Pitfall::OutputAsGradient ? Grid::Z : Grid::dX;
      s.wrong = s.zero ? s.right : mistake_operand(tl, {fed, t.a.n, t.a.c, i, j});
      break;
    }
  }
  s.product = s.first ? s.wrong.value * t.b_value : t.a_value * s.wrong.value;
  return s;
}

const char* mistake_how(Pitfall p) {
  switch (p) {
    case Pitfall::ConvolutionConvention:
    case Pitfall::NoRotation:
      return "it gathers with W in place of Wr";
    case Pitfall::OutputAsGradient:
      return "Z in place of G";
    case Pitfall::InputGradientAsGradient:
      return "dX in place of G";
    case Pitfall::NoGradientPadding:
      break;
  }
  return "";
}

// The stages that prepare the gathering: what the mistake skips there, or how it starts.
std::string mistake_at_stage(Pitfall p, Stage stage) {
  if (stage == Stage::ZeroUncovered || stage == Stage::Crop) return "";
  if (stage == Stage::RotateKernel &&
      (p == Pitfall::NoRotation || p == Pitfall::ConvolutionConvention))
    return "the mistake skips this turn, and gathers with W as it is.";
  if (stage == Stage::PadGradient && p == Pitfall::NoGradientPadding)
    return "the mistake skips this padding, and places the kernel only where it lies wholly "
           "on Gd.";
  if (p == Pitfall::OutputAsGradient || p == Pitfall::InputGradientAsGradient)
    return std::string("the mistake starts from ") + (p == Pitfall::OutputAsGradient ? "Z" : "dX") +
           " in place of G, so its Gp holds those values where this one holds G's.";
  return "";
}

}  // namespace

// The result slot of both dX phases: dXp filling up, its padding border hatched; at the crop
// the border shrinks away ring by ring from the outside, and dX remains where dXp's inside was,
// with a faint ghost of the border around it.
void draw_dx_result(StageCanvas& s, const StageCanvas::Slot& slot, int n, int c) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  const Frame& f = s.frame();
  if (slot.overview.w > 0 && f.stage == Stage::Crop && !(s.stepping() && s.move() < 1)) {
    // The focus view shows a part of dXp: dX takes its place, with no border to shrink away.
    s.mark_uncovered(s.add_grid(slot, Grid::dX, tl.tensor(Grid::dX), n, c,
                                s.slice_label(Grid::dX, n, c, "n", "c")),
                     0, 0);
    return;
  }
  const float cell = s.cell_size();
  const Rect inside{slot.bounds.x + (slot.cols - g.wp()) * cell / 2 + g.pad_left * cell,
                    slot.bounds.y + (slot.rows - g.hp()) * cell / 2 + g.pad_top * cell, g.w * cell,
                    g.h * cell};
  if (f.stage == Stage::Crop && slot.overview.w == 0) {
    const Rect outer{inside.x - g.pad_left * cell, inside.y - g.pad_top * cell, g.wp() * cell,
                     g.hp() * cell};
    if (outer.w > inside.w || outer.h > inside.h) s.ghost_border(outer, inside);
  }
  if (f.stage == Stage::Crop && !(s.stepping() && s.move() < 1)) {
    const StageCanvas::Slot dx{Grid::dX, n, c, g.h, g.w, "", inside};
    s.mark_uncovered(s.add_grid(dx, Grid::dX, tl.tensor(Grid::dX), n, c,
                                s.slice_label(Grid::dX, n, c, "n", "c")),
                     0, 0);
    return;
  }
  const GridValues values =
      f.result_grid == Grid::dXp ? s.result_or_final(Grid::dXp) : tl.tensor(Grid::dXp);
  SceneGrid& dxp = s.add_grid(slot, Grid::dXp, values, n, c,
                              s.slice_label(Grid::dXp, n, c, "n", "c"), &tl.tensor(Grid::dXp));
  if (f.result_grid == Grid::dXp) s.apply_progress(dxp, n, c);
  const int rings = std::max({g.pad_top, g.pad_bottom, g.pad_left, g.pad_right});
  for (SceneCell& cell_at : dxp.cells)
    if (tl.is_padding(Grid::dXp, cell_at.row, cell_at.col) && cell_at.style != CellStyle::Pending) {
      cell_at.style = f.stage == Stage::Crop ? CellStyle::Discarded : CellStyle::Padding;
      if (f.stage == Stage::Crop) {
        const int ring = ring_of(cell_at.row, cell_at.col, g.pad_top, g.pad_left, g.h, g.w);
        shrink(cell_at, 1 - in_turn(s.move(), rings - ring, rings));
      }
    }
  s.mark_uncovered(dxp, g.pad_top, g.pad_left);
  s.restyle_text(dxp);
}

extern const PhaseDef kDxGatherPhase = {
    .name = "dx_gather",
    .label = "dX gather",
    .title = "∂L/∂X by gathering: Gp ⋆ Wr",
    .explanation =
        "Each input cell collects the gradient of every output whose window covered it. "
        "Spreading G out by the stride (s−1 zeros between cells) puts each output back where "
        "its window started; padding it by (k−1)·dil lets the kernel hang over its edges. "
        "Why the kernel is rotated: W[0,0] of window (i, j) touches that window's own top-left "
        "input. So when input x gathers, the G cell whose window starts at x (or a zero, if "
        "no window starts there) sits at the bottom-right of the gathering window over Gp, "
        "and must meet W[0,0] there: Wr[k−1,k−1] = W[0,0], and so on for every weight, which "
        "is W turned through 180°. So correlating with Wr is convolving with W: Gp ⋆ Wr is the "
        "full true convolution Gd ∗ W, for each pair of channels (with W's taps spread apart "
        "by any dilation). Inputs that no window reaches collect nothing and do not learn. "
        "Finally any padding border is cropped off: the padding zeros are constants, "
        "not inputs, so their gradients are discarded.",
    .lesson_explanation = lesson_explanation,
    .result_name = "dX",
    .summed_over = "channels",
    .zero_term_note = "This term multiplies a zero of the padded gradient map: it adds nothing.",
    .unreached_remark = ": no window reaches it, so it gets no gradient",
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
    .final_values = nullptr,
    .cell_of = cell_of,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = draw,
    .mistake_changes = mistake_changes,
    .mistake_term = mistake_term,
    .mistake_how = mistake_how,
    .mistake_at_stage = mistake_at_stage,
};

}  // namespace convstep
