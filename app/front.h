// front.h — the two ways to show a Session: a GLFW window, or headless through EGL.
// Both return the process exit status: 0, 2 for a script or lesson error (one message on
// stderr naming the file and line), 1 for anything else.
#pragma once

#include "app/export/export.h"
#include "app/session.h"

namespace convstep {

int run_window(const ShellOptions& options);
int run_headless(const ShellOptions& options);
// No display at all (e.g. `make run` over ssh): the stage of every phase as PNG and SVG.
int render_without_display(const ShellOptions& options, const std::string& folder);
// The picture formats of `convstep export`, drawn through EGL with no display (main() registers
// it with set_picture_exporter).
void export_headless(const Timeline& timeline, const ExportRequest& request,
                     const ExportProgressFn& progress);

}  // namespace convstep
