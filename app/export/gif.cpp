// The steps as an animated GIF (giflib), with the tweened moves between them. One palette for
// every frame, so colours never flicker; each frame stores only the rectangle that changed, and
// in it the unchanged pixels are transparent, which LZW packs into almost nothing.
#include <gif_lib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "app/export/export.h"
#include "app/export/motion.h"
#include "app/export/pipeline.h"
#include "app/gl/scene_renderer.h"
#include "core/io.h"

namespace convstep {

namespace {

constexpr int kMovesPerSecond = 20;        // pictures of each tweened move
constexpr GifByteType kTransparent = 255;  // the palette's last entry: "unchanged"

// One palette for the whole animation, from pictures that show its colours, and the nearest of
// its colours for any pixel (looked up by the top 5 bits of each channel, as quantized).
class Palette {
 public:
  explicit Palette(const std::vector<const Pixels*>& samples, int pixels_each) {
    // At most about two million pixels of samples: enough for every colour of the stage, and
    // memory stays small for a 4× picture.
    const std::size_t every = std::max<std::size_t>(
        1, samples.size() * static_cast<std::size_t>(pixels_each) / (1 << 21));
    std::vector<GifByteType> r, g, b;
    for (const Pixels* s : samples)
      for (std::size_t p = 0; p < static_cast<std::size_t>(pixels_each); p += every)
        r.push_back((*s)[p * 4]), g.push_back((*s)[p * 4 + 1]), b.push_back((*s)[p * 4 + 2]);
    std::vector<GifByteType> out(r.size());
    int colors = kTransparent;  // 255 colours and the transparent entry
    GifColorType found[256] = {};
    if (GifQuantizeBuffer(static_cast<unsigned>(r.size()), 1, &colors, r.data(), g.data(), b.data(),
                          out.data(), found) == GIF_ERROR)
      throw std::runtime_error("GIF: the colours could not be reduced to a palette");
    colors_.assign(found, found + std::min(colors, static_cast<int>(kTransparent)));
    // Each entry becomes the commonest exact colour of the pixels it stands for, rather than
    // their average: the background, the cells and the role colours come out exact.
    std::vector<std::unordered_map<std::uint32_t, long>> counts(colors_.size());
    for (std::size_t i = 0; i < r.size(); ++i)
      if (out[i] < colors_.size()) ++counts[out[i]][r[i] << 16 | g[i] << 8 | b[i]];
    for (std::size_t c = 0; c < colors_.size(); ++c) {
      std::uint32_t best = 0;
      long most = 0;
      for (const auto& [rgb, n] : counts[c])
        if (n > most || (n == most && rgb < best)) best = rgb, most = n;
      if (most > 0)
        colors_[c] =
            GifColorType{static_cast<GifByteType>(best >> 16), static_cast<GifByteType>(best >> 8),
                         static_cast<GifByteType>(best)};
    }
    nearest_.fill(-1);
    for (std::size_t c = colors_.size(); c-- > 0;)  // the first entry wins a tie
      exact_[colors_[c].Red << 16 | colors_[c].Green << 8 | colors_[c].Blue] =
          static_cast<GifByteType>(c);
  }

  ColorMapObject* make_map() const {
    GifColorType entries[256] = {};
    std::copy(colors_.begin(), colors_.end(), entries);
    return GifMakeMapObject(256, entries);
  }

