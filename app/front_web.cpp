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
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <utility>

#include "app/export/app_request.h"
#include "app/export/pytorch.h"
#include "app/gl/gl_api.h"
#include "app/gl/scene_renderer.h"
#include "app/platform.h"
#include "app/session.h"
#include "app/ui_files.h"
#include "core/format.h"
#include "core/io.h"
#include "core/link.h"
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
  // Draws the PNG export's pictures: made at the first PNG (its own ImGui context and font
  // atlas, baked in about a second), kept for the next.
  std::unique_ptr<SceneRenderer> png_renderer;
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
  page->session->ui.display_scale = static_cast<float>(ratio);
}

// Where the lecture is, for the page and its tests: the phase, granularity and step, and the
// target cell's value as `convstep steps` prints it.
std::string state_text(const App& app) {
  const Frame& f = app.frame();
  std::ostringstream out;
  out << "phase=" << phase_name(app.phase())
      << " granularity=" << granularity_name(app.settings.granularity) << " step=" << app.step()
      << " steps=" << app.step_count() << " classroom=" << (app.settings.classroom ? 1 : 0);
  // The cell as its equation names it ("dXp[1,4]"), as `convstep steps` prints it.
  if (f.target.grid != Grid::None) {
    const std::string equation = f.equation.text();
    out << " cell=" << equation.substr(0, equation.find(" = "))
        << " value=" << format_number(f.running_sum, kUnicode);
  }
  return out.str();
}

EM_JS(void, publish_state, (const char* text), { Module.page.publishState(UTF8ToString(text)); });

EM_JS(void, set_page_fullscreen, (int on), { Module.page.setFullscreen(on); });

EM_JS(void, offer_download, (const char* path, const char* name, const char* type), {
  Module.page.offer(FS.readFile(UTF8ToString(path)), UTF8ToString(name), UTF8ToString(type));
});

EM_JS(void, offer_bytes, (const char* data, int size, const char* stem, const char* type), {
  Module.page.offer(HEAPU8.slice(data, data + size), UTF8ToString(stem) + '.json',
                    UTF8ToString(type));
});

// What the app copies (Ctrl+C in a text field, a copied link) goes to the system's clipboard
// too, where the browser allows it; pasting in the app pastes what it copied last.
EM_JS(void, copy_to_clipboard, (const char* text), { Module.page.copy(UTF8ToString(text)); });
std::string copied;

// A picture's pixels (RGBA, rows top first), which the page encodes as a PNG and offers.
EM_JS(void, offer_rgba_png, (const unsigned char* rgba, int width, int height, const char* name), {
  Module.page.offerPixels(HEAPU8.slice(rgba, rgba + width * height * 4), width, height,
                          UTF8ToString(name));
});

// A message on the page itself (web/index.html), over the canvas: a link that cannot be read.
EM_JS(void, show_page_message, (const char* text),
      { Module.page.showMessage(UTF8ToString(text)); });

// The page address's fragment, without its "#", in memory the caller frees.
EM_JS(char*, page_fragment, (), {
  const text = Module.page.fragment();
  const size = lengthBytesUTF8(text) + 1;
  const p = _malloc(size);
  stringToUTF8(text, p, size);
  return p;
});

// Opens the view a link holds (its fragment, or the whole address): the lesson, phase,
// granularity, step and classroom mode. A link that cannot be read changes nothing and says why
// on the page, with the lesson file's own messages.
void open_link(const std::string& text, bool announce) {
  App& app = page->session->app;
  try {
    app.open_link(text);  // as the desktop's File › Open link…
  } catch (const std::exception& e) {
    show_page_message(("This link cannot be opened: " + excerpt(e.what(), kMessageChars)).c_str());
    return;
  }
  // Said as opening a file is (its edits, if any, are one undo away); the page's own link, at
  // the start, only in the status line: a toast would cover the stage the link was made for.
  const std::string& title = app.lesson().title;
  const std::string said =
      "Opened a link: " + (title.empty() ? "a lesson" : excerpt(title, kMessageChars));
  if (announce)
    notify(page->session->ui, said);
  else
    page->session->ui.status = said;
}

EM_JS(void, choose_lesson_file, (), { Module.page.chooseFile(); });

void download(const std::string& kind);

