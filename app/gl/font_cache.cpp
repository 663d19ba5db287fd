#include "app/gl/font_cache.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <imgui.h>
#include <imgui_internal.h>  // ImFontAtlasBuildInit, ImFontAtlasBuildSetupFont, ImFontAtlasBuildFinish

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

namespace convstep {
namespace {

constexpr char kMagic[8] = {'c', 's', 'a', 't', 'l', 'a', 's', '1'};  // and the format's version

std::uint64_t rotl(std::uint64_t x, int r) {
  return x << r | x >> (64 - r);
}

std::uint64_t finish(std::uint64_t h) {  // MurmurHash3's finalizer: every bit reaches every bit
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ h >> 33;
}

// Appends plain values to the file's bytes.
struct AtlasWriter {
  std::string out;
  template <class T>
  void put(const T& value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
};

// Reads plain values back, refusing to read past the end.
struct AtlasReader {
  const char* at;
  std::size_t left;
  template <class T>
  bool get(T& value) {
    if (left < sizeof value) return false;
    std::memcpy(&value, at, sizeof value);
    at += sizeof value, left -= sizeof value;
    return true;
  }
};

// The key's bytes, added one field at a time (a struct's padding is not hashed).
struct KeyHasher {
  std::uint64_t h = 0;
  template <class T>
  void add(const T& value) {
    h = hash_bytes(&value, sizeof value, h);
  }
};

std::uint64_t freetype_version() {
  FT_Library library = nullptr;
  if (FT_Init_FreeType(&library) != 0) return 0;
  FT_Int major = 0, minor = 0, patch = 0;
  FT_Library_Version(library, &major, &minor, &patch);
  FT_Done_FreeType(library);
  return static_cast<std::uint64_t>(major) << 32 | static_cast<std::uint64_t>(minor) << 16 |
         static_cast<std::uint64_t>(patch);
}

const ImWchar* ranges_of(ImFontAtlas& atlas, const ImFontConfig& config) {
  return config.GlyphRanges ? config.GlyphRanges : atlas.GetGlyphRangesDefault();
}

bool in_ranges(const ImWchar* ranges, unsigned code_point) {
  if (code_point == '\t') return true;  // made from the space by Dear ImGui itself
  for (; ranges[0] != 0; ranges += 2)
    if (code_point >= ranges[0] && code_point <= ranges[1]) return true;
  return false;
}

struct CachedGlyph {
  std::uint32_t code_point;
  float advance, x0, y0, x1, y1, u0, v0, u1, v1;
};

struct CachedFont {
  float size, ascent, descent;
  std::vector<CachedGlyph> glyphs;
};

bool finite_and_within(float v, float limit) {
  return std::isfinite(v) && std::abs(v) <= limit;
}

bool plausible(const CachedGlyph& g, float size) {
  const float far = 8 * size + 64;  // a glyph's corners lie within a few ems of its origin
  for (float v : {g.advance, g.x0, g.y0, g.x1, g.y1})
    if (!finite_and_within(v, far)) return false;
  for (float v : {g.u0, g.v0, g.u1, g.v1})
    if (!(v >= 0 && v <= 1)) return false;
  return true;
}

bool read_font(AtlasReader& r, ImFontAtlas& atlas, const ImFontConfig& config, CachedFont& font) {
  std::uint32_t count = 0;
  if (!r.get(font.size) || !r.get(font.ascent) || !r.get(font.descent) || !r.get(count))
    return false;
  if (font.size != config.SizePixels || !finite_and_within(font.ascent, 4 * font.size + 64) ||
      !finite_and_within(font.descent, 4 * font.size + 64) || count > 0x10000)
    return false;
  // At least one glyph, each once: Dear ImGui falls back on the last glyph of a font, and
  // stops the program on more glyphs than 16-bit code points.
  if (count == 0) return false;
  const ImWchar* ranges = ranges_of(atlas, config);
  std::vector<bool> seen(0x10000);
  font.glyphs.resize(count);
  for (CachedGlyph& g : font.glyphs) {
    if (!r.get(g.code_point)) return false;
    for (float* v : {&g.advance, &g.x0, &g.y0, &g.x1, &g.y1, &g.u0, &g.v0, &g.u1, &g.v1})
      if (!r.get(*v)) return false;
    if (!in_ranges(ranges, g.code_point) || !plausible(g, font.size)) return false;
    if (g.code_point >= seen.size() || seen[g.code_point]) return false;
    seen[g.code_point] = true;
  }
  return true;
}

}  // namespace

std::uint64_t hash_bytes(const void* data, std::size_t size, std::uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = seed ^ (size * 0x9e3779b97f4a7c15ULL);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p + i, size - i);
  h = rotl(h ^ (tail * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
  return finish(h);
}

std::uint64_t atlas_key(const ImFontAtlas& atlas) {
  KeyHasher k;
  k.add(kMagic);
  k.add(IMGUI_VERSION_NUM);
  k.add(freetype_version());
  k.add(atlas.Flags);
  k.add(atlas.TexDesiredWidth);
  k.add(atlas.TexGlyphPadding);
  k.add(atlas.FontBuilderFlags);
  k.add(atlas.FontBuilderIO != nullptr);
  k.add(atlas.ConfigData.Size);
  std::map<const void*, std::uint64_t> files;  // the faces are added at many sizes: hash once
  for (const ImFontConfig& c : atlas.ConfigData) {
    auto [file, added] = files.try_emplace(c.FontData);
    if (added) file->second = hash_bytes(c.FontData, static_cast<std::size_t>(c.FontDataSize));
    k.add(file->second);
    k.add(c.FontDataSize);
    k.add(c.FontNo);
    k.add(c.SizePixels);
    k.add(c.OversampleH);
    k.add(c.OversampleV);
    k.add(c.PixelSnapH);
    k.add(c.GlyphExtraSpacing.x);
    k.add(c.GlyphExtraSpacing.y);
    k.add(c.GlyphOffset.x);
    k.add(c.GlyphOffset.y);
    k.add(c.GlyphMinAdvanceX);
    k.add(c.GlyphMaxAdvanceX);
    k.add(c.MergeMode);
    k.add(c.FontBuilderFlags);
    k.add(c.RasterizerMultiply);
    k.add(c.EllipsisChar);
    const ImWchar* r = c.GlyphRanges;
    k.add(r != nullptr);
    for (; r && r[0] != 0; r += 2) k.add(r[0]), k.add(r[1]);
  }
  return k.h;
}

std::string save_atlas(const ImFontAtlas& atlas, std::uint64_t key) {
  // Only what restore_atlas can rebuild: one font per configuration, alpha pixels, no colours.
  if (!atlas.TexPixelsAlpha8 || atlas.TexPixelsUseColors ||
      atlas.Fonts.Size != atlas.ConfigData.Size)
    return {};
  AtlasWriter w;
  w.out.reserve(static_cast<std::size_t>(atlas.TexWidth) * atlas.TexHeight + (1 << 20));
  w.put(kMagic);
  w.put(key);
  w.put(atlas.TexWidth);
  w.put(atlas.TexHeight);
  w.put(atlas.PackIdMouseCursors);
  w.put(atlas.PackIdLines);
  w.put(static_cast<std::uint32_t>(atlas.CustomRects.Size));
  for (const ImFontAtlasCustomRect& r : atlas.CustomRects) {
    if (r.Font) return {};  // a glyph of its own: not made by this program
    w.put(r.Width), w.put(r.Height), w.put(r.X), w.put(r.Y);
  }
  w.put(static_cast<std::uint32_t>(atlas.Fonts.Size));
  for (const ImFont* font : atlas.Fonts) {
    w.put(font->FontSize), w.put(font->Ascent), w.put(font->Descent);
    w.put(static_cast<std::uint32_t>(font->Glyphs.Size));
    for (const ImFontGlyph& g : font->Glyphs) {
      if (g.Colored) return {};
      w.put(static_cast<std::uint32_t>(g.Codepoint));
      for (float v : {g.AdvanceX, g.X0, g.Y0, g.X1, g.Y1, g.U0, g.V0, g.U1, g.V1}) w.put(v);
    }
  }
  w.out.append(reinterpret_cast<const char*>(atlas.TexPixelsAlpha8),
               static_cast<std::size_t>(atlas.TexWidth) * atlas.TexHeight);
  w.put(hash_bytes(w.out.data(), w.out.size()));
  return std::move(w.out);
}

bool restore_atlas(ImFontAtlas& atlas, const std::string& file, std::uint64_t key) {
  // The checksum first: nothing of a damaged file is read.
  std::uint64_t sum = 0;
  if (file.size() < sizeof kMagic + sizeof key + sizeof sum) return false;
  const std::size_t body = file.size() - sizeof sum;
  std::memcpy(&sum, file.data() + body, sizeof sum);
  if (sum != hash_bytes(file.data(), body)) return false;
  AtlasReader r{file.data(), body};
  char magic[sizeof kMagic];
  std::uint64_t file_key = 0;
  if (!r.get(magic) || std::memcmp(magic, kMagic, sizeof kMagic) != 0) return false;
  if (!r.get(file_key) || file_key != key) return false;

  int width = 0, height = 0, pack_cursors = 0, pack_lines = 0;
  std::uint32_t rect_count = 0;
  if (!r.get(width) || !r.get(height) || !r.get(pack_cursors) || !r.get(pack_lines) ||
      !r.get(rect_count))
    return false;
  if (width < 1 || width > 16384 || height < 1 || height > 16384 || rect_count > 64) return false;
  std::vector<ImFontAtlasCustomRect> rects(rect_count);
  for (ImFontAtlasCustomRect& rect : rects) {
    if (!r.get(rect.Width) || !r.get(rect.Height) || !r.get(rect.X) || !r.get(rect.Y)) return false;
    if (rect.X + rect.Width > width || rect.Y + rect.Height > height) return false;
  }

  std::uint32_t font_count = 0;
  if (!r.get(font_count) || font_count != static_cast<std::uint32_t>(atlas.Fonts.Size) ||
      atlas.ConfigData.Size != atlas.Fonts.Size)
    return false;
  std::vector<CachedFont> fonts(font_count);
  for (int i = 0; i < atlas.Fonts.Size; ++i) {
    const ImFontConfig& config = atlas.ConfigData[i];
    if (config.MergeMode || config.DstFont != atlas.Fonts[i]) return false;
    if (!read_font(r, atlas, config, fonts[static_cast<std::size_t>(i)])) return false;
  }
  if (r.left != static_cast<std::size_t>(width) * height) return false;  // then the pixels

  // Dear ImGui's own rectangles, registered as a bake registers them, must be those of the file.
  ImFontAtlasBuildInit(&atlas);
  if (atlas.CustomRects.Size != static_cast<int>(rect_count) ||
      atlas.PackIdMouseCursors != pack_cursors || atlas.PackIdLines != pack_lines)
    return false;
  for (std::size_t i = 0; i < rects.size(); ++i) {
    const ImFontAtlasCustomRect& want = atlas.CustomRects[static_cast<int>(i)];
    if (want.Width != rects[i].Width || want.Height != rects[i].Height || want.Font) return false;
  }

  // The file holds this atlas: build it as the bake would have.
  for (std::size_t i = 0; i < rects.size(); ++i) {
    atlas.CustomRects[static_cast<int>(i)].X = rects[i].X;
    atlas.CustomRects[static_cast<int>(i)].Y = rects[i].Y;
  }
  atlas.ClearTexData();
  atlas.TexWidth = width;
  atlas.TexHeight = height;
  atlas.TexUvScale = ImVec2(1.0f / static_cast<float>(width), 1.0f / static_cast<float>(height));
  atlas.TexPixelsAlpha8 = static_cast<unsigned char*>(IM_ALLOC(r.left));
  std::memcpy(atlas.TexPixelsAlpha8, r.at, r.left);
  for (int i = 0; i < atlas.Fonts.Size; ++i) {
    ImFont* font = atlas.Fonts[i];
    const CachedFont& cached = fonts[static_cast<std::size_t>(i)];
    ImFontAtlasBuildSetupFont(&atlas, font, &atlas.ConfigData[i], cached.ascent, cached.descent);
    font->Glyphs.reserve(static_cast<int>(cached.glyphs.size()));
    for (const CachedGlyph& g : cached.glyphs)  // no configuration: the values are final already
      font->AddGlyph(nullptr, static_cast<ImWchar>(g.code_point), g.x0, g.y0, g.x1, g.y1, g.u0,
                     g.v0, g.u1, g.v1, g.advance);
  }
  ImFontAtlasBuildFinish(&atlas);  // the white pixel, the lines' UVs, the lookup tables
  atlas.TexReady = true;
  return true;
}

}  // namespace convstep
