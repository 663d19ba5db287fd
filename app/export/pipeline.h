// pipeline.h — pictures drawn on this thread (the one with the GL context) and handed, as they
// come, to workers that encode and write them: drawing and encoding overlap on two cores.
//
//   run_pipeline(count, [&](long long i, Pixels& rgba) { renderer.render(scene(i), w, h, rgba); },
//                [&](long long i, Pixels& rgba) { write_png(name(i), w, h, rgba); }, 2);
//
// With one worker, `consume` sees the pictures in order (a GIF, a video); with more, in any
// order (a folder of PNGs). A few buffers go round and round, so memory stays bounded and no
// picture needs fresh memory. When `produce` or `consume` throws, the rest is skipped and, once
// every thread has stopped, the exception of the earliest picture goes on: the same error
// whatever the timing.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace convstep {

using Pixels = std::vector<std::uint8_t>;

void run_pipeline(long long count, const std::function<void(long long, Pixels&)>& produce,
                  const std::function<void(long long, Pixels&)>& consume, int workers);

}  // namespace convstep
