// The headless front end: EGL surfaceless, a framebuffer object, ImGui fed by hand.
// Time is simulated (1/60 s per frame), so scripts and monkey runs are deterministic.
#include <GLFW/glfw3.h>  // key codes only
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <iostream>

#include "app/front.h"
#include "app/gl/egl_context.h"
#include "app/gl/gl_api.h"
#include "app/gl/offscreen_target.h"
#include "app/gl/png.h"
#include "app/monkey.h"
#include "core/format.h"

namespace convstep {

namespace {

struct ImGuiScope {
  explicit ImGuiScope(ImFontAtlas* fonts) {
    ImGui::CreateContext(fonts);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // never write imgui.ini
    io.LogFilename = nullptr;
  }
  ~ImGuiScope() { ImGui::DestroyContext(); }
};

// Dear ImGui's OpenGL 3 backend, shut down however the run ends: a script error thrown out of
// the loop must not leave its state behind.
struct OpenGl3Backend {
  const bool started = ImGui_ImplOpenGL3_Init("#version 330 core");
  ~OpenGl3Backend() {
    if (started) ImGui_ImplOpenGL3_Shutdown();
  }
};

class HeadlessHost : public ScriptHost {
 public:
  HeadlessHost(Session& s, int w, int h) : session_(s), width_(w), height_(h) {}
  void screenshot(const std::string& path) override {
    if (width_ <= 0 || height_ <= 0) throw std::invalid_argument(no_picture(width_, height_));
    render();
    write_png(path, target_->width(), target_->height(), target_->read_pixels());
  }
  void export_file(const std::string& kind, const std::string& path) override {
    export_current(session_.app, kind, path);
  }
  void resize(int w, int h) override { width_ = std::max(w, 0), height_ = std::max(h, 0); }
  void press(const std::string& path) override { press_widget(path); }
  bool pressed(const std::string& path) override { return widget_pressed(path); }
  void key(const std::string& chord) override {
    if (!press_key(chord))
      throw std::invalid_argument("unknown key " + in_quotes(chord) +
                                  ": e.g. ctrl+q, ctrl+shift+z, escape, right, f1");
  }
  void quit() override { quit_ = true; }
  bool quitting() const { return quit_; }

  // One frame of the UI into the offscreen target (nothing at a 0×0 size, as when minimized).
  void render() {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(width_), static_cast<float>(height_));
    if (session_.fonts_stale()) session_.rebuild_fonts();
    feed_keys(io);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    session_.draw();
    ImGui::Render();
    session_.after_render();
    if (width_ <= 0 || height_ <= 0) return;
    if (!target_ || target_->width() != width_ || target_->height() != height_)
      target_ = std::make_unique<OffscreenTarget>(width_, height_);
    target_->bind();
    glClearColor(0.1f, 0.1f, 0.1f, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (const GLenum e = glGetError(); e != GL_NO_ERROR)
      throw std::runtime_error("OpenGL error " + std::to_string(e) + " while drawing the UI");
  }

 private:
  Session& session_;
  int width_, height_;
  bool quit_ = false;
  std::unique_ptr<OffscreenTarget> target_;
};

}  // namespace

int run_headless(const ShellOptions& options) {
  EarlyFonts fonts;  // baked while the GL context is made
  EglContext gl;
  ImGuiScope imgui(fonts.atlas());
  OpenGl3Backend backend;
  if (!backend.started) {
    std::cerr << "convstep: Dear ImGui's OpenGL 3 backend could not start\n";
    return 1;
  }
  {
    Session session(options, &fonts);
    ImGuiIO& io = ImGui::GetIO();
    io.KeyMap[ImGuiKey_Tab] = GLFW_KEY_TAB;  // the navigation keys ImGui itself understands
    io.KeyMap[ImGuiKey_LeftArrow] = GLFW_KEY_LEFT;
    io.KeyMap[ImGuiKey_RightArrow] = GLFW_KEY_RIGHT;
    io.KeyMap[ImGuiKey_UpArrow] = GLFW_KEY_UP;
    io.KeyMap[ImGuiKey_DownArrow] = GLFW_KEY_DOWN;
    io.KeyMap[ImGuiKey_Enter] = GLFW_KEY_ENTER;
    io.KeyMap[ImGuiKey_Escape] = GLFW_KEY_ESCAPE;
    io.KeyMap[ImGuiKey_Backspace] = GLFW_KEY_BACKSPACE;
    io.KeyMap[ImGuiKey_Delete] = GLFW_KEY_DELETE;
    io.KeyMap[ImGuiKey_Space] = GLFW_KEY_SPACE;
    int w = options.width > 0 ? options.width : session.app.settings.window_width;
    int h = options.height > 0 ? options.height : session.app.settings.window_height;
    HeadlessHost host(session, w, h);
    Monkey monkey(options.monkey_seed, options.monkey_events);
    const double dt = 1.0 / 60;
    double now = 0;
    long long frames = 0;
    for (;;) {
      io.DeltaTime = static_cast<float>(dt);
      if (monkey.active()) monkey.feed(io, host);
      session.update(dt, now, host);
      host.render();
      if (options.monkey_events > 0) {
        monkey.observe(session);
        session.ui.quit_requested = false;  // as in the window: counted, not obeyed
      }
      now += dt, ++frames;
      if (host.quitting() || session.ui.quit_requested) break;  // a script's quit, or the user's
      const bool script_done = !session.script || session.script->finished();
      if (script_done && frames >= options.monkey_events) break;
      if (frames > 60 * 60 * 30)
        throw ScriptError(options.script + ": still running after 30 simulated minutes: stopped");
    }
    std::cout << "convstep: headless run finished after " << plural(frames, "frame") << "\n";
    if (options.monkey_events > 0) std::cout << "convstep: monkey " << monkey.report() << "\n";
  }
  return 0;
}

void export_headless(const Timeline& timeline, const ExportRequest& request,
                     const ExportProgressFn& progress) {
  EglContext gl;
  export_pictures(timeline, request, progress);
}

int render_without_display(const ShellOptions& options, const std::string& folder) {
  EglContext gl;
  App app;
  std::string problem;
  app.settings = load_settings(&problem);
  if (!problem.empty()) std::cerr << "convstep: " << problem << "\n";
  app.open_or_default(options.lesson);
  render_all_phases(app, folder);
  std::string names;  // "forward, dw, ..., matrix"
  for (Phase p : kAllPhases) names += (names.empty() ? "" : ", ") + std::string(phase_name(p));
  std::cout << "convstep: the stage of each phase of \"" << app.lesson().title << "\" is in "
            << folder << "/ (" << names << " as .png and .svg)\n";
  return 0;
}

}  // namespace convstep
