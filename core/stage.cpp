#include "core/stage.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <optional>

#include "core/colormap.h"
#include "core/equation.h"
#include "core/format.h"
#include "core/mistake.h"
#include "core/phases/canvas.h"
#include "core/phases/phases.h"
#include "core/quiz.h"

namespace convstep {

std::vector<std::string> wrap_text(const std::string& words, float size, float width) {
  std::vector<std::string> lines(1);
  for (std::size_t at = 0; at < words.size();) {
    std::size_t end = words.find(' ', at);
    if (end == std::string::npos) end = words.size();
    const std::string word = words.substr(at, end - at);
    if (!lines.back().empty() && text_width(lines.back() + " " + word, size) > width)
      lines.emplace_back();
    lines.back() += (lines.back().empty() ? "" : " ") + word;
    at = end + 1;
  }
  return lines;
}

const char* theme_name(Theme t) {
  switch (t) {
    case Theme::Dark:
      return "dark";
    case Theme::Light:
      return "light";
    case Theme::HighContrast:
      return "high_contrast";
  }
  return "";
}

std::optional<Theme> parse_theme(std::string_view name) {
  for (Theme t : kAllThemes)
    if (name == theme_name(t)) return t;
  return std::nullopt;
}

double move_seconds(const Frame& moving) {
  if (moving.kind != StepKind::Stage) return kStepSeconds;
  switch (moving.stage) {
    case Stage::PadInput:
    case Stage::DilateGradient:
    case Stage::PadGradient:
    case Stage::Crop:
      return kStructureSeconds;
    case Stage::RotateKernel:
      return kTurnSeconds;
    default:
      return kStepSeconds;
  }
}

float ease(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  return t < 0.5f ? 4 * t * t * t : 1 - std::pow(-2 * t + 2, 3.0f) / 2;
}

namespace {

struct Palette {
  Color background, ink, muted;
};

Palette palette(Theme theme) {
  switch (theme) {
    case Theme::Light:
      return {rgb(0xFFFFFF), rgb(0x1A1A1A), rgb(0x5F5F5F)};
    case Theme::HighContrast:
      return {rgb(0x000000), rgb(0xFFFFFF), rgb(0xE0E0E0)};
    case Theme::Dark:
      break;
  }
  return {rgb(0x1E2127), rgb(0xF2F2F2), rgb(0xA8ADB5)};
}

// A short number for inside a cell: integers whole, others with 3 significant digits.
std::string cell_text(double v) {
  if (v == std::trunc(v) && std::fabs(v) < 1e6) return format_number(v, kUnicode);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  std::string s = buf;
  if (s[0] == '-') s.replace(0, 1, "\u2212");
  return s;
}

void add_frame(Scene& scene, const Rect& r, Color stroke, float width, FrameRole role,
               Color fill = {0, 0, 0, 0}, bool dashed = false) {
  SceneFrame f;
  f.rect = r, f.stroke = stroke, f.stroke_width = width, f.fill = fill, f.dashed = dashed,
  f.role = role;
  // A shape per role as well as a colour, since colour alone fails: under deuteranopia the
  // term's reddish purple and the target's bluish green are two similar greys.
  // The channel subtotal that the term adds to is the term's colour, solid.
  if (role == FrameRole::Term) f.dashed = f.double_line = true;
  if (role == FrameRole::Subtotal) f.double_line = true;
  if (role == FrameRole::Target) f.corner_mark = true;
  // A mistake's differing cell: solid, double and tinted, a shape of its own.
  if (role == FrameRole::Diff) f.double_line = true, f.fill = mix(stroke, {0, 0, 0, 0}, 0.9f);
  scene.frames.push_back(f);
}

// A lattice of more cells than this is framed by runs, or as one region.
constexpr int kMaxLatticeFrames = 256;

// Frames the cells of a lattice of `sg` (a grid of `scene`), each inset to `fill` of its size:
// each cell while they are few; else the runs of adjacent cells (whole rows or columns); else
// one rectangle around them all, faintly filled (at that size the holes between them cannot be
// seen anyway). So the frames are bounded however large the lattice.
void lattice_frames(Scene& scene, const SceneGrid& sg, const Window& w, Color color, float width,
                    FrameRole role, bool dashed, float fill) {
  const float inset = (1 - fill) / 2 * sg.cell_size;
  auto frame = [&](int top, int left, int rows, int cols, int step_h, int step_w, Color inside) {
    const Rect first = cell_rect(sg, top, left);
    add_frame(
        scene,
        {first.x + inset, first.y + inset, ((cols - 1) * step_w + 1) * sg.cell_size - 2 * inset,
         ((rows - 1) * step_h + 1) * sg.cell_size - 2 * inset},
        color, width, role, inside, dashed);
  };
  const Color none{0, 0, 0, 0};
  if (1LL * w.rows * w.cols <= kMaxLatticeFrames) {
    for (int i = 0; i < w.rows; ++i)
      for (int j = 0; j < w.cols; ++j)
        frame(w.top + i * w.step_h, w.left + j * w.step_w, 1, 1, 1, 1, none);
  } else if (w.step_h == 1 && w.step_w == 1) {
    frame(w.top, w.left, w.rows, w.cols, 1, 1, none);
  } else if (w.step_w == 1 && w.rows <= kMaxLatticeFrames) {
    for (int i = 0; i < w.rows; ++i) frame(w.top + i * w.step_h, w.left, 1, w.cols, 1, 1, none);
  } else if (w.step_h == 1 && w.cols <= kMaxLatticeFrames) {
    for (int j = 0; j < w.cols; ++j) frame(w.top, w.left + j * w.step_w, w.rows, 1, 1, 1, none);
  } else {
    frame(w.top, w.left, w.rows, w.cols, w.step_h, w.step_w, mix(color, none, 0.8f));
  }
}

// The part of a region of a grid's cells (a lattice) on the cells a scene grid shows: all of
// them but in the focus view.
std::optional<Window> shown_part(const SceneGrid& sg, const Window& w) {
  auto clip = [](int first, int count, int step, int lo, int hi, int* out_first) {
    const int skip = first < lo ? (lo - first + step - 1) / step : 0;
    *out_first = first + skip * step;
    return *out_first >= hi ? 0 : std::min(count - skip, (hi - 1 - *out_first) / step + 1);
  };
  Window on = w;
  on.rows = clip(w.top, w.rows, w.step_h, sg.first_row, sg.first_row + sg.visible_rows(), &on.top);
  on.cols =
      clip(w.left, w.cols, w.step_w, sg.first_col, sg.first_col + sg.visible_cols(), &on.left);
  if (on.rows > 0 && on.cols > 0) return on;
  return std::nullopt;
}

// `r` cut to the grid's cells: a window partly out of the focus view's part.
Rect clipped(const Rect& r, const SceneGrid& sg) {
  const Rect& b = sg.bounds;
  const float x0 = std::max(r.x, b.x), y0 = std::max(r.y, b.y);
  const float x1 = std::min(r.x + r.w, b.x + b.w), y1 = std::min(r.y + r.h, b.y + b.h);
  return {x0, y0, std::max(0.0f, x1 - x0), std::max(0.0f, y1 - y0)};
}

// A region of related cells (in its grid's coordinates) placed on the scene grid showing its
// slice, clipped to that grid: the grid's index and the region in the grid's rows and columns.
// db is one row on the stage, with its output channels in columns.
std::optional<std::pair<std::size_t, Window>> placed(const Scene& scene, Window w) {
  if (w.grid == Grid::db) {
    w.left = w.c, w.n = 0, w.c = 0;  // the (0, o, 0, 0) cells of db are (0, 0, 0, o) on the stage
    w.step_w = w.cols > 1 ? w.step_w : 1;
  }
  for (std::size_t i = 0; i < scene.grids.size(); ++i) {
    const SceneGrid& sg = scene.grids[i];
    if (sg.grid != w.grid || sg.copy != GridCopy::Own || sg.slice_n != w.n || sg.slice_c != w.c)
      continue;
    if (const auto on = shown_part(sg, w)) return std::pair{i, *on};
  }
  return std::nullopt;
}

// The regions of the cells related to `cell` that the stage shows.
std::vector<std::pair<std::size_t, Window>> related_on_stage(const Scene& scene,
                                                             const Timeline& timeline,
                                                             const CellRef& cell) {
  std::vector<std::pair<std::size_t, Window>> out;
  for (const Window& w : timeline.correspondences(cell))
    if (const auto p = placed(scene, w)) out.push_back(*p);
  return out;
}

class StageBuilder final : public StageCanvas {
 public:
  StageBuilder(const Timeline& tl, const Frame& from, const Frame& to, float t,
               const StageOptions& o)
      : tl_(tl),
        g_(tl.geometry()),
        from_(from),
        to_(to),
        t_(ease(t)),
        o_(o),
        pal_(palette(o.theme)) {
    scene_.width = o.width, scene_.height = o.height;
    scene_.background = pal_.background;
    zoom_ = std::isfinite(o.scale) ? std::clamp(o.scale, 1.0f, 3.0f) : 1.0f;
    // Animations play only when arriving at `to` by a single step forward.
    stepping_ = from.phase == to.phase && from.granularity == to.granularity &&
                from.index + 1 == to.index && !o.reduce_motion;
    gliding_ = from.phase == to.phase && !o.reduce_motion;
    // The mistakes: those that change this phase, with their grids and wrong terms first,
    // then a line for each of the others, saying where it shows.
    std::vector<std::string> elsewhere;
    for (Pitfall p : o.pitfalls) {
      if (auto m = mistake_step(tl_, to_, p))
        mistakes_.push_back(std::move(*m));
      else
        elsewhere.push_back(mistake_elsewhere(p));
    }
    for (const MistakeStep& m : mistakes_) mistake_grids_ += m.has_grid();
    int shown = 0;
    for (const MistakeStep& m : mistakes_)
      mistake_words_.push_back(
          {(m.has_grid() && mistake_grids_ > 1 ? "wrong " + std::to_string(++shown) + ": " : "") +
               m.words,
           true});
    for (std::string& e : elsewhere) mistake_words_.push_back({std::move(e), false});
  }

