// tensor.h — a 4-D tensor of doubles in NCHW layout.
//
// Memory layout: row-major NCHW, i.e. the last index (w) varies fastest, like PyTorch's
// contiguous tensors and like the nested arrays of a lesson file. Eigen matrices are
// column-major by default: code that maps this storage into Eigen says RowMajor explicitly.
//
//   Tensor x(Shape{1, 1, 6, 5});      // zeros
//   x(0, 0, 2, 3) = 1.5;
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace convstep {

struct Shape {
  int n = 0, c = 0, h = 0, w = 0;

  long long count() const { return 1LL * n * c * h * w; }
  bool operator==(const Shape&) const = default;
  std::string str() const;  // "[1][1][4][3]", the form used in messages
};

struct Tensor {
  Shape shape;
  std::vector<double> values;  // row-major NCHW, shape.count() of them

  Tensor() = default;
  explicit Tensor(Shape s, double fill = 0.0)
      : shape(s), values(static_cast<std::size_t>(s.count()), fill) {}

  std::size_t offset(int n, int c, int h, int w) const {
    return ((static_cast<std::size_t>(n) * shape.c + c) * shape.h + h) * shape.w + w;
  }
  double& operator()(int n, int c, int h, int w) { return values[offset(n, c, h, w)]; }
  double operator()(int n, int c, int h, int w) const { return values[offset(n, c, h, w)]; }
  bool operator==(const Tensor&) const = default;
};

// The largest |a − b| over all entries; the tensors must have the same shape.
double max_abs_diff(const Tensor& a, const Tensor& b);
double max_abs(const Tensor& a);

}  // namespace convstep