  // The palette's entry for a pixel: its own colour when the palette has it, else the entry
  // nearest the middle of its 5-bit-per-channel box, the same whatever came before.
  GifByteType index(const std::uint8_t* rgba) {
    const std::uint32_t rgb = rgba[0] << 16 | rgba[1] << 8 | rgba[2];
    if (rgb == last_rgb_) return last_index_;  // flat areas: runs of one colour
    last_rgb_ = rgb;
    if (const auto exact = exact_.find(rgb); exact != exact_.end())
      return last_index_ = exact->second;
    const int key = (rgba[0] >> 3) << 10 | (rgba[1] >> 3) << 5 | rgba[2] >> 3;
    if (nearest_[key] < 0) {
      const long r = (rgba[0] & ~7) + 4, g = (rgba[1] & ~7) + 4, b = (rgba[2] & ~7) + 4;
      long best = -1;
      for (std::size_t i = 0; i < colors_.size(); ++i) {
        const long dr = colors_[i].Red - r, dg = colors_[i].Green - g, db = colors_[i].Blue - b;
        const long d = dr * dr * 3 + dg * dg * 4 + db * db * 2;
        if (best < 0 || d < best) best = d, nearest_[key] = static_cast<short>(i);
      }
    }
    return last_index_ = static_cast<GifByteType>(nearest_[key]);
  }

