// canvas.h — what a phase's stage drawing (PhaseDef::draw) may use: the stage builder's
// layout, grids, styles and overlays. core/stage.cpp implements it; a phase file draws with it.
//
//   void draw(StageCanvas& s) {          // a phase with the equation Xp ⋆ G = dW
//     int n, c, o;
//     s.slices(&n, &c, &o);              // the slice the step is on (or the one chosen)
//     std::vector<StageCanvas::Slot> slots = {{Grid::Xp, n, c, rows, cols, "⋆"}, ...};
//     s.layout(slots);                   // side by side, one cell size, operators between
//     s.add_grid(slots[0], Grid::Xp, s.timeline().tensor(Grid::Xp), n, c, "Xp");
//     ...
//     s.window_overlay();                // the frame's window, target and current term
//     s.term_overlay();
//   }
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/scene.h"
#include "core/timeline.h"

namespace convstep {

// The values a grid on the stage shows: a tensor's, or a result's as a step leaves it (read
// cell by cell, never copied: the stage is laid out again every frame).
class GridValues {
 public:
  // Implicit: wherever a grid's values are asked for, a tensor or a result will do.
  GridValues(const Tensor& t) : tensor_(&t) {}
  GridValues(const ResultFill& r) : result_(&r) {}
  GridValues(Tensor&&) = delete;  // it would point to a value about to go
  GridValues(ResultFill&&) = delete;
  const Shape& shape() const { return tensor_ ? tensor_->shape : result_->shape(); }
  double operator()(int n, int c, int h, int w) const {
    return tensor_ ? (*tensor_)(n, c, h, w) : result_->value(result_->offset(n, c, h, w));
  }

 private:
  const Tensor* tensor_ = nullptr;
  const ResultFill* result_ = nullptr;
};

class StageCanvas {
 public:
  // A place for a grid: its extent in cells (the largest grid it will show) and the operator
  // drawn after it ("⋆", "=", "").
  struct Slot {
    Grid grid;
    int n, c;
    int rows, cols;
    std::string op_after;
    Rect bounds = {};  // set by layout()
    // The focus view: layout() shows a large grid in part (rows and cols are then the part's),
    // and the whole of it small here. Empty: the grid is shown whole.
    Rect overview = {};
    // The label of a grid that is not one of the lesson's as it stands ("W" read as a matrix,
    // on Grid::None): the layout keeps room for it. Empty: the grid's own name and shape.
    std::string label = {};
    // Never shown in part: when every slot is whole, layout() does without the focus view
    // (the matrix view, whose point is the whole matrix; its size is limited instead).
    bool whole = false;
    // A slot layout() adds after the phase's own for a mistake's result (core/mistake.h).
    bool mistake = false;
    // A part the phase chooses itself (rows and cols are then the part's, and overview is set
    // to {0, 0, 1, 1} to ask for the whole beside it): its first row and column. -1: the focus
    // view's own page around the step.
    int first_row = -1, first_col = -1;
  };

  // ---- The step being drawn ----
  virtual const Timeline& timeline() const = 0;
  virtual const Frame& frame() const = 0;
  virtual float move() const = 0;     // how far the move into this step has played: 0..1, eased
  virtual bool stepping() const = 0;  // arriving by one step forward: stage moves play
  // The (n, c) slice of the input-side grids and the output channel o to show.
  virtual void slices(int* n, int* c, int* o) const = 0;

  // ---- Grids ----
  virtual Rect area() const = 0;  // where the grids go, between the title and the equation
  virtual Color ink() const = 0;  // the theme's text colour
  virtual void layout(std::vector<Slot>& slots) = 0;
  // Whether layout() would show these slots in the focus view (parts of the large grids).
  virtual bool needs_focus(const std::vector<Slot>& slots) = 0;
  // For a layout of one's own: the zoom and the cell size, then the cell and label sizes.
  virtual float text_scale() const = 0;  // text sizes are multiplied by this
  virtual float max_cell() const = 0;    // the largest cell at this zoom
  // Raises the zoom towards the scale asked for while the cell the layout gets at that zoom
  // (`cell_at_zoom`) does not shrink: text and grids grow together.
  virtual void fit_zoom(const std::function<float()>& cell_at_zoom) = 0;
  // Whether grids laid out with the cells `cell_at_zoom` gives (at zoom 1) can be read whole;
  // if not, a phase with a layout of its own shows less, through layout() and its focus view.
  virtual bool readable_whole(const std::function<float()>& cell_at_zoom) = 0;
  virtual void set_cell_size(float cell, float label_size) = 0;
  virtual float cell_size() const = 0;
  virtual float label_size() const = 0;  // the type size of the grids' labels
  // A grid centred in `slot`, showing `values`' (n, c) slice; its colours scale to `scale`
  // (default: the values), so that a result keeps its colours while it fills up.
  virtual SceneGrid& add_grid(const Slot& slot, Grid grid, GridValues values, int n, int c,
                              const std::string& label, const Tensor* scale = nullptr,
                              bool show_shape = true) = 0;
  // "Xp", or "Xp[n=1,c=0]" when the tensor has several slices.
  virtual std::string slice_label(Grid grid, int n, int c, const char* first,
                                  const char* second) const = 0;
  // The grid on the stage showing the (n, c) slice of `grid`, or null.
  virtual const SceneGrid* find(Grid grid, int n, int c) const = 0;
  // The frame's result as it stands, or (without one) the grid's final values.
  virtual GridValues result_or_final(Grid grid) const = 0;

