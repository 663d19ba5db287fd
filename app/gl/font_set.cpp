#include "app/gl/font_set.h"

#include <imgui.h>
#include <imgui_freetype.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "app/gl/glyphs.h"
#include "app/resource_paths.h"

namespace convstep {
namespace {

constexpr const char* kSystemFontDir = "/usr/share/fonts/truetype/dejavu";
constexpr std::array<const char*, 3> kFiles = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf",
                                               "DejaVuSansMono.ttf"};

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

const unsigned short* FontSet::glyph_ranges(Font) {
  // One list for every face: equations (Mono) write ≥ and → as labels (Sans) do.
  return kGlyphRanges;
}

std::string FontSet::find_font_file(const std::string& file_name) {
  return find_font_file(file_name, {assets_dir() + "/fonts", kSystemFontDir});
}

std::string FontSet::find_font_file(const std::string& file_name,
                                    const std::vector<std::string>& folders) {
  std::string tried;
  for (const std::string& folder : folders) {
    const std::string path = folder + "/" + file_name;
    if (std::ifstream(path, std::ios::binary)) return path;
    tried += (tried.empty() ? "" : ", ") + path;
  }
  throw FontError("font " + file_name + " not found: tried " + tried +
                  " (install the Debian package fonts-dejavu-core)");
}

FontSet::FontSet(ImFontAtlas* atlas, float ui_scale) : atlas_(atlas) {
  for (const char* name : kFiles) {
    const std::string path = find_font_file(name);
    files_.push_back(read_file(path));
    if (files_.back().size() < 12) throw FontError("font " + path + ": cannot read the file");
  }
  rebuild(ui_scale);
}

void FontSet::rebuild(float ui_scale) {
  atlas_->Clear();
  atlas_->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
  atlas_->FontBuilderFlags = ImGuiFreeTypeBuilderFlags_LightHinting;
  auto add = [&](std::size_t face, float size) {
    ImFontConfig config;
    config.FontData = files_[face].data();
    config.FontDataSize = static_cast<int>(files_[face].size());
    config.FontDataOwnedByAtlas = false;  // files_ keeps the bytes
    config.SizePixels = size;
    config.GlyphRanges = glyph_ranges(static_cast<Font>(face));
    config.OversampleH = 1;  // FreeType renders at the pixel grid; positions are snapped
    config.OversampleV = 1;
    config.PixelSnapH = true;
    std::snprintf(config.Name, sizeof config.Name, "%s, %.0fpx", kFiles[face], size);
    return atlas_->AddFont(&config);
  };
  ui_font_ = add(0, std::max(6.0f, std::round(kUiSize * ui_scale)));
  for (std::size_t i = 0; i < kBakedSizes.size(); ++i) {
    sizes_[i] = kBakedSizes[i];
    for (std::size_t face = 0; face < 3; ++face) fonts_[face][i] = add(face, sizes_[i]);
  }
}

FontSet::Pick FontSet::nearest(Font face, float pixels) const {
  const auto& row = fonts_[static_cast<std::size_t>(face)];
  std::size_t best = 0;
  const float want = std::log(std::max(pixels, 1.0f));
  for (std::size_t i = 1; i < sizes_.size(); ++i)
    if (std::abs(std::log(sizes_[i]) - want) < std::abs(std::log(sizes_[best]) - want)) best = i;
  const bool close = std::abs(std::log(sizes_[best]) - want) <= std::log(1.12f);
  return {row[best], close ? sizes_[best] : std::max(pixels, 1.0f)};
}

FontSet::Pick FontSet::at_most(Font face, float pixels) const {
  const auto& row = fonts_[static_cast<std::size_t>(face)];
  std::size_t best = 0;
  for (std::size_t i = 1; i < sizes_.size(); ++i)
    if (sizes_[i] <= pixels + 1e-3f) best = i;
  return {row[best], sizes_[best]};
}

}  // namespace convstep
