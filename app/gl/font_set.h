// font_set.h — DejaVu Sans, Sans Bold and Sans Mono baked at a ladder of pixel sizes.
//
//   FontSet fonts(ImGui::GetIO().Fonts);               // before the atlas is built
//   fonts.build(cache_dir());                          // from the cache file, or baked
//   FontSet::Pick pick = fonts.nearest(Font::Mono, 21.0f);
//   draw_list->AddText(pick.font, pick.size, pos, colour, "−4");
//
// Dear ImGui 1.86 rasterizes each font size into the atlas, so text is crisp only at a baked
// size. FontSet bakes every face at kBakedSizes, with FreeType, and nearest() snaps a wanted size
// to the closest baked one. The scene painter sizes text in pixels after fitting the stage, so
// classroom scales need no rebuild; the UI font (Sans at kUiSize × ui_scale, ImGui's default
// font) does. To change the UI scale between frames:
//   fonts.rebuild(2.0f);                       // clears and refills the atlas; same FontSet
//   ImGui_ImplOpenGL3_DestroyFontsTexture();   // the backend uploads the new atlas
//   ImGui_ImplOpenGL3_CreateFontsTexture();
//
// Sizes are ImGui's: a font of size S has ascent + descent = S pixels (FreeType's "real
// dimension" request), so DejaVu's em is 2048/2384 ≈ 0.86 S and its digits are ≈ 0.63 S tall.
// An SVG of the same scene uses font-size = 0.86 × S to match.
//
// Files come from <assets>/fonts/ if present, else /usr/share/fonts/truetype/dejavu/ (Debian's
// fonts-dejavu-core). The glyphs: those of app/gl/glyphs.h, the characters convstep writes.
#pragma once

#include <array>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/scene.h"

struct ImFont;
struct ImFontAtlas;

namespace convstep {

struct FontError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class FontSet {
 public:
  // Pixel sizes baked for every face; a ratio of about 1.22 between neighbours. Up to 66 px the
  // atlas is 2048×2048 (~140 ms to build with FreeType); an 80 px step would double both. Larger
  // text is drawn scaled up from 66 px.
  static constexpr std::array<float, 10> kBakedSizes = {10, 13, 16, 20, 24, 30, 36, 44, 54, 66};
  static constexpr float kUiSize = 18;  // the default font for ImGui widgets, at ui_scale 1

  // Reads the font files and fills `atlas` (see rebuild). Throws FontError naming the paths it
  // tried. The FontSet holds the files' bytes: it must outlive every build of the atlas.
  explicit FontSet(ImFontAtlas* atlas, float ui_scale = 1.0f);
  ~FontSet();  // waits for the cache file being written
  // Clears the atlas and adds the fonts again: first Sans at kUiSize × ui_scale (the atlas' first
  // font, i.e. ImGui's default), then every face at every baked size. The atlas is built later:
  // by build(), or else by the backend's CreateFontsTexture (GetTexDataAsRGBA32), baking.
  void rebuild(float ui_scale);
  // Builds the atlas from <cache_folder>/font-atlas-NNpx.bin (NN: the UI font's size) when that
  // file holds this very atlas (app/gl/font_cache.h); otherwise bakes it with FreeType and
  // writes the file, atomically, on a thread of its own. A missing, stale or damaged file is
  // baked over; a file that cannot be written is left alone. An empty folder: baked, no file.
  // True when the atlas came from the file.
  bool build(const std::string& cache_folder);
  FontSet(const FontSet&) = delete;
  FontSet& operator=(const FontSet&) = delete;

  struct Pick {
    ImFont* font;
    float size;  // the size to draw at, in pixels; a baked size (crisp) whenever one is close
  };
  // The baked size closest to `pixels` when one is within 12%; otherwise (beyond the ladder)
  // the closest baked font drawn at exactly `pixels`, slightly soft but the size asked for.
  Pick nearest(Font face, float pixels) const;
  // The largest baked size not above `pixels` (the smallest baked size if none is): for text
  // that must fit in a box.
  Pick at_most(Font face, float pixels) const;
  ImFont* ui_font() const { return ui_font_; }

  // The first readable file among <assets>/fonts/NAME and the system's DejaVu folder, or among
  // `folders`. Throws FontError naming every path tried.
  static std::string find_font_file(const std::string& file_name);
  static std::string find_font_file(const std::string& file_name,
                                    const std::vector<std::string>& folders);
  // A face's glyph ranges as ImGui wants them (pairs, inclusive, zero-terminated): kGlyphRanges.
  static const unsigned short* glyph_ranges(Font face);

 private:
  ImFontAtlas* atlas_;
  std::vector<std::vector<char>> files_;  // Sans, SansBold, Mono
  float ui_size_ = kUiSize;
  std::future<void> saving_;  // the cache file being written
  std::array<std::array<ImFont*, kBakedSizes.size()>, 3> fonts_{};
  std::array<float, kBakedSizes.size()> sizes_{};
  ImFont* ui_font_ = nullptr;
};

}  // namespace convstep
