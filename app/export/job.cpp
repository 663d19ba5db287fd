#include "app/export/job.h"

#include <chrono>

#include "app/app.h"

namespace convstep {

ExportJob::ExportJob(const Lesson& lesson, ExportRequest request)
    : lesson_(lesson), request_(std::move(request)) {
  thread_ = std::thread([this] { run(); });
}

ExportJob::~ExportJob() {
  cancel();
  thread_.join();
}

void ExportJob::run() {
  std::string error;
  try {
    const Timeline timeline(lesson_);
    ExportRenderer::with_renderer([this](const Scene& scene, int w, int h,
                                         Pixels& rgba) { draw_on_ui_thread(scene, w, h, rgba); },
                                  [this, &timeline] {
                                    export_here(timeline, request_,
                                                [this](const ExportProgress& p) {
                                                  std::lock_guard lock(m_);
                                                  progress_ = p;
                                                  return !cancelled_;
                                                });
                                  });
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "the export failed";
  }
  std::lock_guard lock(m_);
  error_ = error;
  finished_ = true;
  changed_.notify_all();
}

void ExportJob::draw_on_ui_thread(const Scene& scene, int width, int height, Pixels& rgba) {
  std::unique_lock lock(m_);
  if (cancelled_) throw ExportCancelled();
  wanted_ = Wanted{&scene, width, height, &rgba};
  picture_ = Picture::Wanted;
  draw_error_ = nullptr;
  changed_.notify_all();
  // Once begun, the picture is waited for even after a cancel: it reads `scene`, writes `rgba`.
  changed_.wait(lock, [&] {
    return picture_ == Picture::Drawn || (cancelled_ && picture_ == Picture::Wanted);
  });
  const bool drawn = picture_ == Picture::Drawn;
  picture_ = Picture::None;
  if (draw_error_) std::rethrow_exception(draw_error_);
  if (!drawn) throw ExportCancelled();
}

void ExportJob::serve(double seconds) {
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  std::unique_lock lock(m_);
  while (!finished_) {
    // The export makes its next scene while the last picture is encoded: wait a little for it.
    // After a cancel nothing new is begun: the export is stopping and frees what it asked for.
    if (!changed_.wait_until(
            lock, end, [&] { return (picture_ == Picture::Wanted && !cancelled_) || finished_; }))
      break;
    if (finished_) break;
    picture_ = Picture::Drawing;
    const Wanted w = wanted_;
    lock.unlock();
    std::exception_ptr error;
    try {
      if (!renderer_) renderer_ = std::make_unique<SceneRenderer>(cache_dir());
      renderer_->render(*w.scene, w.width, w.height, *w.rgba);
    } catch (...) {  // the export fails with it; the app goes on
      error = std::current_exception();
    }
    lock.lock();
    picture_ = Picture::Drawn;
    draw_error_ = error;
    changed_.notify_all();
    // The frame's time is up: wait_until would still take a picture that is ready by then.
    if (Clock::now() >= end) break;
  }
  if (finished_) renderer_.reset();
}

void ExportJob::cancel() {
  std::lock_guard lock(m_);
  cancelled_ = true;
  changed_.notify_all();
}

bool ExportJob::finished() const {
  std::lock_guard lock(m_);
  return finished_;
}

bool ExportJob::waiting_for_picture() const {
  std::lock_guard lock(m_);
  return picture_ == Picture::Wanted;
}

ExportProgress ExportJob::progress() const {
  std::lock_guard lock(m_);
  return progress_;
}

std::string ExportJob::error() const {
  std::lock_guard lock(m_);
  return error_;
}

}  // namespace convstep
