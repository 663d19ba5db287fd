#include "app/export/request.h"

#include <algorithm>
#include <chrono>

#include "app/export/formats.h"
#include "app/export/pytorch.h"
#include "core/format.h"
#include "core/io.h"
#include "core/names.h"
#include "core/user_text.h"

namespace convstep {

namespace {

PictureExporter g_picture_exporter = nullptr;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

double ExportProgress::seconds_left() const {
  if (done <= 0 || seconds <= 0) return -1;
  return seconds / static_cast<double>(done) * static_cast<double>(total - done);
}

ProgressTracker::ProgressTracker(const ExportProgressFn& progress, long long total)
    : progress_(progress), start_(now_seconds()) {
  state_.total = total;
}

void ProgressTracker::advance(long long pictures) {
  state_.done += pictures;
  state_.seconds = now_seconds() - start_;
  if (progress_ && !progress_(state_)) throw ExportCancelled();
}

std::vector<ExportRange> export_ranges(const Timeline& timeline, const ExportRequest& request) {
  std::vector<ExportRange> ranges;
  for (Phase p : request.phases) {
    const long long count = timeline.count(p, request.granularity, request.skip_zero_terms);
    const long long from = std::max(request.from, 0LL), to = request.to < 0 ? count : request.to;
    if (from >= count || to > count || from >= to) {
      const std::string steps = request.to < 0 ? std::to_string(from) + ":"
                                               : std::to_string(from) + ":" + std::to_string(to);
      throw std::invalid_argument(
          "steps " + steps + (from >= to && to <= count ? " hold no step" : " are past the end") +
          ": " + phase_name(p) + " has " +
          plural(count, std::string(granularity_name(request.granularity)) + " step") + " (0.." +
          std::to_string(count - 1) + ")");
    }
    ranges.push_back({p, from, to});
  }
  return ranges;
}

long long representative_step(const Timeline& timeline, Phase phase, Granularity granularity,
                              bool skip_zero_terms) {
  const long long count = timeline.count(phase, granularity, skip_zero_terms);
  long long k = count / 2;
  while (k + 1 < count &&
         timeline.frame(phase, granularity, k, skip_zero_terms, false).kind == StepKind::Stage)
    ++k;
  return k;
}

Scene export_scene(const Timeline& timeline, const ExportRequest& request, const Frame& from,
                   const Frame& to, float t) {
  // As on the app's stage: the layout is 1600 units wide at scale 1 whatever the picture's
  // size, so a larger picture is the same stage sharper, and a larger scale enlarges the grids
  // and their numbers (down to the 720 units the equation needs, as in the app).
  constexpr float kLayoutWidth = 1600, kMinLayoutWidth = 720;
  StageOptions o;
  o.theme = request.theme;
  o.width = std::max(kLayoutWidth / std::max(request.scale, 1.0f), kMinLayoutWidth);
  o.height = o.width * static_cast<float>(request.height) / static_cast<float>(request.width);
  o.pixels_per_unit = static_cast<float>(request.width) / o.width;
  o.pitfalls = request.pitfalls;
  o.slice = request.slice;
  o.reduce_motion = request.reduce_motion;
  return build_stage(timeline, from, to, t, o);
}

Scene one_picture_scene(const Timeline& timeline, const ExportRequest& request) {
  if (request.phases.size() != 1)
    throw std::invalid_argument("a" + std::string(request.format == "svg" ? "n " : " ") +
                                request.format + " is one picture: choose one phase");
  const Phase p = request.phases[0];
  const long long k = request.from >= 0 ? export_ranges(timeline, request)[0].from
                                        : representative_step(timeline, p, request.granularity,
                                                              request.skip_zero_terms);
  const Frame f = timeline.frame(p, request.granularity, k, request.skip_zero_terms);
  return export_scene(timeline, request, f, f, 1);
}

bool is_picture_format(const std::string& format) {
  return format == "png" || format == "pngs" || format == "gif" || format == "mp4";
}

void set_picture_exporter(PictureExporter exporter) {
  g_picture_exporter = exporter;
}

void run_export(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress) {
  const std::vector<std::string> formats = export_format_names();
  if (std::find(formats.begin(), formats.end(), request.format) == formats.end())
    throw std::invalid_argument("unknown export " + in_quotes(request.format) + ": " +
                                spelled_out(formats));
  if (request.phases.empty()) throw std::invalid_argument("the export names no phase");
  if (is_picture_format(request.format)) {
    if (!g_picture_exporter)
      throw std::runtime_error(request.format +
                               " pictures need the app's renderer, and this convstep was built "
                               "without the app: use the svg, md or py format");
    g_picture_exporter(timeline, request, progress);
    return;
  }
  std::string answers;
  const bool exercise = request.format == "md" && request.exercise > 0;
  const std::string text =
      request.format == "py"   ? pytorch_code(timeline.lesson(), timeline.results())
      : request.format == "md" ? export_markdown(timeline, request, exercise ? &answers : nullptr)
                               : export_svg(timeline, request);
  ProgressTracker tracker(progress, 1);
  tracker.advance();  // a last chance to cancel before anything is written
  if (exercise) write_file_atomically(answers_path(request.out), answers);
  write_file_atomically(request.out, text);
}

}  // namespace convstep
