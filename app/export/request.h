// request.h — one export, described apart from how it is asked for: `convstep export`, a script's
// `export`, and File › Export all fill an ExportRequest and hand it to the same code.
//
//   ExportRequest r;
//   r.format = "gif", r.out = "dx.gif", r.phases = {Phase::DxGather};
//   r.granularity = Granularity::Cell;
//   run_export(timeline, r, [](const ExportProgress& p) { return !cancelled; });
//
// GL-free: the text formats (svg, md, py) are written here; the pictures (png, pngs, gif, mp4)
// need the app's renderer, which the app registers with set_picture_exporter(). A convstep built
// without the app says so instead of drawing.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/scene.h"
#include "core/stage.h"
#include "core/timeline.h"

namespace convstep {

struct ExportRequest {
  std::string format;  // a name of export_format_names() (app/export/formats.h)
  std::string out;     // the file, or the folder for pngs
  std::vector<Phase> phases{Phase::Forward};  // in order; several only for pngs, gif and mp4
  Granularity granularity = Granularity::Cell;
  bool skip_zero_terms = false;
  // The steps of each phase, half-open and 0-based: [from, to). to < 0: to the end. Pictures of
  // one step (png, svg) draw `from`; without one (from < 0) a step halfway through the phase.
  long long from = -1, to = -1;
  int width = 1600, height = 900;  // pixels
  float scale = 1;                 // the stage's scale, as in the app (classroom mode: 2 or more)
  Theme theme = Theme::Dark;
  std::vector<Pitfall> pitfalls;  // shown inside the step view, as in the app
  std::optional<std::array<int, 3>> slice;
  bool reduce_motion = false;
  int fps = 30;  // mp4: 30 or 60
  // md: blank this many cells of each phase's result; the answer key goes to answers_path(out).
  int exercise = 0;
};

// An exercise worksheet's answer key, beside it: "sheet.md" → "sheet-answers.md".
std::string answers_path(const std::string& worksheet);

// How far an export has come, for a progress line or bar.
struct ExportProgress {
  long long done = 0, total = 0;  // pictures
  double seconds = 0;             // since the export started
  // Seconds still to go at the pace so far; negative before there is a pace to go by.
  double seconds_left() const;
};
// Called after every picture; returning false cancels the export (nothing is written then).
using ExportProgressFn = std::function<bool(const ExportProgress&)>;

// Thrown when an export is cancelled: no file or folder was written.
struct ExportCancelled : std::runtime_error {
  ExportCancelled() : std::runtime_error("the export was cancelled: nothing was written") {}
};

// Counts pictures for `progress` and stops the export when it says so.
//   ProgressTracker tracker(progress, total);
//   for (...) { draw(); tracker.advance(); }   // throws ExportCancelled
class ProgressTracker {
 public:
  ProgressTracker(const ExportProgressFn& progress, long long total);
  void advance(long long pictures = 1);
  long long done() const { return state_.done; }

 private:
  const ExportProgressFn& progress_;
  ExportProgress state_;
  double start_;
};

// One phase's steps to export, checked against the timeline.
struct ExportRange {
  Phase phase;
  long long from, to;  // [from, to)
};
// The ranges `request` asks for. Throws std::invalid_argument when its steps are outside a
// phase ("--steps 300:400 is past the end: dx_gather has 275 term steps (0..274)").
std::vector<ExportRange> export_ranges(const Timeline& timeline, const ExportRequest& request);

// The step a one-picture export draws when none is given: halfway through the phase's steps,
// past the structural moves, so that the picture shows a computation under way.
long long representative_step(const Timeline& timeline, Phase phase, Granularity granularity,
                              bool skip_zero_terms);

// The stage of the move from `from` to `to`, `t` of the way (1: a still of `to`), laid out for a
// picture of request.width × request.height pixels.
Scene export_scene(const Timeline& timeline, const ExportRequest& request, const Frame& from,
                   const Frame& to, float t);

// The one picture a png or an svg export draws: the stage at request.from (or, with no step
// given, at the representative step) of its one phase. Throws std::invalid_argument for more
// than one phase or a step outside the phase.
Scene one_picture_scene(const Timeline& timeline, const ExportRequest& request);

// Whether the format draws pictures (and so needs the app's renderer).
bool is_picture_format(const std::string& format);

// The text formats, each in its own file: the worksheet of the requested phases and steps
// (markdown.cpp), one step of the stage as SVG (svg.cpp).
// With an exercise, its answer key goes to `answers`.
std::string export_markdown(const Timeline& timeline, const ExportRequest& request,
                            std::string* answers = nullptr);
std::string export_svg(const Timeline& timeline, const ExportRequest& request);

// Writes the export. Throws std::invalid_argument for a bad request, IoError when the file cannot
// be written, ExportCancelled when `progress` returned false.
void run_export(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress = nullptr);

// The app's renderer for the picture formats; main() registers it when convstep has the app.
using PictureExporter = void (*)(const Timeline&, const ExportRequest&, const ExportProgressFn&);
void set_picture_exporter(PictureExporter exporter);

}  // namespace convstep
