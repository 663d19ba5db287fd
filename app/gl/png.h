// png.h — PNG files from RGBA pixels.
//
//   write_png("step-017.png", target.width(), target.height(), target.read_pixels());
//
// `rgba` is width × height × 4 bytes, rows packed and TOP-DOWN (row 0 is the top of the
// image), as OffscreenTarget::read_pixels() returns them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convstep {

// The PNG file's bytes. Throws std::runtime_error if the size does not match or encoding fails.
std::string encode_png(int width, int height, const std::vector<std::uint8_t>& rgba);

// Writes through core/io (atomically for a regular file): on failure the old file, if any, is
// intact and no temporary file remains. Throws std::runtime_error naming the path and the
// system's reason.
void write_png(const std::string& path, int width, int height,
               const std::vector<std::uint8_t>& rgba);

}  // namespace convstep
