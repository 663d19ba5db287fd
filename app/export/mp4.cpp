// The steps as an H.264 video in an MP4 file, the animation as it plays: each tweened move, then
// the step held. Made in memory, then written through core/io like every other file, so that a
// full disk or a cancel leaves nothing behind. The encoder is loaded only for a video
// (app/export/mp4_encoder.h).
#include <dlfcn.h>

#include <cmath>
#include <memory>
#include <stdexcept>

#include "app/export/export.h"
#include "app/export/motion.h"
#include "app/export/mp4_encoder.h"
#include "app/export/pipeline.h"
#include "app/gl/scene_renderer.h"
#include "core/io.h"

namespace convstep {

namespace {

// FFmpeg's libraries and everything they bring (some 150 MB of address space) are loaded only
// when a video is made: every other command starts without them, and runs within a small
// `ulimit -v`.
std::unique_ptr<VideoEncoder> open_video(int width, int height, int fps) {
  static void* module = nullptr;
  if (!module) module = ::dlopen(CONVSTEP_MP4_MODULE, RTLD_NOW | RTLD_LOCAL);
  if (!module)
    throw std::runtime_error(std::string("the video encoder cannot be loaded: ") + ::dlerror());
  auto* open =
      reinterpret_cast<VideoEncoder* (*)(int, int, int)>(::dlsym(module, "convstep_open_video"));
  if (!open)
    throw std::runtime_error("the video encoder cannot be loaded: " +
                             std::string(CONVSTEP_MP4_MODULE));
  return std::unique_ptr<VideoEncoder>(open(width, height, fps));
}

}  // namespace

void export_mp4(const Timeline& timeline, const ExportRequest& request,
                const ExportProgressFn& progress) {
  if (request.width % 2 || request.height % 2)
    throw std::invalid_argument("a video's width and height must be even, not " +
                                std::to_string(request.width) + "×" +
                                std::to_string(request.height));
  if (request.fps != 30 && request.fps != 60)
    throw std::invalid_argument("a video plays at 30 or 60 frames a second, not " +
                                std::to_string(request.fps));
  const std::vector<MotionPicture> pictures = motion(timeline, request, request.fps);
  ExportRenderer renderer;
  const std::unique_ptr<VideoEncoder> video =
      open_video(request.width, request.height, request.fps);
  ProgressTracker tracker(progress, static_cast<long long>(pictures.size()));
  double clock = 0;
  long long frames = 0;  // written so far
  run_pipeline(
      static_cast<long long>(pictures.size()),
      [&](long long i, Pixels& rgba) {
        const MotionPicture& m = pictures[i];
        const Frame from =
            timeline.frame(m.phase, request.granularity, m.from, request.skip_zero_terms);
        const Frame to = m.from == m.to ? from
                                        : timeline.frame(m.phase, request.granularity, m.to,
                                                         request.skip_zero_terms);
        renderer.render(export_scene(timeline, request, from, to, m.t), request.width,
                        request.height, rgba);
        tracker.advance();
      },
      [&](long long i, Pixels& rgba) {
        // Each picture until the clock reaches its end, counted from the start: no drift.
        clock += pictures[i].seconds;
        const long long end = std::llround(clock * request.fps);
        video->picture(rgba, end - frames);
        frames = std::max(frames, end);
      },
      1);
  write_file_atomically(request.out, video->finish());
}

}  // namespace convstep
