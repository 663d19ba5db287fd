#include "app/gl/offscreen_target.h"

#include <cstring>
#include <string>

#include "app/gl/egl_context.h"
#include "app/gl/gl_api.h"

namespace convstep {

OffscreenTarget::OffscreenTarget(int width, int height) : width_(width), height_(height) {
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
    throw GlError("offscreen target: size " + std::to_string(width) + "×" + std::to_string(height) +
                  " is outside 1..16384");
  GLint previous = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous);
  GLint previous_texture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_texture);

  glGenTextures(1, &color_);
  glBindTexture(GL_TEXTURE_2D, color_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_texture));

  glGenRenderbuffers(1, &depth_stencil_);
  glBindRenderbuffer(GL_RENDERBUFFER, depth_stencil_);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH24_STENCIL8, width, height);

  glGenFramebuffers(1, &framebuffer_);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, color_, 0);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_STENCIL_ATTACHMENT, GL_RENDERBUFFER,
                            depth_stencil_);
  const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous));
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    glDeleteFramebuffers(1, &framebuffer_);
    glDeleteRenderbuffers(1, &depth_stencil_);
    glDeleteTextures(1, &color_);
    throw GlError("offscreen target " + std::to_string(width) + "×" + std::to_string(height) +
                  ": framebuffer incomplete (status " + std::to_string(status) + ")");
  }
}

OffscreenTarget::~OffscreenTarget() {
  glDeleteFramebuffers(1, &framebuffer_);
  glDeleteRenderbuffers(1, &depth_stencil_);
  glDeleteTextures(1, &color_);
}

void OffscreenTarget::bind() {
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glViewport(0, 0, width_, height_);
}

std::vector<std::uint8_t> OffscreenTarget::read_pixels() const {
  std::vector<std::uint8_t> pixels;
  read_pixels(pixels);
  return pixels;
}

void OffscreenTarget::read_pixels(std::vector<std::uint8_t>& top_down) const {
  GLint previous = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previous);
  GLint previous_alignment = 4;
  glGetIntegerv(GL_PACK_ALIGNMENT, &previous_alignment);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, framebuffer_);
  glReadBuffer(GL_COLOR_ATTACHMENT0);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  const std::size_t stride = static_cast<std::size_t>(width_) * 4;
  bottom_up_.resize(stride * static_cast<std::size_t>(height_));
  glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up_.data());
  glPixelStorei(GL_PACK_ALIGNMENT, previous_alignment);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(previous));
  // GL's row 0 is the bottom of the image; ours is the top.
  top_down.resize(bottom_up_.size());
  for (int y = 0; y < height_; ++y)
    std::memcpy(top_down.data() + static_cast<std::size_t>(y) * stride,
                bottom_up_.data() + static_cast<std::size_t>(height_ - 1 - y) * stride, stride);
}

}  // namespace convstep
