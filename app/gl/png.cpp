#include "app/gl/png.h"

#include <zlib.h>

#include <stdexcept>

#include "core/io.h"

namespace convstep {

namespace {

void append_u32(std::string& out, std::uint32_t v) {
  for (int shift : {24, 16, 8, 0}) out += static_cast<char>((v >> shift) & 0xff);
}

// One PNG chunk: length, type, data, and the CRC of type and data.
void append_chunk(std::string& out, const char* type, const std::string& data) {
  append_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.append(type, 4);
  out += data;
  const auto* bytes = reinterpret_cast<const Bytef*>(out.data() + start);
  append_u32(out, static_cast<std::uint32_t>(crc32(0, bytes, static_cast<uInt>(4 + data.size()))));
}

}  // namespace

// Each row is filtered by "up" (the difference from the row above: the stage's flat cells and
// backgrounds become runs of zeros) and the whole compressed by zlib at its fastest level. It
// makes smaller files than stb's encoder, which tried five filters on every row and spent
// more than half of an export's time compressing.
std::string encode_png(int width, int height, const std::vector<std::uint8_t>& rgba) {
  if (width <= 0 || height <= 0 ||
      rgba.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4)
    throw std::runtime_error("PNG: " + std::to_string(rgba.size()) + " bytes do not make a " +
                             std::to_string(width) + "×" + std::to_string(height) + " RGBA image");
  const std::size_t row = static_cast<std::size_t>(width) * 4;
  std::vector<Bytef> filtered((row + 1) * static_cast<std::size_t>(height));
  for (std::size_t y = 0; y < static_cast<std::size_t>(height); ++y) {
    Bytef* out = &filtered[y * (row + 1)];
    const std::uint8_t* in = &rgba[y * row];
    out[0] = 2;  // up
    for (std::size_t x = 0; x < row; ++x)
      out[1 + x] = static_cast<Bytef>(in[x] - (y > 0 ? in[x - row] : 0));
  }
  uLongf size = compressBound(static_cast<uLong>(filtered.size()));
  std::string compressed(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &size, filtered.data(),
                static_cast<uLong>(filtered.size()), Z_BEST_SPEED) != Z_OK)
    throw std::runtime_error("PNG: encoding a " + std::to_string(width) + "×" +
                             std::to_string(height) + " image failed");
  compressed.resize(size);

  std::string header;
  append_u32(header, static_cast<std::uint32_t>(width));
  append_u32(header, static_cast<std::uint32_t>(height));
  header += std::string{8, 6, 0, 0, 0};  // 8 bits, RGBA, deflate, adaptive filters, no interlace
  std::string png = "\x89PNG\r\n\x1a\n";
  append_chunk(png, "IHDR", header);
  append_chunk(png, "IDAT", compressed);
  append_chunk(png, "IEND", "");
  return png;
}

void write_png(const std::string& path, int width, int height,
               const std::vector<std::uint8_t>& rgba) {
  write_file_atomically(path, encode_png(width, height, rgba));
}

}  // namespace convstep
