// The baked font atlas kept on disk (app/gl/font_cache.h): a start that reads it has exactly
// the glyphs, metrics and pixels of a fresh bake, and a file that is damaged, stale or of other
// fonts is never used: the atlas is baked again, and the file written again. No GPU needed.
#include <gtest/gtest.h>
#include <imgui.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "app/gl/font_cache.h"
#include "app/gl/font_set.h"
#include "app/gl/glyphs.h"
#include "tests/temp_dir.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spill(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// The one cache file a FontSet at UI scale 1 writes.
fs::path cache_file(const TempDir& dir) {
  return dir.path / "font-atlas-18px.bin";
}

// Everything of two built atlases that drawing text reads, compared: the pixels, the custom
// rectangles and their UVs, and for every font its metrics, glyphs and lookup tables.
void expect_same_atlas(ImFontAtlas& a, ImFontAtlas& b) {
  unsigned char *pa = nullptr, *pb = nullptr;
  int wa = 0, ha = 0, wb = 0, hb = 0;
  a.GetTexDataAsAlpha8(&pa, &wa, &ha);
  b.GetTexDataAsAlpha8(&pb, &wb, &hb);
  ASSERT_EQ(wa, wb);
  ASSERT_EQ(ha, hb);
  EXPECT_EQ(std::memcmp(pa, pb, static_cast<std::size_t>(wa) * ha), 0) << "the pixels differ";
  EXPECT_EQ(a.TexUvWhitePixel.x, b.TexUvWhitePixel.x);
  EXPECT_EQ(a.TexUvWhitePixel.y, b.TexUvWhitePixel.y);
  EXPECT_EQ(std::memcmp(a.TexUvLines, b.TexUvLines, sizeof a.TexUvLines), 0);
  ASSERT_EQ(a.CustomRects.Size, b.CustomRects.Size);
  for (int i = 0; i < a.CustomRects.Size; ++i) {
    EXPECT_EQ(a.CustomRects[i].X, b.CustomRects[i].X);
    EXPECT_EQ(a.CustomRects[i].Y, b.CustomRects[i].Y);
  }
  ASSERT_EQ(a.Fonts.Size, b.Fonts.Size);
  for (int f = 0; f < a.Fonts.Size; ++f) {
    const ImFont& x = *a.Fonts[f];
    const ImFont& y = *b.Fonts[f];
    SCOPED_TRACE(x.GetDebugName());
    EXPECT_EQ(x.FontSize, y.FontSize);
    EXPECT_EQ(x.Ascent, y.Ascent);
    EXPECT_EQ(x.Descent, y.Descent);
    EXPECT_EQ(x.FallbackChar, y.FallbackChar);
    EXPECT_EQ(x.EllipsisChar, y.EllipsisChar);
    EXPECT_EQ(x.DotChar, y.DotChar);
    EXPECT_EQ(x.FallbackAdvanceX, y.FallbackAdvanceX);
    ASSERT_EQ(x.Glyphs.Size, y.Glyphs.Size);
    for (int g = 0; g < x.Glyphs.Size; ++g) {
      const ImFontGlyph &gx = x.Glyphs[g], &gy = y.Glyphs[g];
      EXPECT_EQ(gx.Codepoint, gy.Codepoint);
      EXPECT_EQ(gx.Visible, gy.Visible);
      EXPECT_EQ(gx.Colored, gy.Colored);
      EXPECT_EQ(std::memcmp(&gx.AdvanceX, &gy.AdvanceX, 9 * sizeof(float)), 0)
          << "glyph U+" << std::hex << gx.Codepoint;
    }
    ASSERT_EQ(x.IndexLookup.Size, y.IndexLookup.Size);
    EXPECT_EQ(std::memcmp(x.IndexLookup.Data, y.IndexLookup.Data,
                          sizeof(ImWchar) * static_cast<std::size_t>(x.IndexLookup.Size)),
              0);
    ASSERT_EQ(x.IndexAdvanceX.Size, y.IndexAdvanceX.Size);
    EXPECT_EQ(std::memcmp(x.IndexAdvanceX.Data, y.IndexAdvanceX.Data,
                          sizeof(float) * static_cast<std::size_t>(x.IndexAdvanceX.Size)),
              0);
  }
}

// Bakes with no cache: the reference.
struct FreshBake {
  ImFontAtlas atlas;
  FontSet fonts{&atlas};
  FreshBake() { EXPECT_FALSE(fonts.build("")); }
};

TEST(FontCache, ACachedAtlasHasExactlyTheGlyphsOfAFreshBake) {
  TempDir dir;
  {
    ImFontAtlas atlas;
    FontSet fonts(&atlas);
    EXPECT_FALSE(fonts.build(dir.path.string())) << "no file yet: baked";
  }  // the file is written once the FontSet goes
  ASSERT_TRUE(fs::exists(cache_file(dir)));
  ImFontAtlas cached;
  FontSet fonts(&cached);
  ASSERT_TRUE(fonts.build(dir.path.string())) << "the file was not used";
  FreshBake fresh;
  expect_same_atlas(cached, fresh.atlas);
  // Every character the program writes (app/gl/glyphs.h) is in every face of the cached atlas.
  for (Font face : {Font::Sans, Font::SansBold, Font::Mono})
    for (float size : FontSet::kBakedSizes) {
      const ImFont* font = fonts.nearest(face, size).font;
      for (const unsigned short* r = kGlyphRanges; r[0] != 0; r += 2)
        for (unsigned c = r[0]; c <= r[1]; ++c)
          if (c != 0x7F && (c < 0x80 || c >= 0xA0)) {  // control characters have no glyph
            EXPECT_NE(font->FindGlyphNoFallback(static_cast<ImWchar>(c)), nullptr)
                << "no glyph for U+" << std::hex << c << " in " << font->GetDebugName();
          }
    }
}

