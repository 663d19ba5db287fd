// Frames per second of `convstep export --format pngs`: the default lesson's term steps of the
// dX gather phase at 1920×1080, drawn through EGL (Mesa's software renderer) and encoded as PNG,
// the two overlapping; and each half alone, to see which one limits.
// Run: build/tests/bench_export --benchmark_min_time=2   (figures go in docs/PERFORMANCE.md,
// never in assertions; make test runs the two halves once, as a smoke test)
#include <benchmark/benchmark.h>

#include <filesystem>

#include "app/export/export.h"
#include "app/gl/egl_context.h"
#include "app/gl/png.h"
#include "app/gl/scene_renderer.h"
#include "core/lesson.h"

namespace convstep {
namespace {

constexpr int kWidth = 1920, kHeight = 1080;

const Timeline& default_lesson() {
  static const Timeline timeline(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json"));
  return timeline;
}

ExportRequest term_steps(const std::string& format, const std::string& out) {
  ExportRequest r;
  r.format = format, r.out = out;
  r.phases = {Phase::DxGather};
  r.granularity = Granularity::Term;
  r.width = kWidth, r.height = kHeight;
  return r;
}

// Draws and reads back one step after another (no encoding).
void render_only(benchmark::State& state) {
  EglContext gl;
  SceneRenderer renderer;
  const Timeline& tl = default_lesson();
  const ExportRequest r = term_steps("png", "");
  const long long count = tl.count(Phase::DxGather, Granularity::Term);
  long long k = 0;
  for (auto _ : state) {
    const Frame f = tl.frame(Phase::DxGather, Granularity::Term, k++ % count);
    benchmark::DoNotOptimize(renderer.render(export_scene(tl, r, f, f, 1), kWidth, kHeight));
  }
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// Encodes one drawn step as PNG, again and again, on one core.
void encode_only(benchmark::State& state) {
  EglContext gl;
  SceneRenderer renderer;
  const Timeline& tl = default_lesson();
  const Frame f = tl.frame(Phase::DxGather, Granularity::Term, 121);
  const std::vector<std::uint8_t> rgba =
      renderer.render(export_scene(tl, term_steps("png", ""), f, f, 1), kWidth, kHeight);
  std::size_t bytes = 0;
  for (auto _ : state) bytes = encode_png(kWidth, kHeight, rgba).size();
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["KB"] = static_cast<double>(bytes) / 1000;
}

// The whole export: every term step of the phase into a folder of PNGs.
void export_pngs_term_steps(benchmark::State& state) {
  EglContext gl;
  const Timeline& tl = default_lesson();
  const std::filesystem::path out = std::filesystem::temp_directory_path() / "convstep-bench-pngs";
  const long long count = tl.count(Phase::DxGather, Granularity::Term);
  for (auto _ : state) {
    std::filesystem::remove_all(out);
    export_pngs(tl, term_steps("pngs", out.string()), nullptr);
  }
  std::filesystem::remove_all(out);
  state.counters["frames/s"] = benchmark::Counter(static_cast<double>(state.iterations() * count),
                                                  benchmark::Counter::kIsRate);
}

BENCHMARK(render_only)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(encode_only)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(export_pngs_term_steps)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace convstep
