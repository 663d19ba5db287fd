// app_request.h — the export of what the app shows, as one request: the desktop's File menu,
// its export dialog and scripts, and the page's downloads all start from it.
//
//   ExportRequest r = app_export_request(app, "png", "step.png");   // this step, as it is shown
#pragma once

#include <string>

#include "app/app.h"
#include "app/export/request.h"

namespace convstep {

// The app's phase, granularity, step (for one picture: png, svg), theme, stage scale, mistakes
// and slice, at 1600×900; a worksheet (md) covers every phase, one equation per cell.
ExportRequest app_export_request(const App& app, const std::string& format,
                                 const std::string& path);

}  // namespace convstep
