// One step of the stage as a PNG picture.
#include "app/gl/png.h"

#include "app/export/export.h"
#include "app/gl/scene_renderer.h"

namespace convstep {

void export_png(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress) {
  if (request.phases.size() != 1)
    throw std::invalid_argument("a png is one picture: choose one phase");
  const Phase p = request.phases[0];
  const long long k = request.from >= 0 ? export_ranges(timeline, request)[0].from
                                        : representative_step(timeline, p, request.granularity,
                                                              request.skip_zero_terms);
  const Frame f = timeline.frame(p, request.granularity, k, request.skip_zero_terms);
  ExportRenderer renderer;
  Pixels rgba;
  renderer.render(export_scene(timeline, request, f, f, 1), request.width, request.height, rgba);
  ProgressTracker tracker(progress, 1);
  tracker.advance();
  write_png(request.out, request.width, request.height, rgba);
}

}  // namespace convstep