  Scene build() {
    phase_def(to_.phase).draw(*this);
    draw_mistakes();
    hide_answers();
    overview_marks();
    header();  // after the grids: their layout decides how far the text may grow
    equation_lines();
    mistake_lines();
    hover();
    scene_.scale = zoom_;
    return std::move(scene_);
  }

 private:
  // ---- StageCanvas: what the phases' drawing reads ----
  const Timeline& timeline() const override { return tl_; }
  const Frame& frame() const override { return to_; }
  float move() const override { return t_; }
  bool stepping() const override { return stepping_; }
  Rect area() const override {
    return {kMargin, top_band(), o_.width - 2 * kMargin, o_.height - top_band() - bottom_band()};
  }
  Color ink() const override { return pal_.ink; }
  void set_cell_size(float cell, float label_size) override {
    cell_ = cell;
    label_size_ = numbers_readable() ? std::min(label_size, cell_ * kTextPerCell) : label_size;
  }
  float cell_size() const override { return cell_; }
  float label_size() const override { return label_size_; }

  // ---- Layout ----

  static constexpr float kMargin = 40;
  static constexpr int kMaxDrawnSide = 160;
  // The largest cell at scale 1. It grows with the scale (kMaxCell × zoom), which is what lets a
  // larger scale enlarge the grids along with the text, as long as there is room.
  static constexpr float kMaxCell = 57;
  // Text sizes are multiplied by this: the scale, as far as it is used, and a little less on
  // short stages (small windows), so that the grids keep most of the height.
  float text_scale() const override { return std::clamp(o_.height / 800.0f, 0.6f, 1.0f) * zoom_; }
  // The header: the title line, then the note's two lines.
  float top_band() const { return 86 * text_scale(); }
  // The equation lines: symbols, values (when they do not fit on one line), the current term
  // and the running sum.
  float bottom_band() const { return (142 + mistake_lines_height()) * text_scale(); }
  // A grid's label above it: one line, or two with the slice of a lesson with a batch or
  // channels ("Xp (8×7)" over "[n=0,c=1]", 2.2 labels high).
  float label_band() const {
    return (g_.n > 1 || g_.c > 1 || g_.cout > 1 ? 54 : 34) * text_scale();
  }
  float max_cell() const override { return kMaxCell * zoom_; }

  // Raises the zoom from 1 towards the scale asked for while `cell()` (the cell size the layout
  // gets at the current zoom) does not shrink: text and grids grow together, and stop together.
  // Cells are as large as they can be there; a larger zoom would only take their room.
  void fit_zoom(const std::function<float()>& cell) override {
    const float asked = zoom_;
    zoom_ = 1;
    float best = cell();
    for (float z = 1; z < asked;) {
      z = std::min(asked, z + 0.01f);
      const float previous = zoom_;
      zoom_ = z;
      const float c = cell();
      if (c < best * (1 - 1e-4f)) {
        zoom_ = previous;
        break;
      }
      best = std::max(best, c);
    }
  }

  // The cell size with which `slots` fit side by side (or on shelves, below), `rows` cells high:
  // the largest that fits.
  // A slot is never narrower than its label, and operators keep room to be read, so that tiny
  // kernels beside large inputs stay legible.
  float fit_cell(const std::vector<Slot>& slots, float rows) const {
    return fit_shelves(slots, rows).cell;
  }

  // ---- Shelves ----
  // The slots stand side by side on one shelf, read left to right. A stage taller than wide (a
  // phone held upright, a portrait page) may stack them on two or three shelves, read one after
  // the other, when that makes the cells larger: an operator ending a shelf leads to the next.
  // The text's scale is chosen for one shelf (fit_zoom): shelves give the grids the stage's
  // height, while the title and the equation still have only its width.
  struct Shelves {
    float cell = 0;
    std::vector<std::size_t> starts = {0};  // each shelf's first slot
  };
  static constexpr int kMaxShelves = 3;
  // Between two shelves: the lower one's labels, and some air.
  float shelf_gap() const { return label_band() + 16 * text_scale(); }

  int most_shelves(const std::vector<Slot>& slots) const {
    const bool upright = o_.height > o_.width && !one_shelf_;
    return upright ? std::min<int>(kMaxShelves, static_cast<int>(slots.size())) : 1;
  }
  Shelves fit_shelves(const std::vector<Slot>& slots, float rows) const {
    Shelves best;
    for (int count = 1; count <= most_shelves(slots); ++count) {
      Shelves here;  // the best split into `count` shelves
      for (const std::vector<std::size_t>& starts : shelf_splits(slots.size(), count))
        if (const float cell = fit_cell_on(slots, starts, rows); cell > here.cell)
          here = {cell, starts};
      // More shelves only for clearly larger cells: a stage a little taller than wide keeps
      // the equation on one line.
      if (count == 1 || here.cell > best.cell * 1.15f) best = here;
    }
    return best;
  }
  // Whether the slots fit at all, at the smallest cell.
  bool room_for(const std::vector<Slot>& slots) const {
    for (int count = 1; count <= most_shelves(slots); ++count)
      for (const std::vector<std::size_t>& starts : shelf_splits(slots.size(), count))
        if (fits_on(slots, starts, kSmallestCell)) return true;
    return false;
  }
  // Every way to cut `n` slots, in order, into `count` (at most three) shelves of one or more.
  static std::vector<std::vector<std::size_t>> shelf_splits(std::size_t n, int count) {
    std::vector<std::vector<std::size_t>> out;
    if (count == 1) out.push_back({0});
    for (std::size_t a = 1; a < n; ++a) {
      if (count == 2) out.push_back({0, a});
      for (std::size_t b = a + 1; count == 3 && b < n; ++b) out.push_back({0, a, b});
    }
    return out;
  }
  // The slots from `first` up to `end` on one shelf: their widths and the gaps between them;
  // a shelf after the first begins with the operator that leads to it, as an equation broken
  // over lines does.
  float shelf_width(const std::vector<Slot>& slots, std::size_t first, std::size_t end,
                    float cell) const {
    float w = first > 0 && !slots[first - 1].op_after.empty()
                  ? gap_after(slots[first - 1], slots[first], cell)
                  : 0;
    for (std::size_t i = first; i < end; ++i)
      w += slot_width(slots[i], cell) + (i + 1 < end ? gap_after(slots[i], slots[i + 1], cell) : 0);
    return w;
  }
  float shelf_rows(const std::vector<Slot>& slots, std::size_t first, std::size_t end) const {
    float rows = 0;
    for (std::size_t i = first; i < end; ++i)
      rows = std::max(rows, static_cast<float>(slots[i].rows));
    return rows;
  }
  // A shelf's height: its tallest grid's, or, stacked, its tallest operator's, which would
  // otherwise reach the labels of the shelf below (the glyph of · is small, its line is not).
  float shelf_height(const std::vector<Slot>& slots, std::size_t first, std::size_t end, float cell,
                     bool stacked) const {
    float h = shelf_rows(slots, first, end) * cell;
    for (std::size_t i = first > 0 ? first - 1 : 0; stacked && i + 1 < end; ++i)
      if (!slots[i].op_after.empty()) h = std::max(h, operator_size(slots[i].op_after, cell));
    return h;
  }
  std::size_t shelf_end(const std::vector<Slot>& slots, const std::vector<std::size_t>& starts,
                        std::size_t k) const {
    return k + 1 < starts.size() ? starts[k + 1] : slots.size();
  }
  // The largest cell with which every shelf fits the width, and the shelves, at least `rows`
  // cells high in all, fit the height.
  float fit_cell_on(const std::vector<Slot>& slots, const std::vector<std::size_t>& starts,
                    float rows) const {
    float shelves_rows = 0;
    for (std::size_t k = 0; k < starts.size(); ++k)
      shelves_rows += shelf_rows(slots, starts[k], shelf_end(slots, starts, k));
    const float avail_h = grid_height() - (starts.size() - 1) * shelf_gap();
    float lo = kSmallestCell,
          hi = std::max(lo, std::min(max_cell(), avail_h / std::max(rows, shelves_rows)));
    for (int i = 0; i < 30; ++i) {  // a shelf's width and height grow with the cell size: bisect
      const float mid = (lo + hi) / 2;
      (fits_on(slots, starts, mid) ? lo : hi) = mid;
    }
    return fits_on(slots, starts, hi) ? hi : lo;
  }
  static constexpr float kSmallestCell = 0.01f;
  // Whether every shelf fits the width, and the shelves the height, with cells of `cell`.
  bool fits_on(const std::vector<Slot>& slots, const std::vector<std::size_t>& starts,
               float cell) const {
    float height = (starts.size() - 1) * shelf_gap();
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const std::size_t first = starts[k], end = shelf_end(slots, starts, k);
      if (shelf_width(slots, first, end, cell) > slots_width()) return false;
      height += shelf_height(slots, first, end, cell, starts.size() > 1);
    }
    return height <= grid_height();
  }
  // The width the slots share: the stage's, less the overviews' column in the focus view.
  float slots_width() const { return o_.width - 2 * kMargin - overview_room_; }
  float grid_height() const { return o_.height - top_band() - label_band() - bottom_band(); }
  // The gap after a slot: an operator's room, or before a mistake's result a wider one, which
  // keeps it apart from the equation it stands beside.
  float gap_after(const Slot& s, const Slot& next, float cell) const {
    if (next.mistake) return std::max(1.6f * cell, 72 * text_scale());
    return s.op_after.empty() ? 0.8f * cell : std::max(1.6f * cell, 56 * text_scale());
  }
  // A slot is as wide as its grid, and as its label ("Wr (2×2, spans 3×3)"), which is centred
  // over the grid and would otherwise reach the operators on either side; a label's shape sum
  // ("7×7 + 1 row = 8×7") widens it up to 40% of the stage, and is left out beyond that.
  float slot_width(const Slot& s, float cell) const {
    auto [plain, with_sum] =
        s.label.empty()
            ? label_ems(s.grid)
            : std::pair{text_width(s.label + " (" + dims(s.rows, s.cols) + ")", 1, Font::SansBold),
                        0.0f};
    if (s.mistake) {  // "dXp wrong 2 (8×7)"
      const float more = text_width(mistake_suffix(0), 1, Font::SansBold);
      plain += more, with_sum += more;
    }
    const float size = label_size_at(cell);
    const float label_w = std::max(plain * size, std::min(with_sum * size, 0.4f * slots_width()));
    return std::max({s.cols * cell, 120 * text_scale(), label_w});
  }
  // The widths of a grid's label at type size 1, without and with its shape sum: made once a
  // build, as fit_cell asks for them at every cell size it tries.
  std::pair<float, float> label_ems(Grid grid) const {
    std::optional<std::pair<float, float>>& known = label_ems_[static_cast<int>(grid)];
    if (!known) {
      const std::string name = grid_name(grid);
      const Shape& shape = tl_.tensor(grid).shape;
      known = {text_width(name + " (" + shape_text(grid, shape, false) + ")", 1, Font::SansBold),
               text_width(name + " (" + shape_text(grid, shape) + ")", 1, Font::SansBold)};
    }
    return *known;
  }
  // The tallest grid any phase of the lesson shows: the zoom is chosen for it, so that text and
  // cells keep their sizes from one phase to the next.
  float tallest_grid() const {
    const int tallest = std::max({g_.hp(), g_.gp_h(), g_.kh, g_.oh});
    return static_cast<float>(focus_side_ > 0 ? std::min(tallest, focus_side_) : tallest);
  }

