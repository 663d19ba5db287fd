// The browser front end (make web): the app in a WebGL 2 canvas through emscripten's GLFW, with
// the same Session, panels and painter as the desktop window. What only a page can do is here:
// the canvas follows the page's size and pixel ratio, classroom mode asks the browser for full
// screen, a lesson comes from the computer through the page's file input, exports are browser
// downloads, and the page reads where the lecture is from a hidden element (web/index.html).
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>
#include <utility>

#include "app/export/pytorch.h"
#include "app/export/request.h"
#include "app/gl/gl_api.h"
#include "app/platform.h"
#include "app/session.h"
#include "app/ui_files.h"
#include "core/format.h"
#include "core/io.h"
#include "core/user_text.h"

namespace convstep {
namespace {

struct Page {
  GLFWwindow* window = nullptr;
  std::unique_ptr<EarlyFonts> fonts;
  std::unique_ptr<Session> session;
  double last = 0;
  bool fullscreen = false;
  std::string shown_state;
  std::string png_pending;  // the file name of a PNG to offer once the next frame is drawn
};
Page* page = nullptr;

// A script host for the page: scripts do not run in the browser, so nothing calls it.
struct NoHost : ScriptHost {
  void screenshot(const std::string&) override {}
  void export_file(const std::string&, const std::string&) override {}
  void resize(int, int) override {}
  void press(const std::string&) override {}
  bool pressed(const std::string&) override { return false; }
  void key(const std::string&) override {}
  void quit() override {}
};

// The canvas's backing store follows its size on the page times the device's pixel ratio, so
// that text is as sharp as the screen allows; the UI scales with the ratio (Session).
void fit_canvas() {
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size("#canvas", &css_w, &css_h);
  const double ratio = emscripten_get_device_pixel_ratio();
  const int w = std::max(1, static_cast<int>(std::lround(css_w * ratio)));
  const int h = std::max(1, static_cast<int>(std::lround(css_h * ratio)));
  int cw = 0, ch = 0;
  glfwGetWindowSize(page->window, &cw, &ch);
  if (cw != w || ch != h) glfwSetWindowSize(page->window, w, h);
  page->session->display_scale = static_cast<float>(ratio);
}

// Where the lecture is, for the page and its tests: the phase, granularity and step, and the
// target cell's value as `convstep steps` prints it.
std::string state_text(const App& app) {
  const Frame& f = app.frame();
  std::ostringstream out;
  out << "phase=" << phase_name(app.phase())
      << " granularity=" << granularity_name(app.settings.granularity) << " step=" << app.step()
      << " steps=" << app.step_count() << " classroom=" << (app.settings.classroom ? 1 : 0);
  if (f.target.grid != Grid::None)
    out << " cell=" << grid_name(f.target.grid) << "[" << f.target.h << "," << f.target.w << "]"
        << " value=" << format_number(f.running_sum, kUnicode);
  return out.str();
}

EM_JS(void, publish_state, (const char* text), {
  const node = document.getElementById('state');
  if (node) node.textContent = UTF8ToString(text);
});

EM_JS(void, set_page_fullscreen, (int on), {
  const d = document;
  if (on && !d.fullscreenElement && d.documentElement.requestFullscreen)
    d.documentElement.requestFullscreen().catch(() = > {});
  else if (!on && d.fullscreenElement)
    d.exitFullscreen().catch(() = > {});
});

EM_JS(void, offer_download, (const char* path, const char* name, const char* type), {
  const bytes = FS.readFile(UTF8ToString(path));
  const url = URL.createObjectURL(new Blob([bytes], {
    type:
      UTF8ToString(type)
  }));
  const a = document.createElement('a');
  a.href = url;
  a.download = UTF8ToString(name);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() = > URL.revokeObjectURL(url), 1000);
});

// The canvas as the frame just drawn left it (WebGL clears it once the frame is shown).
EM_JS(void, offer_canvas_png, (const char* name), {
  const file = UTF8ToString(name);
  Module.canvas.toBlob((blob) = >
                                {
                                  const url = URL.createObjectURL(blob);
                                  const a = document.createElement('a');
                                  a.href = url;
                                  a.download = file;
                                  document.body.appendChild(a);
                                  a.click();
                                  a.remove();
                                  setTimeout(() = > URL.revokeObjectURL(url), 1000);
                                },
                       'image/png');
});

void frame() {
  Session& session = *page->session;
  NoHost host;
  const double now = glfwGetTime();
  try {
    fit_canvas();
    session.update(now - page->last, now, host);
    page->last = now;
    if (session.fonts_stale()) session.rebuild_fonts();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    feed_keys(ImGui::GetIO());
    ImGui::NewFrame();
    session.draw();
    ImGui::Render();
    session.after_render();
  } catch (const std::exception& e) {
    show_error(session.ui, "Something went wrong", excerpt(e.what(), kMessageChars));
  }
  // Classroom mode is full screen, as on the desktop; leaving full screen (Escape, the
  // browser's own key) leaves classroom mode.
  const bool classroom = session.app.settings.classroom;
  if (classroom != page->fullscreen) {
    set_page_fullscreen(classroom);
    page->fullscreen = classroom;
  }
  int fw, fh;
  glfwGetFramebufferSize(page->window, &fw, &fh);
  glViewport(0, 0, fw, fh);
  glClearColor(0.1f, 0.1f, 0.1f, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (!page->png_pending.empty()) offer_canvas_png(std::exchange(page->png_pending, "").c_str());
  if (std::string state = state_text(session.app); state != page->shown_state) {
    publish_state(state.c_str());
    page->shown_state = std::move(state);
  }
}

}  // namespace
}  // namespace convstep

