// The stage as an SVG drawing.
#include "core/svg.h"
#include "app/export/export.h"
#include "app/export/still.h"
#include "core/io.h"

namespace convstep {

void export_svg(const App& app, const std::string& path) {
  write_file_atomically(path,
                        scene_to_svg(still_scene(app, app.frame(), kExportWidth, kExportHeight)));
}

}  // namespace convstep
