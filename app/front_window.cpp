// The windowed front end: GLFW, OpenGL 3.3 core, Dear ImGui's GLFW and OpenGL 3 backends.
// It sleeps on input events while nothing moves, and draws every frame while something does.
// With --monkey (tests) it draws every frame, feeds seeded random input through the same path as
// the headless front end, and simulates time at 60 frames a second so that a seed replays.
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <array>
#include <iostream>
#include <utility>
#include <vector>

#include "app/front.h"
#include "app/gl/gl_api.h"
#include "app/gl/png.h"
#include "app/monkey.h"

namespace convstep {

namespace {

class WindowHost : public ScriptHost {
 public:
  WindowHost(GLFWwindow* window, Session& s) : window_(window), session_(s) {}
  void screenshot(const std::string& path) override {
    int w, h;
    glfwGetFramebufferSize(window_, &w, &h);
    if (w <= 0 || h <= 0) throw std::invalid_argument(no_picture(w, h));
    pending_screenshot_ = path;
  }
  // A screenshot asked for just before the window was minimized, and never taken.
  const std::string& pending_screenshot() const { return pending_screenshot_; }
  void export_file(const std::string& kind, const std::string& path) override {
    export_current(session_.app, kind, path);
  }
  void resize(int w, int h) override { glfwSetWindowSize(window_, std::max(w, 1), std::max(h, 1)); }
  void press(const std::string& path) override { press_widget(path); }
  bool pressed(const std::string& path) override { return widget_pressed(path); }
  void key(const std::string& chord) override {
    if (!press_key(chord))
      throw std::invalid_argument("unknown key " + in_quotes(chord) +
                                  ": e.g. ctrl+q, ctrl+shift+z, escape, right, f1");
  }
  void quit() override { quit_ = true; }  // a script's quit: no question asked
  bool quitting() const { return quit_; }

  // Called after the frame is drawn, before the buffers swap: the pixels are the window's.
  void take_pending_screenshot() {
    if (pending_screenshot_.empty()) return;
    int w, h;
    glfwGetFramebufferSize(window_, &w, &h);
    if (w <= 0 || h <= 0) return;  // minimized: taken once the window is back
    std::vector<std::uint8_t> rgba(static_cast<std::size_t>(w) * h * 4), flipped(rgba.size());
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    // GL rows are bottom-up; PNG rows top-down.
    for (int y = 0; y < h; ++y)
      std::copy_n(rgba.begin() + static_cast<std::ptrdiff_t>(y) * w * 4, w * 4,
                  flipped.begin() + static_cast<std::ptrdiff_t>(h - 1 - y) * w * 4);
    const std::string path = std::move(pending_screenshot_);
    pending_screenshot_.clear();
    write_png(path, w, h, flipped);
  }

