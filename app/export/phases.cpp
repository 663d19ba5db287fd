// The stage of every phase, as PNG and SVG, for a machine without a display (`make run` there):
// the same exports as `convstep export --format png|svg --granularity cell` of each phase.
#include "app/export/export.h"
#include "core/io.h"

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
        for (Phase p : kAllPhases)
          for (const char* format : {"png", "svg"}) {
            ExportRequest r = app_export_request(app, format, "");
            r.phases = {p};
            r.granularity = Granularity::Cell;  // halfway through the phase's cells
            r.from = r.to = -1;
            r.out = temp + "/" + phase_name(p) + "." + format;
            export_here(app.timeline(), r);
          }
      },
      is_phase_picture);
}

}  // namespace convstep
