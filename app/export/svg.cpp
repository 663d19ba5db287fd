// One step of the stage as an SVG drawing: sharp on any projector.
#include <stdexcept>

#include "app/export/request.h"
#include "core/svg.h"

namespace convstep {

std::string export_svg(const Timeline& timeline, const ExportRequest& request) {
  if (request.phases.size() != 1)
    throw std::invalid_argument("an svg is one picture: choose one phase");
  const Phase p = request.phases[0];
  const long long k = request.from >= 0 ? export_ranges(timeline, request)[0].from
                                        : representative_step(timeline, p, request.granularity,
                                                              request.skip_zero_terms);
  const Frame f = timeline.frame(p, request.granularity, k, request.skip_zero_terms);
  return scene_to_svg(export_scene(timeline, request, f, f, 1));
}

}  // namespace convstep