  // ---- The focus view ----

  bool readable_whole(const std::function<float()>& cell_at_zoom) override {
    const int largest = std::max({g_.hp(), g_.wp(), g_.gp_h(), g_.gp_w(), g_.oh, g_.ow});
    if (!o_.focus_view || largest <= kFocusMinCells) return true;
    const float asked = zoom_;
    zoom_ = 1;
    const float cell = cell_at_zoom();
    zoom_ = asked;
    return cell * o_.pixels_per_unit >= kFocusBelowPixels;
  }

  float overview_side() const { return 150 * std::clamp(o_.height / 800.0f, 0.6f, 1.0f); }
  float overview_gap() const { return 30 * std::clamp(o_.height / 800.0f, 0.6f, 1.0f); }

  // Decides, at zoom 1 so that the scale does not change it, whether the cells are too small to
  // read; then crops the large slots to the largest part whose cells reach kFocusCellPixels
  // times the scale (or the smallest part that still holds a window), and reserves a column for
  // their overviews. The scale is then used whole: the part leaves the grids their room. The
  // kernel is always shown whole (its slot may hold W above Wr).
  bool needs_focus(const std::vector<Slot>& slots) override {
    overview_room_ = 0, focus_side_ = 0;
    if (std::all_of(slots.begin(), slots.end(), [](const Slot& s) { return s.whole; }))
      return false;
    float rows = 0;
    for (const Slot& s : slots) rows = std::max(rows, static_cast<float>(s.rows));
    return !readable_whole([&] { return fit_cell(slots, std::max(rows, tallest_grid())); });
  }
  void focus(std::vector<Slot>& slots) {
    if (!needs_focus(slots)) return;
    const int largest = std::max({g_.hp(), g_.wp(), g_.gp_h(), g_.gp_w(), g_.oh, g_.ow});
    float rows = 0;
    for (const Slot& s : slots) rows = std::max(rows, static_cast<float>(s.rows));
    overview_room_ = overview_side() + overview_gap();
    auto part = [&](int side) {
      std::vector<Slot> p = slots;
      for (Slot& s : p) s.rows = std::min(s.rows, side), s.cols = std::min(s.cols, side);
      return p;
    };
    auto part_cell = [&](int side) {  // as layout() will fit it
      focus_side_ = side;
      return fit_cell(part(side),
                      std::max(std::min(rows, static_cast<float>(side)), tallest_grid()));
    };
    // The largest part whose cells reach kFocusCellPixels times the zoom; the smallest holds
    // the kernel's extent with a cell of context on each side.
    const int smallest = std::min(
        largest, std::max(5, std::max((g_.kh - 1) * g_.dil_h, (g_.kw - 1) * g_.dil_w) + 3));
    auto side_at_zoom = [&] {
      int side = smallest;
      for (int hi = largest; side < hi;) {  // bisect
        const int mid = (side + hi + 1) / 2;
        if (part_cell(mid) * o_.pixels_per_unit >= kFocusCellPixels * zoom_)
          side = mid;
        else
          hi = mid - 1;
      }
      return side;
    };
    // The scale enlarges the part's cells with the text: at the scale asked, the part is as
    // large as leaves its cells kFocusCellPixels times the scale. Only when even the smallest
    // part cannot have them does the scale stop where the cells would shrink (fit_zoom).
    const int side = side_at_zoom();
    if (side == smallest) fit_zoom([&] { return part_cell(smallest); });
    // The grids side by side on one shelf are usually held back by the width: the part takes
    // as many rows as the height has room for at that cell size. (Stacked, the height is what
    // holds them back.)
    const float cell = part_cell(side);
    const bool one_shelf =
        fit_shelves(part(side), std::max(std::min(rows, static_cast<float>(side)), tallest_grid()))
            .starts.size() == 1;
    const int rows_side = one_shelf
                              ? std::clamp(static_cast<int>(grid_height() / cell * (1 - 1e-4f)),
                                           side, std::max(side, largest))
                              : side;
    for (Slot& s : slots)
      if (s.grid != Grid::W && s.grid != Grid::Wr && (s.rows > rows_side || s.cols > side))
        s.rows = std::min(s.rows, rows_side), s.cols = std::min(s.cols, side),
        s.overview = {0, 0, 1, 1};
    focus_side_ = rows_side;
  }

  // The overviews in their column at the left, one under the other, beside the grids.
  void place_overviews(std::vector<Slot>& slots) {
    int count = 0;
    for (const Slot& s : slots) count += s.overview.w > 0;
    if (count == 0) return;
    const float label = 1.6f * label_size_, band = grid_height() + label_band();
    const float side = std::min(overview_side(), band / count - label);
    float y = top_band() + (band - count * (side + label)) / 2 + label;
    for (Slot& s : slots)
      if (s.overview.w > 0) s.overview = {kMargin, y, side, side}, y += side + label;
  }

