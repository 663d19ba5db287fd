// egl_context.h — an OpenGL 3.3 core context with no window and no display server.
//
//   EglContext gl;                       // current on this thread from here on; throws GlError
//   OffscreenTarget target(1600, 900);   // draw into a framebuffer object
//
// EGL on Mesa's surfaceless platform (EGL_MESA_platform_surfaceless): no X server, no GPU
// needed (llvmpipe renders). There is no default framebuffer: render into an OffscreenTarget.
#pragma once

#include <stdexcept>
#include <string>

namespace convstep {

// A GL context or framebuffer that cannot be created. The message says which call failed.
struct GlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class EglContext {
 public:
  EglContext();  // creates the context and makes it current
  ~EglContext();
  EglContext(const EglContext&) = delete;
  EglContext& operator=(const EglContext&) = delete;

  void make_current();
  std::string renderer() const;  // GL_RENDERER, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"

 private:
  void* display_ = nullptr;  // EGLDisplay
  void* context_ = nullptr;  // EGLContext
};

}  // namespace convstep
