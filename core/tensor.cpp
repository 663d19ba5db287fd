#include "core/tensor.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace convstep {

std::string Shape::str() const {
  std::string s;
  for (int d : {n, c, h, w}) s.append("[").append(std::to_string(d)).append("]");
  return s;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  assert(a.shape == b.shape);
  double m = 0;
  for (std::size_t i = 0; i < a.values.size(); ++i)
    m = std::max(m, std::fabs(a.values[i] - b.values[i]));
  return m;
}

double max_abs(const Tensor& a) {
  double m = 0;
  for (double v : a.values) m = std::max(m, std::fabs(v));
  return m;
}

}  // namespace convstep