  // On each overview, where the window and the target are.
  void overview_marks() {
    for (const SceneGrid& ov : scene_.grids) {
      if (ov.copy != GridCopy::Overview) continue;
      const float cs = ov.cell_size;
      auto mark = [&](int top, int left, int rows, int cols, Color color) {
        add_frame(scene_,
                  {ov.bounds.x + left * cs, ov.bounds.y + top * cs, std::max(cols * cs, 3.0f),
                   std::max(rows * cs, 3.0f)},
                  color, 2, FrameRole::Overview);
      };
      const Window* w = to_.window ? &*to_.window : nullptr;
      if (w && w->grid == ov.grid && w->n == ov.slice_n && w->c == ov.slice_c)
        mark(w->top, w->left, (w->rows - 1) * w->step_h + 1, (w->cols - 1) * w->step_w + 1,
             kRoleWindow);
      const CellRef& t = to_.target;
      if (to_.kind != StepKind::Stage && t.grid == ov.grid && t.n == ov.slice_n &&
          t.c == ov.slice_c)
        mark(t.h, t.w, 1, 1, kRoleTarget);
    }
  }

  // The first row (or column) the focus view shows of a grid `full` long, `shown` of it: a page
  // holding the step's target, window, term cell or source on this grid. Pages turn rather than
  // scroll, so that the cells stay put from one step to the next.
  int focus_first(Grid grid, int n, int c, int full, int shown, bool rows) const {
    auto on = [&](const CellRef& r) { return r.grid == grid && r.n == n && r.c == c; };
    auto pos = [&](const CellRef& r) { return rows ? r.h : r.w; };
    int at = -1, extent = 1;
    const Window* w = to_.window ? &*to_.window : nullptr;
    const int w_extent = !w     ? 0
                         : rows ? (w->rows - 1) * w->step_h + 1
                                : (w->cols - 1) * w->step_w + 1;
    if (to_.kind != StepKind::Stage && on(to_.target)) {
      at = pos(to_.target);
    } else if (w && w->grid == grid && w->n == n && w->c == c && w_extent <= shown) {
      at = rows ? w->top : w->left, extent = w_extent;
    } else if (to_.current_term && on(to_.current_term->a)) {
      at = pos(to_.current_term->a);
    } else if (to_.current_term && on(to_.current_term->b)) {
      at = pos(to_.current_term->b);
    } else if (on(to_.source)) {
      at = pos(to_.source);
    } else if (w && w->grid == grid && w->n == n && w->c == c) {
      at = rows ? w->top : w->left;
    }
    if (at < 0) return 0;  // the first page, where the steps begin
    const int page = std::max(1, shown - extent);
    return std::clamp(at / page * page, 0, full - shown);
  }

  // The whole of `values`' slice, small, in `at`, with the part `shown` magnified framed.
  void add_overview(const Rect& at, Grid grid, GridValues values, int n, int c,
                    const SceneGrid& shown, double max_abs, const std::string& name) {
    const Shape& s = values.shape();
    SceneGrid ov;
    ov.grid = grid, ov.copy = GridCopy::Overview, ov.slice_n = n, ov.slice_c = c;
    ov.rows = s.h, ov.cols = s.w;
    ov.cell_size = std::min(at.w / s.w, at.h / s.h);
    ov.bounds = {at.x + (at.w - s.w * ov.cell_size) / 2, at.y + (at.h - s.h * ov.cell_size) / 2,
                 s.w * ov.cell_size, s.h * ov.cell_size};
    constexpr int kOverviewCells = 64;  // a side, at most: finer would not be seen
    const int step = std::max(1, (std::max(s.h, s.w) + kOverviewCells - 1) / kOverviewCells);
    for (int y = 0; y < s.h; y += step)
      for (int x = 0; x < s.w; x += step) {
        SceneCell cell;
        cell.row = y, cell.col = x;
        cell.rect = {ov.bounds.x + x * ov.cell_size, ov.bounds.y + y * ov.cell_size,
                     std::min(step, s.w - x) * ov.cell_size,
                     std::min(step, s.h - y) * ov.cell_size};
        cell.value = values(n, c, y, x);
        cell.shade = max_abs > 0 ? static_cast<float>(cell.value / max_abs) : 0.0f;
        ov.cells.push_back(std::move(cell));
      }
    // No wider than the column and half its gap on either side.
    const std::string label = "all of " + name;
    const float size =
        std::min({label_size_, 16 * text_scale(), (at.w + overview_gap()) / text_width(label, 1)});
    text(ov.bounds.x + ov.bounds.w / 2, ov.bounds.y - size * 0.9f, label, size, pal_.muted,
         Font::Sans, Align::Center, TextRole::Label);
    add_frame(
        scene_,
        {ov.bounds.x + shown.first_col * ov.cell_size, ov.bounds.y + shown.first_row * ov.cell_size,
         shown.visible_cols() * ov.cell_size, shown.visible_rows() * ov.cell_size},
        pal_.ink, 2, FrameRole::Overview);
    scene_.grids.push_back(std::move(ov));
  }

  // Places the slots side by side, centred, with one cell size for all of them: the largest
  // that fits (fit_cell), at the largest zoom that leaves the grids their room (fit_zoom).
  void layout(std::vector<Slot>& slots) override {
    add_mistake_slots(slots);
    focus(slots);
    // A part the phase chose itself (Slot::first_row) has its overview in the same column.
    if (overview_room_ == 0 &&
        std::any_of(slots.begin(), slots.end(), [](const Slot& s) { return s.overview.w > 0; }))
      overview_room_ = overview_side() + overview_gap();
    for (Slot& s : slots)
      if (s.mistake) s.overview = {};  // the right result's overview stands for both
    // The focus view takes a column for the overviews, and uses the scale whole.
    if (overview_room_ > 0) drop_mistake_slots(slots, zoom_);
    float rows = 0;
    for (const Slot& s : slots) rows = std::max(rows, static_cast<float>(s.rows));
    const float zoom_rows = std::max(rows, tallest_grid());
    if (focus_side_ == 0) {
      // The scale as far as one shelf takes it (the title and the equation have only the
      // stage's width, however the grids stand), then, from 1 up to that, as far as the cells
      // on shelves keep growing.
      auto cell_at_zoom = [&] { return fit_cell(slots, zoom_rows); };
      one_shelf_ = true;
      fit_zoom(cell_at_zoom);
      one_shelf_ = false;
      fit_zoom(cell_at_zoom);
    }
    // The shelves chosen as the zoom was (the tallest grid of the lesson's phases), then the
    // largest cell on them.
    const Shelves shelves = fit_shelves(slots, zoom_rows);
    cell_ = fit_cell_on(slots, shelves.starts, rows);
    // The shelves, centred in the grids' band, one under the other.
    const std::vector<std::size_t>& starts = shelves.starts;
    std::vector<float> heights;
    float total = (starts.size() - 1) * shelf_gap();
    for (std::size_t k = 0; k < starts.size(); ++k)
      total += heights.emplace_back(
          shelf_height(slots, starts[k], shelf_end(slots, starts, k), cell_, starts.size() > 1));
    float top = top_band() + label_band() + (grid_height() - total) / 2;
    for (std::size_t k = 0; k < starts.size(); ++k) {
      place_shelf(slots, starts[k], shelf_end(slots, starts, k), top + heights[k] / 2);
      top += heights[k] + shelf_gap();
    }
    label_size_ = label_size_at(cell_);
    place_overviews(slots);
    for (const Slot& s : slots)
      if (s.mistake) mistake_slots_.push_back(s);
  }

  // Places slots `first` up to `end` side by side, centred, their middles at `mid_y`, with the
  // operators before and between them.
  void place_shelf(std::vector<Slot>& slots, std::size_t first, std::size_t end, float mid_y) {
    float x =
        kMargin + overview_room_ + (slots_width() - shelf_width(slots, first, end, cell_)) / 2;
    auto op_then_gap = [&](std::size_t before) {  // the operator after slot `before`, if any
      const float gap = gap_after(slots[before], slots[before + 1], cell_);
      if (!slots[before].op_after.empty())
        operator_text(slots[before].op_after, x + gap / 2, mid_y);
      x += gap;
    };
    if (first > 0 && !slots[first - 1].op_after.empty()) op_then_gap(first - 1);
    for (std::size_t i = first; i < end; ++i) {
      Slot& s = slots[i];
      const float w = slot_width(s, cell_);
      s.bounds = {x + (w - s.cols * cell_) / 2, mid_y - s.rows * cell_ / 2, s.cols * cell_,
                  s.rows * cell_};
      x += w;
      if (i + 1 < end) op_then_gap(i);
    }
  }
  void operator_text(const std::string& op, float x, float y) {
    text(x, y, op, operator_size(op, cell_), pal_.ink, Font::Sans, Align::Center,
         TextRole::Operator);
  }
  // ⋆ and · are small glyphs: drawn larger than = and → to weigh the same.
  float operator_size(const std::string& op, float cell) const {
    const float k = text_scale();
    return std::clamp(cell * 0.9f, 24 * k, 56 * k) * (op == "⋆" ? 1.5f : op == "·" ? 2.0f : 1.0f);
  }

  // ---- The mistakes (core/mistake.h) ----

