// A folder with one PNG per step of the current phase.
#include <algorithm>
#include <cstdio>

#include "app/export/export.h"
#include "app/export/still.h"
#include "app/gl/png.h"
#include "app/gl/scene_renderer.h"
#include "core/io.h"

namespace convstep {

namespace {

// Names that convstep's own folder exports hold, which a new export may replace.
bool is_step_png(const std::string& name) {
  for (Phase p : kAllPhases) {
    const std::string prefix = std::string(phase_name(p)) + "-";
    if (name.starts_with(prefix) && name.ends_with(".png") && name.size() > prefix.size() + 4 &&
        name.find_first_not_of("0123456789", prefix.size()) == name.size() - 4)
      return true;
  }
  return false;
}

}  // namespace

void export_pngs(const App& app, const std::string& path) {
  // Into a temporary folder first: a full disk leaves no half folder behind.
  write_folder_atomically(
      path,
      [&](const std::string& folder) {
        SceneRenderer renderer;
        const long long count = std::min(app.step_count(), 2000LL);
        for (long long k = 0; k < count; ++k) {
          const Frame f = app.timeline().frame(app.phase(), app.settings.granularity, k,
                                               app.settings.skip_zero_terms);
          char name[64];
          std::snprintf(name, sizeof name, "/%s-%04lld.png", phase_name(app.phase()), k + 1);
          write_png(folder + name, kExportWidth, kExportHeight,
                    renderer.render(still_scene(app, f, kExportWidth, kExportHeight), kExportWidth,
                                    kExportHeight));
        }
      },
      is_step_png);
}

}  // namespace convstep
