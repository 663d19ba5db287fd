// scene.h — what is on the stage: grids of cells, frames, links and text, in layout units.
//
// A scene is pure data. It knows nothing of pixels, GL or ImGui: the app's painter draws it
// with GL, the SVG exporter writes it as text, and tests inspect it directly.
//
// Coordinates: layout units, origin at the top-left, y down. At scale 1 a layout unit is one
// pixel of a 1600×900 window; the painter scales the whole scene to fit its viewport.
// Colours are straight (not premultiplied) RGBA in 0..1, sRGB.
//
//   Scene scene = build_scene(timeline, frame, t);
//   for (const SceneGrid& g : scene.grids) ...   // cells carry their value and style
//   scene.grid(Grid::Xp)                         // the grid showing Xp itself, or null
//
// Grids and roles are enums, so a misspelt one does not compile; grid_id() and the *_name()
// functions give the words where text is needed (SVG ids, test messages).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/grid.h"

namespace convstep {

enum class Pitfall;  // core/conv.h

struct Color {
  float r = 0, g = 0, b = 0, a = 1;
  bool operator==(const Color&) const = default;
};
Color hex_color(std::uint32_t rgb, float alpha = 1.0f);  // hex_color(0xE69F00)

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  bool contains(float px, float py) const { return px >= x && py >= y && px < x + w && py < y + h; }
  bool operator==(const Rect&) const = default;
};

// How a cell is drawn besides its value's colour.
enum class CellStyle : std::uint8_t {
  Data,          // an ordinary value
  Padding,       // a zero of the padding ring: dimmed, hatched, dashed border
  InsertedZero,  // a zero inserted by the stride (Gd, Gp): lighter, dotted outline
  Pending,       // not computed yet at this step: blank
  Discarded,     // a gradient that lands on the padding and is cropped away
};

struct SceneCell {
  Rect rect;  // before the grid's rotation
  double value = 0;
  float shade = 0;  // value / max|value| of its grid, in −1..1, for the colormap
  CellStyle style = CellStyle::Data;
  bool uncovered = false;  // no window reaches it: it gets no gradient (small mark)
  std::string text;        // the number as shown; empty when level of detail hides it
  Color text_color;        // chosen for contrast against the cell's fill
  int row = 0, col = 0;    // index within the grid's (n, c) slice
};

// Which picture of its grid a scene grid is.
enum class GridCopy : std::uint8_t {
  Own,       // the grid itself (one (n, c) slice of it)
  Subtotal,  // forward, several input channels: one channel's share of the sum (grid None)
  Mistake,   // beside the result a phase fills: the one a pitfall gives, filled as far as it
  Overview,  // the focus view: the whole of a grid shown magnified in part, small, beside it
};

struct SceneGrid {
  Grid grid = Grid::None;
  GridCopy copy = GridCopy::Own;
  Pitfall pitfall{};             // whose mistake, for GridCopy::Mistake
  int slice_n = 0, slice_c = 0;  // which (n, c) slice of the 4-D tensor is shown
  std::string label;             // "Xp (8×7)"
  Rect bounds;                   // the cells' extent, before rotation
  int rows = 0, cols = 0;        // the whole slice's
  // The focus view shows a part of a large grid, magnified: shown_rows × shown_cols cells from
  // (first_row, first_col), which bounds then covers. Zero shown: the whole grid.
  int first_row = 0, first_col = 0, shown_rows = 0, shown_cols = 0;
  float cell_size = 0;
  float rotation_deg = 0;        // about the centre of bounds, clockwise on screen; text turns too
  float opacity = 1;             // for fades
  std::vector<SceneCell> cells;  // row-major, rows × cols (or the part shown)

  int visible_rows() const { return shown_rows > 0 ? shown_rows : rows; }
  int visible_cols() const { return shown_cols > 0 ? shown_cols : cols; }
};

// What a scene grid is called in text: "Xp", "subtotal", "dX_right", "dX_no_rotation".
std::string grid_id(const SceneGrid& g);

