// stage.h — lays out a timeline frame as a scene: the grids of the phase as the equation they
// form, the window, the current term, the running sum, and the equation line.
//
//   StageOptions options;                     // theme, hover, readable-text threshold...
//   Scene s = build_stage(timeline, previous_frame, frame, t, options);
//
// `t` in 0..1 is how far the move from `from` to `to` has played: the window glides, the
// padding ring and inserted zeros grow in, the kernel turns through 180°, the crop shrinks the
// border away. Pass from = to (or t = 1) for a still picture. Pure: no GL, deterministic.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "core/scene.h"
#include "core/timeline.h"

namespace convstep {

enum class Theme { Dark, Light, HighContrast };
inline constexpr Theme kAllThemes[] = {Theme::Dark, Theme::Light, Theme::HighContrast};
const char* theme_name(Theme t);  // "dark", "light", "high_contrast"
std::optional<Theme> parse_theme(std::string_view name);

struct StageOptions {
  float width = 1600, height = 900;  // the layout's extent (layout units)
  // The stage scale, 1–3: text and grids grow with it together. Text grows only as far as the
  // grids can grow too (the layout gives the grids their room first): past that point a larger
  // scale changes nothing, so that raising it never makes the numbers smaller.
  float scale = 1;
  Theme theme = Theme::Dark;
  // Pixels per layout unit where the scene will be shown: numbers are hidden (level of detail)
  // when their text would be smaller than kMinReadablePixels on screen.
  float pixels_per_unit = 1;
  std::optional<CellRef> hover;  // highlights every cell that corresponds to it
  bool reduce_motion = false;    // moves become fades
  // The notebooks' mistakes to show inside the step view: in a phase a mistake changes, the
  // result it gives beside the right one, filled as far, the differing cells framed, and a line
  // naming its wrong term; in the other phases, a line saying where it shows.
  std::vector<Pitfall> pitfalls;
  // Cells too small to read: magnify the step's neighbourhood beside an overview (the focus
  // view, kFocusBelowPixels), or show the grids whole.
  bool focus_view = true;
  // The (n, c, o) slice to show; unset: the one the current step is on.
  std::optional<std::array<int, 3>> slice;
  // The quiz's open questions (core/quiz.h): these result cells are drawn as "?", and the
  // equation and running sum of a step whose target is one of them end in "?", until answered.
  std::vector<CellRef> hidden;
};

inline constexpr float kMinReadablePixels = 9;
// A cell's number is this fraction of its size (DESIGN: at least 40%), and never smaller than
// the grids' labels (which shrink to it instead).
inline constexpr float kTextPerCell = 0.5f;

// The focus view (issue 10): when a lesson's cells would be smaller than kFocusBelowPixels on
// screen, the stage shows the part of each large grid around the step, magnified to cells of
// kFocusCellPixels where the stage has room, beside an overview of the whole grid. Grids of at
// most kFocusMinCells a side are always shown whole.
inline constexpr float kFocusBelowPixels = 28, kFocusCellPixels = 36;
inline constexpr int kFocusMinCells = 12;

// The options of a stage shown on `pixels_w` × `pixels_h` pixels at a stage scale: one layout
// unit per pixel, except on stages too narrow for the equation form, which are laid out wider
// and shown shrunk.
StageOptions stage_view(float pixels_w, float pixels_h, float scale);

// Cubic ease in and out, 0 → 0 and 1 → 1.
float ease(float t);

// How long the move onto `moving` lasts at 1× (the app divides it by its speed). A step glides
// in a quarter of a second; the structural moves are taught, not flashed: the padding ring, the
// stride's zeros and the crop grow or shrink ring by ring or row by row over 1.2 s, and the
// kernel turns through 180° in 0.9 s.
inline constexpr double kStepSeconds = 0.25, kStructureSeconds = 1.2, kTurnSeconds = 0.9;
double move_seconds(const Frame& moving);

Scene build_stage(const Timeline& timeline, const Frame& from, const Frame& to, float t,
                  const StageOptions& options);

// Frames `cell` and the cells related to it (Timeline::correspondences) on the scene's grids,
// as build_stage does for options.hover; returns how many related cells it framed. A region of
// many cells is framed by a few rectangles: the frames stay few whatever the lesson's size.
long long highlight_related(Scene& scene, const Timeline& timeline, const CellRef& cell,
                            Theme theme);

// The cell of a stage grid under a point of the layout, if any (for hover and clicks).
std::optional<CellRef> cell_at(const Scene& scene, const Timeline& timeline, float x, float y);

}  // namespace convstep