 private:
  std::vector<GifColorType> colors_;
  std::array<short, 1 << 15> nearest_;
  std::unordered_map<std::uint32_t, GifByteType> exact_;
  std::uint32_t last_rgb_ = 1u << 24;  // no colour
  GifByteType last_index_ = 0;
};

// giflib writing into a string, closed however the export ends.
class GifWriter {
 public:
  GifWriter(int width, int height, const Palette& palette) : width_(width), height_(height) {
    int error = 0;
    gif_ = EGifOpen(&bytes_, append, &error);
    if (!gif_) throw std::runtime_error(std::string("GIF: ") + GifErrorString(error));
    EGifSetGifVersion(gif_, true);
    ColorMapObject* map = palette.make_map();
    const bool ok = EGifPutScreenDesc(gif_, width, height, 8, 0, map) != GIF_ERROR;
    GifFreeMapObject(map);
    if (!ok) fail();
    // Loop forever (the NETSCAPE2.0 application extension).
    const unsigned char loop[] = {1, 0, 0};
    if (EGifPutExtensionLeader(gif_, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(gif_, 11, "NETSCAPE2.0") == GIF_ERROR ||
        EGifPutExtensionBlock(gif_, 3, loop) == GIF_ERROR ||
        EGifPutExtensionTrailer(gif_) == GIF_ERROR)
      fail();
  }
  ~GifWriter() {
    if (gif_) EGifCloseFile(gif_, nullptr);
  }
  GifWriter(const GifWriter&) = delete;
  GifWriter& operator=(const GifWriter&) = delete;

  // A frame of `w` × `h` indices at (x, y), shown `delay` hundredths of a second.
  void frame(int x, int y, int w, int h, const std::vector<GifByteType>& indices, int delay) {
    const GraphicsControlBlock gcb{DISPOSE_DO_NOT, false, delay, kTransparent};
    GifByteType ext[4];
    const std::size_t ext_len = EGifGCBToExtension(&gcb, ext);
    if (EGifPutExtension(gif_, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(ext_len), ext) ==
            GIF_ERROR ||
        EGifPutImageDesc(gif_, x, y, w, h, false, nullptr) == GIF_ERROR)
      fail();
    for (int row = 0; row < h; ++row)
      if (EGifPutLine(gif_, const_cast<GifByteType*>(indices.data()) + row * w, w) == GIF_ERROR)
        fail();
  }

  std::string finish() {
    int error = 0;
    const int status = EGifCloseFile(gif_, &error);
    gif_ = nullptr;
    if (status == GIF_ERROR) throw std::runtime_error(std::string("GIF: ") + GifErrorString(error));
    return std::move(bytes_);
  }

 private:
  static int append(GifFileType* file, const GifByteType* data, int size) {
    static_cast<std::string*>(file->UserData)
        ->append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
    return size;
  }
  [[noreturn]] void fail() {
    throw std::runtime_error(std::string("GIF: ") + GifErrorString(gif_->Error));
  }

  int width_, height_;
  std::string bytes_;
  GifFileType* gif_ = nullptr;
};

}  // namespace

void export_gif(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress) {
  const int width = request.width, height = request.height;
  const std::vector<MotionPicture> pictures = motion(timeline, request, kMovesPerSecond);
  ExportRenderer renderer;
  auto render = [&](const MotionPicture& m, Pixels& rgba) {
    const Frame from =
        timeline.frame(m.phase, request.granularity, m.from, request.skip_zero_terms);
    const Frame to = m.from == m.to ? from
                                    : timeline.frame(m.phase, request.granularity, m.to,
                                                     request.skip_zero_terms);
    renderer.render(export_scene(timeline, request, from, to, m.t), width, height, rgba);
  };
  // The palette from the first, middle and last steps: between them, every colour the stage
  // uses (the colormap's ends, the roles, the text).
  std::vector<Pixels> samples;
  for (std::size_t i : {std::size_t{0}, pictures.size() / 2, pictures.size() - 1}) {
    MotionPicture still = pictures[i];
    still.from = still.to, still.t = 1;
    render(still, samples.emplace_back());
  }
  Palette palette({&samples[0], &samples[1], &samples[2]}, width * height);
  samples.clear();

  GifWriter gif(width, height, palette);
  ProgressTracker tracker(progress, static_cast<long long>(pictures.size()));
  std::vector<GifByteType> shown(static_cast<std::size_t>(width) * height), next(shown.size()),
      rect;
  // A frame is written when the next one is known: a picture that changes nothing only makes
  // the one before it last longer.
  struct Pending {
    int x = 0, y = 0, w = 0, h = 0;
    std::vector<GifByteType> indices;
    double end = 0;  // seconds since the start when it stops showing
  };
  std::optional<Pending> pending;
  double clock = 0;
  int written_cs = 0;  // hundredths of a second already given to frames
  auto flush = [&] {
    const int end_cs = static_cast<int>(std::lround(pending->end * 100));
    const int delay = std::max(2, end_cs - written_cs);  // browsers show less than 2 as 10
    written_cs += delay;
    gif.frame(pending->x, pending->y, pending->w, pending->h, pending->indices, delay);
  };
  run_pipeline(
      static_cast<long long>(pictures.size()),
      [&](long long i, Pixels& rgba) {
        render(pictures[i], rgba);
        tracker.advance();
      },
      [&](long long i, Pixels& rgba) {
        for (std::size_t p = 0; p < next.size(); ++p) next[p] = palette.index(&rgba[p * 4]);
        clock += pictures[i].seconds;
        // The rectangle that changed (the whole picture at first).
        int x0 = width, y0 = height, x1 = -1, y1 = -1;
        if (i == 0) {
          x0 = 0, y0 = 0, x1 = width - 1, y1 = height - 1;
        } else {
          for (int y = 0; y < height; ++y) {
            const GifByteType* a = &shown[static_cast<std::size_t>(y) * width];
            const GifByteType* b = &next[static_cast<std::size_t>(y) * width];
            if (std::equal(a, a + width, b)) continue;
            y0 = std::min(y0, y), y1 = y;
            int l = 0, r = width - 1;
            while (a[l] == b[l]) ++l;
            while (a[r] == b[r]) --r;
            x0 = std::min(x0, l), x1 = std::max(x1, r);
          }
        }
        if (x1 < 0) {  // nothing changed
          pending->end = clock;
          return;
        }
        if (pending) flush();
        Pending f{x0, y0, x1 - x0 + 1, y1 - y0 + 1, {}, clock};
        f.indices.resize(static_cast<std::size_t>(f.w) * f.h);
        for (int y = 0; y < f.h; ++y)
          for (int x = 0; x < f.w; ++x) {
            const std::size_t p = static_cast<std::size_t>(y0 + y) * width + x0 + x;
            f.indices[static_cast<std::size_t>(y) * f.w + x] =
                i > 0 && shown[p] == next[p] ? kTransparent : next[p];
          }
        pending = std::move(f);
        shown.swap(next);
      },
      1);
  if (pending) flush();
  write_file_atomically(request.out, gif.finish());
}

}  // namespace convstep
