// ∂L/∂X by scattering: each G cell adds g·W into the window it came from (a transposed
// convolution); the crop then leaves dX. A step's terms land in many cells of dXp.
// Loops: cells (outer = n·Cout + o, a = i, b = j: the G cell that stamps), terms (q = c within
// o's group, p = u, r = v).
#include <algorithm>
#include <cstdint>

#include "core/format.h"
#include "core/phases/canvas.h"
#include "core/phases/phases.h"

namespace convstep {

namespace {

std::vector<Stage> stages(const Model&) {
  return {Stage::None, Stage::Crop};
}

BlockShape shape(const Geometry& g) {
  return {.outer = g.n * g.cout,
          .q = g.c_per_group(),
          .rows = g.oh,
          .rows_inner = g.kh,
          .cols = g.ow,
          .cols_inner = g.kw,
          .sum_step = false};
}

// The input channel of term q: the q-th of output channel o's group.
int channel(const Geometry& g, int o, int q) {
  return o / g.cout_per_group() * g.c_per_group() + q;
}

Term term(const Geometry& g, const TermAt& t, CellRef* target) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  Term term;
  term.a = {Grid::G, n, o, t.a, t.b};
  term.b = {Grid::W, o, t.q, t.p, t.r};
  *target = {Grid::dXp, n, channel(g, o, t.q), t.a * g.stride_h + t.p * g.dil_h,
             t.b * g.stride_w + t.r * g.dil_w};
  return term;
}

// The stamp of g·W on dXp.
Window window(const Geometry& g, const TermAt& t) {
  const int n = t.outer / g.cout, o = t.outer % g.cout;
  return {Grid::dXp, n,      channel(g, o, t.q), t.a * g.stride_h, t.b * g.stride_w, g.kh, g.kw,
          g.dil_h,   g.dil_w};
}

std::optional<CellRef> source(const Geometry& g, const TermAt& t) {
  return CellRef{Grid::G, t.outer / g.cout, t.outer % g.cout, t.a, t.b};
}

Grid result_grid(Stage stage) {
  return stage == Stage::Crop ? Grid::dX : Grid::dXp;
}

// The kernel taps that reach each row (or column) y of dXp, with the output each comes
// from: y = i·s + u·dil, u ascending. Found once per frame, so that no cell divides.
struct Taps {
  struct Tap {
    int u, i;
  };
  std::vector<int> start;  // size + 1 offsets into list
  std::vector<Tap> list;

  explicit Taps(const ConvAxis& axis) {
    start.push_back(0);
    for (int y = 0; y < axis.padded(); ++y) {
      for (int u = 0; u < axis.k; ++u)
        if (const int i = axis.output_of(y, u); i >= 0) list.push_back({u, i});
      start.push_back(static_cast<int>(list.size()));
    }
  }
  const Tap* begin(int y) const { return list.data() + start[y]; }
  const Tap* end(int y) const { return list.data() + start[y + 1]; }
};

// dXp[n,c,y,x] as it stands when the stamps of the sources before `cell`, and the terms of
// `cell` up to `term`, have landed; `any`/`all`: whether some or every contribution has.
struct Stamped {
  double value = 0;
  bool any = false, all = true;
};

struct Stamper {
  const Model& m;
  Taps rows, cols;
  // Contribution t of source cell k lands at step k·per_source + t (per_source: its terms and
  // one past them, the whole-cell step); it is in when that is at most `now`.
  long long per_source, now;

  Stamper(const Model& model, long long cell_now, long long term_now)
      : m(model),
        rows(m.geo.rows()),
        cols(m.geo.cols()),
        per_source(1LL * m.geo.c_per_group() * m.geo.kh * m.geo.kw + 1),
        now(cell_now * per_source + term_now) {}