  // A slot after the phase's result for each mistake's result, as large as both; as many as
  // the stage has room for beside the phase's own (judged at scale 1: a larger scale is used
  // only as far as the grids have room). A mistake past them keeps its line, not its grid.
  void add_mistake_slots(std::vector<Slot>& slots) {
    if (slots.empty()) return;
    const Slot right = slots.back();
    for (const MistakeStep& m : mistakes_) {
      if (!m.has_grid()) continue;
      Slot s{m.grid,
             0,
             0,
             std::max(right.rows, m.values.shape.h),
             std::max(right.cols, m.values.shape.w),
             ""};
      s.mistake = true;
      slots.push_back(s);
    }
    drop_mistake_slots(slots, 1);
  }
  // Leaves out the last mistakes' slots while the slots do not fit the stage at `zoom`, on one
  // shelf or, upright, on several.
  void drop_mistake_slots(std::vector<Slot>& slots, float zoom) {
    const float asked = zoom_;
    zoom_ = zoom;
    while (!slots.empty() && slots.back().mistake && !room_for(slots)) slots.pop_back();
    zoom_ = asked;
  }

  // What a mistake's grid is called after its name: " wrong", or " wrong 2" with several.
  std::string mistake_suffix(int i) const {
    return mistake_grids_ > 1 ? " wrong " + std::to_string(i + 1) : " wrong";
  }

  // Each mistake's result in its slot: as far as the right one has come (pending cells blank),
  // in the right one's slice, its differing cells framed.
  void draw_mistakes() {
    const SceneGrid* right = nullptr;
    for (const SceneGrid& g : scene_.grids)
      if (g.copy == GridCopy::Own &&
          (g.grid == Grid::dW || g.grid == Grid::dXp || g.grid == Grid::dX))
        right = &g;
    const int n = right ? right->slice_n : 0, c = right ? right->slice_c : 0;
    std::size_t next = 0;
    for (std::size_t i = 0; i < mistakes_.size(); ++i) {
      const MistakeStep& m = mistakes_[i];
      if (!m.has_grid()) continue;
      if (next >= mistake_slots_.size()) {
        // No room for its grid: its line no longer points to one ("wrong 4: ").
        std::string& words = mistake_words_[i].first;
        if (words.rfind("wrong ", 0) == 0) words.erase(0, words.find(": ") + 2);
        continue;
      }
      const int index = static_cast<int>(next);
      const Slot& slot = mistake_slots_[next++];
      const PitfallResult& r = tl_.pitfall(m.pitfall);
      const Tensor& final_values = m.grid == Grid::dW ? r.dW : m.grid == Grid::dXp ? r.dXp : r.dX;
      std::string label = m.grid == Grid::dW ? slice_label(m.grid, n, c, "o", "c")
                                             : slice_label(m.grid, n, c, "n", "c");
      label.insert(std::min(label.find('['), label.size()), mistake_suffix(index));
      SceneGrid& g = add_grid(slot, m.grid, m.values, n, c, label, &final_values);
      g.copy = GridCopy::Mistake, g.pitfall = m.pitfall;
      const Shape& s = m.values.shape;
      const bool padded = m.grid == Grid::dXp && s == tl_.tensor(Grid::dXp).shape;
      for (SceneCell& cell : g.cells) {
        const std::size_t k = m.values.offset(n, c, cell.row, cell.col);
        if (m.progress[k] == Progress::Pending) {
          cell.style = CellStyle::Pending;
          cell.text.clear();
        } else if (padded && tl_.is_padding(Grid::dXp, cell.row, cell.col)) {
          cell.style = CellStyle::Padding;
        }
      }
      restyle_text(g);
      // Thin, so that the inner line of the double frame leaves wide numbers ("−23") room.
      const float width = std::clamp(g.cell_size * 0.035f, 1.5f, 3.0f);
      for (const SceneCell& cell : g.cells)
        if (m.differs[m.values.offset(n, c, cell.row, cell.col)])
          frame_rect(scaled(cell.rect, 0.96f), kRoleDiff, width, FrameRole::Diff);
      // The cell where the right one's target is: framed as the target, so that the eye finds
      // where the two sums part.
      const CellRef& t = m.target;
      if (t.grid == m.grid && t.n == n && t.c == c && t.h >= g.first_row && t.w >= g.first_col &&
          t.h < g.first_row + g.visible_rows() && t.w < g.first_col + g.visible_cols())
        frame_rect(cell_rect(g, t.h, t.w), kRoleTarget, std::clamp(g.cell_size * 0.1f, 2.5f, 6.0f),
                   FrameRole::Target);
    }
  }

  // The mistakes' lines at the foot of the stage, wrapped at spaces (never cut): the wrong term
  // of each one this phase shows, then where the others show. Each has a fixed room (two lines,
  // one for a mistake shown elsewhere), so that the grids keep their size from step to step;
  // the type is a little smaller for a step whose words need more, and the room grows only past
  // that.
  static constexpr float kMistakeText = 20;
  void mistake_lines() {
    if (mistake_words_.empty()) return;
    const float k = text_scale(), size = mistake_text_size();
    float y = o_.height - (mistake_lines_height() - 4) * k + size / 2;
    for (const auto& [words, here] : mistake_words_)
      for (const std::string& line : wrap_text(words, size, o_.width - 2 * kMargin)) {
        text(kMargin, y, line, size,
             here ? role_text_color(kRoleDiff, pal_.background) : pal_.muted, Font::Sans,
             Align::Left, TextRole::Pitfall);
        y += size * 1.25f;
      }
  }
  float mistake_text_size() const {
    mistake_lines_height();
    return lines_size_;
  }
  // Their height at text scale 1 (the bottom band grows by it); kept for the last text scale,
  // as the layout asks at every zoom it tries.
  float mistake_lines_height() const {
    if (mistake_words_.empty()) return 0;
    const float k = text_scale(), width = o_.width - 2 * kMargin, base = kMistakeText * k;
    if (k != lines_at_scale_) {
      lines_at_scale_ = k, lines_size_ = base;
      int room = 0;
      for (const auto& [words, here] : mistake_words_) room += here ? 2 : 1;
      // The lines at the current size, each paragraph taking at least its room.
      auto lines_at = [&](bool* fits) {
        int n = 0;
        *fits = true;
        for (const auto& [words, here] : mistake_words_) {
          const int need = static_cast<int>(wrap_text(words, lines_size_, width).size());
          *fits &= need <= (here ? 2 : 1);
          n += std::max(need, here ? 2 : 1);
        }
        return n;
      };
      bool fits = false;
      lines_ = lines_at(&fits);
      while (!fits && lines_size_ > 0.75f * base) lines_ = lines_at(&fits), lines_size_ *= 0.95f;
      lines_ = lines_at(&fits);
      // Never more than a quarter of the stage: smaller still, then.
      while (lines_ * lines_size_ * 1.25f > 0.25f * o_.height && lines_size_ > 9)
        lines_size_ *= 0.92f, lines_ = lines_at(&fits);
      lines_height_ = std::max(lines_ * lines_size_, room * std::min(base, lines_size_ / 0.75f));
    }
    return lines_height_ * 1.25f / k + 4;
  }

  // Labels are never larger than the numbers in the cells they name (when those are shown).
  float label_size_at(float cell) const {
    const float size = std::clamp(cell * 0.42f, 18 * text_scale(), 24 * text_scale());
    return numbers_readable(cell) ? std::min(size, cell * kTextPerCell) : size;
  }

  bool numbers_readable() const { return numbers_readable(cell_); }
  bool numbers_readable(float cell) const {
    return cell * kTextPerCell * o_.pixels_per_unit >= kMinReadablePixels;
  }

