// mp4_encoder.h — an H.264 encoder and MP4 muxer (FFmpeg's libavcodec with libx264), built as a
// module of its own (libconvstep_mp4.so) that app/export/mp4.cpp loads when a video is made.
//
//   std::unique_ptr<VideoEncoder> v(convstep_open_video(1600, 900, 30));
//   v->picture(rgba, 3);                 // shown for 3 frames
//   std::string mp4 = v->finish();       // the whole file
#pragma once

#include <string>

#include "app/export/pipeline.h"

namespace convstep {

class VideoEncoder {
 public:
  virtual ~VideoEncoder() = default;
  // `rgba` (top-down, as rendered) shown for `frames` frames. Throws std::runtime_error.
  virtual void picture(const Pixels& rgba, long long frames) = 0;
  // The MP4 file's bytes. Throws std::runtime_error.
  virtual std::string finish() = 0;
};

}  // namespace convstep

// Throws std::runtime_error when FFmpeg has no H.264 encoder or cannot start it.
extern "C" convstep::VideoEncoder* convstep_open_video(int width, int height, int fps);