 private:
  GLFWwindow* window_;
  Session& session_;
  std::string pending_screenshot_;
  bool quit_ = false;
};

// Dear ImGui 1.86 sees each key as down or up once a frame: a key pressed and let go between
// two frames (a quick tap, as a clicker or xdotool sends it) would never be seen, and Ctrl+Z
// would do nothing. While a frame has not yet seen a press, releases wait, Ctrl's included (a
// quick Ctrl+O often lets go of Ctrl before O).
struct KeyLatch {
  bool unseen_press = false;                 // since the last frame
  std::vector<std::array<int, 3>> releases;  // held back: key, scancode, mods
  bool typed = false;  // a key since the last frame: keep drawing while its dialog opens
};
KeyLatch key_latch;

void on_key(GLFWwindow* window, int key, int scancode, int action, int mods) {
  key_latch.typed = true;
  if (action == GLFW_RELEASE && key_latch.unseen_press) {
    key_latch.releases.push_back({key, scancode, mods});
    return;
  }
  if (action == GLFW_PRESS) key_latch.unseen_press = true;
  ImGui_ImplGlfw_KeyCallback(window, key, scancode, action, mods);
}

// After a frame has seen the keys pressed before it: the releases held back go through.
void release_held_keys(GLFWwindow* window) {
  key_latch.unseen_press = false;
  for (const auto& [key, scancode, mods] : std::exchange(key_latch.releases, {}))
    ImGui_ImplGlfw_KeyCallback(window, key, scancode, GLFW_RELEASE, mods);
}

void apply_fullscreen(GLFWwindow* window, bool on, int width, int height) {
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  if (on && monitor) {
    const GLFWvidmode* mode = glfwGetVideoMode(monitor);
    glfwSetWindowMonitor(window, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  } else {
    glfwSetWindowMonitor(window, nullptr, 40, 40, width, height, GLFW_DONT_CARE);
  }
}

// "convstep — Forward: Z = Xp ⋆ W + b — cell 3 / 13": where the lecture is, for the task bar
// (and for tests, which read it from outside the window).
std::string window_title(const App& app) {
  return std::string("convstep — ") + phase_title(app.phase()) + " — " +
         granularity_name(app.settings.granularity) + " " + std::to_string(app.step() + 1) + " / " +
         std::to_string(app.step_count());
}

}  // namespace

int run_window(const ShellOptions& options) {
  glfwSetErrorCallback([](int code, const char* text) {
    std::cerr << "convstep: GLFW error " << code << ": " << text << "\n";
  });
  if (!glfwInit()) return -1;  // the caller falls back to rendering without a display
  EarlyFonts fonts;            // baked while the window and its GL context are made
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  const Settings saved = load_settings();
  const int width = options.width > 0 ? options.width : saved.window_width;
  const int height = options.height > 0 ? options.height : saved.window_height;
  GLFWwindow* window = glfwCreateWindow(width, height, "convstep", nullptr, nullptr);
  if (!window) {
    glfwTerminate();
    return -1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);
  ImGui::CreateContext(fonts.atlas());
  ImGui::GetIO().IniFilename = nullptr;  // layout is fixed; settings live in our own file
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  glfwSetKeyCallback(window, on_key);  // in front of the backend's own, which it calls
  ImGui_ImplOpenGL3_Init("#version 330 core");
  // Torn down however the run ends: a script error thrown out of the loop included.
  struct Teardown {
    GLFWwindow* window;
    ~Teardown() {
      ImGui_ImplOpenGL3_Shutdown();
      ImGui_ImplGlfw_Shutdown();
      ImGui::DestroyContext();
      glfwDestroyWindow(window);
      glfwTerminate();
    }
  } teardown{window};
  int status = 0;
  {
    Session session(options, &fonts);
    WindowHost host(window, session);
    // Full screen follows classroom mode, however it was switched (keys, menu, script).
    bool fullscreen = session.app.settings.classroom;
    if (fullscreen) apply_fullscreen(window, true, width, height);
    const bool monkey_run = options.monkey_events > 0;
    Monkey monkey(options.monkey_seed, options.monkey_events);
    long long loops = 0;
    double last = monkey_run ? 0 : glfwGetTime();
    int idle_frames = 0;
    std::string shown_title;
    while (!host.quitting() && !session.ui.quit_requested) {
      // Sleep on events while nothing moves; keep a few frames after input so hovers settle.
      if (!session.busy() && idle_frames > 3 && !monkey_run)
        glfwWaitEventsTimeout(0.5);
      else
        glfwPollEvents();
      if (monkey_run && !monkey.active() && (!session.script || session.script->finished())) break;
      // The window's close button asks about unsaved edits, as Quit does.
      if (glfwWindowShouldClose(window)) {
        glfwSetWindowShouldClose(window, GLFW_FALSE);
        session.ui.close_asked = true;
      }
      const double now = monkey_run ? ++loops / 60.0 : glfwGetTime();
      session.update(now - last, now, host);
      last = now;
      if (std::string title = window_title(session.app); title != shown_title) {
        glfwSetWindowTitle(window, title.c_str());
        shown_title = std::move(title);
      }
      if (session.fonts_stale()) session.rebuild_fonts();
      int fw, fh;
      glfwGetFramebufferSize(window, &fw, &fh);
      if (fw <= 0 || fh <= 0) continue;  // minimized: nothing to draw
      ImGui_ImplOpenGL3_NewFrame();
      ImGui_ImplGlfw_NewFrame();
      if (monkey_run) ImGui::GetIO().DeltaTime = 1.0f / 60;
      if (monkey.active()) monkey.feed(ImGui::GetIO(), host);
      feed_keys(ImGui::GetIO());
      ImGui::NewFrame();
      session.draw();
      ImGui::Render();
      session.after_render();
      release_held_keys(window);
      if (monkey_run) {
        monkey.observe(session);
        session.ui.quit_requested = false;  // Quit would end the stream early: counted instead
      }
      idle_frames = ImGui::GetIO().MouseDelta.x != 0 || ImGui::GetIO().MouseDelta.y != 0 ||
                            std::exchange(key_latch.typed, false)
                        ? 0
                        : idle_frames + 1;
      if (fullscreen != session.app.settings.classroom) {
        fullscreen = session.app.settings.classroom;
        apply_fullscreen(window, fullscreen, session.app.settings.window_width,
                         session.app.settings.window_height);
      }
      glViewport(0, 0, fw, fh);
      glClearColor(0.1f, 0.1f, 0.1f, 1);
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      host.take_pending_screenshot();
      glfwSwapBuffers(window);
      if (!session.app.settings.classroom) {
        int ww, wh;
        glfwGetWindowSize(window, &ww, &wh);
        if (ww > 0 && wh > 0)
          session.app.settings.window_width = ww, session.app.settings.window_height = wh;
      }
    }
    if (!host.pending_screenshot().empty()) {
      std::cerr << "convstep: the window was minimized until the end: the screenshot "
                << host.pending_screenshot() << " was not taken\n";
      status = 1;
    }
    if (monkey_run) std::cout << "convstep: monkey " << monkey.report() << "\n";
  }
  return status;
}

}  // namespace convstep
