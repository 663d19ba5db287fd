// ∂L/∂W: dW[o,c,u,v] = Σ over samples n and outputs (i, j) of
// Xp[n,c,i·s+u·dil,j·s+v·dil]·G[n,o,i,j]: G, spread out by the stride, laid over Xp at (u·dil,
// v·dil). Loops: cells (outer = o·(C/groups) + c within the group, a = u, b = v), terms (q = n, p =
// i, r = j).
#include "core/format.h"
#include "core/phases/canvas.h"
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model&) {
  return {Stage::PadInput, Stage::None};
}

BlockShape shape(const Geometry& g) {
  return {.outer = g.cout * g.c_per_group(),
          .q = g.n,
          .rows = g.kh,
          .rows_inner = g.oh,
          .cols = g.kw,
          .cols_inner = g.ow,
          .sum_step = g.n > 1};
}

// Output row i meets tap u on Xp row i·s + u·dil: a padding zero unless it falls on X.
bool row_ok(const Model& m, int u, int i) {
  const ConvAxis rows = m.geo.rows();
  return rows.in_input(rows.input_of(i, u));
}
bool col_ok(const Model& m, int v, int j) {
  const ConvAxis cols = m.geo.cols();
  return cols.in_input(cols.input_of(j, v));
}

// Output channel o and input channel c of the cell.
void channels(const Geometry& g, int outer, int* o, int* c) {
  *o = outer / g.c_per_group();
  *c = *o / g.cout_per_group() * g.c_per_group() + outer % g.c_per_group();
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  int o, c;
  channels(g, t.outer, &o, &c);
  Term term;
  term.a = {Grid::Xp, t.q, c, t.p * g.stride_h + t.a * g.dil_h, t.r * g.stride_w + t.b * g.dil_w};
  term.b = {Grid::G, t.q, o, t.p, t.r};
  *target = {Grid::dW, o, t.outer % g.c_per_group(), t.a, t.b};
  return term;
}

// G's footprint on Xp: every output's tap (u, v), a lattice with the stride as its step.
Window window(const Geometry& g, const TermAt& t) {
  int o, c;
  channels(g, t.outer, &o, &c);
  return {Grid::Xp, t.q, c, t.a * g.dil_h, t.b * g.dil_w, g.oh, g.ow, g.stride_h, g.stride_w};
}

Grid result_grid(Stage) {
  return Grid::dW;
}

std::optional<long long> cell_of(const Model& m, const CellRef& cell) {
  if (cell.grid != Grid::dW) return std::nullopt;
  return m.results.dW.offset(cell.n, cell.c, cell.h, cell.w);
}

// The stride and dilation of dW = Xp ⋆ G here; with groups, dW's channel index.
std::string lesson_explanation(const Model& m) {
  const Geometry& g = m.geo;
  auto pair = [](int a, int b) { return "(" + std::to_string(a) + ", " + std::to_string(b) + ")"; };
  std::string s = "Here G's dilation is " + pair(g.stride_h, g.stride_w) +
                  " and its stride over Xp is " + pair(g.dil_h, g.dil_w) + ".";
  if (g.groups == 1) return s;
  const int o = (g.groups - 1) * g.cout_per_group(), c = (g.groups - 1) * g.c_per_group();
  return s + " With groups, " + group_split(g) +
         ". dW[o,c] has W's channel index, counted within o's group, while Xp's counts all "
         "channels: dW[" +
         std::to_string(o) + ",0] comes from Xp channel " + std::to_string(c) + " and G channel " +
         std::to_string(o) + ".";
}

void slices(const Geometry&, const Frame& f, int* n, int* c, int* o) {
  if (f.window) *n = f.window->n, *c = f.window->c;
  if (f.kind != StepKind::Stage) *o = f.target.n;
}

