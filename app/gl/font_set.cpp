#include "app/gl/font_set.h"

#include <imgui.h>
#ifndef __EMSCRIPTEN__
#include <imgui_freetype.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "app/gl/font_cache.h"
#include "app/gl/glyphs.h"
#include "app/platform.h"
#include "app/resource_paths.h"
#include "core/io.h"

namespace convstep {
namespace {

constexpr const char* kSystemFontDir = "/usr/share/fonts/truetype/dejavu";
constexpr long long kMaxCacheBytes = 64 << 20;  // 4 MB of pixels and 1 MB of tables at 18 px
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
#ifndef __EMSCRIPTEN__  // the browser build bakes with Dear ImGui's own stb_truetype builder
  atlas_->FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
  atlas_->FontBuilderFlags = ImGuiFreeTypeBuilderFlags_LightHinting;
#endif
  auto add = [&](std::size_t face, float size) {
    ImFontConfig config;
    config.FontData = files_[face].data();
    config.FontDataSize = static_cast<int>(files_[face].size());
    // Owned, for AddFont not to copy the file (31 copies, 19 MB); then not owned, for the atlas
    // not to free it: files_ keeps the bytes.
    config.FontDataOwnedByAtlas = true;
    config.SizePixels = size;
    config.GlyphRanges = glyph_ranges(static_cast<Font>(face));
    config.OversampleH = 1;  // FreeType renders at the pixel grid; positions are snapped
    config.OversampleV = 1;
    config.PixelSnapH = true;
    std::snprintf(config.Name, sizeof config.Name, "%s, %.0fpx", kFiles[face], size);
    ImFont* font = atlas_->AddFont(&config);
    atlas_->ConfigData.back().FontDataOwnedByAtlas = false;
    return font;
  };
  ui_size_ = std::max(6.0f, std::round(kUiSize * ui_scale));
  ui_font_ = add(0, ui_size_);
  for (std::size_t i = 0; i < kBakedSizes.size(); ++i) {
    sizes_[i] = kBakedSizes[i];
    for (std::size_t face = 0; face < 3; ++face) fonts_[face][i] = add(face, sizes_[i]);
  }
}

FontSet::~FontSet() {
  if (saving_.valid()) saving_.wait();
}

bool FontSet::build(const std::string& cache_folder) {
  if constexpr (!kFontCache) {
    atlas_->Build();
    return false;
  }
  if (cache_folder.empty()) {
    atlas_->Build();
    return false;
  }
  const std::string path =
      cache_folder + "/font-atlas-" + std::to_string(static_cast<int>(ui_size_)) + "px.bin";
  const std::uint64_t key = atlas_key(*atlas_);
  try {
    if (restore_atlas(*atlas_, read_file(path, kMaxCacheBytes), key)) return true;
  } catch (const IoError&) {
    // No file yet, or one that cannot be read: bake.
  }
  atlas_->Build();
  if (saving_.valid()) saving_.wait();
  saving_ = std::async(std::launch::async, [path, cache_folder, file = save_atlas(*atlas_, key)] {
    if (file.empty()) return;
    try {
      std::error_code ec;
      std::filesystem::create_directories(cache_folder, ec);
      write_file_atomically(path, file, SpecialFiles::Refuse);
    } catch (const std::exception&) {
      // A cache is a convenience: the next start bakes again.
    }
  });
  return false;
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
