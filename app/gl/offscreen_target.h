// offscreen_target.h — a framebuffer object to render into and read back.
//
//   OffscreenTarget target(1600, 900);   // needs a current GL 3.3 context
//   target.bind();                       // draw...
//   std::vector<std::uint8_t> rgba = target.read_pixels();   // top row first
//
// Colour is an RGBA8 texture (texture() can be shown with ImGui::Image), with a 24/8
// depth-stencil renderbuffer.
#pragma once

#include <cstdint>
#include <vector>

namespace convstep {

class OffscreenTarget {
 public:
  OffscreenTarget(int width, int height);  // throws GlError (egl_context.h) if incomplete
  ~OffscreenTarget();
  OffscreenTarget(const OffscreenTarget&) = delete;
  OffscreenTarget& operator=(const OffscreenTarget&) = delete;

  // Binds the framebuffer for drawing and reading, and sets the viewport to all of it.
  void bind();
  int width() const { return width_; }
  int height() const { return height_; }
  unsigned texture() const { return color_; }

  // The pixels as RGBA8, width × height × 4 bytes, rows packed (stride width × 4).
  // Row order: TOP-DOWN, row 0 is the top of the image as seen on screen, i.e. flipped from
  // GL's bottom-up glReadPixels order; PNG writers and tests index it as rgba[(y·W + x)·4].
  std::vector<std::uint8_t> read_pixels() const;
  // The same into `out`, whose memory is reused when it is already the right size: an export
  // reads thousands of pictures, and fresh 8 MB buffers cost more in page faults than the copy.
  void read_pixels(std::vector<std::uint8_t>& out) const;

 private:
  int width_, height_;
  unsigned framebuffer_ = 0, color_ = 0, depth_stencil_ = 0;
  mutable std::vector<std::uint8_t> bottom_up_;  // glReadPixels' rows, before the flip
};

}  // namespace convstep
