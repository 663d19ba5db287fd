// The stage as an SVG drawing.
#include "core/svg.h"
#include "core/io.h"
#include "export.h"
#include "still.h"

namespace convstep {

void export_svg(const App& app, const std::string& path) {
  write_file_atomically(path,
                        scene_to_svg(still_scene(app, app.frame(), kExportWidth, kExportHeight)));
}

}  // namespace convstep
