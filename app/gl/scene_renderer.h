// scene_renderer.h — a Scene to pixels, off screen: PNG export, tests, the demo tool.
//
//   EglContext gl;                        // headless; or use the app's current window context
//   SceneRenderer renderer;               // its own ImGui context, fonts and ScenePainter
//   std::vector<std::uint8_t> rgba = renderer.render(scene, 1600, 900);   // top row first
//
//   render_scene_png(scene, 1600, 900, "step.png");   // all of the above, headless, in one call
//
// The renderer draws through Dear ImGui exactly as the live stage does: one undecorated ImGui
// window covering the image, whose draw list the ScenePainter fills. It owns a separate ImGui
// context, so it can run inside the live app (for export) without touching the app's UI state;
// the caller's current ImGui context and framebuffer binding are restored after each render.
// It never writes imgui.ini; given a font cache folder, it reads its fonts from there and writes
// them there when they were not (FontSet::build), as the app does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/scene.h"

struct ImGuiContext;

namespace convstep {

class FontSet;
class OffscreenTarget;
class ScenePainter;

class SceneRenderer {
 public:
  // Needs a current GL 3.3 core context for its whole life. Throws FontError, ShaderError.
  // `font_cache`: the folder of the baked font atlas (empty: baked, not kept).
  explicit SceneRenderer(const std::string& font_cache = {});
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  // The scene fitted into width × height pixels (ScenePainter's fit rule): RGBA8, rows packed,
  // TOP-DOWN (row 0 is the top of the image). Throws std::invalid_argument for a size of 0.
  std::vector<std::uint8_t> render(const Scene& scene, int width, int height);
  // The same into `out`, reusing its memory (exports draw thousands of pictures).
  void render(const Scene& scene, int width, int height, std::vector<std::uint8_t>& out);

 private:
  ImGuiContext* context_ = nullptr;
  unsigned font_texture_ = 0;  // the atlas (app/gl/font_texture.h)
  std::unique_ptr<FontSet> fonts_;
  std::unique_ptr<ScenePainter> painter_;
  std::unique_ptr<OffscreenTarget> target_;
};

// Headless: creates an EGL context and a SceneRenderer, renders, writes the PNG atomically.
// Throws GlError, FontError, ShaderError or std::runtime_error (naming the path) on failure.
void render_scene_png(const Scene& scene, int width, int height, const std::string& path);

}  // namespace convstep
