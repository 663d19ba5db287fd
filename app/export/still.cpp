#include "app/export/still.h"

namespace convstep {

Scene still_scene(const App& app, const Frame& frame, int width, int height) {
  StageOptions o;
  o.theme = app.settings.theme;
  o.width = 1600;
  o.height = 1600.0f * height / width;
  o.pixels_per_unit = static_cast<float>(width) / o.width;
  return build_stage(app.timeline(), frame, frame, 1, o);
}

}  // namespace convstep
