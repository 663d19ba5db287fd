// A folder with one PNG per step. Drawing (GL, this thread) and encoding (two workers) overlap.
#include <algorithm>

#include "app/export/export.h"
#include "app/export/pipeline.h"
#include "app/gl/png.h"
#include "app/gl/scene_renderer.h"
#include "core/io.h"

namespace convstep {

namespace {

// Names that convstep's own folder exports hold, which a new export may replace.
bool is_step_png(const std::string& name) {
  for (Phase p : kAllPhases) {
    const std::string prefix = std::string(phase_name(p)) + "-";
    if (name.starts_with(prefix) && name.ends_with(".png") && name.size() > prefix.size() + 4 &&
        name.find_first_not_of("0123456789", prefix.size()) == name.size() - 4)
      return true;
  }
  return false;
}

// "dx_gather-0007.png" for the 0-based step 6: numbered from 1, wide enough for the last.
std::string step_file_name(Phase p, long long k, long long count) {
  const std::string number = std::to_string(k + 1);
  const std::size_t digits = std::max<std::size_t>(4, std::to_string(count).size());
  return std::string(phase_name(p)) + "-" + std::string(digits - number.size(), '0') + number +
         ".png";
}

}  // namespace

void export_pngs(const Timeline& timeline, const ExportRequest& request,
                 const ExportProgressFn& progress) {
  // The pictures are numbered across the phases' ranges and nothing is kept per picture: an
  // export of any length runs in the same memory (the pipeline's few buffers).
  struct Span {
    Phase phase;
    long long from, first, count;  // its first step, that step's picture, the phase's steps
  };
  std::vector<Span> spans;
  long long total = 0;
  for (const ExportRange& r : export_ranges(timeline, request)) {
    spans.push_back({r.phase, r.from, total,
                     timeline.count(r.phase, request.granularity, request.skip_zero_terms)});
    total += r.to - r.from;
  }
  auto span_of = [&](long long i) -> const Span& {
    std::size_t s = 0;
    while (s + 1 < spans.size() && spans[s + 1].first <= i) ++s;
    return spans[s];
  };
  // Into a temporary folder first: a full disk or a cancel leaves no half folder behind.
  write_folder_atomically(
      request.out,
      [&](const std::string& folder) {
        ExportRenderer renderer;
        ProgressTracker tracker(progress, total);
        run_pipeline(
            total,
            [&](long long i, Pixels& rgba) {
              const Span& s = span_of(i);
              const Frame f = timeline.frame(s.phase, request.granularity, s.from + i - s.first,
                                             request.skip_zero_terms);
              renderer.render(export_scene(timeline, request, f, f, 1), request.width,
                              request.height, rgba);
              tracker.advance();
            },
            [&](long long i, Pixels& rgba) {
              const Span& s = span_of(i);
              write_png(folder + "/" + step_file_name(s.phase, s.from + i - s.first, s.count),
                        request.width, request.height, rgba);
            },
            2);
      },
      is_step_png);
}

}  // namespace convstep