  // A grid placed centred in `slot`, showing `values`' (n, c) slice.
  // The colour scale comes from `scale` (default: the values themselves), so that a result
  // grid keeps its colours while it fills up.
  SceneGrid& add_grid(const Slot& slot, Grid grid, GridValues values, int n, int c,
                      const std::string& label, const Tensor* scale = nullptr,
                      bool show_shape = true) override {
    SceneGrid sg;
    sg.grid = grid;
    sg.slice_n = n, sg.slice_c = c;
    const Shape& s = values.shape();
    sg.rows = s.h, sg.cols = s.w, sg.cell_size = cell_;
    // The focus view shows the part of the grid around the step (focus_first), when the slot
    // is smaller than the grid.
    const int shown_h = std::min(s.h, slot.rows), shown_w = std::min(s.w, slot.cols);
    if (shown_h < s.h || shown_w < s.w) {
      sg.first_row = slot.first_row >= 0 ? std::min(slot.first_row, s.h - shown_h)
                                         : focus_first(grid, n, c, s.h, shown_h, true);
      sg.first_col = slot.first_col >= 0 ? std::min(slot.first_col, s.w - shown_w)
                                         : focus_first(grid, n, c, s.w, shown_w, false);
      sg.shown_rows = shown_h, sg.shown_cols = shown_w;
    }
    sg.bounds = {slot.bounds.x + (slot.cols - shown_w) * cell_ / 2,
                 slot.bounds.y + (slot.rows - shown_h) * cell_ / 2, shown_w * cell_,
                 shown_h * cell_};
    sg.label = label + " (" + dims(s.h, s.w) + ")";
    // The colour scale is another grid's range only when it has these values' shape (a
    // pitfall's wrong dX may be larger than the right one it is compared with).
    const GridValues range = scale && scale->shape == s ? GridValues(*scale) : values;
    double max_abs = 0;
    for (int y = 0; y < s.h; ++y)
      for (int x = 0; x < s.w; ++x) max_abs = std::max(max_abs, std::fabs(range(n, c, y, x)));
    if (slot.overview.w > 0)
      add_overview(slot.overview, grid, values, n, c, sg, max_abs,
                   grid == Grid::None ? label : grid_name(grid));
    // Level of detail for very large grids: beyond kMaxDrawnSide cells a side, one block of
    // step × step cells is drawn per sampled cell (its top-left one), so that a 4096×4096
    // input costs what a 160×160 one does. The grid keeps its true rows, columns and cell
    // size, so windows and hit-testing stay exact.
    const int step = std::max(1, (std::max(shown_h, shown_w) + kMaxDrawnSide - 1) / kMaxDrawnSide);
    const bool readable = numbers_readable() && step == 1;
    sg.cells.reserve(static_cast<std::size_t>((shown_h + step - 1) / step) *
                     ((shown_w + step - 1) / step));
    const int y_end = sg.first_row + shown_h, x_end = sg.first_col + shown_w;
    for (int y = sg.first_row; y < y_end; y += step)
      for (int x = sg.first_col; x < x_end; x += step) {
        SceneCell cell;
        cell.row = y, cell.col = x;
        cell.rect = {sg.bounds.x + (x - sg.first_col) * cell_,
                     sg.bounds.y + (y - sg.first_row) * cell_, std::min(step, x_end - x) * cell_,
                     std::min(step, y_end - y) * cell_};
        cell.value = values(n, c, y, x);
        cell.shade = max_abs > 0 ? static_cast<float>(cell.value / max_abs) : 0.0f;
        if (readable) cell.text = cell_text(cell.value);
        sg.cells.push_back(std::move(cell));
      }
    restyle_text(sg);
    // "Xp[n=0,c=1] (5×6)" is drawn as "Xp (5×6)" with the slice on a smaller line below it,
    // so that labels stay within their grid's width.
    const std::size_t bracket = label.find('[');
    const std::string base = bracket == std::string::npos ? label : label.substr(0, bracket);
    if (!label.empty()) {  // an unlabelled copy (the kernel while it turns)
      const std::string blocks = step > 1 ? ", in " + dims(step, step) + " blocks" : "";
      std::string shown = show_shape ? base + " (" + shape_text(grid, s) + blocks + ")" : base;
      // The shape's sum ("7×7 + 1 row = 8×7") only where it fits over its grid and the gaps.
      if (show_shape &&
          text_width(shown, label_size_, Font::SansBold) > slot_width(slot, cell_) + 0.5f)
        shown = base + " (" + shape_text(grid, s, false) + blocks + ")";
      text(sg.bounds.x + sg.bounds.w / 2,
           sg.bounds.y - label_size_ * (bracket == std::string::npos ? 0.9f : 1.7f), shown,
           label_size_, pal_.ink, Font::SansBold, Align::Center, TextRole::Label);
    }
    if (bracket != std::string::npos)
      text(sg.bounds.x + sg.bounds.w / 2, sg.bounds.y - label_size_ * 0.7f, label.substr(bracket),
           label_size_ * 0.75f, pal_.muted, Font::Sans, Align::Center, TextRole::Slice);
    scene_.grids.push_back(std::move(sg));
    return scene_.grids.back();
  }

  // A grid's shape as its label says it, written so that the equation on the stage adds up:
  // "Gp (9×9) ⋆ Wr (3×3) = dXp (7×7 + 1 row = 8×7)", the row being one no window reaches;
  // a dilated kernel says how far it spans ("Wr (3×3, spans 5×5)").
  std::string shape_text(Grid grid, const Shape& s, bool with_sum = true) const {
    std::string out = dims(s.h, s.w);
    if ((grid == Grid::Wr || grid == Grid::W) && (g_.dil_h > 1 || g_.dil_w > 1))
      out += ", spans " + dims(g_.span_h(), g_.span_w());
    if (!with_sum) return out;
    const int reach_h = g_.rows().gather_extent(), reach_w = g_.cols().gather_extent();
    if (grid == Grid::dXp && s.h == g_.hp() && s.w == g_.wp() && (reach_h < s.h || reach_w < s.w)) {
      std::string extra;
      if (reach_h < s.h) extra = plural(s.h - reach_h, "row");
      if (reach_w < s.w) extra += (extra.empty() ? "" : ", ") + plural(s.w - reach_w, "column");
      out = dims(reach_h, reach_w) + " + " + extra + " = " + out;
    }
    return out;
  }

  // Text colours follow the final fill of each cell (after styles are set).
  void restyle_text(SceneGrid& sg) override {
    for (SceneCell& cell : sg.cells)
      if (!cell.text.empty())
        cell.text_color = text_color_on(cell_fill(cell.shade, cell.style, pal_.background));
  }

  // Applies a frame's progress to the result grid: pending cells blank, partial ones shown.
  void apply_progress(SceneGrid& sg, int n, int c) override {
    const ResultFill& result = to_.result;
    if (result.empty()) return;
    for (SceneCell& cell : sg.cells) {
      const Progress p = result.progress(result.offset(n, c, cell.row, cell.col));
      if (p == Progress::Pending) {
        cell.style = CellStyle::Pending;
        cell.text.clear();
      }
    }
  }

  // ---- Overlays ----

  void frame_rect(const Rect& r, Color stroke, float width, FrameRole role) override {
    add_frame(scene_, r, stroke, width, role);
  }

  void ghost_border(const Rect& outer, const Rect& inner) override {
    // Faint, but seen: light grey on dark themes reads weaker than dark grey on white.
    const Color none{0, 0, 0, 0};
    const Color faint = mix(pal_.muted, none, is_dark_background(pal_.background) ? 0.75f : 0.9f);
    const float top = inner.y - outer.y, bottom = outer.y + outer.h - inner.y - inner.h;
    const float left = inner.x - outer.x, right = outer.x + outer.w - inner.x - inner.w;
    for (const Rect& strip :
         {Rect{outer.x, outer.y, outer.w, top}, Rect{outer.x, inner.y + inner.h, outer.w, bottom},
          Rect{outer.x, inner.y, left, inner.h}, Rect{inner.x + inner.w, inner.y, right, inner.h}})
      if (strip.w > 0 && strip.h > 0) add_frame(scene_, strip, none, 0, FrameRole::Ghost, faint);
    add_frame(scene_, outer, mix(pal_.muted, none, 0.5f), 2, FrameRole::Ghost, none, true);
  }

  void line(float x0, float y0, float x1, float y1, Color color, float width, bool arrow,
            LineRole role) override {
    SceneLine l;
    l.x0 = x0, l.y0 = y0, l.x1 = x1, l.y1 = y1, l.color = color, l.width = width, l.arrow = arrow,
    l.role = role;
    scene_.lines.push_back(l);
  }

  void text(float x, float y, const std::string& s, float size, Color color, Font font, Align align,
            TextRole role) override {
    SceneText st;
    st.x = x, st.y = y, st.text = s, st.size = size, st.color = color, st.font = font,
    st.align = align;
    st.role = role;
    scene_.texts.push_back(std::move(st));
  }

  const SceneGrid* find(Grid grid) const { return scene_.grid(grid); }
  // The grid showing the (n, c) slice of `grid`, when several slices are on the stage.
  const SceneGrid* find(Grid grid, int n, int c) const override {
    for (const SceneGrid& sg : scene_.grids)
      if (sg.grid == grid && sg.copy == GridCopy::Own && sg.slice_n == n && sg.slice_c == c)
        return &sg;
    return nullptr;
  }

  // The window's bounding rect in a grid, and an outline on each sampled cell when the
  // pattern has holes (stride or dilation > 1).
  Rect window_rect(const SceneGrid& sg, const Window& w) const {
    const Rect first = cell_rect(sg, w.top, w.left);
    const float h = ((w.rows - 1) * w.step_h + 1) * sg.cell_size,
                wd = ((w.cols - 1) * w.step_w + 1) * sg.cell_size;
    return {first.x, first.y, wd, h};
  }

