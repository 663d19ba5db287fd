// export.h — the app's exports: the stage as PNG or SVG, a phase as an animated GIF, a video or a
// folder of PNGs, the worksheet as Markdown, the lesson as PyTorch code. `convstep export`,
// scripts and File › Export describe what they want as an ExportRequest (app/export/request.h)
// and run it through the same code; each picture format is in its own file beside this one.
// Every file is written through core/io (whole or not at all), and the pictures need a current
// GL context.
//
//   set_picture_exporter(export_headless);          // main(): the command line may draw
//   export_current(app, "gif", "forward.gif");      // a script's `export`
//   render_all_phases(app, "pictures");             // forward.png, forward.svg, dw.png, ...
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/app.h"
#include "app/export/app_request.h"
#include "app/export/pipeline.h"
#include "app/export/request.h"
#include "app/gl/scene_renderer.h"

namespace convstep {

// The picture formats (png, pngs, gif, mp4) of run_export(): what set_picture_exporter takes.
void export_pictures(const Timeline& timeline, const ExportRequest& request,
                     const ExportProgressFn& progress);
// Each format: one step as a PNG (request.from, or a step halfway through the phase).
void export_png(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress);
// A folder with one PNG per step, named like dx_gather-0001.png (from the first step, 1), made
// whole or not at all; an existing folder is replaced only if it holds nothing but an earlier
// export of this kind.
void export_pngs(const Timeline& timeline, const ExportRequest& request,
                 const ExportProgressFn& progress);
// The steps as they play in the app, with the tweened moves between them: an animated GIF with
// one palette, each frame storing only what changed; or an H.264 video at request.fps.
void export_gif(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress);
void export_mp4(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress);

// Draws the scenes of an export: in this thread's GL context by default. A background export
// (app/export/job.h) runs on a thread of its own and has the UI thread draw them instead, with
// with_renderer().
class ExportRenderer {
 public:
  using Fn = std::function<void(const Scene&, int width, int height, Pixels& rgba)>;
  ExportRenderer();
  ~ExportRenderer();
  void render(const Scene& scene, int width, int height, Pixels& rgba);
  // Runs `body` with every ExportRenderer made on this thread drawing through `fn`.
  static void with_renderer(const Fn& fn, const std::function<void()>& body);

 private:
  std::unique_ptr<SceneRenderer> own_;
};

// At most this many steps in one animation (GIF or video): each is made whole in memory before
// it is written. A folder of PNGs has no such bound: its pictures are written as they come.
constexpr long long kMaxExportSteps = 20'000;

// Any export, the pictures drawn in the GL context current on this thread (run_export draws
// them through the registered exporter, which makes its own).
void export_here(const Timeline& timeline, const ExportRequest& request,
                 const ExportProgressFn& progress = nullptr);
// One of the formats (app/export/formats.h) of the app's current state, by the name scripts use.
// Throws std::invalid_argument for any other name.
void export_current(const App& app, const std::string& kind, const std::string& path,
                    const ExportProgressFn& progress = nullptr);

// Renders the stage of every phase of the app's lesson into `folder` (PNG and SVG), made whole
// in a temporary folder first. An existing folder is replaced only if it holds nothing but
// convstep's own earlier pictures.
void render_all_phases(const App& app, const std::string& folder);
// Why a window of `width` × `height` pixels has no screenshot, when one of them is 0
// (a minimized window): "the window is 0×900 pixels: there is no picture to take".
std::string no_picture(int width, int height);

}  // namespace convstep
