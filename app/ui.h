// ui.h — the window's contents, one ImGui frame at a time: the menu bar, the lesson panel,
// the stage, the why panel and the timeline bar. Shared by the GLFW window and headless EGL.
//
//   UiState ui;                          // transient UI state (popups, text buffers, checks)
//   ... ImGui::NewFrame();
//   draw_ui(app, ui, painter);           // reads `app`, applies the user's intents to it
//   ImGui::Render();
//
// Keys are read through io.KeysDown with GLFW key codes, which the headless front end feeds
// the same way (Dear ImGui 1.86 has no ImGuiKey for F11, O or S).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/file_browser.h"
#include "app/latest_job.h"
#include "app/quiz_input.h"
#include "app/stage_zoom.h"
#include "core/check.h"

struct ImGuiIO;

namespace convstep {

class ScenePainter;

enum class RestoreAnswer { None, Restore, Discard };

// Windows narrower than this fold the side panels into tabs, so that the stage keeps its room.
inline constexpr float kCompactWidth = 1280;

struct UiState {
  // Open and Save as browse for a file (app/file_browser.h), drawn by app/ui_files.cpp.
  FileBrowser browser;
  bool show_browser = false;
  std::string browsed_folder;  // the next browser starts where the last one was left
  std::string replace_path;    // Save as picked a file that exists: asked before replacing it
  bool show_help = false;
  int show_export = 0;  // 1: File › Export, 2: Ctrl+E, the current step (app/export_dialog.h)
  std::string status;   // a one-line message at the bottom (saved, errors...)
  bool quit_requested = false;  // answered: the front end ends the run
  bool close_asked = false;     // the window's close button: asked about like Quit

  // Unsaved edits are never discarded without a question: Save, Discard or Cancel. What waits
  // for the answer, named for the question ("quit", "open stride2.json").
  std::function<void(App&, UiState&)> after_question;
  std::string question;
  bool show_question = false;
  std::function<void(App&, UiState&)> after_save;  // runs once Save as has saved
  bool edits_discarded = false;  // quit with Discard: the kept copy of the edits goes too

  // Errors in a modal, news in a toast for a few seconds: where the user is looking.
  std::string error_title, error;
  bool show_error = false;
  std::string toast;
  double toast_until = 0;  // ImGui time

  // File › Open link…: the text field, as long as the longest link and then some, so that a
  // longer one is read whole and refused for its length rather than cut.
  bool show_link = false;
  std::vector<char> link_field;

  bool restore_offer = false;  // unsaved edits left by an earlier session are offered back
  Lesson restore_lesson;
  std::string restore_path;
  std::string restore_message;  // which lesson, when, and that the edits were not saved
  RestoreAnswer restore_answer = RestoreAnswer::None;  // the session then drops the old copy

  // Every method against the fast path (core/check.h), for the lesson on screen; a check of a
  // lesson since replaced is called off, never waited for.
  long long checked_revision = -1;
  LatestJob<MethodCheck> check;
  MethodCheck check_result;
  bool check_ready = false;

  // The hovered cell's equation, made once per cell and lesson revision, not every frame.
  long long equation_revision = -1;
  CellRef equation_cell;
  std::string equation;

  int slice_n = 0, slice_c = 0;      // the lesson panel's value editor slice
  std::vector<std::string> presets;  // assets/lessons, listed once
  int applied_theme = -1;            // the ImGui style last applied
  float stage_scale_used = 0;        // the scale the stage was last laid out at (Scene::scale)
  // Narrower than kCompactWidth, the side panels fold into tabs; the one open over the stage:
  // 0 none, 1 the lesson panel, 2 the why panel.
  int open_panel = 0;
  StageZoom zoom;  // the stage's mouse wheel zoom and drag pan; 0 resets them
  // Device pixels per layout pixel: the browser's devicePixelRatio (app/front_web.cpp), 1 on the
  // desktop. Widgets, text and the stage are sized in layout pixels and drawn in device pixels.
  float display_scale = 1;
  QuizInput quiz;  // the quiz bar's answer box (app/quiz_panel.h)
};

void draw_ui(App& app, UiState& ui, ScenePainter& painter);

// Presses a widget as a click would, during the next frame (for scripts and tests). The path
// names its window, then the labels on the way to it: "Lesson > H > +" is the + of the lesson
// panel's H field. widget_pressed() tells, after that frame, whether it was on the screen.
void press_widget(const std::string& path);
bool widget_pressed(const std::string& path);

// Presses a key chord ("ctrl+q", "ctrl+shift+z", "escape", "f1") as the keyboard would: down
// for one frame, then up (app/script_keys.cpp). False when the chord is not understood. The
// front ends call feed_keys() after their own input, before ImGui::NewFrame().
bool press_key(const std::string& chord);
void feed_keys(ImGuiIO& io);

}  // namespace convstep
