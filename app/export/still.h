// still.h — the stage of one frame as a still picture, the scene every picture export draws.
#pragma once

#include "app/app.h"

namespace convstep {

constexpr int kExportWidth = 1600, kExportHeight = 900;  // the stage's pictures, in pixels

// The scene of `frame` laid out for a picture of `width` × `height` pixels, in the app's theme.
Scene still_scene(const App& app, const Frame& frame, int width, int height);

}  // namespace convstep
