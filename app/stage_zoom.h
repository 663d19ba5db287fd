// stage_zoom.h — the stage's mouse zoom and pan: pure arithmetic, so the tests need no window.
//
//   StageZoom z;
//   z.wheel(mx, my, clicks, w, h);  // zoom about the pointer (mx, my), stage-relative pixels
//   z.pan(dx, dy, w, h);            // a drag
//   z.reset();                      // the 0 key: the whole stage again
//   z.clamp(w, h);                  // every frame: the stage may have changed size
//   // the zoomed stage is drawn in {x0 + z.x, y0 + z.y, w * z.factor, h * z.factor}
#pragma once

#include <algorithm>
#include <cmath>

namespace convstep {

struct StageZoom {
  static constexpr float kMax = 8, kPerClick = 1.2f;
  float factor = 1;    // 1–kMax
  float x = 0, y = 0;  // the zoomed stage's top-left corner from the stage's, in pixels: ≤ 0

  // Zooms about (mx, my): the point under the pointer stays under it.
  void wheel(float mx, float my, float clicks, float w, float h) {
    const float before = factor;
    factor = std::clamp(before * std::pow(kPerClick, clicks), 1.0f, kMax);
    x = mx - (mx - x) * factor / before, y = my - (my - y) * factor / before;
    clamp(w, h);
  }
  void pan(float dx, float dy, float w, float h) {
    x += dx, y += dy;
    clamp(w, h);
  }
  void reset() { factor = 1, x = y = 0; }
  bool zoomed() const { return factor > 1; }

  // The zoomed stage always covers the stage: panning stops at its edges. Called every frame
  // too, so that a stage made smaller while zoomed shows no blank strip.
  void clamp(float w, float h) {
    x = std::clamp(x, w * (1 - factor), 0.0f), y = std::clamp(y, h * (1 - factor), 0.0f);
  }
};

}  // namespace convstep
