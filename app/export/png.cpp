// The stage as a PNG picture.
#include "gl/png.h"
#include "export.h"
#include "gl/scene_renderer.h"
#include "still.h"

namespace convstep {

void export_png(const App& app, const std::string& path) {
  SceneRenderer renderer;
  write_png(path, kExportWidth, kExportHeight,
            renderer.render(still_scene(app, app.frame(), kExportWidth, kExportHeight),
                            kExportWidth, kExportHeight));
}

}  // namespace convstep
