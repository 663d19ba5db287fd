#include "app/export/app_request.h"

#include <iterator>

namespace convstep {

ExportRequest app_export_request(const App& app, const std::string& format,
                                 const std::string& path) {
  ExportRequest r;
  r.format = format;
  r.out = path;
  r.phases = {app.phase()};
  r.granularity = app.settings.granularity;
  r.skip_zero_terms = app.settings.skip_zero_terms;
  if (format == "png" || format == "svg") r.from = app.step(), r.to = app.step() + 1;
  r.scale = app.settings.stage_scale;
  r.theme = app.settings.theme;
  r.reduce_motion = app.settings.reduce_motion;
  for (std::size_t i = 0; i < std::size(kAllPitfalls); ++i)
    if (app.pitfalls[i]) r.pitfalls.push_back(kAllPitfalls[i]);
  r.slice = app.slice;
  if (format == "md") {  // the worksheet of every phase, one equation per cell
    r.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
    r.granularity = Granularity::Cell;
  }
  return r;
}

}  // namespace convstep
