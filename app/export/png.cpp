// The stage as a PNG picture.
#include "app/gl/png.h"
#include "app/export/export.h"
#include "app/export/still.h"
#include "app/gl/scene_renderer.h"

namespace convstep {

void export_png(const App& app, const std::string& path) {
  SceneRenderer renderer;
  write_png(path, kExportWidth, kExportHeight,
            renderer.render(still_scene(app, app.frame(), kExportWidth, kExportHeight),
                            kExportWidth, kExportHeight));
}

}  // namespace convstep
