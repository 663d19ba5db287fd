#include "app/export/export.h"

#include <stdexcept>

#include "app/app.h"

namespace convstep {

namespace {
thread_local const ExportRenderer::Fn* t_renderer = nullptr;  // with_renderer's
}  // namespace

ExportRenderer::ExportRenderer() {
  if (!t_renderer) own_ = std::make_unique<SceneRenderer>(cache_dir());
}
ExportRenderer::~ExportRenderer() = default;

void ExportRenderer::render(const Scene& scene, int width, int height, Pixels& rgba) {
  if (own_)
    own_->render(scene, width, height, rgba);
  else
    (*t_renderer)(scene, width, height, rgba);
}

void ExportRenderer::with_renderer(const Fn& fn, const std::function<void()>& body) {
  t_renderer = &fn;
  try {
    body();
  } catch (...) {
    t_renderer = nullptr;
    throw;
  }
  t_renderer = nullptr;
}

void export_pictures(const Timeline& timeline, const ExportRequest& request,
                     const ExportProgressFn& progress) {
  if (request.format == "png")
    export_png(timeline, request, progress);
  else if (request.format == "pngs")
    export_pngs(timeline, request, progress);
  else if (request.format == "gif")
    export_gif(timeline, request, progress);
  else if (request.format == "mp4")
    export_mp4(timeline, request, progress);
  else
    throw std::invalid_argument(request.format + " is not a picture format");
}

void export_here(const Timeline& timeline, const ExportRequest& request,
                 const ExportProgressFn& progress) {
  if (is_picture_format(request.format))
    export_pictures(timeline, request, progress);
  else
    run_export(timeline, request, progress);
}

void export_current(const App& app, const std::string& kind, const std::string& path,
                    const ExportProgressFn& progress) {
  export_here(app.timeline(), app_export_request(app, kind, path), progress);
}

std::string no_picture(int width, int height) {
  return "the window is " + std::to_string(width) + "×" + std::to_string(height) +
         " pixels: there is no picture to take";
}

}  // namespace convstep
