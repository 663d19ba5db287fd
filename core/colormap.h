// colormap.h — the colours of convstep, shared by the GL painter, the SVG export and the tests.
//
//   Color fill = diverging_color(cell.shade);        // ColorBrewer RdBu: −1 blue, 0 grey, +1 red
//   Color ink  = text_color_on(fill);                // black or white, WCAG contrast ≥ 4.5:1
//   Color base = cell_fill(cell.shade, cell.style, scene.background);  // what the shader paints
//   frame.stroke = role_color(FrameRole::Window);    // Okabe–Ito orange
//
// Colours are straight RGBA in 0..1, sRGB-encoded (as in scene.h). Interpolation between the
// colormap's stops is linear in sRGB components, exactly as shaders/grid.frag does it: the GL
// painter receives the same stop table (kDivergingStops) as a uniform array, and the render
// tests compare its pixels with diverging_color().
#pragma once

#include <array>
#include <cstdint>

#include "core/scene.h"

namespace convstep {

// A colour from 0xRRGGBB, usable in constant expressions.
constexpr Color rgb(std::uint32_t hex, float alpha = 1.0f) {
  return Color{static_cast<float>((hex >> 16) & 0xFF) / 255.0f,
               static_cast<float>((hex >> 8) & 0xFF) / 255.0f,
               static_cast<float>(hex & 0xFF) / 255.0f, alpha};
}

// ---- values: the diverging colormap ----
// ColorBrewer 2.0 (Cynthia Brewer, colorbrewer2.org), scheme RdBu, 9 classes, marked
// colorblind safe. Listed from shade −1 (blue) to +1 (red); stop i sits at −1 + i·0.25.
// The 9-class scheme rather than the 11-class one: its ends (#2166AC, #B2182B) stay clearly blue
// and red on a projector, where #053061 and #67001F both read as near-black.
inline constexpr std::array<std::uint32_t, 9> kDivergingStops = {
    0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B};

// shade in −1..1 (clamped; NaN maps to 0): negative blue, 0 near-white grey #F7F7F7, positive red.
Color diverging_color(float shade);

// ---- text on a fill ----
// WCAG 2.x relative luminance of an sRGB colour (alpha ignored), and the contrast ratio.
double relative_luminance(Color c);
double contrast_ratio(Color a, Color b);
// The text colour for a fill: near-black (#1A1A1A) or white, whichever contrasts more; pure
// black for the few mid-tones where neither reaches 4.5:1. The result always reaches 4.5:1
// (any fill does against pure black or white).
inline constexpr Color kInkDark = rgb(0x1A1A1A);
inline constexpr Color kInkLight = rgb(0xFFFFFF);
Color text_color_on(Color fill);

// ---- structure: how each cell style is filled (before hatching, borders and marks) ----
// The base colour grid.frag paints under a cell's pattern, composited over `background` and
// opaque, except Pending, which is `background` itself (the cell is left blank). Pick the
// text colour of a cell with text_color_on(cell_fill(...)).
//   Data:          diverging_color(shade)
//   Padding:       diverging_color(shade) mixed 30% toward grey #9E9E9E (dimmed), then hatched;
//                  on a dark background also faded 60% toward it, so the ring recedes
//   InsertedZero:  diverging_color(shade) mixed 60% toward white (lighter), dotted outline;
//                  on a dark background also faded 45% toward it
//   Pending:       background, faint outline
//   Discarded:     diverging_color(shade) mixed 55% toward background (faded), cross-hatched
Color cell_fill(float shade, CellStyle style, Color background);
// A background of relative luminance below 0.2 (the dark and high-contrast themes).
bool is_dark_background(Color background);
inline constexpr Color kPaddingDimTo = rgb(0x9E9E9E);
inline constexpr float kPaddingDim = 0.30f;
inline constexpr float kPaddingDarkFade = 0.60f;
inline constexpr float kInsertedZeroLighten = 0.60f;
inline constexpr float kInsertedZeroDarkFade = 0.45f;
inline constexpr float kDiscardedFade = 0.55f;

// ---- roles: Okabe & Ito (2008), "Color Universal Design", the 8-colour palette ----
inline constexpr Color kRoleWindow = rgb(0xE69F00);  // orange: the window / receptive field
inline constexpr Color kRoleTarget = rgb(0x009E73);  // bluish green: the target cell
inline constexpr Color kRoleTerm = rgb(0xCC79A7);    // reddish purple: the term's pair and link
inline constexpr Color kRoleSource = rgb(0x56B4E9);  // sky blue: the source cell (scatter)
inline constexpr Color kRoleDiff = rgb(0xD55E00);    // vermillion: differences (pitfalls)
// The colour of a SceneFrame / SceneLine role (window, target, term, link, source, diff); mid
// grey #7F7F7F for any other (e.g. hover).
Color role_color(FrameRole role);
Color role_color(LineRole role);
// Text in a role's colour ("current term: ...", "running sum ...") on `background`: the role's
// colour darkened (on a light background) or lightened (on a dark one) just enough to reach
// WCAG 4.5:1, so that it keeps its hue. On white, the term's #CC79A7 alone is only 3:1.
Color role_text_color(Color role, Color background);

// Component-wise straight mix: a·(1−t) + b·t, alpha included.
Color mix(Color a, Color b, float t);

}  // namespace convstep
