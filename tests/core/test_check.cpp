// The methods check (core/check): it passes when the methods agree and fails when one of them
// is wrong, reporting the difference where it is.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/check.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

const fs::path kLessons = fs::path(CONVSTEP_SOURCE_DIR) / "assets" / "lessons";

Lesson sobel() {
  return load_lesson((kLessons / "sobel-6x5.json").string());
}

MethodReference im2col_reference(const Lesson& l) {
  const Geometry geo = l.geometry();
  const Tensor G = l.upstream_gradient();
  return {forward(l.input, l.weight, l.bias, geo, ForwardMethod::Im2col),
          grad_input(G, l.weight, geo, GradInputMethod::Im2col),
          grad_weight(l.input, G, geo, GradWeightMethod::Im2col)};
}

TEST(MethodCheck, EveryPresetsMethodsAgree) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kLessons)) {
    const Lesson l = load_lesson(entry.path().string());
    const MethodCheck m = check_methods(l);
    EXPECT_TRUE(m.agree(max_abs(im2col_reference(l).dX))) << entry.path() << ": " << m.worst();
    ++count;
  }
  EXPECT_GE(count, 5);
}

// A reference off by 0.5 in one value of Z, dX or dW shows up in the methods of that result
// only, as exactly 0.5.
TEST(MethodCheck, AWrongValueIsFoundInItsResult) {
  const Lesson l = sobel();
  const MethodReference right = im2col_reference(l);

  MethodReference wrong = right;
  wrong.Z.values[3] += 0.5;
  MethodCheck m = compare_methods(l, wrong);
  EXPECT_DOUBLE_EQ(m.forward_direct, 0.5);
  EXPECT_LT(std::max({m.dx_direct, m.dx_gather, m.dx_scatter, m.dw_direct}), 1e-12);
  EXPECT_FALSE(m.agree(max_abs(right.dX)));

  wrong = right;
  wrong.dX.values[7] -= 0.5;
  m = compare_methods(l, wrong);
  EXPECT_DOUBLE_EQ(m.dx_direct, 0.5);
  EXPECT_DOUBLE_EQ(m.dx_gather, 0.5);
  EXPECT_DOUBLE_EQ(m.dx_scatter, 0.5);
  EXPECT_LT(std::max(m.forward_direct, m.dw_direct), 1e-12);
  EXPECT_FALSE(m.agree(max_abs(right.dX)));

  wrong = right;
  wrong.dW.values[0] += 0.5;
  m = compare_methods(l, wrong);
  EXPECT_DOUBLE_EQ(m.dw_direct, 0.5);
  EXPECT_LT(std::max({m.forward_direct, m.dx_direct, m.dx_gather, m.dx_scatter}), 1e-12);
  EXPECT_FALSE(m.agree(max_abs(right.dX)));
}

// The seeds' mistake of gathering with W instead of the rotated kernel is caught.
TEST(MethodCheck, GatheringWithoutRotationIsCaught) {
  const Lesson l = sobel();
  const Geometry geo = l.geometry();
  MethodReference wrong = im2col_reference(l);
  wrong.dX =
      compute_pitfall(Pitfall::NoRotation, l.input, l.weight, l.bias, l.upstream_gradient(), geo)
          .dX;
  ASSERT_TRUE(wrong.dX.shape == l.input.shape);
  const MethodCheck m = compare_methods(l, wrong);
  EXPECT_GT(m.dx_gather, 0.5);
  EXPECT_FALSE(m.agree(max_abs(wrong.dX)));
}

TEST(MethodCheck, WorstIsTheLargestDifference) {
  double MethodCheck::*const fields[] = {&MethodCheck::forward_direct, &MethodCheck::dx_direct,
                                         &MethodCheck::dx_gather, &MethodCheck::dx_scatter,
                                         &MethodCheck::dw_direct};
  for (auto field : fields) {
    MethodCheck m{0.25, 0.25, 0.25, 0.25, 0.25};
    m.*field = 2;
    EXPECT_EQ(m.worst(), 2);
    EXPECT_FALSE(m.agree(1));
  }
}

// Agreement is rounding relative to the size of the values, never less than 1.
TEST(MethodCheck, AgreementIsRelativeToTheValuesSize) {
  MethodCheck m;
  m.dx_gather = 5e-10;
  EXPECT_TRUE(m.agree(0));
  EXPECT_TRUE(m.agree(1));
  m.dx_gather = 2e-9;
  EXPECT_FALSE(m.agree(1));
  EXPECT_TRUE(m.agree(1000));
}

// Issue 10: the check reads as words. dX has four ways (summing each window, the matrix
// product, gathering, scattering), Z and dW two; a way that differs is named with its
// difference.
TEST(MethodCheck, SaysInWordsThatTheWaysAgreeOrWhichDiffer) {
  const Lesson l = sobel();
  const MethodReference right = im2col_reference(l);
  EXPECT_EQ(check_lines(check_methods(l), max_abs(right.dX)),
            (std::vector<std::string>{"Both ways of computing Z agree (largest difference 0)",
                                      "All four ways of computing dX agree (largest difference 0)",
                                      "Both ways of computing dW agree (largest difference 0)"}));
  // Rounding is said as a number, and still agrees.
  MethodCheck rounding;
  rounding.dx_scatter = 4.4e-16;
  EXPECT_EQ(check_lines(rounding, 1)[1],
            "All four ways of computing dX agree (largest difference 4e-16)");

  MethodReference wrong = right;
  wrong.dX = compute_pitfall(Pitfall::NoRotation, l.input, l.weight, l.bias, l.upstream_gradient(),
                             l.geometry())
                 .dX;
  const std::vector<std::string> lines = check_lines(compare_methods(l, wrong), max_abs(right.dX));
  EXPECT_EQ(lines[1].rfind("The four ways of computing dX do not agree: compared with the matrix "
                           "product, summing each window is off by ",
                           0),
            0u)
      << lines[1];
  EXPECT_NE(lines[1].find("gathering (Gp ⋆ Wr) by "), std::string::npos) << lines[1];
  EXPECT_EQ(lines[0], "Both ways of computing Z agree (largest difference 0)");
}

}  // namespace
}  // namespace convstep
