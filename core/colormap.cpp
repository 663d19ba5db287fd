// colormap.cpp — see colormap.h. Also defines hex_color() from scene.h.
#include "core/colormap.h"

#include <algorithm>
#include <cmath>

namespace convstep {

Color hex_color(std::uint32_t hex, float alpha) {
  return rgb(hex, alpha);
}

Color mix(Color a, Color b, float t) {
  return Color{a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t,
               a.a + (b.a - a.a) * t};
}

Color diverging_color(float shade) {
  if (std::isnan(shade)) shade = 0;
  shade = std::clamp(shade, -1.0f, 1.0f);
  // Same arithmetic as grid.frag: position on the stop table, then a linear mix.
  constexpr int last = static_cast<int>(kDivergingStops.size()) - 1;
  const float pos = (shade + 1.0f) * 0.5f * static_cast<float>(last);
  const int i = std::min(static_cast<int>(pos), last - 1);
  return mix(rgb(kDivergingStops[i]), rgb(kDivergingStops[i + 1]), pos - static_cast<float>(i));
}

// WCAG 2.x: https://www.w3.org/TR/WCAG21/#dfn-relative-luminance
double relative_luminance(Color c) {
  auto linear = [](double v) {
    return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double contrast_ratio(Color a, Color b) {
  const double la = relative_luminance(a), lb = relative_luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

Color text_color_on(Color fill) {
  const double dark = contrast_ratio(fill, kInkDark), light = contrast_ratio(fill, kInkLight);
  if (std::max(dark, light) >= 4.5) return light >= dark ? kInkLight : kInkDark;
  // Mid-greys (luminance near 0.18) reach 4.5:1 only against pure black.
  const Color black = rgb(0x000000);
  return contrast_ratio(fill, black) >= light ? black : kInkLight;
}

bool is_dark_background(Color background) {
  return relative_luminance(background) < 0.2;
}

Color cell_fill(float shade, CellStyle style, Color background) {
  const Color value = diverging_color(shade);
  Color bg = background;
  bg.a = 1;
  const bool dark = is_dark_background(bg);
  switch (style) {
    case CellStyle::Data:
      return value;
    case CellStyle::Padding: {
      const Color dimmed = mix(value, kPaddingDimTo, kPaddingDim);
      return dark ? mix(dimmed, bg, kPaddingDarkFade) : dimmed;
    }
    case CellStyle::InsertedZero: {
      const Color lighter = mix(value, rgb(0xFFFFFF), kInsertedZeroLighten);
      return dark ? mix(lighter, bg, kInsertedZeroDarkFade) : lighter;
    }
    case CellStyle::Pending:
      return background;
    case CellStyle::Discarded:
      return mix(value, bg, kDiscardedFade);
  }
  return value;
}

Color role_color(FrameRole role) {
  switch (role) {
    case FrameRole::Window:
      return kRoleWindow;
    case FrameRole::Target:
      return kRoleTarget;
    case FrameRole::Term:
      return kRoleTerm;
    case FrameRole::Source:
      return kRoleSource;
    case FrameRole::Diff:
      return kRoleDiff;
    default:
      return rgb(0x7F7F7F);
  }
}

Color role_text_color(Color role, Color background) {
  const Color toward = is_dark_background(background) ? kInkLight : rgb(0x000000);
  Color c = role;
  for (int i = 1; i <= 20 && contrast_ratio(c, background) < 4.5; ++i)
    c = mix(role, toward, 0.05f * static_cast<float>(i));
  return c;
}

Color role_color(LineRole role) {
  return role == LineRole::Link ? kRoleTerm : rgb(0x7F7F7F);
}

}  // namespace convstep
