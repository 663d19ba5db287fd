#include "core/check.h"

#include <algorithm>

namespace convstep {

double MethodCheck::worst() const {
  return std::max({forward_direct, dx_direct, dx_gather, dx_scatter, dw_direct});
}

bool MethodCheck::agree(double magnitude) const {
  return worst() <= 1e-9 * std::max(1.0, magnitude);
}

MethodCheck check_methods(const Lesson& l, const CancelFlag* cancel) {
  const Geometry geo = l.geometry();
  const Tensor G = l.upstream_gradient();
  MethodReference ref;
  ref.Z = forward(l.input, l.weight, l.bias, geo, ForwardMethod::Im2col);
  check_cancel(cancel);
  ref.dX = grad_input(G, l.weight, geo, GradInputMethod::Im2col);
  check_cancel(cancel);
  ref.dW = grad_weight(l.input, G, geo, GradWeightMethod::Im2col);
  return compare_methods(l, ref, cancel);
}

MethodCheck compare_methods(const Lesson& l, const MethodReference& ref, const CancelFlag* cancel) {
  const Geometry geo = l.geometry();
  const Tensor G = l.upstream_gradient();
  MethodCheck m;
  check_cancel(cancel);
  m.forward_direct =
      max_abs_diff(forward(l.input, l.weight, l.bias, geo, ForwardMethod::Direct), ref.Z);
  check_cancel(cancel);
  m.dx_direct = max_abs_diff(grad_input(G, l.weight, geo, GradInputMethod::Direct), ref.dX);
  check_cancel(cancel);
  m.dx_gather = max_abs_diff(grad_input(G, l.weight, geo, GradInputMethod::Gather), ref.dX);
  check_cancel(cancel);
  m.dx_scatter = max_abs_diff(grad_input(G, l.weight, geo, GradInputMethod::Scatter), ref.dX);
  check_cancel(cancel);
  m.dw_direct = max_abs_diff(grad_weight(l.input, G, geo, GradWeightMethod::Direct), ref.dW);
  return m;
}

}  // namespace convstep
