// export_dialog.h — File › Export (Ctrl+E: the current step as PNG): what to export, at which
// size and in which theme, where to; then the export runs in the background (app/export/job.h)
// with a progress bar, an estimate and Cancel, while the app keeps drawing.
#pragma once

#include <memory>
#include <string>

#include "app/app.h"
#include "app/export/job.h"

namespace convstep {

class ExportDialog {
 public:
  ExportDialog();
  ~ExportDialog();
  // Opens the dialog; `current_step_png` preselects the current step as PNG (Ctrl+E).
  void open(const App& app, bool current_step_png);
  // Every frame, on the UI thread with the window's GL context current.
  void draw(const App& app);
  // After ImGui::Render(), with the frame's draw data: writes a whole-window picture asked for
  // in the frame before (when the dialog closed, so that it is not in the picture).
  void after_render();
  bool busy() const { return job_ != nullptr; }  // an export runs: keep drawing frames

 private:
  void start(const App& app);
  void suggest_path(const App& app);
  void preview(const App& app);  // the current step as it will look, in the chosen theme

  bool opening_ = false;
  int kind_ = 0;   // index into the dialog's list of formats
  int scope_ = 0;  // 0: this phase, 1: the whole lesson
  int size_ = 0, scale_ = 0, theme_ = -1;
  bool replace_ = false;
  bool whole_window_ = false;  // the current step as PNG: the app's whole window, not the stage
  std::string window_path_;    // a whole-window picture to take after a frame's Render()
  int window_scale_ = 1;
  bool window_next_frame_ = false;  // not this frame's: it still shows the dialog
  std::string path_, message_;
  std::unique_ptr<ExportJob> job_;
  std::unique_ptr<SceneRenderer> preview_renderer_;
  unsigned preview_texture_ = 0;
  std::string preview_key_;  // what the preview shows: redrawn only when it changes
};

}  // namespace convstep
