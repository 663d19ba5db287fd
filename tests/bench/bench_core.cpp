// The core's cost: forward plus all gradients (compute, the fast path the app and the command
// line use), and each method of core/conv.h alone, for the four configurations of issue 13.
// Run: build/tests/bench_core   (figures go in docs/PERFORMANCE.md, never in assertions)
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "core/conv.h"
#include "core/lesson.h"

namespace convstep {
namespace {

struct Config {
  const char* name;
  Lesson lesson;
  Geometry geo;
};

// The geometry written out rather than resolved: 16×128×128 → 32 needs 75.5 M multiply-adds,
// past the limit the app accepts (README, "Limits"), but it is the case the issue measures.
Geometry geometry_of(const Lesson& l) {
  const Shape x = l.input.shape, w = l.weight.shape;
  const ConvSpec& s = l.spec;
  Geometry g{x.n,
             x.c,
             x.h,
             x.w,
             w.n,
             w.h,
             w.w,
             s.stride_h,
             s.stride_w,
             s.padding.top,
             s.padding.bottom,
             s.padding.left,
             s.padding.right,
             s.dil_h,
             s.dil_w,
             s.groups,
             0,
             0};
  g.oh = (g.hp() - g.span_h()) / g.stride_h + 1;
  g.ow = (g.wp() - g.span_w()) / g.stride_w + 1;
  return g;
}

Tensor random_tensor(Shape shape, std::mt19937& rng) {
  std::uniform_real_distribution<double> value(-1, 1);
  Tensor t(shape);
  for (double& v : t.values) v = value(rng);
  return t;
}

// N×C×H×W into Cout filters of k×k, with the given stride, padding, dilation and groups.
Lesson random_lesson(Shape input, int cout, int k, int stride, int pad, int dil, int groups) {
  std::mt19937 rng(13);
  Lesson l;
  l.input = random_tensor(input, rng);
  l.weight = random_tensor(Shape{cout, input.c / groups, k, k}, rng);
  l.spec.stride_h = l.spec.stride_w = stride;
  l.spec.padding.top = l.spec.padding.bottom = l.spec.padding.left = l.spec.padding.right = pad;
  l.spec.dil_h = l.spec.dil_w = dil;
  l.spec.groups = groups;
  l.upstream = random_tensor(geometry_of(l).output_shape(), rng);
  return l;
}

const std::vector<Config>& configs() {
  static const std::vector<Config> all = [] {
    std::vector<Config> c = {
        {"default",
         load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json"),
         {}},
        {"8x64x64_16", random_lesson({1, 8, 64, 64}, 16, 3, 1, 1, 1, 1), {}},
        {"16x128x128_32", random_lesson({1, 16, 128, 128}, 32, 3, 1, 1, 1, 1), {}},
        {"s2d2g2_8x64x64_16", random_lesson({1, 8, 64, 64}, 16, 3, 2, 2, 2, 2), {}},
    };
    for (Config& config : c) config.geo = geometry_of(config.lesson);
    return c;
  }();
  return all;
}

// Runs fn(lesson, geometry, G) and reports the rate in floating-point operations (two per
// multiply-add) that `passes` convolution-sized products make.
template <typename F>
void run(benchmark::State& state, const Config& config, int passes, F fn) {
  const Lesson& l = config.lesson;
  const Geometry& geo = config.geo;
  const Tensor G = l.upstream.shape.count() ? l.upstream : ones_like_output(geo);
  for (auto _ : state) benchmark::DoNotOptimize(fn(l, geo, G));
  state.counters["FLOP/s"] = benchmark::Counter(
      2.0 * passes * static_cast<double>(geo.multiply_adds()) * state.iterations(),
      benchmark::Counter::kIsRate);
}

template <typename F>
void add(const Config& config, const std::string& what, int passes, F fn) {
  const Config* c = &config;
  benchmark::RegisterBenchmark((std::string(config.name) + "/" + what).c_str(),
                               [c, passes, fn](benchmark::State& s) { run(s, *c, passes, fn); })
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
}

void register_all() {
  for (const Config& config : configs()) {
    add(config, "all", 3, [](const Lesson& l, const Geometry& geo, const Tensor& G) {
      return compute(l.input, l.weight, l.bias, G, geo);
    });
    for (auto [name, m] : {std::pair{"forward/direct", ForwardMethod::Direct},
                           std::pair{"forward/im2col", ForwardMethod::Im2col}})
      add(config, name, 1, [m](const Lesson& l, const Geometry& geo, const Tensor&) {
        return forward(l.input, l.weight, l.bias, geo, m);
      });
    for (auto [name, m] : {std::pair{"dx/direct", GradInputMethod::Direct},
                           std::pair{"dx/gather", GradInputMethod::Gather},
                           std::pair{"dx/scatter", GradInputMethod::Scatter},
                           std::pair{"dx/im2col", GradInputMethod::Im2col}})
      add(config, name, 1, [m](const Lesson& l, const Geometry& geo, const Tensor& G) {
        return grad_input(G, l.weight, geo, m);
      });
    for (auto [name, m] : {std::pair{"dw/direct", GradWeightMethod::Direct},
                           std::pair{"dw/im2col", GradWeightMethod::Im2col}})
      add(config, name, 1, [m](const Lesson& l, const Geometry& geo, const Tensor& G) {
        return grad_weight(l.input, G, geo, m);
      });
    add(config, "db", 0,
        [](const Lesson&, const Geometry&, const Tensor& G) { return grad_bias(G); });
  }
}

const int registered = (register_all(), 0);

}  // namespace
}  // namespace convstep
