#include "app/gl/png.h"

// The implementation is in Debian's libstb: no STB_IMAGE_WRITE_IMPLEMENTATION here.
#include <stb_image_write.h>

#include <stdexcept>

#include "core/io.h"

namespace convstep {

std::string encode_png(int width, int height, const std::vector<std::uint8_t>& rgba) {
  if (width <= 0 || height <= 0 ||
      rgba.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4)
    throw std::runtime_error("PNG: " + std::to_string(rgba.size()) + " bytes do not make a " +
                             std::to_string(width) + "×" + std::to_string(height) + " RGBA image");
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<std::size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &bytes, width, height, 4, rgba.data(), width * 4))
    throw std::runtime_error("PNG: encoding a " + std::to_string(width) + "×" +
                             std::to_string(height) + " image failed");
  return bytes;
}

void write_png(const std::string& path, int width, int height,
               const std::vector<std::uint8_t>& rgba) {
  write_file_atomically(path, encode_png(width, height, rgba));
}

}  // namespace convstep
