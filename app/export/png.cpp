// One step of the stage as a PNG picture.
#include "app/gl/png.h"

#include "app/export/export.h"
#include "app/gl/scene_renderer.h"

namespace convstep {

void export_png(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress) {
  const Scene scene = one_picture_scene(timeline, request);
  ExportRenderer renderer;
  Pixels rgba;
  renderer.render(scene, request.width, request.height, rgba);
  ProgressTracker tracker(progress, 1);
  tracker.advance();
  write_png(request.out, request.width, request.height, rgba);
}

}  // namespace convstep
