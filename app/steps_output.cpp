#include "app/steps_output.h"

#include <algorithm>
#include <cmath>

#include "core/format.h"
#include "core/json.h"
#include "core/loss.h"
#include "core/quiz.h"

namespace convstep {

namespace {

// JSON numbers exactly as nlohmann writes the rest of the line (1.0, not 1), so that a
// streamed term reads the same as a step's other numbers. JSON has no infinity (a product may
// overflow): nlohmann writes it as null.
void put_number(std::ostream& out, double v) {
  out << nlohmann::json(v).dump();
}

void put_cell(std::ostream& out, const CellRef& r, double value) {
  out << R"({"grid":")" << grid_name(r.grid) << R"(","index":[)" << r.n << ',' << r.c << ',' << r.h
      << ',' << r.w << R"(],"value":)";
  put_number(out, value);
  out << '}';
}

// Written directly rather than through a JSON value: a cell may list millions of terms.
// An exercise's blanked step writes no product: a cell of one term (the loss phase's) is its
// product.
void put_term(std::ostream& out, const Term& t, bool blank) {
  out << R"({"a":)";
  put_cell(out, t.a, t.a_value);
  if (t.b.grid != Grid::None) {
    out << R"(,"b":)";
    put_cell(out, t.b, t.b_value);
  }
  out << R"(,"product":)";
  if (blank)
    out << "null";
  else
    put_number(out, t.product);
  if (t.zero) out << R"(,"zero":true)";
  out << '}';
}

// One JSON line. A cell's terms are streamed one by one after the rest of the step: a cell may
// sum millions of them, and no step is ever held whole.
// An exercise's blanked step has no running sum: null, and "exercise": true; its note, which
// may say why the cell has its value (relu's "its slope is 1"), is left out.
void write_frame_json(std::ostream& out, const Timeline& tl, const Frame& f, bool skip,
                      bool blank) {
  nlohmann::json j = {{"index", f.index},
                      {"phase", phase_name(f.phase)},
                      {"granularity", granularity_name(f.granularity)}};
  if (f.kind == StepKind::Stage) {
    j["stage"] = stage_name(f.stage);
  } else {
    j["target"] = {{"grid", grid_name(f.target.grid)},
                   {"index", {f.target.n, f.target.c, f.target.h, f.target.w}}};
    if (f.source.grid != Grid::None)
      j["source"] = {{"grid", grid_name(f.source.grid)},
                     {"index", {f.source.n, f.source.c, f.source.h, f.source.w}}};
    j["running_sum"] = blank ? nlohmann::json(nullptr) : nlohmann::json(f.running_sum);
    if (blank) j["exercise"] = true;
    if (f.kind == StepKind::Sum) j["sum_of"] = f.block_sums;
  }
  j["equation"] = f.equation.text();
  if (!f.note.empty() && !blank) j["note"] = f.note;
  std::string head = j.dump();
  if (f.kind == StepKind::Stage) {
    out << head << '\n';
    return;
  }
  head.pop_back();  // the closing brace: the terms follow
  out << head << ",\"terms\":[";
  if (f.kind == StepKind::Term && f.current_term) {
    put_term(out, *f.current_term, blank);
  } else if (f.kind == StepKind::Cell || f.kind == StepKind::Block) {
    bool first = true;
    tl.for_each_term(f.phase, f.cell, skip, [&](const Term& t) {
      if (!first) out << ',';
      put_term(out, t, blank);
      first = false;
    });
  }
  out << "]}\n";
}

const char* kind_label(const Frame& f) {
  switch (f.kind) {
    case StepKind::Stage:
      return stage_name(f.stage);
    case StepKind::Term:
      return "term";
    case StepKind::Cell:
      return "cell";
    case StepKind::Block:
      return "all cells";
    case StepKind::Sum:
      return "sum";
  }
  return "";
}

// ---- The worksheet's tables ----

// One (n, c) slice of `t` as a Markdown table, columns and rows numbered; cells that differ
// from `right` (when given) in bold. The numbers are the tensors' own: nothing is recomputed.
// A blanked cell of an exercise, for the student to fill in.
constexpr const char* kBlank = "____";

bool blanked(const std::vector<std::size_t>* blanks, std::size_t offset) {
  return blanks && std::binary_search(blanks->begin(), blanks->end(), offset);
}

void slice_table(std::ostream& out, const Tensor& t, int n, int c, const Tensor* right,
                 const std::vector<std::size_t>* blanks) {
  out << "|   |";
  for (int x = 0; x < t.shape.w; ++x) out << " " << x << " |";
  out << "\n|---|";
  for (int x = 0; x < t.shape.w; ++x) out << "---|";
  out << "\n";
  for (int y = 0; y < t.shape.h; ++y) {
    out << "| **" << y << "** |";
    for (int x = 0; x < t.shape.w; ++x) {
      const std::string v = format_number(t(n, c, y, x), kUnicode);
      const bool differs = right && std::fabs(t(n, c, y, x) - (*right)(n, c, y, x)) > 1e-9;
      out << " "
          << (blanked(blanks, t.offset(n, c, y, x)) ? kBlank
              : differs                             ? "**" + v + "**"
                                                    : v)
          << " |";
    }
    out << "\n";
  }
}

// A list of numbers, one per channel (b, db), as a one-row table.
void channel_table(std::ostream& out, const std::string& name, const std::vector<double>& v,
                   const std::vector<std::size_t>* blanks = nullptr) {
  out << "\n**" << name << "** (" << v.size() << (v.size() == 1 ? " channel" : " channels")
      << "):\n\n|   |";
  for (std::size_t o = 0; o < v.size(); ++o) out << " " << o << " |";
  out << "\n|---|";
  for (std::size_t o = 0; o < v.size(); ++o) out << "---|";
  out << "\n| **" << name << "** |";
  for (std::size_t o = 0; o < v.size(); ++o)
    out << " " << (blanked(blanks, o) ? kBlank : format_number(v[o], kUnicode)) << " |";
  out << "\n";
}

}  // namespace

namespace {

void grid_tables(std::ostream& out, const std::string& name, const Tensor& t, const Tensor* right,
                 const std::vector<std::size_t>* blanks) {
  const bool compare = right && right->shape == t.shape;
  const long long slices = 1LL * t.shape.n * t.shape.c;
  const std::string size = dims(t.shape.h, t.shape.w);
  if (t.shape.h > kMaxTableSide || t.shape.w > kMaxTableSide) {
    out << "\n**" << name << "** (" << size << "): too large to print (over " << kMaxTableSide
        << "×" << kMaxTableSide << "); see the PNG export.\n";
    return;
  }
  if (slices == 0 || t.shape.h == 0 || t.shape.w == 0) {
    out << "\n**" << name << "** (" << size << "): empty.\n";
    return;
  }
  long long shown = 0;
  for (int n = 0; n < t.shape.n && shown < kMaxTableSlices; ++n)
    for (int c = 0; c < t.shape.c && shown < kMaxTableSlices; ++c, ++shown) {
      out << "\n**" << name << "**";
      if (slices > 1) out << "[" << n << "," << c << "]";
      out << " (" << size << ")" << (compare ? ", the cells that differ in bold" : "") << ":\n\n";
      slice_table(out, t, n, c, compare ? right : nullptr, blanks);
    }
  if (shown < slices)
    out << "\n… and " << (slices - shown) << " more slices of " << name
        << ", too many to print; see the PNG export.\n";
}

}  // namespace

void markdown_grid(std::ostream& out, const std::string& name, const Tensor& t,
                   const Tensor* right) {
  grid_tables(out, name, t, right, nullptr);
}

namespace {

// Where the G cells `cells` sit in G, Gd or Gp, as sorted offsets: the loss phase's exercise
// blanks them in every table that shows them.
std::vector<std::size_t> gradient_blanks(const Timeline& tl, Grid grid,
                                         const std::vector<CellRef>& cells) {
  const Geometry& g = tl.geometry();
  const bool padded = grid == Grid::Gp, dilated = grid != Grid::G;
  const int top = padded ? (g.kh - 1) * g.dil_h : 0, left = padded ? (g.kw - 1) * g.dil_w : 0;
  const int sh = dilated ? g.stride_h : 1, sw = dilated ? g.stride_w : 1;
  std::vector<std::size_t> out;
  for (const CellRef& r : cells)
    out.push_back(tl.tensor(grid).offset(r.n, r.c, top + r.h * sh, left + r.w * sw));
  std::sort(out.begin(), out.end());
  return out;
}

// The lesson a worksheet opens with: X, W, b, G and the settings, padding included. `asked_g`:
// the G cells the loss phase's exercise blanks.
void lesson_tables(std::ostream& out, const Timeline& tl, const std::vector<CellRef>& asked_g) {
  const Geometry& g = tl.geometry();
  out << "\n## The lesson\n\n"
      << "| setting | value |\n|---|---|\n"
      << "| X (samples × channels × rows × columns) | " << g.input_shape().str() << " |\n"
      << "| W (filters × channels × rows × columns) | " << g.weight_shape().str() << " |\n"
      << "| stride (rows × columns) | " << g.stride_h << "×" << g.stride_w << " |\n"
      << "| padding | top " << g.pad_top << ", bottom " << g.pad_bottom << ", left " << g.pad_left
      << ", right " << g.pad_right << " |\n"
      << "| dilation (rows × columns) | " << g.dil_h << "×" << g.dil_w << " |\n"
      << "| groups | " << g.groups << " |\n"
      << "| Z (samples × channels × rows × columns) | " << g.output_shape().str() << " |\n";
  markdown_grid(out, "X", tl.tensor(Grid::X));
  markdown_grid(out, "W", tl.tensor(Grid::W));
  if (tl.lesson().bias.empty())
    out << "\nNo bias b.\n";
  else
    channel_table(out, "b", tl.lesson().bias);
  const Lesson& l = tl.lesson();
  if (!l.gives_gradient())
    out << "\nThe loss is L = " << loss_formula(l.loss.kind)
        << "; G = ∂L/∂Z is derived from it in the loss phase.\n";
  if (!l.gives_gradient() && l.loss.kind == LossKind::Mse)
    markdown_grid(out, "T", tl.tensor(Grid::T));
  const std::vector<std::size_t> blanks = gradient_blanks(tl, Grid::G, asked_g);
  grid_tables(out, "G", tl.tensor(Grid::G), nullptr, blanks.empty() ? nullptr : &blanks);
}

// The grid a stage brings in, printed when it first appears.
Grid stage_grid(Stage s) {
  switch (s) {
    case Stage::PadInput:
      return Grid::Xp;
    case Stage::DilateGradient:
      return Grid::Gd;
    case Stage::PadGradient:
      return Grid::Gp;
    case Stage::RotateKernel:
      return Grid::Wr;
    case Stage::ZeroUncovered:
    case Stage::Crop:
      return Grid::dXp;
    case Stage::Im2col:
      return Grid::cols;
    case Stage::Toeplitz:
      return Grid::TW;
    default:
      return Grid::None;
  }
}

// The grid an intermediate grid is made from (dXp: the one it is cropped to); the same size
// means the same values.
Grid source_grid(Grid g) {
  switch (g) {
    case Grid::Xp:
      return Grid::X;
    case Grid::Gd:
      return Grid::G;
    case Grid::Gp:
      return Grid::Gd;
    case Grid::dXp:
      return Grid::dX;
    default:  // Wr: W turned, never the same grid
      return Grid::None;
  }
}

void grid_table(std::ostream& out, const Timeline& tl, Grid g, const std::string& caption,
                const std::vector<std::size_t>* blanks = nullptr) {
  if (g == Grid::db)
    channel_table(out, caption, tl.tensor(g).values, blanks);  // [1][Cout][1][1]: channel order
  else
    grid_tables(out, caption, tl.tensor(g), nullptr, blanks);
}

// An exercise: the result cells blanked in one phase (the quiz's chooser), and the cells their
// steps compute.
struct Exercise {
  std::vector<std::size_t> offsets;  // in the result grid, in order
  std::vector<CellRef> results, steps;
};

Exercise make_exercise(const Timeline& tl, Phase p, int n) {
  Exercise e;
  for (const ExerciseCell& c : exercise(tl, p, n)) {
    e.offsets.push_back(c.offset);
    e.results.push_back(c.result);
    e.steps.push_back(c.step);
  }
  return e;
}

// The answer key of one phase: each blanked cell's value and the equation that gives it, both
// from the timeline.
void write_answers(std::ostream& out, const Timeline& tl, Phase p, const Exercise& e) {
  out << "\n## " << phase_title(p) << "\n\n";
  const Tensor& t = tl.tensor(phase_result(p));
  for (std::size_t i = 0; i < e.offsets.size(); ++i)
    out << "- **" << tl.cell_name(e.results[i]) << " = "
        << format_number(t.values[e.offsets[i]], kUnicode) << "**: `" << tl.equation_of(e.steps[i])
        << "`\n";
}

// Where a scattered G cell's window lands on dXp (the same rows and columns in every channel
// it stamps): " — G[0,1]'s window lands on dXp rows 0–2; columns 2–4".
void landing(std::ostream& out, const Timeline& tl, const Frame& f) {
  const Window& w = *f.window;
  const auto span = [&](const char* what, int first, int count, int step) {
    out << what << " " << first;
    if (count > 1 && step == 1) out << "–" << first + count - 1;
    if (count > 1 && step > 1 && count <= 5)
      for (int i = 1; i < count; ++i) out << ", " << first + i * step;
    if (count > 5 && step > 1) out << "–" << first + (count - 1) * step << " (step " << step << ")";
  };
  out << " — " << tl.cell_name(f.source) << "'s window lands on dXp";
  span(" rows", w.top, w.rows, w.step_h);
  span("; columns", w.left, w.cols, w.step_w);
  if (tl.geometry().n > 1) out << " of sample " << w.n;
}

// A blanked cell's value stays hidden in the steps that compute it, to the last one: their
// equations end in a blank. True when `f` is such a step.
bool blank_step(Frame& f, const Exercise& exercise) {
  if (f.kind == StepKind::Stage ||
      std::find(exercise.steps.begin(), exercise.steps.end(), f.target) == exercise.steps.end())
    return false;
  if (!f.equation.result.empty()) f.equation.result = kBlank;
  if (!f.equation.running.empty()) f.equation.running = kBlank;
  // A remark that decides the answer (relu's "(Z[1,2] = 5 > 0)") is hidden with it.
  if (phase_remark_gives_result(f.phase)) f.equation.remark.clear();
  return true;
}

// One step of the worksheet: a numbered line, then the grid its stage brings in, the first
// time that grid appears.
void markdown_step(std::ostream& out, const Timeline& tl, const Frame& f, long long k, bool* shown,
                   const Exercise& exercise, const std::vector<CellRef>& asked_g) {
  // A paragraph, not a list item: a table between items would restart a list's numbering in
  // some Markdown viewers.
  out << "**Step " << (k + 1) << ".** " << (f.kind == StepKind::Stage ? "*" + f.note + "* " : "")
      << "`" << f.equation.text() << "`";
  if (f.window && f.source.grid == Grid::G) landing(out, tl, f);  // a scattering step
  out << "\n\n";
  const Grid g = f.kind == StepKind::Stage ? stage_grid(f.stage) : Grid::None;
  if (g == Grid::None || shown[static_cast<int>(g)]) return;
  shown[static_cast<int>(g)] = true;
  // A grid the same size as the one it comes from is that grid (Xp = X without padding,
  // Gd = G at stride 1, dXp = dX): it is printed once, under its first name.
  if (tl.tensor(g).shape == tl.tensor(source_grid(g)).shape) return;
  // dXp holds dX inside it: an exercise's blanked dX cells are blank there too.
  // Gd and Gp hold G: the loss phase's blanked G cells are blank there too.
  std::vector<std::size_t> blanks;
  if (g == Grid::Gd || g == Grid::Gp) blanks = gradient_blanks(tl, g, asked_g);
  for (const CellRef& r : exercise.steps)
    if (r.grid == g) blanks.push_back(tl.tensor(g).offset(r.n, r.c, r.h, r.w));
  std::sort(blanks.begin(), blanks.end());
  grid_table(out, tl, g, grid_name(g), blanks.empty() ? nullptr : &blanks);
  out << "\n";
}

}  // namespace

bool write_steps(std::ostream& out, const Timeline& tl, const StepsRequest& req) {
  // The G cells the loss phase's exercise blanks: blank in G's table at the top and in Gd, Gp.
  std::vector<CellRef> asked_g;
  if (req.exercise > 0)
    for (Phase p : req.phases)
      if (phase_result(p) == Grid::G) asked_g = make_exercise(tl, p, req.exercise).results;
  if (req.format == StepsFormat::Markdown) {
    const std::string title =
        tl.lesson().title.empty() ? "Convolution worksheet" : tl.lesson().title;
    out << "# " << title << "\n\n";
    const Geometry& g = tl.geometry();
    out << "X " << g.input_shape().str() << ", W " << g.weight_shape().str() << ", stride "
        << g.stride_h << "×" << g.stride_w << ", dilation " << g.dil_h << "×" << g.dil_w
        << ", groups " << g.groups << " → Z " << g.output_shape().str() << ".\n";
    lesson_tables(out, tl, asked_g);
  }
  if (req.answers) {
    const std::string title =
        tl.lesson().title.empty() ? "Convolution worksheet" : tl.lesson().title;
    *req.answers << "# Answers: " << title << "\n\nThe blanked cells of the "
                 << (req.format == StepsFormat::Markdown ? "worksheet" : "steps")
                 << ", with the equation that gives each.\n";
  }
  bool shown[static_cast<int>(Grid::None) + 1] = {};  // the grids printed so far
  shown[static_cast<int>(Grid::X)] = shown[static_cast<int>(Grid::W)] = true;
  shown[static_cast<int>(Grid::G)] = true;
  for (Phase p : req.phases) {
    const long long total = tl.count(p, req.granularity, req.skip_zero_terms);
    const long long end = req.count < 0 ? total : std::min(total, req.from + req.count);
    const Exercise exercise = req.exercise > 0 ? make_exercise(tl, p, req.exercise) : Exercise{};
    if (req.format == StepsFormat::Markdown)
      out << "\n## " << phase_title(p) << "\n\n" << tl.explanation(p) << "\n\n";
    for (long long k = req.from; k < end; ++k) {
      Frame f = tl.frame(p, req.granularity, k, req.skip_zero_terms, /*with_result=*/false);
      const bool blank = blank_step(f, exercise);
      switch (req.format) {
        case StepsFormat::Jsonl:
          write_frame_json(out, tl, f, req.skip_zero_terms, blank);
          break;
        case StepsFormat::Text:
          out << phase_name(p) << ' ' << k << '/' << total << ' ' << kind_label(f) << ": "
              << f.equation.text();
          if (!f.note.empty() && f.kind == StepKind::Stage) out << "  — " << f.note;
          out << '\n';
          break;
        case StepsFormat::Markdown:
          markdown_step(out, tl, f, k, shown, exercise, asked_g);
          break;
      }
      if (!out) return false;
    }
    if (req.format == StepsFormat::Markdown && req.from < total && end == total &&
        tl.accumulation_grid(p) != Grid::None) {
      const Grid r = phase_result(p);
      out << "\nThe result of this phase:\n";
      grid_table(out, tl, r, grid_name(r), &exercise.offsets);
    }
    if (req.answers && !exercise.offsets.empty()) write_answers(*req.answers, tl, p, exercise);
  }
  out.flush();
  return static_cast<bool>(out);
}

namespace {

nlohmann::json tensor_json(const Tensor& t) {
  nlohmann::json out = nlohmann::json::array();
  const Shape& s = t.shape;
  for (int n = 0; n < s.n; ++n) {
    nlohmann::json channels = nlohmann::json::array();
    for (int c = 0; c < s.c; ++c) {
      nlohmann::json rows = nlohmann::json::array();
      for (int h = 0; h < s.h; ++h) {
        const double* row = &t.values[t.offset(n, c, h, 0)];
        rows.push_back(std::vector<double>(row, row + s.w));
      }
      channels.push_back(std::move(rows));
    }
    out.push_back(std::move(channels));
  }
  return out;
}

}  // namespace

void write_results_json(std::ostream& out, const Lesson& lesson, const Results& r) {
  nlohmann::json j = {{"output", tensor_json(r.Z)},
                      {"grad_output", tensor_json(lesson.upstream_gradient())},
                      {"grad_input", tensor_json(r.dX)},
                      {"grad_weight", tensor_json(r.dW)},
                      {"grad_bias", r.db}};
  if (!lesson.gives_gradient()) j["loss"] = loss_value(lesson.loss, r.Z);
  out << j.dump() << "\n";
}

}  // namespace convstep