// Xp ⋆ G = dW: G laid over Xp.
void draw(StageCanvas& s) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  int n, c, o;
  s.slices(&n, &c, &o);
  const int cq = c % g.c_per_group();
  std::vector<StageCanvas::Slot> slots = {{Grid::Xp, n, c, g.hp(), g.wp(), "⋆"},
                                          {Grid::G, n, o, g.oh, g.ow, "="},
                                          {Grid::dW, o, cq, g.kh, g.kw, ""}};
  s.layout(slots);
  s.style_padding(s.add_grid(slots[0], Grid::Xp, tl.tensor(Grid::Xp), n, c,
                             s.slice_label(Grid::Xp, n, c, "n", "c")),
                  s.stepping() && s.frame().stage == Stage::PadInput ? s.move() : 1.0f);
  s.add_grid(slots[1], Grid::G, tl.tensor(Grid::G), n, o, s.slice_label(Grid::G, n, o, "n", "o"));
  SceneGrid& dw = s.add_grid(slots[2], Grid::dW, s.result_or_final(Grid::dW), o, cq,
                             s.slice_label(Grid::dW, o, cq, "o", "c"), &tl.tensor(Grid::dW));
  s.apply_progress(dw, o, cq);
  s.window_overlay();
  s.term_overlay();
}

// The mistakes that touch dW: the convolution's convention, and Z fed back as the gradient.
bool mistake_changes(Pitfall p) {
  return p == Pitfall::ConvolutionConvention || p == Pitfall::OutputAsGradient;
}

// t.a = Xp[n,c,i·s+u·dil,j·s+v·dil], t.b = G[n,o,i,j].
std::optional<MistakeSwap> mistake_term(const Timeline& tl, Pitfall p, const Term& t,
                                        const CellRef& target) {
  const Geometry& g = tl.geometry();
  MistakeSwap s;
  if (p == Pitfall::ConvolutionConvention) {
    // A true convolution pairs G[i,j] with the input under the kernel's opposite tap.
    const int y = t.b.h * g.stride_h + (g.kh - 1 - target.h) * g.dil_h;
    const int x = t.b.w * g.stride_w + (g.kw - 1 - target.w) * g.dil_w;
    s.right = mistake_operand(tl, t.a),
    s.wrong = mistake_operand(tl, {Grid::Xp, t.a.n, t.a.c, y, x});
    s.product = s.wrong.value * t.b_value;
  } else {  // OutputAsGradient
    s.first = false;
    s.right = mistake_operand(tl, t.b);
    s.wrong = mistake_operand(tl, {Grid::Z, t.b.n, t.b.c, t.b.h, t.b.w});
    s.product = t.a_value * s.wrong.value;
  }
  return s;
}

const char* mistake_how(Pitfall p) {
  return p == Pitfall::ConvolutionConvention
             ? "it pairs each G cell with the input under the opposite tap"
             : "Z in place of G";
}

}  // namespace

extern const PhaseDef kDwPhase = {
    .name = "dw",
    .label = "dW",
    .title = "∂L/∂W: G laid over Xp",
    .explanation =
        "W[u,v] multiplied Xp[i·s + u·dil, j·s + v·dil] in every window (i, j), so its "
        "gradient collects those inputs weighted by how much the loss cares about each "
        "output: dW[u,v] = Σ Xp[i·s + u·dil, j·s + v·dil]·G[i,j]. Picture G, spread out by "
        "the stride, laid over Xp at offset (u·dil, v·dil). The same kernel is used for every "
        "sample of the batch, so its gradient sums over the batch. In other words dW is the "
        "top-left kH×kW part of Xp ⋆ G, with G as the kernel: the stride becomes G's dilation (its "
        "cells land s apart on Xp), "
        "and the kernel's dilation becomes the stride (dW's cells are dil apart on Xp).",
    .lesson_explanation = lesson_explanation,
    .result_name = "dW",
    .summed_over = "samples",
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
    .result = Grid::dW,
    .result_grid = result_grid,
    .final_values = nullptr,
    .cell_of = cell_of,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = draw,
    .mistake_changes = mistake_changes,
    .mistake_term = mistake_term,
    .mistake_how = mistake_how,
};

}  // namespace convstep
