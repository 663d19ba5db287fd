// motion.h — the steps of an export as the app plays them: each move tweened over a few
// pictures, then the step held so that the numbers can be read. Shared by the GIF and the video.
//
//   for (const MotionPicture& m : motion(timeline, request, 30)) { draw m; show it m.seconds }
#pragma once

#include <vector>

#include "app/export/request.h"

namespace convstep {

struct MotionPicture {
  Phase phase;
  long long from, to;  // the move from step `from` to step `to` (equal: a still)
  float t;             // how far the move has played, 0..1
  double seconds;      // how long the picture shows
};

// The moves drawn at `pictures_per_second`, as the app plays them at 1×: each move as long as
// move_seconds() says (core/stage.h) and a hold of 0.35 s, the last step of each phase held for 2
// s. The first step of each phase is a still. Throws std::invalid_argument past kMaxExportSteps
// steps.
std::vector<MotionPicture> motion(const Timeline& timeline, const ExportRequest& request,
                                  int pictures_per_second);

}  // namespace convstep
