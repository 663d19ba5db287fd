// Every step of the current phase as an animated GIF (giflib).
#include <gif_lib.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "app/export/export.h"
#include "app/export/still.h"
#include "app/gl/scene_renderer.h"
#include "core/io.h"

namespace convstep {

namespace {

// An animated GIF of every step of the current phase (at most kMaxGifFrames, evenly chosen),
// made in memory and then written through core/io like every other file.
std::string encode_gif(const App& app) {
  constexpr int kWidth = 960, kHeight = 540, kMaxGifFrames = 400;
  const Timeline& tl = app.timeline();
  const long long count = app.step_count();
  const long long frames = std::min<long long>(count, kMaxGifFrames);
  SceneRenderer renderer;
  std::string bytes;
  auto append = [](GifFileType* file, const GifByteType* data, int size) {
    static_cast<std::string*>(file->UserData)
        ->append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
    return size;
  };
  int error = 0;
  GifFileType* gif = EGifOpen(&bytes, append, &error);
  if (!gif) throw std::runtime_error(std::string("GIF: ") + GifErrorString(error));
  auto fail = [&](const std::string& what) {
    int close_error = 0;
    EGifCloseFile(gif, &close_error);
    throw std::runtime_error("GIF: " + what);
  };
  EGifSetGifVersion(gif, true);
  // 8 bits of colour resolution; each frame brings its own 256-colour palette.
  if (EGifPutScreenDesc(gif, kWidth, kHeight, 8, 0, nullptr) == GIF_ERROR)
    fail(GifErrorString(gif->Error));
  // Loop forever (the NETSCAPE2.0 application extension).
  const unsigned char loop[] = {1, 0, 0};
  if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
      EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
      EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR || EGifPutExtensionTrailer(gif) == GIF_ERROR)
    fail(GifErrorString(gif->Error));
  std::vector<GifByteType> r(kWidth * kHeight), g(kWidth * kHeight), b(kWidth * kHeight),
      out(kWidth * kHeight);
  for (long long i = 0; i < frames; ++i) {
    const long long k = frames == count ? i : i * (count - 1) / std::max(1LL, frames - 1);
    const Frame f =
        tl.frame(app.phase(), app.settings.granularity, k, app.settings.skip_zero_terms);
    const std::vector<std::uint8_t> rgba =
        renderer.render(still_scene(app, f, kWidth, kHeight), kWidth, kHeight);
    for (int p = 0; p < kWidth * kHeight; ++p)
      r[p] = rgba[p * 4], g[p] = rgba[p * 4 + 1], b[p] = rgba[p * 4 + 2];
    int colors = 256;
    GifColorType palette[256];
    if (GifQuantizeBuffer(kWidth, kHeight, &colors, r.data(), g.data(), b.data(), out.data(),
                          palette) == GIF_ERROR)
      fail("colour quantization failed");
    ColorMapObject* map = GifMakeMapObject(256, palette);
    // 0.7 s per step, the last one held longer.
    const int delay = i + 1 == frames ? 250 : 70;
    const GraphicsControlBlock gcb{DISPOSAL_UNSPECIFIED, false, delay, NO_TRANSPARENT_COLOR};
    GifByteType ext[4];
    const std::size_t ext_len = EGifGCBToExtension(&gcb, ext);
    bool ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(ext_len), ext) !=
                  GIF_ERROR &&
              EGifPutImageDesc(gif, 0, 0, kWidth, kHeight, false, map) != GIF_ERROR;
    for (int y = 0; ok && y < kHeight; ++y)
      ok = EGifPutLine(gif, out.data() + y * kWidth, kWidth) != GIF_ERROR;
    GifFreeMapObject(map);
    if (!ok) fail(GifErrorString(gif->Error));
  }
  if (EGifCloseFile(gif, &error) == GIF_ERROR)
    throw std::runtime_error(std::string("GIF: ") + GifErrorString(error));
  return bytes;
}

}  // namespace

void export_gif(const App& app, const std::string& path) {
  write_file_atomically(path, encode_gif(app));
}

}  // namespace convstep
