#include "app/session.h"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#ifndef __EMSCRIPTEN__
#include <malloc.h>  // malloc_trim
#endif

#include <ctime>
#include <iostream>

#include "app/gl/font_set.h"
#include "app/gl/font_texture.h"
#include "app/gl/gl_api.h"
#include "app/gl/scene_painter.h"
#include "app/platform.h"
#include "app/ui_files.h"

namespace convstep {

namespace {

// Widgets and their text are larger in classroom mode.
float ui_scale_of(const Settings& s) {
  return s.classroom ? 1.6f : 1.0f;
}

}  // namespace

EarlyFonts::EarlyFonts()
    : atlas_(std::make_unique<ImFontAtlas>()), scale_(ui_scale_of(load_settings())) {
  // On a thread of its own where there are threads; in the browser, when atlas() asks.
  bake_ = std::async(kWorkerThreads ? std::launch::async : std::launch::deferred, [this] {
    fonts_ = std::make_unique<FontSet>(atlas_.get(), scale_);
    fonts_->build(cache_dir());
  });
}

EarlyFonts::~EarlyFonts() {
  if (bake_.valid()) bake_.wait();
  fonts_.reset();  // before the atlas, which holds none of its bytes
}

ImFontAtlas* EarlyFonts::atlas() {
  if (bake_.valid()) bake_.get();
  return atlas_.get();
}

Session::Session(const ShellOptions& options, EarlyFonts* early_fonts) {
  std::vector<std::string> problems(1);
  app.settings = load_settings(&problems[0]);
  app.open_or_default(options.lesson);
  // The window rebuilds the timeline in the background. The headless app and monkey runs step
  // in simulated time, where a rebuild takes no time at all: that keeps them deterministic.
  app.set_background(!options.headless && options.monkey_events == 0);
  if (!options.script.empty()) script.emplace(load_script(options.script), options.script);
  if (!options.no_restore) {
    if (auto found = recovery_.find_orphan(problems)) {
      ui.restore_message = describe_unsaved_edits(*found, std::time(nullptr));
      ui.restore_lesson = std::move(found->lesson);
      ui.restore_path = std::move(found->origin);
      ui.restore_offer = true;
    }
  }
  // Unreadable settings or copies do not stop the start: one line each, and a toast.
  for (const std::string& p : problems) {
    if (p.empty()) continue;
    std::cerr << "convstep: " << p << "\n";
    notify(ui, p, 10);
  }
  rebuild_fonts(early_fonts);
}

Session::~Session() {
  painter_.reset();
  if (font_texture_) glDeleteTextures(1, &font_texture_);
  autosave();  // the last copy is on disk before the app goes
  autosaves_.wait();
  autosave();
  if (ui.edits_discarded) recovery_.forget();  // the user chose to discard them on quitting
  try {
    save_settings(app.settings);
  } catch (const std::exception&) {
    // Settings are a convenience: failing to save them must not fail the session.
  }
}

float Session::ui_scale() const {
  return ui_scale_of(app.settings) * ui.display_scale;
}

bool Session::fonts_stale() const {
  return fonts_scale_ != ui_scale();
}

void Session::rebuild_fonts(EarlyFonts* early) {
  ImGuiIO& io = ImGui::GetIO();
  painter_.reset();
  if (early && early->fonts_ && early->atlas() == io.Fonts && early->scale_ == ui_scale()) {
    fonts_ = std::move(early->fonts_);  // baked while the window was made
  } else {
    io.Fonts->Clear();
    fonts_ = std::make_unique<FontSet>(io.Fonts, ui_scale());
    fonts_->build(cache_dir());
  }
  if (io.BackendRendererUserData) {
    // The first time, the backend's device objects are made here: its first NewFrame would
    // make them again, uploading the atlas a second time.
    if (!device_objects_) device_objects_ = create_backend_objects();
    if (font_texture_) glDeleteTextures(1, &font_texture_);
    font_texture_ = upload_font_texture(*io.Fonts);
    // The texture holds the atlas now: its pixels in memory (4 MB) can go.
    io.Fonts->ClearTexData();
#ifndef __EMSCRIPTEN__  // the browser's one heap has no arenas to trim
    malloc_trim(0);     // and with them what FreeType left in the baking thread's malloc arena
#endif
  }
  painter_ = std::make_unique<ScenePainter>(*fonts_);
  ImGui::GetStyle() = ImGuiStyle();
  ImGui::GetStyle().ScaleAllSizes(ui_scale());
  ui.applied_theme = -1;  // re-apply the colours over the fresh style
  fonts_scale_ = ui_scale();
}

void Session::update(double dt, double now, ScriptHost& host) {
  if (script && !script->finished()) script->update(app, host, now);
  app.advance(dt);
  autosave();
}

void Session::autosave() {
  // Unsaved edits are copied aside as they happen, and the copy goes once they are saved (or
  // another lesson is opened). Only this session's own copy is removed: a copy left by a
  // killed session waits for the user's answer to the offer. In the window the copy is
  // written on a worker; headless, in simulated time, at once.
  if (app.dirty() && app.revision() != autosaved_revision_) {
    autosaves_.start([this, lesson = app.shared_lesson(), origin = app.lesson_path()](
                         const CancelFlag&) { return recovery_.keep(*lesson, origin); });
    autosaved_revision_ = app.revision();  // a failed copy is not retried every frame
  } else if (!app.dirty() && autosaved_revision_ >= 0) {
    autosaves_.start([this](const CancelFlag&) {
      recovery_.forget();
      return false;
    });
    autosaved_revision_ = -1;
  }
  if (!app.background()) autosaves_.wait();
  if (std::optional<bool> kept = autosaves_.take()) kept_ = *kept;
  // The offered copy goes once discarded, or once restored and kept as this session's own.
  if (ui.restore_answer == RestoreAnswer::Discard ||
      (ui.restore_answer == RestoreAnswer::Restore && kept_)) {
    recovery_.drop_orphan();
    ui.restore_answer = RestoreAnswer::None;
  }
}

void Session::draw() {
  draw_ui(app, ui, *painter_);
  if (ui.show_export) export_dialog.open(app, ui.show_export == 2);
  ui.show_export = 0;
  export_dialog.draw(app);
}

void Session::after_render() {
  export_dialog.after_render();
}

bool Session::busy() const {
  return app.animating() || app.playing() || app.computing() || (script && !script->finished()) ||
         export_dialog.busy();
}

}  // namespace convstep