  // ---- Styles ----
  virtual void style_padding(SceneGrid& sg, float grow) = 0;     // Xp's ring, growing in
  virtual void restyle_text(SceneGrid& sg) = 0;                  // after changing cell styles
  virtual void apply_progress(SceneGrid& sg, int n, int c) = 0;  // pending cells blank
  virtual void mark_uncovered(SceneGrid& sg, int offset_h, int offset_w) = 0;

  // ---- Overlays ----
  virtual void window_overlay() = 0;  // the frame's window
  virtual void term_overlay() = 0;    // its target, source and current term
  virtual void frame_rect(const Rect& r, Color stroke, float width, FrameRole role) = 0;
  // A faint ghost of a border that went away: the ring between `outer` and `inner`, and an
  // outline where `outer` was.
  virtual void ghost_border(const Rect& outer, const Rect& inner) = 0;
  virtual void line(float x0, float y0, float x1, float y1, Color color, float width, bool arrow,
                    LineRole role) = 0;
  virtual void text(float x, float y, const std::string& s, float size, Color color, Font font,
                    Align align, TextRole role) = 0;

 protected:
  ~StageCanvas() = default;
};

// The width of text, estimated on the wide side: DejaVu Sans averages under 0.56 of its size
// per character, Sans Bold 0.62 (layouts that must keep labels apart).
inline float text_width(const std::string& s, float size, Font font = Font::Sans) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return static_cast<float>(n) * size * (font == Font::SansBold ? 0.62f : 0.56f);
}

// `words` broken at spaces into lines at most `width` wide (text_width) at type size `size`;
// never inside a word (a word longer than a line has a line of its own).
std::vector<std::string> wrap_text(const std::string& words, float size, float width);

inline Rect lerp(const Rect& a, const Rect& b, float t) {
  return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.w + (b.w - a.w) * t,
          a.h + (b.h - a.h) * t};
}

// Scales a rect about its centre: grow-in and shrink-away animations.
inline Rect scaled(const Rect& r, float s) {
  return {r.x + r.w * (1 - s) / 2, r.y + r.h * (1 - s) / 2, r.w * s, r.h * s};
}

// How far part i of n has come when parts grow in one after another (rings, rows) and the
// whole move is at t in 0..1: 0 before its turn, 1 after it.
inline float in_turn(float t, int i, int n) {
  if (n <= 1) return t;
  const float at = t * static_cast<float>(n) - static_cast<float>(i);
  return at < 0 ? 0.0f : at > 1 ? 1.0f : at;
}

// How many cells `(row, col)` lies outside the rectangle of rows [top, top + h) and columns
// [left, left + w): 0 inside it, 1 on the ring around it, 2 on the next ring...
inline int ring_of(int row, int col, int top, int left, int h, int w) {
  const int dy = row < top ? top - row : row >= top + h ? row - (top + h - 1) : 0;
  const int dx = col < left ? left - col : col >= left + w ? col - (left + w - 1) : 0;
  return dy > dx ? dy : dx;
}

// Where cell (y, x) of the grid's slice is (off the grid when the focus view leaves it out).
inline Rect cell_rect(const SceneGrid& sg, int y, int x) {
  return {sg.bounds.x + (x - sg.first_col) * sg.cell_size,
          sg.bounds.y + (y - sg.first_row) * sg.cell_size, sg.cell_size, sg.cell_size};
}

}  // namespace convstep
