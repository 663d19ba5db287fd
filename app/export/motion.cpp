#include "app/export/motion.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "app/export/export.h"
#include "core/stage.h"

namespace convstep {

std::vector<MotionPicture> motion(const Timeline& timeline, const ExportRequest& request,
                                  int pictures_per_second) {
  const std::vector<ExportRange> ranges = export_ranges(timeline, request);
  long long steps = 0;
  for (const ExportRange& r : ranges) steps += r.to - r.from;
  if (steps > kMaxExportSteps)
    throw std::invalid_argument(
        std::to_string(steps) + " steps are more than one animation can hold (" +
        std::to_string(kMaxExportSteps) + ": it is made in memory): export it in parts, such as " +
        "--steps 0:" + std::to_string(kMaxExportSteps) + ", or at a coarser granularity");
  std::vector<MotionPicture> pictures;
  for (const ExportRange& r : ranges) {
    for (long long k = r.from; k < r.to; ++k) {
      const bool last = k + 1 == r.to;
      const double hold = last ? 2.0 : 0.35;
      if (k == r.from) {
        pictures.push_back({r.phase, k, k, 1, hold});
        continue;
      }
      const Frame f =
          timeline.frame(r.phase, request.granularity, k, request.skip_zero_terms, false);
      const double move = move_seconds(f);
      const int moving = std::max(1, static_cast<int>(std::lround(move * pictures_per_second)));
      for (int i = 1; i < moving; ++i)
        pictures.push_back({r.phase, k - 1, k, static_cast<float>(i) / moving, move / moving});
      pictures.push_back({r.phase, k - 1, k, 1, move / moving + hold});
    }
  }
  return pictures;
}

}  // namespace convstep
