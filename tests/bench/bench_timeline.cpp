// The timeline and the stage: building a timeline (what every edit costs before the first new
// frame), frame(k) at the first, middle and last term step of each phase and at the first
// cell's last term (the same cost wherever k is), and laying out one frame as a scene
// (build_stage), for the default lesson and 64×64, 256×256 and 1024×1024 inputs with a 3×3 kernel;
// what the quiz does at each step it arrives at; an edit's latency in the core: one value
// changed, the timeline rebuilt, the new frame and its stage; the same through the app's model,
// the rebuild on its worker thread (app_edit/…); and what a parameter edit costs the UI thread:
// the key set directly (with_key) against the JSON round trip it replaced.
// Run: build/tests/bench_timeline   (figures go in docs/PERFORMANCE.md, never in assertions)
#include <benchmark/benchmark.h>

#include <map>
#include <thread>

#include "app/app.h"
#include "core/json.h"
#include "core/quiz.h"
#include "core/stage.h"
#include "core/timeline.h"
#include "tests/bench/big_lesson.h"

namespace convstep {
namespace {

const int kSizes[] = {0, 64, 128, 256, 1024};  // 0: the default lesson

std::string size_name(int size) {
  return size == 0 ? "default" : std::to_string(size) + "x" + std::to_string(size);
}

Lesson lesson_of(int size) {
  return size == 0
             ? load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json")
             : big_lesson(size);
}

// Built on first use and kept: the 1024×1024 timeline takes a while.
const Timeline& timeline_of(int size) {
  static std::map<int, Timeline> timelines;
  auto it = timelines.find(size);
  if (it == timelines.end()) it = timelines.emplace(size, Timeline(lesson_of(size))).first;
  return it->second;
}

void build_timeline(benchmark::State& state, int size) {
  const Lesson lesson = lesson_of(size);
  for (auto _ : state) benchmark::DoNotOptimize(Timeline(lesson));
}

// Where frame(k) is measured. A step's equation writes out the cell's terms so far, so the
// first term step writes one and the last writes them all: the first cell's last term step
// writes as many as the last one, and the two differ only in k.
enum Where { kFirst, kMiddle, kLast, kFirstCellEnd };

long long term_step(const Timeline& tl, Phase phase, Where where) {
  const long long count = tl.count(phase, Granularity::Term);
  // The first and last *term* steps: phases begin and end with stages (pad, crop, ...).
  long long k = where == kMiddle ? count / 2 : where == kLast ? count - 1 : 0;
  const long long direction = where == kMiddle || where == kLast ? -1 : 1;
  while (tl.frame(phase, Granularity::Term, k, false, false).kind != StepKind::Term) k += direction;
  // Without skipping, each of the first cell's terms is a step.
  if (where == kFirstCellEnd)
    k += tl.frame(phase, Granularity::Term, k, false, false).terms_per_cell - 1;
  return k;
}

void frame_at(benchmark::State& state, int size, Phase phase, Where where) {
  const Timeline& tl = timeline_of(size);
  if (tl.accumulation_grid(phase) == Grid::None) {  // the matrix view of a large lesson
    state.SkipWithError("no term steps: the phase shows only why for this lesson");
    return;
  }
  const long long k = term_step(tl, phase, where);
  for (auto _ : state) benchmark::DoNotOptimize(tl.frame(phase, Granularity::Term, k));
  state.SetLabel(std::string(phase_name(phase)) + " k=" + std::to_string(k) + " of " +
                 std::to_string(tl.count(phase, Granularity::Term)));
}

// One still picture of the middle term step of the forward phase, at the app's stage size.
void stage_at(benchmark::State& state, int size) {
  const Timeline& tl = timeline_of(size);
  const Frame f =
      tl.frame(Phase::Forward, Granularity::Term, term_step(tl, Phase::Forward, kMiddle));
  StageOptions options;
  for (auto _ : state) benchmark::DoNotOptimize(build_stage(tl, f, f, 1.0f, options));
}

// What the quiz does at each step it arrives at: the questions, the cells this step finished
// (here the first cell of the forward phase, at its last term).
void quiz_at(benchmark::State& state, int size) {
  const Timeline& tl = timeline_of(size);
  const Frame f =
      tl.frame(Phase::Forward, Granularity::Term, term_step(tl, Phase::Forward, kFirstCellEnd));
  for (auto _ : state) benchmark::DoNotOptimize(questions_at(tl, f, false, 0));
}

// One edit of X, then everything the core does before the new frame can be drawn.
void edit(benchmark::State& state, const Lesson& original) {
  Lesson lesson = original;
  const Timeline first(lesson);
  const long long k = term_step(first, Phase::Forward, kMiddle);
  StageOptions options;
  for (auto _ : state) {
    lesson.input.values[0] += 1;
    const Timeline tl(lesson);
    const Frame f = tl.frame(Phase::Forward, Granularity::Term, k);
    benchmark::DoNotOptimize(build_stage(tl, f, f, 1.0f, options));
  }
}

// 1×8×64×64 into 16 filters of 3×3 with padding 1, random values.
Lesson channels_lesson() {
  std::mt19937 rng(13);
  std::uniform_int_distribution<int> value(-4, 4);
  Lesson l;
  l.input = Tensor(Shape{1, 8, 64, 64});
  l.weight = Tensor(Shape{16, 8, 3, 3});
  for (Tensor* t : {&l.input, &l.weight})
    for (double& v : t->values) v = value(rng);
  l.spec.padding = {PaddingMode::Explicit, 1, 1, 1, 1};
  return l;
}

// An edit in the app as the window makes it: the rebuild on the worker thread, the UI thread
// polling once per "frame" until the new frame is on screen, then laying out its stage.
void app_edit(benchmark::State& state, const Lesson& original) {
  App app;
  app.set_background(true);
  app.set_lesson(original, "", true);
  app.settle();
  app.set_phase(Phase::Forward);
  app.seek(app.step_count() / 2);
  const StageOptions options = stage_view(1600, 900, 1);
  double value = 0;
  for (auto _ : state) {
    app.edit_value("X", {0, 0, 0, 0}, ++value);
    while (!app.poll()) std::this_thread::yield();
    benchmark::DoNotOptimize(app.scene(options));
  }
}

// What a parameter edit costs before the rebuild starts: the lesson with the new stride.
void param_with_key(benchmark::State& state, const Lesson& lesson) {
  const nlohmann::json two = 2;
  for (auto _ : state) benchmark::DoNotOptimize(with_key(lesson, "stride", two));
}
void param_json_round_trip(benchmark::State& state, const Lesson& lesson) {
  for (auto _ : state) {
    nlohmann::json j = nlohmann::json::parse(lesson_to_json(lesson));
    j["stride"] = 2;
    benchmark::DoNotOptimize(parse_lesson(j.dump()));
  }
}

void register_all() {
  benchmark::RegisterBenchmark("app_edit/8x64x64_16",
                               [](benchmark::State& s) { app_edit(s, channels_lesson()); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("app_edit/1024x1024",
                               [](benchmark::State& s) { app_edit(s, big_lesson(1024)); })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  for (int size : {64, 1024}) {
    benchmark::RegisterBenchmark(
        ("param/with_key/" + size_name(size)).c_str(),
        [size](benchmark::State& s) { param_with_key(s, big_lesson(size)); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(
        ("param/json_round_trip/" + size_name(size)).c_str(),
        [size](benchmark::State& s) { param_json_round_trip(s, big_lesson(size)); })
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("edit/8x64x64_16", [](benchmark::State& s) {
    edit(s, channels_lesson());
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("edit/1024x1024", [](benchmark::State& s) {
    edit(s, big_lesson(1024));
  })->Unit(benchmark::kMillisecond);
  const char* at[] = {"first", "middle", "last", "first_cell_end"};
  for (int size : {0, 64, 256, 1024}) {
    benchmark::RegisterBenchmark(("timeline/build/" + size_name(size)).c_str(),
                                 [size](benchmark::State& s) { build_timeline(s, size); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("stage/build/" + size_name(size)).c_str(),
                                 [size](benchmark::State& s) { stage_at(s, size); })
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("quiz/questions/" + size_name(size)).c_str(),
                                 [size](benchmark::State& s) { quiz_at(s, size); })
        ->Unit(benchmark::kMicrosecond);
  }
  for (int size : kSizes)
    for (Phase p : kAllPhases)
      for (Where where : {kFirst, kMiddle, kLast, kFirstCellEnd})
        benchmark::RegisterBenchmark(
            ("frame/" + size_name(size) + "/" + phase_name(p) + "/" + at[where]).c_str(),
            [size, p, where](benchmark::State& s) { frame_at(s, size, p, where); })
            ->Unit(benchmark::kMicrosecond);
}

const int registered = (register_all(), 0);

}  // namespace
}  // namespace convstep
