// frame(k) costs the same wherever k is: first, middle and last term step of each phase of a
// 128×128 input with a 3×3 kernel. Run: build/tests/bench_timeline
#include <benchmark/benchmark.h>

#include "core/timeline.h"
#include "tests/bench/big_lesson.h"

namespace convstep {
namespace {

const Timeline& big_lesson() {
  static const Timeline timeline(big_lesson_128());
  return timeline;
}

void frame_at(benchmark::State& state, Phase phase, int where) {
  const Timeline& tl = big_lesson();
  const long long count = tl.count(phase, Granularity::Term);
  // The first and last *term* steps: phases begin and end with stages (pad, crop, ...).
  long long k = where == 1 ? count / 2 : where == 0 ? 0 : count - 1;
  const long long direction = where == 0 ? 1 : -1;
  while (tl.frame(phase, Granularity::Term, k, false, false).kind != StepKind::Term) k += direction;
  for (auto _ : state) benchmark::DoNotOptimize(tl.frame(phase, Granularity::Term, k));
  state.SetLabel(std::string(phase_name(phase)) + " k=" + std::to_string(k) + " of " +
                 std::to_string(count));
}

void register_all() {
  for (Phase p : kAllPhases)
    for (int where : {0, 1, 2}) {
      const char* at[] = {"first", "middle", "last"};
      benchmark::RegisterBenchmark(
          (std::string("frame/") + phase_name(p) + "/" + at[where]).c_str(),
          [p, where](benchmark::State& s) { frame_at(s, p, where); })
          ->Unit(benchmark::kMicrosecond);
    }
}

const int registered = (register_all(), 0);

}  // namespace
}  // namespace convstep
