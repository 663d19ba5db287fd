#include "core/check.h"

#include <algorithm>
#include <cstdio>

namespace convstep {

double MethodCheck::worst() const {
  return std::max({forward_direct, dx_direct, dx_gather, dx_scatter, dw_direct});
}

bool MethodCheck::agree(double magnitude) const {
  return worst() <= 1e-9 * std::max(1.0, magnitude);
}

namespace {

std::string difference(double d) {
  if (d == 0) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1g", d);
  return buf;
}

struct Way {
  const char* name;  // how it is computed, in words
  double off;        // its largest difference from the matrix product
};

// "All four ways of computing dX agree (largest difference 0)", or which ways differ. `ways`
// are the ways besides the matrix product, which is the reference.
std::string line(const char* result, const std::vector<Way>& ways, double tolerance) {
  static const char* const kNumber[] = {"two", "three", "four"};
  const std::string number = kNumber[std::min<std::size_t>(ways.size(), 3) - 1];
  double worst = 0;
  std::string wrong;
  for (const Way& w : ways) {
    worst = std::max(worst, w.off);
    if (w.off > tolerance)
      wrong += std::string(wrong.empty() ? "" : ", ") + w.name +
               (wrong.empty() ? " is off by " : " by ") + difference(w.off);
  }
  if (wrong.empty())
    return (ways.size() == 1 ? std::string("Both") : "All " + number) + " ways of computing " +
           result + " agree (largest difference " + difference(worst) + ")";
  return "The " + number + " ways of computing " + result +
         " do not agree: compared with the matrix product, " + wrong;
}

}  // namespace

std::vector<std::string> check_lines(const MethodCheck& m, double magnitude) {
  const double tolerance = 1e-9 * std::max(1.0, magnitude);
  return {line("Z", {{"summing each window", m.forward_direct}}, tolerance),
          line("dX",
               {{"summing each window", m.dx_direct},
                {"gathering (Gp ⋆ Wr)", m.dx_gather},
                {"scattering (g·W)", m.dx_scatter}},
               tolerance),
          line("dW", {{"summing each window", m.dw_direct}}, tolerance)};
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