// File › Open and Save as browse the computer's files through the page, not the page's memory:
// Open is the page's file input, Save as a download of the lesson.
void use_page_for_files(UiState& ui) {
  if (!ui.show_browser) return;
  ui.show_browser = false;
  if (ui.browser.purpose() == FileBrowser::Purpose::Open) {
    choose_lesson_file();
  } else {
    // The lesson is handed to the browser, which saves it: what waited for the save (another
    // lesson opened over unsaved edits) goes on, as after a save on the desktop. Should the
    // download be called off, Edit › Undo brings the edits back, as after any lesson opened.
    download("json");
    if (auto then = std::exchange(ui.after_save, nullptr)) then(page->session->app, ui);
  }
}

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
    use_page_for_files(session.ui);
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

// An export of what is on screen, offered as a download: "png" and "svg" (the step's stage, as
// `convstep export` draws it),
// "md" (the worksheet), "py" (PyTorch code) or "json" (the lesson as edited, as a file).
EMSCRIPTEN_KEEPALIVE void convstep_download(const char* format) {
  if (page) download(format);
}

}  // extern "C"

namespace convstep {
namespace {

void download(const std::string& kind) {
  App& app = page->session->app;
  const std::string stem = std::filesystem::path(app.lesson_path()).stem().string();
  const std::string name =
      (stem.empty() ? std::string("lesson") : stem) + "-" + phase_name(app.phase()) + "." + kind;
  const std::string path = "/downloads/" + name;
  if (kind == "json") {  // the lesson as edited, as a lesson file: the page's Save
    const std::string text = lesson_to_json(app.lesson());
    offer_bytes(text.data(), static_cast<int>(text.size()),
                (stem.empty() ? "lesson" : stem).c_str(), "application/json");
    app.mark_saved();
    return;
  }
  try {
    std::error_code ec;
    std::filesystem::create_directories("/downloads", ec);
    const ExportRequest r = app_export_request(app, kind, path);
    if (kind == "png") {  // drawn here, in the page's WebGL context, and encoded by the page
      const Scene scene = one_picture_scene(app.timeline(), r);
      if (!page->png_renderer) page->png_renderer = std::make_unique<SceneRenderer>();
      std::vector<std::uint8_t> rgba;
      page->png_renderer->render(scene, r.width, r.height, rgba);
      offer_rgba_png(rgba.data(), r.width, r.height, name.c_str());
      return;
    }
    run_export(app.timeline(), r);
    const char* type = kind == "svg" ? "image/svg+xml" : "text/plain";
    offer_download(path.c_str(), name.c_str(), type);
    std::filesystem::remove(path, ec);
  } catch (const std::exception& e) {
    show_error(page->session->ui, "Cannot export", excerpt(e.what(), kMessageChars));
  }
}

}  // namespace
}  // namespace convstep

extern "C" {

// A link opened while the page is open (its address's fragment changed): the view it holds.
EMSCRIPTEN_KEEPALIVE void convstep_open_link(const char* text) {
  if (page) open_link(text, true);
}

// The link of what is on screen, as a fragment ("lesson=…&phase=…&step=…"), for the page's
// Copy link; or, when the lesson is too big for a link, the message that says so, after "!".
EMSCRIPTEN_KEEPALIVE const char* convstep_link() {
  static std::string text;
  if (!page) return "";
  try {
    text = link_fragment(page->session->app.link_view());
  } catch (const std::exception& e) {
    text = std::string("!") + excerpt(e.what(), kMessageChars);
  }
  return text.c_str();
}

// The browser left full screen (its Escape key): classroom mode ends with it, as on the desktop.
EMSCRIPTEN_KEEPALIVE void convstep_fullscreen_left() {
  if (!page || !page->fullscreen) return;
  page->fullscreen = false;
  page->session->app.set_classroom(false);
}

}  // extern "C"

int main() {
  // Files the app writes in the page's memory (a lesson opened from the computer, settings,
  // exports) readable again: emscripten starts with a umask that leaves them no permissions.
  umask(022);
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
  ImGui::GetIO().SetClipboardTextFn = [](void*, const char* text) {
    copied = text;
    copy_to_clipboard(text);
  };
  ImGui::GetIO().GetClipboardTextFn = [](void*) { return copied.c_str(); };
  ShellOptions options;
  options.no_restore = true;  // the page keeps no edits between visits
  try {
    page->session = std::make_unique<Session>(options, page->fonts.get());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convstep: %s\n", e.what());
    return 1;
  }
  // The page's address may hold a lesson and a view to open: a link opens at that view.
  char* fragment = page_fragment();
  if (fragment && *fragment) {
    open_link(fragment, false);
    page->session->app.clear_history();  // the start: nothing to undo yet
  }
  std::free(fragment);
  page->last = glfwGetTime();
  emscripten_set_main_loop(frame, 0, false);
  return 0;
}