  void window_overlay() override {
    if (!to_.window) return;
    // With several input channels on the stage, the window is drawn on each of them.
    for (const SceneGrid& other : scene_.grids)
      if (other.grid == to_.window->grid && other.copy == GridCopy::Own &&
          other.slice_n == to_.window->n && other.slice_c != to_.window->c) {
        Window w = *to_.window;
        w.c = other.slice_c;
        frame_rect(window_rect(other, w), kRoleWindow,
                   std::clamp(other.cell_size * 0.05f, 1.5f, 3.0f), FrameRole::WindowOther);
      }
    const Window& w = *to_.window;
    const SceneGrid* sg = find(w.grid, w.n, w.c);
    if (!sg) return;
    Rect r = window_rect(*sg, w);
    if (gliding_ && from_.window && from_.window->grid == w.grid && from_.window->n == w.n &&
        !(from_.window->top == w.top && from_.window->left == w.left))
      r = lerp(window_rect(*sg, *from_.window), r, t_);
    if (sg->shown_rows > 0) r = clipped(r, *sg);  // the focus view shows it in part
    const float thick = std::clamp(sg->cell_size * 0.09f, 2.5f, 6.0f);
    add_frame(scene_, r, kRoleWindow, thick, FrameRole::Window,
              mix(kRoleWindow, {0, 0, 0, 0}, 0.88f));
    // The sampled cells of a strided window: lattice_frames bounds the number of outlines, since
    // a window of dW may cover millions of cells.
    if (w.step_h > 1 || w.step_w > 1) {
      const float dx = r.x - window_rect(*sg, w).x, dy = r.y - window_rect(*sg, w).y;
      const std::size_t first = scene_.frames.size();
      if (const auto on = shown_part(*sg, w))
        lattice_frames(scene_, *sg, *on, kRoleWindow, thick * 0.5f, FrameRole::WindowCell, false,
                       0.86f);
      for (std::size_t i = first; i < scene_.frames.size(); ++i)
        scene_.frames[i].rect.x += dx, scene_.frames[i].rect.y += dy;
    }
  }

  // The current term: its two cells framed and linked; the target framed.
  void term_overlay() override {
    if (to_.kind == StepKind::Stage) return;
    // A whole stamp of a scatter lands on its whole window, which the window overlay frames.
    const bool stamp = to_.source.grid != Grid::None && to_.kind != StepKind::Term;
    const SceneGrid* target = stamp ? nullptr : find(to_.target.grid, to_.target.n, to_.target.c);
    if (target) {
      const float thick = std::clamp(target->cell_size * 0.1f, 2.5f, 6.0f);
      Rect r = cell_rect(*target, to_.target.h, to_.target.w);
      if (gliding_ && from_.kind != StepKind::Stage && from_.target.grid == to_.target.grid &&
          from_.target.n == to_.target.n && from_.target.c == to_.target.c)
        r = lerp(cell_rect(*target, from_.target.h, from_.target.w), r, t_);
      frame_rect(r, kRoleTarget, thick, FrameRole::Target);
    }
    if (const SceneGrid* g = to_.source.grid == Grid::None
                                 ? nullptr
                                 : find(to_.source.grid, to_.source.n, to_.source.c))
      frame_rect(cell_rect(*g, to_.source.h, to_.source.w), kRoleSource,
                 std::clamp(g->cell_size * 0.1f, 2.5f, 6.0f), FrameRole::Source);
    if (to_.kind != StepKind::Term || !to_.current_term) return;
    const Term& term = *to_.current_term;
    std::vector<Rect> ends;
    for (const CellRef& ref : {term.a, term.b}) {
      const SceneGrid* sg = find(ref.grid, ref.n, ref.c);
      if (!sg) continue;
      const Rect r = cell_rect(*sg, ref.h, ref.w);
      frame_rect(scaled(r, 0.88f), kRoleTerm, std::clamp(sg->cell_size * 0.07f, 2.0f, 4.5f),
                 FrameRole::Term);
      ends.push_back(r);
    }
    if (ends.size() == 2) {
      SceneLine line;
      line.x0 = ends[0].x + ends[0].w / 2, line.y0 = ends[0].y + ends[0].h;
      line.x1 = ends[1].x + ends[1].w / 2, line.y1 = ends[1].y + ends[1].h;
      line.color = kRoleTerm, line.width = 2.5f, line.role = LineRole::Link;
      scene_.lines.push_back(line);
    }
  }

  // ---- Text around the grids ----

  // The title and the counter on one line, the note wrapped below them on two lines (top_band),
  // its type a little smaller when it needs more, and three on a narrow stage at a large scale.
  void header() {
    const float k = text_scale(), width = o_.width - 2 * kMargin;
    const std::string counter = std::string(granularity_name(to_.granularity)) + " " +
                                std::to_string(to_.index + 1) + " / " + std::to_string(to_.count);
    // The title shrinks rather than run into the counter (bold is about 10% wider), down to
    // 12 units; on a narrow stage at a large scale, where even that would not fit, both shrink.
    const std::string title = phase_title(to_.phase);
    const float title_em = std::max(1.0f, 1.1f * text_width(title, 1));
    const float shrink =
        std::min(1.0f, (width - 24 * k) / (12 * k * title_em + text_width(counter, 22 * k)));
    const float counter_size = 22 * k * shrink;
    text(o_.width - kMargin, 22 * k, counter, counter_size, pal_.muted, Font::Sans, Align::Right,
         TextRole::Counter);
    const float title_room = width - text_width(counter, counter_size) - 24 * k;
    const float title_size = std::clamp(title_room / title_em, 12 * k * shrink, 26 * k);
    text(kMargin, 22 * k, title, title_size, pal_.ink, Font::SansBold, Align::Left,
         TextRole::Title);
    // A derived cell's note says why it has its value (relu's "its slope is 1"): it waits
    // while the quiz asks that cell.
    if (to_.note.empty() || note_withheld(to_, o_.hidden)) return;
    float size = 18 * k;
    std::vector<std::string> lines = wrap_text(to_.note, size, width);
    while (lines.size() > 2 && size > 11 * k) lines = wrap_text(to_.note, size *= 0.92f, width);
    // Three lines are all the band holds: a narrow stage at a large scale sets them smaller.
    while (lines.size() > 3 && size > 6 * k) lines = wrap_text(to_.note, size *= 0.92f, width);
    float y = 50 * k;
    for (const std::string& line : lines) {
      text(kMargin, y, line, size, pal_.muted, Font::Sans, Align::Left, TextRole::Note);
      y += 1.3f * size;
    }
  }

  // Code points of UTF-8 text: the mono font's columns.
  static std::size_t columns(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
    return n;
  }

  // ---- The quiz ----

  bool target_hidden() const {
    return to_.kind != StepKind::Stage &&
           std::find(o_.hidden.begin(), o_.hidden.end(), to_.target) != o_.hidden.end();
  }

  // A question of the quiz: its cell shows "?" (in every picture of its grid) until answered,
  // and so do its channels' subtotals, which add up to it.
  void hide_answers() {
    if (target_hidden())
      for (SceneGrid& sg : scene_.grids)
        if (sg.copy == GridCopy::Subtotal)
          for (SceneCell& cell : sg.cells) hide(cell);
    for (const CellRef& h : o_.hidden)
      for (SceneGrid& sg : scene_.grids) {
        if (sg.grid != h.grid) continue;
        // db is drawn as one row, its channels in columns.
        const bool db = h.grid == Grid::db;
        if (!db && (sg.slice_n != h.n || sg.slice_c != h.c)) continue;
        for (SceneCell& cell : sg.cells)
          if (db ? cell.col == h.c : cell.row == h.h && cell.col == h.w) hide(cell);
      }
  }

  void hide(SceneCell& cell) const {
    cell.style = CellStyle::Pending;
    cell.value = 0, cell.shade = 0;
    cell.text = "?";
    cell.text_color = pal_.ink;
  }

