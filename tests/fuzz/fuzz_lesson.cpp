// Fuzzes the lesson file: parsing and validation, then, on what validates and is small enough
// to step through quickly, the results, the first, middle and last frames of every phase and
// granularity, a stage scene, hit-testing, and the round trip through the file format.
//
// Bad input must end in exactly one LessonError: any other exception, a crash or a sanitizer
// report is a finding.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/lesson.h"
#include "core/stage.h"
#include "core/timeline.h"
#include "tests/fuzz/cheap.h"

using namespace convstep;

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz_lesson: %s\n", what);
  std::abort();
}

void walk(const Timeline& tl) {
  for (Phase p : kAllPhases)
    for (Granularity gr : {Granularity::Phase, Granularity::Cell, Granularity::Term})
      for (bool skip : {false, true}) {
        const long long count = tl.count(p, gr, skip);
        if (count < 1) finding("a phase without steps");
        Frame previous = tl.frame(p, gr, 0, skip);
        for (long long k : {0LL, count / 2, count - 1}) {
          const Frame f = tl.frame(p, gr, k, skip);
          if (f.index != k || f.count != count) finding("a frame that is not the step asked for");
          StageOptions o;
          o.hover = f.target;
          o.slice = std::array<int, 3>{f.target.n, 0, 0};
          const Scene scene = build_stage(tl, previous, f, 0.5f, o);
          for (const SceneGrid& grid : scene.grids)
            if (const auto cell = cell_at(scene, tl, grid.bounds.x + 1, grid.bounds.y + 1)) {
              tl.correspondences(*cell);
              tl.equation_of(*cell);
              tl.cell_name(*cell);
            }
          previous = f;
        }
      }
  for (Pitfall p : kAllPitfalls) tl.pitfall(p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Lesson lesson;
  try {
    lesson = parse_lesson(text);
  } catch (const LessonError&) {
    return 0;  // rejected with a message: what bad input should get
  }
  const Geometry g = lesson.geometry();
  if (!cheap(g)) return 0;
  compute(lesson.input, lesson.weight, lesson.bias, lesson.upstream_or_empty(), g);
  // What is saved loads back as the same lesson.
  if (!(parse_lesson(lesson_to_json(lesson)) == lesson))
    finding("a lesson that does not load back as itself once saved");
  walk(Timeline(lesson));
  return 0;
}
