// session.h — one running app: the model, the UI state, the fonts and painter, a script.
// Both front ends (the GLFW window and headless EGL) own a Session and call it every frame:
//
//   Session s(options);              // needs a current GL 3.3 context and ImGui context
//   s.update(dt, now, host);         // script, playback, autosave
//   ImGui_ImplOpenGL3_NewFrame(); ImGui::NewFrame(); s.draw(); ImGui::Render();
//   s.after_render(); ...            // then draw the frame to the screen
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <string>

#include "app/app.h"
#include "app/export_dialog.h"
#include "app/latest_job.h"
#include "app/recovery.h"
#include "app/script.h"
#include "app/ui.h"

namespace convstep {

class FontSet;
class ScenePainter;
}  // namespace convstep
struct ImFontAtlas;
namespace convstep {

struct ShellOptions {
  std::string lesson;           // empty: the default lesson
  std::string script;           // --script FILE
  bool headless = false;        // --headless: EGL, no display
  bool no_restore = false;      // --no-restore: skip the offer of unsaved edits
  int width = 0, height = 0;    // --size WxH; 0: from the settings
  long long monkey_events = 0;  // --monkey N: seeded random input (tests)
  unsigned monkey_seed = 1;
};

// The font atlas, baked on a thread while the front end makes its window and GL context (the
// bake is about half of the start-up). The front end hands the atlas to ImGui::CreateContext,
// which must not run during the bake (ImGui counts allocations in its context), and keeps this
// object until the ImGui context is destroyed; the session then takes the fonts as they are.
class EarlyFonts {
 public:
  EarlyFonts();  // starts baking, at the UI scale of the saved settings
  ~EarlyFonts();
  EarlyFonts(const EarlyFonts&) = delete;
  EarlyFonts& operator=(const EarlyFonts&) = delete;
  ImFontAtlas* atlas();  // waits for the bake; rethrows its FontError

 private:
  friend class Session;
  std::unique_ptr<ImFontAtlas> atlas_;
  std::unique_ptr<FontSet> fonts_;  // taken by the session
  float scale_ = 1;
  std::future<void> bake_;
};

class Session {
 public:
  // Throws LessonError, ScriptError. `fonts`: baked already (EarlyFonts), or made here.
  explicit Session(const ShellOptions& options, EarlyFonts* fonts = nullptr);
  ~Session();

  void update(double dt, double now, ScriptHost& host);  // throws ScriptError
  void draw();
  // After ImGui::Render(), with the frame's draw data: File › Export's whole-window picture.
  void after_render();
  // Fonts at the UI scale the settings ask for; call between frames when it changed.
  bool fonts_stale() const;
  void rebuild_fonts(EarlyFonts* early = nullptr);

  App app;
  UiState ui;
  std::optional<ScriptRunner> script;
  ExportDialog export_dialog;  // File › Export
  bool busy() const;           // something moves or a script runs: keep drawing

 private:
  float ui_scale() const;
  void autosave();
  std::unique_ptr<FontSet> fonts_;
  std::unique_ptr<ScenePainter> painter_;
  float fonts_scale_ = 0;
  bool device_objects_ = false;  // made by rebuild_fonts, not by the backend's first frame
  unsigned font_texture_ = 0;    // the atlas, uploaded by rebuild_fonts (not by the backend)
  long long autosaved_revision_ = -1;
  bool kept_ = false;  // the last copy of unsaved edits was written
  Recovery recovery_;
  // Copies of unsaved edits (a 1024×1024 lesson is 20 MB of JSON) are written off the UI
  // thread, one at a time and the latest only; after recovery_, so that it ends first.
  LatestJob<bool> autosaves_;
};

}  // namespace convstep
