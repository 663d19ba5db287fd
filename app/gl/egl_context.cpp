#include "app/gl/egl_context.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>

#include <cstdio>

#include "app/gl/gl_api.h"

namespace convstep {
namespace {

std::string egl_error(const char* call) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%04X", static_cast<unsigned>(eglGetError()));
  return std::string("EGL: ") + call + " failed (error " + code + ")";
}

// EGL keeps one display per platform, shared by every context on it: terminate it only when
// the last EglContext goes away.
int g_live_contexts = 0;

}  // namespace

EglContext::EglContext() {
  auto get_platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
      eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (!get_platform_display)
    throw GlError("EGL: eglGetPlatformDisplayEXT is missing (is Mesa's libEGL installed?)");
  EGLDisplay display =
      get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
  if (display == EGL_NO_DISPLAY) throw GlError(egl_error("eglGetPlatformDisplayEXT(surfaceless)"));
  if (!eglInitialize(display, nullptr, nullptr)) throw GlError(egl_error("eglInitialize"));
  ++g_live_contexts;
  display_ = display;
  auto fail = [this](const char* call) {
    const std::string message = egl_error(call);
    if (--g_live_contexts == 0) eglTerminate(static_cast<EGLDisplay>(display_));
    throw GlError(message);
  };
  if (!eglBindAPI(EGL_OPENGL_API)) fail("eglBindAPI(EGL_OPENGL_API)");
  const EGLint attributes[] = {EGL_CONTEXT_MAJOR_VERSION,
                               3,
                               EGL_CONTEXT_MINOR_VERSION,
                               3,
                               EGL_CONTEXT_OPENGL_PROFILE_MASK,
                               EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                               EGL_NONE};
  EGLContext context = eglCreateContext(display, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attributes);
  if (context == EGL_NO_CONTEXT) fail("eglCreateContext(OpenGL 3.3 core)");
  context_ = context;
  if (!eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
    eglDestroyContext(display, context);
    fail("eglMakeCurrent");
  }
}

EglContext::~EglContext() {
  EGLDisplay display = static_cast<EGLDisplay>(display_);
  if (eglGetCurrentContext() == static_cast<EGLContext>(context_))
    eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  eglDestroyContext(display, static_cast<EGLContext>(context_));
  if (--g_live_contexts == 0) {
    eglTerminate(display);
    eglReleaseThread();
  }
}

void EglContext::make_current() {
  if (!eglMakeCurrent(static_cast<EGLDisplay>(display_), EGL_NO_SURFACE, EGL_NO_SURFACE,
                      static_cast<EGLContext>(context_)))
    throw GlError(egl_error("eglMakeCurrent"));
}

std::string EglContext::renderer() const {
  const GLubyte* name = glGetString(GL_RENDERER);
  return name ? reinterpret_cast<const char*>(name) : "unknown";
}

}  // namespace convstep
