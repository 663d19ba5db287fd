// export.h — the app's current state as files: the stage as PNG or SVG, the phase as an
// animated GIF or a folder of PNGs, the worksheet as Markdown, the lesson as PyTorch code. Shared
// by scripts, the menus and the front ends; each format is in its own file beside this one. Every
// file is written through core/io (whole or not at all), and the pictures need a current GL
// context.
//
//   export_current(app, "gif", "forward.gif");   // throws on a failed write or unknown kind
//   render_all_phases(app, "pictures");          // forward.png, forward.svg, dw.png, ...
#pragma once

#include <string>

#include "app/app.h"

namespace convstep {

void export_png(const App& app, const std::string& path);       // the stage, 1600×900
void export_svg(const App& app, const std::string& path);       // the stage, as vectors
void export_markdown(const App& app, const std::string& path);  // worksheet of every phase
void export_gif(const App& app, const std::string& path);       // every step of the phase
// A folder with one PNG per step of the phase, made whole or not at all; an existing folder is
// replaced only if it holds nothing but an earlier export of this kind.
void export_pngs(const App& app, const std::string& path);

// One of the above, or the lesson as PyTorch code ("py", app/export/pytorch.h), by the name
// scripts use (app/export/formats.h).
// Throws std::invalid_argument for any other name.
void export_current(const App& app, const std::string& kind, const std::string& path);

// Renders the stage of every phase of the app's lesson into `folder` (PNG and SVG), made whole
// in a temporary folder first. An existing folder is replaced only if it holds nothing but
// convstep's own earlier pictures.
void render_all_phases(const App& app, const std::string& folder);

// Why a window of `width` × `height` pixels has no screenshot, when one of them is 0
// (a minimized window): "the window is 0×900 pixels: there is no picture to take".
std::string no_picture(int width, int height);

}  // namespace convstep
