#include "tests/core/random_lessons.h"

#include <sstream>

namespace convstep::testing {

namespace {
int uniform(std::mt19937& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
}  // namespace

Tensor random_tensor(std::mt19937& rng, Shape shape) {
  Tensor t(shape);
  const bool integers = uniform(rng, 0, 1) == 0;
  std::uniform_real_distribution<double> real(-3.0, 3.0);
  for (double& v : t.values) v = integers ? uniform(rng, -4, 4) : real(rng);
  return t;
}

RandomCase random_case(std::mt19937& rng) {
  for (;;) {
    RandomCase r;
    ConvSpec& s = r.spec;
    s.groups = uniform(rng, 1, 4);
    const int c = s.groups * uniform(rng, 1, std::max(1, 6 / s.groups));
    const int cout = s.groups * uniform(rng, 1, 2);
    const int n = uniform(rng, 1, 3);
    const int h = uniform(rng, 1, 11), w = uniform(rng, 1, 11);
    const int kh = uniform(rng, 1, 4), kw = uniform(rng, 1, 4);
    s.stride_h = uniform(rng, 1, 3);
    s.stride_w = uniform(rng, 0, 2) == 0 ? uniform(rng, 1, 3) : s.stride_h;
    s.dil_h = uniform(rng, 1, 3);
    s.dil_w = uniform(rng, 0, 2) == 0 ? uniform(rng, 1, 3) : s.dil_h;
    switch (uniform(rng, 0, 5)) {
      case 0:
        s.padding.mode = PaddingMode::Valid;
        break;
      case 1:
        s.padding.mode = PaddingMode::Same;
        break;
      case 2:
        s.padding.mode = PaddingMode::Full;
        break;
      case 3:
        s.padding.top = s.padding.bottom = s.padding.left = s.padding.right = uniform(rng, 0, 2);
        break;
      default:
        s.padding.top = uniform(rng, 0, 3), s.padding.bottom = uniform(rng, 0, 3);
        s.padding.left = uniform(rng, 0, 3), s.padding.right = uniform(rng, 0, 3);
    }
    try {
      r.geo = resolve(s, Shape{n, c, h, w}, Shape{cout, c / s.groups, kh, kw});
    } catch (const ConvError&) {
      continue;  // the kernel does not fit: draw again
    }
    r.X = random_tensor(rng, r.geo.input_shape());
    r.W = random_tensor(rng, r.geo.weight_shape());
    r.G = uniform(rng, 0, 1) ? random_tensor(rng, r.geo.output_shape()) : ones_like_output(r.geo);
    if (uniform(rng, 0, 1)) {
      s.bias = true;
      r.bias = random_tensor(rng, Shape{1, 1, 1, cout}).values;
    }
    return r;
  }
}

std::string RandomCase::describe() const {
  std::ostringstream out;
  out << "X " << geo.input_shape().str() << " W " << geo.weight_shape().str() << " stride "
      << geo.stride_h << "," << geo.stride_w << " pad " << geo.pad_top << "," << geo.pad_bottom
      << "," << geo.pad_left << "," << geo.pad_right << " dil " << geo.dil_h << "," << geo.dil_w
      << " groups " << geo.groups << " bias " << bias.size();
  return out.str();
}

void name_a_loss(Lesson& l, int i) {
  if (i % 2 || l.upstream.shape.count() == 0) return;
  const auto kind = static_cast<LossKind>(i / 2 % 4);
  l.loss = {kind, kind == LossKind::Mse ? l.upstream : Tensor()};
  l.upstream = {};
}

}  // namespace convstep::testing
