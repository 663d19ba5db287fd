// glyphs.h — the characters convstep writes, as the glyph ranges its fonts are baked with.
//
// Dear ImGui bakes only the glyphs it is asked for, and draws "?" for any other. The list is
// built from what core and app actually write (tests/scene/test_glyphs.cpp checks every text
// of every phase, stage, pitfall and explanation, for the presets and random lessons, and
// every non-ASCII character in the sources' strings, against it). GL-free, so that test needs
// no GPU. DejaVu Sans, Sans Bold and Sans Mono have every glyph listed.
#pragma once

namespace convstep {

// Inclusive pairs of code points, zero-terminated: Dear ImGui's glyph ranges (16-bit ImWchar).
inline constexpr unsigned short kGlyphRanges[] = {
    0x0020, 0x00FF,  // Basic Latin and Latin-1: · × ° (and what users type in titles, paths)
    0x0391, 0x03A1,  // Greek capitals (U+03A2 is unassigned),
    0x03A3, 0x03C9,  // Σ and the rest, small letters (for users' titles too)
    0x1D40, 0x1D40,  // ᵀ (a transpose: T(W)ᵀ, colsᵀ)
    0x2013, 0x2014,  // – —
    0x2026, 0x2026,  // …
    0x2190, 0x2193,  // ← ↑ → ↓
    0x2202, 0x2202,  // ∂
    0x2211, 0x2212,  // ∑ −
    0x2217, 0x2217,  // ∗ (a true convolution: G ∗ W)
    0x2264, 0x2265,  // ≤ ≥
    0x22C5, 0x22C6,  // ⋅ ⋆
    0x25B6, 0x25B6,  // ▶
    0x25C0, 0x25C0,  // ◀
    0x2713, 0x2713,  // ✓
    0,
};

// Whether `code_point` is baked into the fonts.
constexpr bool has_glyph(char32_t code_point) {
  for (const unsigned short* r = kGlyphRanges; r[0] != 0; r += 2)
    if (code_point >= r[0] && code_point <= r[1]) return true;
  return false;
}

}  // namespace convstep