TEST(FontCache, ADamagedFileIsBakedOverAndWrittenAgain) {
  TempDir dir;
  {
    ImFontAtlas atlas;
    FontSet(&atlas).build(dir.path.string());
  }
  const std::string good = slurp(cache_file(dir));
  ASSERT_GT(good.size(), 4u << 20);
  FreshBake fresh;
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;  // one bit of one pixel
  std::string table = good;
  table[200] ^= 0x01;  // one bit of a glyph table
  for (const std::string& bad : {flipped, table, good.substr(0, good.size() / 2),
                                 good.substr(0, 12), std::string(), std::string(5000, 'x')}) {
    SCOPED_TRACE("a file of " + std::to_string(bad.size()) + " bytes");
    spill(cache_file(dir), bad);
    {
      ImFontAtlas atlas;
      FontSet fonts(&atlas);
      EXPECT_FALSE(fonts.build(dir.path.string())) << "a damaged file was used";
      expect_same_atlas(atlas, fresh.atlas);
    }
    EXPECT_EQ(slurp(cache_file(dir)), good) << "the damaged file was not written again";
  }
}

TEST(FontCache, AFileOfOtherFontsOrSizesIsNotUsed) {
  TempDir dir;
  ImFontAtlas small, large;
  FontSet small_fonts(&small, 1.0f), large_fonts(&large, 1.6f);
  const std::uint64_t small_key = atlas_key(small), large_key = atlas_key(large);
  EXPECT_NE(small_key, large_key);
  small.Build();
  const std::string file = save_atlas(small, small_key);
  ASSERT_FALSE(file.empty());
  // Another key (other fonts, sizes, glyph ranges, or another FreeType): refused, even though
  // the file itself is whole.
  EXPECT_FALSE(restore_atlas(large, file, large_key));
  EXPECT_FALSE(restore_atlas(large, file, small_key)) << "the key matches, the fonts do not";
  EXPECT_FALSE(large.IsBuilt());
  // A font file of other bytes changes the key.
  ImFontAtlas other;
  FontSet other_fonts(&other, 1.0f);
  const char* sans = static_cast<const char*>(other.ConfigData[0].FontData);
  std::vector<char> changed(sans, sans + other.ConfigData[0].FontDataSize);
  changed[changed.size() / 2] ^= 1;
  for (ImFontConfig& c : other.ConfigData)
    if (c.FontData == sans) c.FontData = changed.data();
  EXPECT_NE(atlas_key(other), small_key);
  // The same fonts: used.
  ImFontAtlas same;
  FontSet same_fonts(&same, 1.0f);
  ASSERT_TRUE(restore_atlas(same, file, atlas_key(same)));
  expect_same_atlas(same, small);
}

TEST(FontCache, TablesThatDoNotFitTheAtlasAreRefusedEvenUnderARightChecksum) {
  // A file made by something else, whose checksum is right: its tables are checked too, and
  // nothing of them reaches Dear ImGui (which would stop the program on a rectangle outside the
  // texture, or fall back on a glyph that is not there). Offsets in the format of
  // app/gl/font_cache.cpp: the first custom rectangle's X at byte 40, the first glyph's code
  // point at 72 and its U0 at 96.
  ImFontAtlas made;
  FontSet made_fonts(&made);
  const std::uint64_t key = atlas_key(made);
  made.Build();
  const std::string file = save_atlas(made, key);
  auto with_checksum = [](std::string f) {
    const std::uint64_t sum = hash_bytes(f.data(), f.size() - 8);
    std::memcpy(&f[f.size() - 8], &sum, 8);
    return f;
  };
  auto patched = [&](std::size_t at, auto value) {
    std::string f = file;
    std::memcpy(&f[at], &value, sizeof value);
    return with_checksum(f);
  };
  ASSERT_EQ(with_checksum(file), file);
  std::uint32_t first_code_point = 0;  // a glyph's record is 40 bytes: the second's is at 112
  std::memcpy(&first_code_point, &file[72], sizeof first_code_point);
  const std::pair<const char*, std::string> bad[] = {
      {"a rectangle outside the texture", patched(40, std::uint16_t{0xFFF0})},
      {"a glyph outside the glyph ranges", patched(72, std::uint32_t{0x4E00})},
      {"texture coordinates outside the texture", patched(96, 2.0f)},
      {"a glyph twice", patched(112, first_code_point)},
      {"a pixel missing",
       with_checksum(file.substr(0, file.size() - 9) + file.substr(file.size() - 8))},
  };
  for (const auto& [what, bytes] : bad) {
    ImFontAtlas atlas;
    FontSet fonts(&atlas);
    EXPECT_FALSE(restore_atlas(atlas, bytes, key)) << what;
    EXPECT_FALSE(atlas.IsBuilt()) << what;
  }
  ImFontAtlas atlas;
  FontSet fonts(&atlas);
  EXPECT_TRUE(restore_atlas(atlas, file, key)) << "the file itself is good";
}

TEST(FontCache, ACacheThatCannotBeWrittenOrReadStillBakes) {
  TempDir dir;
  spill(dir.path / "file", "not a folder");
  fs::create_directories(dir.path / "folder" / "font-atlas-18px.bin");  // a folder, not a file
  FreshBake fresh;
  for (const fs::path& folder : {dir.path / "file", dir.path / "folder"}) {
    ImFontAtlas atlas;
    FontSet fonts(&atlas);
    EXPECT_FALSE(fonts.build(folder.string()));
    expect_same_atlas(atlas, fresh.atlas);
  }
  EXPECT_TRUE(fs::is_directory(dir.path / "folder" / "font-atlas-18px.bin"));
}

}  // namespace
}  // namespace convstep