// What a frame marks.
enum class FrameRole : std::uint8_t {
  Window,       // the window (receptive field), or its bounding box when it has holes
  WindowOther,  // the window on another slice of the same grid
  WindowCell,   // one cell of a window with holes (stride or dilation)
  Target,       // the cell being computed
  Source,       // the cell being scattered (dx_scatter)
  Term,         // the pair of cells of the current term
  Subtotal,     // the channel subtotal the current term adds to
  Diff,         // a cell where a pitfall's answer differs from the right one (solid, double,
                // tinted: no other role has that shape)
  Hover,        // cells related to the one under the pointer
  Corner,       // the corner cell the kernel's turn follows: W[0,0], then Wr[k−1,k−1]
  Ghost,        // what a move took away, left faintly where it was (the cropped border)
  Overview,     // on an overview grid: the part magnified, and the window
};
const char* frame_role_name(FrameRole r);  // "window", "window_other", ...

// A rectangle outline or fill over cells: the window, the target cell, the term's pair.
struct SceneFrame {
  Rect rect;
  Color stroke;
  float stroke_width = 0;  // 0: no outline
  Color fill{0, 0, 0, 0};  // alpha 0: no fill
  bool dashed = false;
  // Shapes that tell roles apart without colour (DESIGN "Roles"): a second outline inside the
  // first, two stroke widths in (the term's pair); a filled triangle in the top-left corner,
  // its legs 0.3 of the shorter side (the target).
  bool double_line = false;
  bool corner_mark = false;
  FrameRole role = FrameRole::Window;
};

enum class LineRole : std::uint8_t {
  Link,   // joins the two cells of the current term
  Trace,  // the path of the kernel's corner through the 180° turn, W[0,0] → Wr[k−1,k−1]
};
const char* line_role_name(LineRole r);  // "link"

struct SceneLine {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  Color color;
  float width = 1;
  bool arrow = false;  // an arrowhead at (x1, y1)
  LineRole role = LineRole::Link;
};

enum class Font : std::uint8_t { Sans, SansBold, Mono };
enum class Align : std::uint8_t { Left, Center, Right };

// What a piece of free text says.
enum class TextRole : std::uint8_t {
  Title,        // the phase's title, top left
  Counter,      // "term 5 / 99", top right
  Note,         // the step's note under the title
  Label,        // a grid's name and shape, above it
  Slice,        // a grid's slice, under its label: "[n=0,c=1]"
  Operator,     // ⋆, =, Σ between grids
  Equation,     // a line of the current equation
  CurrentTerm,  // "current term: ..."
  RunningSum,   // "running sum ..."
  Pitfall,      // what a pitfall does at this step (the wrong term), or where it shows
};
const char* text_role_name(TextRole r);  // "title", "current_term", ...

struct SceneText {
  float x = 0, y = 0;  // anchor: horizontal per align, vertical centre
  std::string text;    // UTF-8
  float size = 18;     // pixel height at scale 1
  Color color;
  Font font = Font::Sans;
  Align align = Align::Left;
  TextRole role = TextRole::Label;
  // Emphasized parts, underlined in mark_color: byte ranges [first, second) of text.
  // Renderers measure them with the real font, so each mark sits exactly under its characters.
  std::vector<std::pair<std::size_t, std::size_t>> marks;
  Color mark_color;
};

struct Scene {
  float width = 1600, height = 900;  // the layout's extent
  // The stage scale the layout used: the one asked for, or less where the grids had no more
  // room (StageOptions::scale).
  float scale = 1;
  Color background;
  std::vector<SceneGrid> grids;    // drawn first, in order
  std::vector<SceneFrame> frames;  // then frames
  std::vector<SceneLine> lines;    // then lines
  std::vector<SceneText> texts;    // then free text (labels, operators)

  // The first grid showing `copy` of `g`, or null.
  const SceneGrid* grid(Grid g, GridCopy copy = GridCopy::Own) const;
};

}  // namespace convstep