  Stamped at(int n, int c, int y, int x) const {
    const Geometry& g = m.geo;
    const int grp = c / g.c_per_group(), c_in = c - grp * g.c_per_group();
    Stamped out;
    for (int o = grp * g.cout_per_group(); o < (grp + 1) * g.cout_per_group(); ++o)
      for (const Taps::Tap* row = rows.begin(y); row != rows.end(y); ++row)
        for (const Taps::Tap* col = cols.begin(x); col != cols.end(x); ++col) {
          const long long source = ((1LL * n * g.cout + o) * g.oh + row->i) * g.ow + col->i;
          const long long t = (1LL * c_in * g.kh + row->u) * g.kw + col->u;
          // Every contribution is computed, included or not: the cost must not depend on how
          // far the scatter has come.
          const bool in = source * per_source + t <= now;
          const double product =
              m.G(n, o, row->i, col->i) * m.lesson.weight(o, c_in, row->u, col->u);
          out.value += in ? product : 0.0;
          out.any |= in;
          out.all &= in;
        }
    return out;
  }
};

// dXp as it stands, a row at a time: each term adds g·w along a row of G, so the sums of a
// row build up together, each cell's in the same order (o, u, v) as Stamper::at adds them.
ResultFill stamps(const Stamper& st, const Geometry& g, const Shape& dxp) {
  Tensor sums(dxp);
  std::vector<Progress> progress(sums.values.size());
  std::vector<std::uint8_t> any(g.wp()), all(g.wp());
  for (int n = 0; n < g.n; ++n)
    for (int c = 0; c < g.c; ++c) {
      const int grp = c / g.c_per_group(), c_in = c - grp * g.c_per_group();
      for (int y = 0; y < g.hp(); ++y) {
        double* values = &sums.values[sums.offset(n, c, y, 0)];
        std::fill(any.begin(), any.end(), 0);
        std::fill(all.begin(), all.end(), 1);
        for (int o = grp * g.cout_per_group(); o < (grp + 1) * g.cout_per_group(); ++o)
          for (const Taps::Tap* row = st.rows.begin(y); row != st.rows.end(y); ++row) {
            const double* G_row = &st.m.G.values[st.m.G.offset(n, o, row->i, 0)];
            const double* W_row =
                &st.m.lesson.weight.values[st.m.lesson.weight.offset(o, c_in, row->u, 0)];
            const long long source_row = ((1LL * n * g.cout + o) * g.oh + row->i) * g.ow;
            for (int v = 0; v < g.kw; ++v) {
              const long long t = (1LL * c_in * g.kh + row->u) * g.kw + v;
              for (int j = 0, x = v * g.dil_w; j < g.ow; ++j, x += g.stride_w) {
                // Every contribution is computed, included or not: the cost must not depend on
                // how far the scatter has come.
                const bool in = (source_row + j) * st.per_source + t <= st.now;
                const double product = G_row[j] * W_row[v];  // made first: a select, no branch
                values[x] += in ? product : 0.0;
                any[x] |= in;
                all[x] &= in;
              }
            }
          }
        Progress* row_progress = &progress[sums.offset(n, c, y, 0)];
        for (int x = 0; x < g.wp(); ++x)
          row_progress[x] = all[x]   ? Progress::Done
                            : any[x] ? Progress::Partial
                                     : Progress::Pending;
      }
    }
  return ResultFill::held(std::move(sums), std::move(progress));
}

// A term adds into one cell of dXp; a whole step stamps g·W[o] into the source's window.
void scatter_step(const Model& m, const PhaseDef& def, const BlockStep& s, Frame& f) {
  const Stamper stamper(m, s.cell, s.term);
  if (s.granularity == Granularity::Phase)
    show_complete(s, f);
  else if (s.final_values)
    f.result = stamps(stamper, m.geo, s.final_values->shape);
  Equation& e = f.equation;
  e.op = "+=";
  if (s.whole_cell) {
    // The target is where the stamp's last term lands, with its dXp value after the stamp:
    // a Cell step ends where the Term steps of its cell end, and the last one at dX's values.
    def.term(m.geo, {s.at.outer, s.at.a, s.at.b, s.shape.q - 1, m.geo.kh - 1, m.geo.kw - 1},
             &f.target);
    f.running_sum = stamper.at(f.target.n, f.target.c, f.target.h, f.target.w).value;
    // The filter of the source's output channel: W itself when there is only one.
    const std::string filter = m.simple_names ? "W" : "W[" + std::to_string(f.source.c) + "]";
    const double g = m.value(f.source);
    e.target = "dXp[window of " + m.name(f.source) + "]";
    e.terms = {{m.name(f.source) + "·" + filter, factor(g) + "·" + filter}};
    f.note = "The gradient " + number(g) + " of " + m.name(f.source) +
             " flows back through every weight of " + filter + " into its window.";
    if (s.granularity == Granularity::Phase && s.cells > 1)
      f.note = "All " + plural(s.cells, "G cell") +
               " have stamped their gradient times their filter; the last stamp is shown.";
    return;
  }
  const CellRef& t = s.current_target;
  const Term& term = s.current;
  f.target = t;
  f.running_sum = stamper.at(t.n, t.c, t.h, t.w).value;
  e.target = m.name(t);
  e.terms = {product_term(m.name(term.a), term.a_value, m.name(term.b), term.b_value)};
  e.result = number(term.product);
  e.running = number(f.running_sum);
  // Its one term is the step itself: no current term to single out (current stays −1).
}

// Groups: which input channels a G cell stamps into, and W's channel index within them.
std::string groups_words(const Geometry& g) {
  if (g.groups == 1) return "";
  const int o = (g.groups - 1) * g.cout_per_group(), c = (g.groups - 1) * g.c_per_group();
  return "Here " + group_split(g) + ". A G cell of output channel o stamps only into the " +
         plural(g.c_per_group(), "input channel") +
         " of its own group. W's channel index counts within the group, dXp's counts all "
         "channels: W[" +
         std::to_string(o) + ",0] lands on dXp channel " + std::to_string(c) + ". ";
}

std::string pair(int a, int b) {
  return "(" + std::to_string(a) + ", " + std::to_string(b) + ")";
}

// "inputs of 7 and 8 rows both give 3 output rows": the sizes that the stride maps to one
// output size, which conv_transpose2d cannot tell apart (sizes of Xp when the call pads
// nothing and a slice crops).
std::string same_output(int in, int shortfall, int out, const char* noun, bool padded) {
  const std::string n = std::string(" ") + noun + "s";
  return (padded ? "padded inputs of " : "inputs of ") + std::to_string(in - shortfall) +
         (shortfall == 1 ? " and " : " to ") + std::to_string(in) + n +
         (shortfall == 1 ? " both" : " all") + " give " +
         plural(out, std::string("output ") + noun);
}

// The phase as one PyTorch call with this lesson's arguments. PyTorch pads both sides alike;
// with uneven padding the call makes dXp and a slice crops it. output_padding gives back the
// rows and columns past the last window, which the sizes of G and W alone do not tell.
std::string pytorch_words(const Geometry& g) {
  const ConvAxis R = g.rows(), C = g.cols();
  const int op_h = R.padded() - R.gather_extent(), op_w = C.padded() - C.gather_extent();
  const bool even = g.pad_top == g.pad_bottom && g.pad_left == g.pad_right;
  const int p_h = even ? g.pad_top : 0, p_w = even ? g.pad_left : 0;
  std::string call = "F.conv_transpose2d(G, W, stride=" + pair(g.stride_h, g.stride_w) +
                     ", padding=" + pair(p_h, p_w) + ", output_padding=" + pair(op_h, op_w) +
                     ", groups=" + std::to_string(g.groups) +
                     ", dilation=" + pair(g.dil_h, g.dil_w) + ")";
  if (!even)
    call += "[:, :, " + std::to_string(g.pad_top) + ":" + std::to_string(g.pad_top + g.h) + ", " +
            std::to_string(g.pad_left) + ":" + std::to_string(g.pad_left + g.w) + "]";
  std::string s = "In PyTorch this phase is one call: dX = " + call + ".";
  if (!even) s += " PyTorch pads both sides alike, so the call makes dXp and the slice crops it.";
  if (op_h == 0 && op_w == 0) return s;
  const int h = R.padded() - 2 * p_h, w = C.padded() - 2 * p_w;  // the call's result
  std::string why;
  if (op_h > 0) why = same_output(h, op_h, g.oh, "row", !even);
  if (op_w > 0) why += (why.empty() ? "" : ", and ") + same_output(w, op_w, g.ow, "column", !even);
  return s + " output_padding = " + pair(op_h, op_w) + " is needed: with stride " +
         pair(g.stride_h, g.stride_w) + ", " + why +
         ", so the call must be told which; without it the result is " + dims(h - op_h, w - op_w) +
         ", with it " + dims(h, w) + ".";
}

std::string lesson_explanation(const Model& m) {
  return groups_words(m.geo) + pytorch_words(m.geo);
}

void slices(const Geometry&, const Frame& f, int* n, int* c, int* o) {
  if (f.kind != StepKind::Stage) *n = f.source.n, *o = f.source.c;
  if (f.window) *c = f.window->c;
}

// G · W → dXp: each G cell stamps g·W into its window.
void draw(StageCanvas& s) {
  const Timeline& tl = s.timeline();
  const Geometry& g = tl.geometry();
  int n, c, o;
  s.slices(&n, &c, &o);
  const int cq = c % g.c_per_group();
  std::vector<StageCanvas::Slot> slots = {{Grid::G, n, o, g.oh, g.ow, "·"},
                                          {Grid::W, o, cq, g.kh, g.kw, "→"},
                                          {Grid::dXp, n, c, g.hp(), g.wp(), ""}};
  s.layout(slots);
  s.add_grid(slots[0], Grid::G, tl.tensor(Grid::G), n, o, s.slice_label(Grid::G, n, o, "n", "o"));
  s.add_grid(slots[1], Grid::W, tl.tensor(Grid::W), o, cq, s.slice_label(Grid::W, o, cq, "o", "c"));
  draw_dx_result(s, slots[2], n, c);
  s.window_overlay();
  s.term_overlay();
}

}  // namespace

extern const PhaseDef kDxScatterPhase = {
    .name = "dx_scatter",
    .label = "dX scatter",
    .title = "∂L/∂X by scattering: each G cell stamps g·W",
    .explanation =
        "The same gradient, computed the other way round: each output's gradient g flows "
        "back along the weights that produced it, so every G cell adds g times the filter of "
        "its output channel into the window it came from (a transposed convolution). No "
        "rotation is needed here. Where windows overlap, the contributions add up; any parts "
        "that land on the padding are cropped off at the end.",
    .lesson_explanation = lesson_explanation,
    .result_name = "dX",
    .summed_over = "",
    .zero_term_note = "",
    .unreached_remark = "",
    .stages = stages,
    .shape = shape,
    .row_ok = nullptr,
    .col_ok = nullptr,
    .term = term,
    .window = window,
    .source = source,
    .block_step = scatter_step,
    .result = Grid::dX,
    .result_grid = result_grid,
    .final_values = nullptr,
    .cell_of = nullptr,
    .cell_remark = nullptr,
    .slices = slices,
    .draw = draw,
};

}  // namespace convstep
