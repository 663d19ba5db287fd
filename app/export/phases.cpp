// The stage of every phase, as PNG and SVG, for a machine without a display.
#include "app/export/export.h"
#include "app/export/still.h"
#include "app/gl/png.h"
#include "app/gl/scene_renderer.h"
#include "core/io.h"
#include "core/svg.h"

namespace convstep {

namespace {

// Names that this export holds, which a new one may replace.
bool is_phase_picture(const std::string& name) {
  for (Phase p : kAllPhases)
    if (name == std::string(phase_name(p)) + ".png" || name == std::string(phase_name(p)) + ".svg")
      return true;
  return false;
}

}  // namespace

void render_all_phases(const App& app, const std::string& folder) {
  write_folder_atomically(
      folder,
      [&](const std::string& temp) {
        SceneRenderer renderer;
        const Timeline& tl = app.timeline();
        for (Phase p : kAllPhases) {
          // Halfway through the phase's cells, so the picture shows a computation under way.
          const long long count = tl.count(p, Granularity::Cell);
          long long k = count / 2;
          while (k + 1 < count &&
                 tl.frame(p, Granularity::Cell, k, false, false).kind == StepKind::Stage)
            ++k;
          const Frame f = tl.frame(p, Granularity::Cell, k);
          const Scene scene = still_scene(app, f, kExportWidth, kExportHeight);
          write_png(temp + "/" + phase_name(p) + ".png", kExportWidth, kExportHeight,
                    renderer.render(scene, kExportWidth, kExportHeight));
          write_file_atomically(temp + "/" + phase_name(p) + ".svg", scene_to_svg(scene));
        }
      },
      is_phase_picture);
}

}  // namespace convstep
