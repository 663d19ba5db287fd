// check.h — every method of computing the convolution and its gradients, checked against
// the fast path (im2col + GEMM): the app's "the methods agree" panel.
//
//   MethodCheck m = check_methods(lesson);              // largest |difference| per method
//   bool ok = m.agree(max_abs(dX));                     // within rounding of dX's size
//   check_lines(m, max_abs(dX))                         // the same in words, one per result:
//     "All four ways of computing dX agree (largest difference 0)"
//
// The check compares numbers only; the app runs it off the frame path, once per lesson edit.
#pragma once

#include <string>
#include <vector>

#include "core/cancel.h"
#include "core/lesson.h"

namespace convstep {

// The largest absolute difference between each method and the reference.
struct MethodCheck {
  double forward_direct = 0, dx_direct = 0, dx_gather = 0, dx_scatter = 0, dw_direct = 0;
  double worst() const;
  // Whether every difference is rounding for values of the size `magnitude`.
  bool agree(double magnitude) const;
};

// The results every method is compared with: Z, dX and dW of the lesson.
struct MethodReference {
  Tensor Z, dX, dW;
};

// The check in plain words, one line for each of Z, dX and dW: that its ways agree and by how
// little, or which of them differ from the matrix product (im2col) and by how much.
std::vector<std::string> check_lines(const MethodCheck& m, double magnitude);

// The reference is im2col + GEMM. `cancel` is checked between methods (core/cancel.h): the
// app calls off the check of a lesson that an edit has replaced.
MethodCheck check_methods(const Lesson& lesson, const CancelFlag* cancel = nullptr);
// Each method of `lesson` against given results: what the check of a broken method reports.
MethodCheck compare_methods(const Lesson& lesson, const MethodReference& reference,
                            const CancelFlag* cancel = nullptr);

}  // namespace convstep