using namespace convstep;

extern "C" {

// A lesson file chosen on the page: its text, kept in the page's memory under its own name and
// opened as a file is (unsaved edits are asked about first; errors say what and where).
EMSCRIPTEN_KEEPALIVE void convstep_open_text(const char* name, const char* text) {
  if (!page) return;
  std::error_code ec;
  std::filesystem::create_directories("/lessons", ec);
  const std::string file = std::filesystem::path(name).filename().string();
  const std::string path = "/lessons/" + (file.empty() ? std::string("lesson.json") : file);
  try {
    write_file_atomically(path, text);
    open_lesson(path)(page->session->app, page->session->ui);
  } catch (const std::exception& e) {
    show_error(page->session->ui, "Cannot open " + file, excerpt(e.what(), kMessageChars));
  }
}

// An export of what is on screen, offered as a download: "svg" (the step), "md" (the worksheet)
// or "py" (PyTorch code).
EMSCRIPTEN_KEEPALIVE void convstep_download(const char* format) {
  if (!page) return;
  App& app = page->session->app;
  const std::string kind = format;
  const std::string stem = std::filesystem::path(app.lesson_path()).stem().string();
  const std::string name =
      (stem.empty() ? std::string("lesson") : stem) + "-" + phase_name(app.phase()) + "." + kind;
  const std::string path = "/downloads/" + name;
  if (kind == "png") {
    page->png_pending = name;
    return;
  }
  try {
    std::error_code ec;
    std::filesystem::create_directories("/downloads", ec);
    ExportRequest r;
    r.format = kind;
    r.out = path;
    r.phases = {app.phase()};
    r.granularity = app.settings.granularity;
    r.skip_zero_terms = app.settings.skip_zero_terms;
    r.from = app.step(), r.to = app.step() + 1;
    r.scale = app.settings.stage_scale;
    r.theme = app.settings.theme;
    for (std::size_t i = 0; i < std::size(kAllPitfalls); ++i)
      if (app.pitfalls[i]) r.pitfalls.push_back(kAllPitfalls[i]);
    r.slice = app.slice;
    if (kind == "md") {  // the worksheet of every phase, one equation per cell, as the app's
      r.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
      r.granularity = Granularity::Cell;
      r.from = r.to = -1;
    }
    if (kind == "py") r.from = r.to = -1;
    run_export(app.timeline(), r);
    const char* type = kind == "svg" ? "image/svg+xml" : "text/plain";
    offer_download(path.c_str(), name.c_str(), type);
    std::filesystem::remove(path, ec);
  } catch (const std::exception& e) {
    show_error(page->session->ui, "Cannot export", excerpt(e.what(), kMessageChars));
  }
}

// The browser left full screen (its Escape key): classroom mode ends with it, as on the desktop.
EMSCRIPTEN_KEEPALIVE void convstep_fullscreen_left() {
  if (!page || !page->fullscreen) return;
  page->fullscreen = false;
  page->session->app.set_classroom(false);
}

}  // extern "C"

int main() {
  glfwSetErrorCallback([](int code, const char* text) {
    std::fprintf(stderr, "convstep: GLFW error %d: %s\n", code, text);
  });
  if (!glfwInit()) return 1;
  page = new Page;
  page->fonts = std::make_unique<EarlyFonts>();
  page->window = glfwCreateWindow(1280, 720, "convstep", nullptr, nullptr);
  if (!page->window) return 1;
  glfwMakeContextCurrent(page->window);
  ImGui::CreateContext(page->fonts->atlas());
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(page->window, true);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  ShellOptions options;
  options.no_restore = true;  // the page keeps no edits between visits
  try {
    page->session = std::make_unique<Session>(options, page->fonts.get());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convstep: %s\n", e.what());
    return 1;
  }
  page->last = glfwGetTime();
  emscripten_set_main_loop(frame, 0, false);
  return 0;
}
