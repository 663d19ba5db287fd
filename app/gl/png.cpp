#include "app/gl/png.h"

#include <libdeflate.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/io.h"

namespace convstep {

namespace {

// libdeflate at level 1: the fastest deflate there is, and deterministic (the same pixels give
// the same bytes). The stage's flat areas and repeated cells compress well even so.
constexpr int kCompressionLevel = 1;

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

// One compressor per thread: libdeflate's are not shared between threads.
libdeflate_compressor* compressor() {
  thread_local std::unique_ptr<libdeflate_compressor, CompressorDeleter> c(
      libdeflate_alloc_compressor(kCompressionLevel));
  if (!c) throw std::bad_alloc();
  return c.get();
}

void put_u32(std::string& out, std::uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(bytes, 4);
}

// A chunk: length, type, data, and the CRC of type and data.
void put_chunk(std::string& out, const char type[4], const void* data, std::size_t size) {
  put_u32(out, static_cast<std::uint32_t>(size));
  const std::size_t start = out.size();
  out.append(type, 4);
  if (size > 0) out.append(static_cast<const char*>(data), size);
  put_u32(out, libdeflate_crc32(0, out.data() + start, size + 4));
}

}  // namespace

std::string encode_png(int width, int height, const std::vector<std::uint8_t>& rgba) {
  if (width <= 0 || height <= 0 ||
      rgba.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4)
    throw std::runtime_error("PNG: " + std::to_string(rgba.size()) + " bytes do not make a " +
                             std::to_string(width) + "×" + std::to_string(height) + " RGBA image");
  // The pictures are opaque: RGB, each row behind its filter byte (0, none: on the stage's flat
  // areas deflate finds the repeats as fast as a filter would make them, and smaller). The
  // buffers stay with the thread: a fresh 6 MB each time costs more in page faults than a copy.
  const std::size_t w = static_cast<std::size_t>(width), row = 1 + w * 3;
  thread_local std::vector<std::uint8_t> raw, packed;
  raw.resize(row * static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    std::uint8_t* out = raw.data() + static_cast<std::size_t>(y) * row;
    const std::uint8_t* in = rgba.data() + static_cast<std::size_t>(y) * w * 4;
    *out++ = 0;
    for (std::size_t x = 0; x < w; ++x, out += 3, in += 4)
      out[0] = in[0], out[1] = in[1], out[2] = in[2];
  }
  packed.resize(libdeflate_zlib_compress_bound(compressor(), raw.size()));
  const std::size_t packed_size =
      libdeflate_zlib_compress(compressor(), raw.data(), raw.size(), packed.data(), packed.size());
  if (packed_size == 0)
    throw std::runtime_error("PNG: compressing a " + std::to_string(width) + "×" +
                             std::to_string(height) + " image failed");

  std::string bytes("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  put_u32(header, static_cast<std::uint32_t>(width));
  put_u32(header, static_cast<std::uint32_t>(height));
  // 8 bits a channel, RGB, deflate, the standard filters, not interlaced.
  header += std::string("\x08\x02\x00\x00\x00", 5);
  put_chunk(bytes, "IHDR", header.data(), header.size());
  put_chunk(bytes, "IDAT", packed.data(), packed_size);
  put_chunk(bytes, "IEND", nullptr, 0);
  return bytes;
}

void write_png(const std::string& path, int width, int height,
               const std::vector<std::uint8_t>& rgba) {
  write_file_atomically(path, encode_png(width, height, rgba));
}

}  // namespace convstep
