// job.h — an export that runs while the app keeps drawing: the work (scenes, encoding, writing)
// on threads of its own, the drawing, which needs the UI thread's GL context, a few pictures in
// each UI frame. File › Export runs its exports this way.
//
//   ExportJob job(app.lesson(), app_export_request(app, "gif", "phase.gif"));
//   every frame:  job.serve(0.02);  show job.progress();  if (cancel) job.cancel();
//   job.finished() → job.error() is empty, or says why nothing was written
#pragma once

#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "app/export/export.h"

namespace convstep {

class ExportJob {
 public:
  // Starts at once, on its own copy of the lesson, whose timeline it builds on its own thread
  // (seconds for a large lesson): the app may change the lesson meanwhile.
  ExportJob(const Lesson& lesson, ExportRequest request);
  ~ExportJob();  // cancels a running export and waits for it: nothing is left half written
  ExportJob(const ExportJob&) = delete;
  ExportJob& operator=(const ExportJob&) = delete;

  // On the UI thread, once a frame: draws the pictures the export waits for, for about
  // `seconds` at most (the last picture may end past it; with 0, one picture at most).
  void serve(double seconds);
  void cancel();
  bool finished() const;
  // Whether the export waits for serve() to draw a picture.
  bool waiting_for_picture() const;
  ExportProgress progress() const;
  // Once finished: empty when the file was written, else the one-line reason it was not.
  std::string error() const;
  const ExportRequest& request() const { return request_; }

 private:
  void run();
  void draw_on_ui_thread(const Scene& scene, int width, int height, Pixels& rgba);

  const Lesson lesson_;
  const ExportRequest request_;
  mutable std::mutex m_;
  std::condition_variable changed_;
  // A picture the export waits for. Its scene and buffer belong to the export thread, which
  // frees them once it stops waiting: so it waits for a picture the UI thread has begun even
  // when cancelled, and the UI thread never begins one after a cancel.
  struct Wanted {
    const Scene* scene;
    int width, height;
    Pixels* rgba;
  };
  enum class Picture { None, Wanted, Drawing, Drawn };
  Wanted wanted_{};
  Picture picture_ = Picture::None;
  std::exception_ptr draw_error_;  // why the UI thread could not draw the picture
  bool cancelled_ = false, finished_ = false;
  ExportProgress progress_;
  std::string error_;
  std::unique_ptr<SceneRenderer> renderer_;  // the UI thread's
  std::thread thread_;
};

}  // namespace convstep
