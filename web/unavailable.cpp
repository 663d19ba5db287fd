// unavailable.cpp — the desktop's File › Export dialog, as the browser build has it: exports are
// the page's own buttons there (web/index.html: PNG, SVG, worksheet, PyTorch code, downloaded by
// app/front_web.cpp), because the dialog writes files and draws off screen on a worker thread.
// Ctrl+E and File › Export point at those buttons instead.
#include <emscripten.h>
#include <sched.h>

#include <cerrno>

#include "app/export_dialog.h"
#include "app/gl/font_set.h"
#include "app/gl/offscreen_target.h"
#include "app/gl/scene_painter.h"
#include "app/gl/scene_renderer.h"

namespace convstep {

// Never made in the browser (the dialog starts no job): only its destructor is needed, for the
// dialog's members.
ExportJob::~ExportJob() = default;

ExportDialog::ExportDialog() = default;
ExportDialog::~ExportDialog() = default;
void ExportDialog::open(const App&, bool) {
  EM_ASM({
    if (Module.onExportAsked) Module.onExportAsked();
  });
}
void ExportDialog::draw(const App&) {}
void ExportDialog::after_render() {}

}  // namespace convstep

// musl declares these, emscripten's C library defines neither: the page has no CPU set, so the
// core asks std::thread::hardware_concurrency instead (and then works on its own thread).
extern "C" int sched_getaffinity(pid_t, size_t, cpu_set_t*) {
  errno = ENOSYS;
  return -1;
}
extern "C" int __sched_cpucount(size_t, const cpu_set_t*) {
  return 1;
}
