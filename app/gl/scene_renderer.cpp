#include "app/gl/scene_renderer.h"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <stdexcept>

#include "app/gl/egl_context.h"
#include "app/gl/font_set.h"
#include "app/gl/font_texture.h"
#include "app/gl/gl_api.h"
#include "app/gl/offscreen_target.h"
#include "app/gl/png.h"
#include "app/gl/scene_painter.h"
#include "app/platform.h"

namespace convstep {
namespace {

// Makes `context` current for a scope, then puts the caller's back.
class ImGuiContextScope {
 public:
  explicit ImGuiContextScope(ImGuiContext* context,
                             ImGuiContext* previous = ImGui::GetCurrentContext())
      : previous_(previous) {
    ImGui::SetCurrentContext(context);
  }
  ~ImGuiContextScope() { ImGui::SetCurrentContext(previous_); }
  ImGuiContextScope(const ImGuiContextScope&) = delete;
  ImGuiContextScope& operator=(const ImGuiContextScope&) = delete;

 private:
  ImGuiContext* previous_;
};

}  // namespace

SceneRenderer::SceneRenderer(const std::string& font_cache) {
  ImGuiContext* previous = ImGui::GetCurrentContext();
  context_ = ImGui::CreateContext();  // current from here if none was: the scope restores
  ImGuiContextScope scope(context_, previous);
  try {
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // never write imgui.ini
    io.LogFilename = nullptr;
    fonts_ = std::make_unique<FontSet>(io.Fonts);
    fonts_->build(font_cache);
    io.FontDefault = fonts_->ui_font();
    if (!ImGui_ImplOpenGL3_Init(kImGuiGlslVersion))
      throw GlError("Dear ImGui's OpenGL 3 backend could not start (is a GL 3.3 context current?)");
    create_backend_objects();
    font_texture_ = upload_font_texture(*io.Fonts);
    io.Fonts->ClearTexData();  // the texture holds the atlas now
    painter_ = std::make_unique<ScenePainter>(*fonts_);
    painter_->fill_background = false;  // render() clears to the background
  } catch (...) {
    painter_.reset();
    if (font_texture_) glDeleteTextures(1, &font_texture_);
    if (ImGui::GetIO().BackendRendererUserData) ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext(context_);
    context_ = nullptr;
    throw;
  }
}

SceneRenderer::~SceneRenderer() {
  if (!context_) return;
  {
    ImGuiContextScope scope(context_);
    target_.reset();
    painter_.reset();
    if (font_texture_) glDeleteTextures(1, &font_texture_);
    ImGui_ImplOpenGL3_Shutdown();
  }
  ImGuiContext* current = ImGui::GetCurrentContext();
  ImGui::DestroyContext(context_);  // leaves no context current if it was current
  if (current != context_) ImGui::SetCurrentContext(current);
}

std::vector<std::uint8_t> SceneRenderer::render(const Scene& scene, int width, int height) {
  std::vector<std::uint8_t> pixels;
  render(scene, width, height, pixels);
  return pixels;
}

void SceneRenderer::render(const Scene& scene, int width, int height,
                           std::vector<std::uint8_t>& pixels) {
  if (width <= 0 || height <= 0)
    throw std::invalid_argument("a picture of " + std::to_string(width) + "×" +
                                std::to_string(height) + " pixels has nothing in it");
  ImGuiContextScope scope(context_);
  GLint previous_framebuffer = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous_framebuffer);
  GLint previous_viewport[4] = {};
  glGetIntegerv(GL_VIEWPORT, previous_viewport);

  if (!target_ || target_->width() != width || target_->height() != height) {
    target_.reset();
    target_ = std::make_unique<OffscreenTarget>(width, height);
  }
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
  io.DisplayFramebufferScale = ImVec2(1, 1);
  io.DeltaTime = 1.0f / 60.0f;

  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  // An explicit size: an auto-sized window would be hidden on its first frame.
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  ImGui::Begin("##scene", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoInputs |
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoFocusOnAppearing |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoNav);
  painter_->paint(scene, Rect{0, 0, io.DisplaySize.x, io.DisplaySize.y},
                  ImGui::GetWindowDrawList());
  ImGui::End();
  ImGui::PopStyleVar(3);
  ImGui::Render();

  target_->bind();
  glDisable(GL_SCISSOR_TEST);
  glClearColor(scene.background.r, scene.background.g, scene.background.b, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT | GL_STENCIL_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  target_->read_pixels(pixels);

  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous_framebuffer));
  glViewport(previous_viewport[0], previous_viewport[1], previous_viewport[2],
             previous_viewport[3]);
}

#ifndef __EMSCRIPTEN__  // the page has no EGL: its pictures are drawn in its own WebGL context
void render_scene_png(const Scene& scene, int width, int height, const std::string& path) {
  EglContext gl;
  std::vector<std::uint8_t> rgba;
  {
    SceneRenderer renderer;
    rgba = renderer.render(scene, width, height);
  }
  write_png(path, width, height, rgba);
}
#endif

}  // namespace convstep
