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

#include <future>
#include <string>
#include <vector>

#include "app/app.h"
#include "core/check.h"

namespace convstep {

class ScenePainter;

enum class RestoreAnswer { None, Restore, Discard };

struct UiState {
  std::string open_path, save_path;
  bool show_open = false, show_save = false, show_help = false;
  int show_export = 0;  // 1: File › Export, 2: Ctrl+E, the current step (app/export_dialog.h)
  std::string status;   // a one-line message at the bottom (saved, errors...)
  bool quit_requested = false;
  bool restore_offer = false;  // unsaved edits from a killed session are offered back
  Lesson restore_lesson;
  std::string restore_path;
  RestoreAnswer restore_answer = RestoreAnswer::None;  // the session then drops the old copy

  long long checked_revision = -1;  // every method against the fast path (core/check.h)
  std::future<MethodCheck> check;
  MethodCheck check_result;
  bool check_ready = false;

  // The hovered cell's equation, made once per cell and lesson revision, not every frame.
  long long equation_revision = -1;
  CellRef equation_cell;
  std::string equation;

  int slice_n = 0, slice_c = 0;      // the lesson panel's value editor slice
  std::vector<std::string> presets;  // assets/lessons, listed once
  int applied_theme = -1;            // the ImGui style last applied
};

void draw_ui(App& app, UiState& ui, ScenePainter& painter);

// Presses a widget as a click would, during the next frame (for scripts and tests). The path
// names its window, then the labels on the way to it: "Lesson > H > +" is the + of the lesson
// panel's H field. widget_pressed() tells, after that frame, whether it was on the screen.
void press_widget(const std::string& path);
bool widget_pressed(const std::string& path);

}  // namespace convstep
