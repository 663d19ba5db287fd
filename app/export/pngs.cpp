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
  struct Picture {
    Phase phase;
    long long step, count;
  };
  std::vector<Picture> pictures;
  for (const ExportRange& r : export_ranges(timeline, request)) {
    const long long count = timeline.count(r.phase, request.granularity, request.skip_zero_terms);
    for (long long k = r.from; k < r.to && pictures.size() <= kMaxExportSteps; ++k)
      pictures.push_back({r.phase, k, count});
  }
  if (pictures.size() > kMaxExportSteps)
    throw std::invalid_argument("more than " + std::to_string(kMaxExportSteps) +
                                " pictures: choose fewer steps or a coarser granularity");
  // Into a temporary folder first: a full disk or a cancel leaves no half folder behind.
  write_folder_atomically(
      request.out,
      [&](const std::string& folder) {
        ExportRenderer renderer;
        ProgressTracker tracker(progress, static_cast<long long>(pictures.size()));
        run_pipeline(
            static_cast<long long>(pictures.size()),
            [&](long long i, Pixels& rgba) {
              const Picture& pic = pictures[i];
              const Frame f =
                  timeline.frame(pic.phase, request.granularity, pic.step, request.skip_zero_terms);
              renderer.render(export_scene(timeline, request, f, f, 1), request.width,
                              request.height, rgba);
              tracker.advance();
            },
            [&](long long i, Pixels& rgba) {
              const Picture& pic = pictures[i];
              write_png(folder + "/" + step_file_name(pic.phase, pic.step, pic.count),
                        request.width, request.height, rgba);
            },
            2);
      },
      is_step_png);
}

}  // namespace convstep
