// One step of the stage as an SVG drawing: sharp on any projector.
#include "core/svg.h"
#include "app/export/request.h"

namespace convstep {

std::string export_svg(const Timeline& timeline, const ExportRequest& request) {
  return scene_to_svg(one_picture_scene(timeline, request));
}

}  // namespace convstep