  void equation_lines() {
    const float size = 22 * text_scale(), y = o_.height - bottom_band() + 30 * text_scale();
    Equation equation = to_.equation;
    if (target_hidden()) {
      if (!equation.result.empty()) equation.result = "?";
      if (!equation.running.empty()) equation.running = "?";
      // relu's remark "(Z[1,2] = 5 > 0)" decides a derived cell's value.
      if (phase_def(to_.phase).term_value) equation.remark.clear();
    }
    const std::size_t budget = static_cast<std::size_t>((o_.width - 2 * kMargin) / (size * 0.602f));
    // On one line if it fits, else symbols and values on two; the current term underlined.
    float line_y = y;
    const std::vector<EquationLine> lines = convstep::equation_lines(equation, budget);
    // One size for its lines, whose values stand under their symbols: the shortest form may
    // still be too long for a narrow stage (a stage's sentence, a cell's first and last terms).
    float equation_size = size;
    for (const EquationLine& line : lines)
      equation_size = std::min(equation_size, fitting(line.text, size));
    for (const EquationLine& line : lines) {
      text(kMargin, line_y, line.text, equation_size, pal_.ink, Font::Mono, Align::Left,
           TextRole::Equation);
      scene_.texts.back().marks = line.marks;
      if (!line.marks.empty()) scene_.texts.back().mark_color = kRoleTerm;
      line_y += size * 1.5f;
    }
    // A term that is no product a·b (the loss phase's derivatives) is as its equation says it.
    const bool derived = phase_def(to_.phase).term_value != nullptr;
    const int current = to_.equation.current;
    if (to_.kind == StepKind::Term && to_.current_term && (!derived || current >= 0)) {
      // "current term: Gp[2,3]·Wr[0,0] = 1·(−1) = −1"
      const Term& term = *to_.current_term;
      const EquationTerm t =
          derived
              ? to_.equation.terms[current]
              : product_term(tl_.cell_name(term.a), term.a_value,
                             term.b.grid == Grid::None ? "" : tl_.cell_name(term.b), term.b_value);
      Equation e;
      e.target = "current term: " + t.symbols, e.terms = {{"", t.values}};
      if (!derived || t.values != number(term.product)) e.result = number(term.product);
      // The last term of an asked cell may be all of it: its value waits with the cell's.
      if (target_hidden()) e.result = "?";
      if (term.zero && !target_hidden()) e.remark = "  (a zero: adds nothing)";
      const std::string line = e.text();
      text(kMargin, line_y, line, fitting(line, size), role_text_color(kRoleTerm, pal_.background),
           Font::Mono, Align::Left, TextRole::CurrentTerm);
      line_y += size * 1.5f;
    }
    // A whole stamp of a scatter has no single target: its cells show their running sums.
    const bool stamp = to_.source.grid != Grid::None && to_.kind != StepKind::Term;
    // A derived cell is one term: its equation has said its value already.
    if (to_.kind != StepKind::Stage && !stamp && !derived) {
      Equation e;
      e.target = "running sum " + tl_.cell_name(to_.target), e.result = number(to_.running_sum);
      if (target_hidden()) e.result = "?";
      const std::string line = e.text();
      text(kMargin, line_y, line, fitting(line, size),
           role_text_color(kRoleTarget, pal_.background), Font::Mono, Align::Left,
           TextRole::RunningSum);
    }
  }
  // The size at which a mono line that cannot be shortened (a term with its remark, long
  // numbers) fits the stage's width: `size`, or smaller on a narrow stage, down to half the
  // size at scale 1.
  float fitting(const std::string& line, float size) const {
    const float fits =
        (o_.width - 2 * kMargin) / (std::max<std::size_t>(1, columns(line)) * 0.602f);
    return std::min(size, std::max(fits, 0.5f * size / zoom_));
  }

  void hover() {
    if (o_.hover) highlight_related(scene_, tl_, *o_.hover, o_.theme);
  }

  // ---- Cell styles ----

  // Xp's padding ring: hatched; it grows in when arriving at the PadInput stage, ring by ring
  // from X outwards.
  void style_padding(SceneGrid& sg, float grow) override {
    const int rings = std::max({g_.pad_top, g_.pad_bottom, g_.pad_left, g_.pad_right});
    for (SceneCell& cell : sg.cells)
      if (tl_.is_padding(Grid::Xp, cell.row, cell.col)) {
        const int ring = ring_of(cell.row, cell.col, g_.pad_top, g_.pad_left, g_.h, g_.w);
        const float k = in_turn(grow, ring - 1, rings);
        cell.style = CellStyle::Padding;
        cell.rect = scaled(cell.rect, k);
        if (k < 0.5f) cell.text.clear();
      }
    restyle_text(sg);
  }

  void mark_uncovered(SceneGrid& sg, int offset_h, int offset_w) override {
    for (SceneCell& cell : sg.cells) {
      const int y = cell.row - offset_h, x = cell.col - offset_w;
      if (y >= 0 && x >= 0 && y < g_.h && x < g_.w) cell.uncovered = tl_.is_uncovered(y, x);
    }
  }

  // A grid's name, with its slice when the tensor has several: "Xp", "Xp[n=1,c=0]".
  std::string slice_label(Grid grid, int n, int c, const char* first,
                          const char* second) const override {
    const Shape s = tl_.tensor(grid).shape;
    if (s.n == 1 && s.c == 1) return grid_name(grid);
    return std::string(grid_name(grid)) + "[" + first + "=" + std::to_string(n) + "," + second +
           "=" + std::to_string(c) + "]";
  }

  // ---- The phase's slice ----

  // The (n, c) slice of the input-side grids, and the output channel o, that the frame is on:
  // the one chosen, else where the step is (the phase says).
  void slices(int* n, int* c, int* o) const override {
    if (o_.slice) {
      const auto& s = *o_.slice;
      *n = std::clamp(s[0], 0, g_.n - 1), *c = std::clamp(s[1], 0, g_.c - 1),
      *o = std::clamp(s[2], 0, g_.cout - 1);
      // Within a group: the output channel decides which input channels it reads.
      if (*c / g_.c_per_group() != *o / g_.cout_per_group())
        *c = *o / g_.cout_per_group() * g_.c_per_group();
      return;
    }
    *n = 0, *c = 0, *o = 0;
    if (to_.window) *n = to_.window->n;
    phase_def(to_.phase).slices(g_, to_, n, c, o);
  }

  GridValues result_or_final(Grid grid) const override {
    if (to_.result.empty()) return tl_.tensor(grid);
    return to_.result;
  }

  const Timeline& tl_;
  const Geometry& g_;
  const Frame& from_;
  const Frame& to_;
  float t_;
  const StageOptions& o_;
  Palette pal_;
  Scene scene_;
  bool stepping_ = false, gliding_ = false;
  float cell_ = 48, label_size_ = 20;
  std::vector<MistakeStep> mistakes_;  // the mistakes that change this phase
  int mistake_grids_ = 0;              // how many of them have a grid to show
  std::vector<Slot> mistake_slots_;    // their slots, laid out
  // The mistakes' lines: the words, and whether the mistake shows in this phase.
  std::vector<std::pair<std::string, bool>> mistake_words_;
  mutable float lines_at_scale_ = -1;  // mistake_lines_height()
  mutable int lines_ = 0;
  mutable float lines_size_ = kMistakeText;
  mutable float lines_height_ = 0;  // their lines' height, without the spacing
  mutable std::array<std::optional<std::pair<float, float>>, static_cast<int>(Grid::None) + 1>
      label_ems_;   // label_ems()
  float zoom_ = 1;  // the stage scale as far as the layout uses it (fit_zoom)
  // The focus view: the width of the overviews' column, and the side of the parts shown.
  float overview_room_ = 0;
  int focus_side_ = 0;
  bool one_shelf_ = false;  // the slots are fitted on one shelf, whatever the stage's shape
};

}  // namespace

StageOptions stage_view(float pixels_w, float pixels_h, float scale) {
  // Narrower than this, the equation form does not fit: it is laid out this wide and shrunk.
  constexpr float kMinStageUnits = 720;
  StageOptions o;
  pixels_w = std::max(pixels_w, 1.0f), pixels_h = std::max(pixels_h, 1.0f);
  o.width = std::max(pixels_w, kMinStageUnits);
  o.height = o.width * pixels_h / pixels_w;
  o.pixels_per_unit = pixels_w / o.width;
  o.scale = scale;
  return o;
}

Scene build_stage(const Timeline& timeline, const Frame& from, const Frame& to, float t,
                  const StageOptions& options) {
  // A step back out of a stage plays that stage's move backwards: the kernel turns back, the
  // padding ring shrinks away, the cropped border grows back.
  const bool back_out_of_stage = from.phase == to.phase && from.granularity == to.granularity &&
                                 to.index + 1 == from.index && from.kind == StepKind::Stage &&
                                 !options.reduce_motion && t < 1;
  if (back_out_of_stage) return StageBuilder(timeline, to, from, 1 - t, options).build();
  return StageBuilder(timeline, from, to, t, options).build();
}

long long highlight_related(Scene& scene, const Timeline& timeline, const CellRef& cell,
                            Theme theme) {
  const Palette pal = palette(theme);
  long long related = 0;
  for (const auto& [grid, region] : related_on_stage(scene, timeline, cell)) {
    lattice_frames(scene, scene.grids[grid], region, pal.muted, 2.5f, FrameRole::Hover, true,
                   0.92f);
    related += 1LL * region.rows * region.cols;
  }
  if (const auto at = placed(scene, {cell.grid, cell.n, cell.c, cell.h, cell.w, 1, 1, 1, 1})) {
    const SceneGrid& sg = scene.grids[at->first];
    add_frame(scene, scaled(cell_rect(sg, at->second.top, at->second.left), 0.92f), pal.ink, 2.5f,
              FrameRole::Hover);
  }
  return related;
}

std::optional<CellRef> cell_at(const Scene& scene, const Timeline& timeline, float x, float y) {
  for (const SceneGrid& sg : scene.grids) {
    if (!sg.bounds.contains(x, y) || sg.cell_size <= 0) continue;
    const int col = sg.first_col + static_cast<int>((x - sg.bounds.x) / sg.cell_size);
    const int row = sg.first_row + static_cast<int>((y - sg.bounds.y) / sg.cell_size);
    const Grid g = sg.grid;
    if (g == Grid::None || sg.copy != GridCopy::Own) continue;
    if (g == Grid::db) return CellRef{g, 0, col, 0, 0};
    const Shape& s = timeline.tensor(g).shape;
    if (row < s.h && col < s.w) return CellRef{g, sg.slice_n, sg.slice_c, row, col};
  }
  return std::nullopt;
}

}  // namespace convstep
