// The numeric core against independent references: the seed notebooks' printed numbers,
// hand arithmetic, the methods against each other, the adjoint identity and finite differences.
// (PyTorch itself is checked live in tests/parity.)
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <random>

#include "core/conv.h"
#include "core/format.h"
#include "core/lesson.h"
#include "core/timeline.h"
#include "tests/core/random_lessons.h"

namespace convstep {
namespace {

using Rows = std::initializer_list<std::initializer_list<double>>;

Tensor matrix(Rows rows) {
  Tensor t(Shape{1, 1, static_cast<int>(rows.size()), static_cast<int>(rows.begin()->size())});
  std::size_t i = 0;
  for (const auto& row : rows)
    for (double v : row) t.values[i++] = v;
  return t;
}

std::string show(const Tensor& t) {
  std::string s;
  for (int h = 0; h < t.shape.h; ++h) {
    s += "\n  ";
    for (int w = 0; w < t.shape.w; ++w) s += std::to_string(t(0, 0, h, w)) + " ";
  }
  return s;
}

// Says the error before asserting it.
::testing::AssertionResult Near(const Tensor& got, const Tensor& want, double tolerance = 0) {
  if (got.shape != want.shape)
    return ::testing::AssertionFailure()
           << "shape " << got.shape.str() << " != " << want.shape.str();
  const double diff = max_abs_diff(got, want);
  const double allowed = tolerance * std::max(max_abs(want), 1.0);
  if (diff <= allowed) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max |difference| " << diff << " > " << allowed
                                       << "\ngot:" << show(got) << "\nwant:" << show(want);
}

Lesson preset(const std::string& name) {
  return load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/" + name);
}

// ---- Seed 000: the 6×5 Sobel example, numbers printed by the notebook ----

TEST(Seed000, ForwardAndGradientsMatchTheNotebook) {
  const Lesson l = preset("sobel-6x5.json");
  const Geometry geo = l.geometry();
  const Results r = compute(l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_TRUE(Near(r.Z, matrix({{0, -4, -8}, {0, -3, -7}, {0, -1, -4}, {0, 0, -1}})));
  EXPECT_TRUE(Near(r.dW, matrix({{15, 18, 25}, {21, 23, 28}, {30, 31, 34}})));
  EXPECT_TRUE(Near(r.dX, matrix({{1, 1, 0, -1, -1},
                                 {3, 3, 0, -3, -3},
                                 {4, 4, 0, -4, -4},
                                 {4, 4, 0, -4, -4},
                                 {3, 3, 0, -3, -3},
                                 {1, 1, 0, -1, -1}})));
  EXPECT_EQ(r.db, std::vector<double>{12});
}

TEST(Seed000, PaddedGradientMapIsTheNotebooksZGradP) {
  const Lesson l = preset("sobel-6x5.json");
  const Geometry geo = l.geometry();
  const Tensor Gp = pad_gradient(dilate_by_stride(l.upstream_gradient(), geo), geo);
  EXPECT_TRUE(Near(Gp, matrix({{0, 0, 0, 0, 0, 0, 0},
                               {0, 0, 0, 0, 0, 0, 0},
                               {0, 0, 1, 1, 1, 0, 0},
                               {0, 0, 1, 1, 1, 0, 0},
                               {0, 0, 1, 1, 1, 0, 0},
                               {0, 0, 1, 1, 1, 0, 0},
                               {0, 0, 0, 0, 0, 0, 0},
                               {0, 0, 0, 0, 0, 0, 0}})));
  // Wf = np.flip(W, axis=(0, 1))
  EXPECT_TRUE(Near(rotate_weight(l.weight, geo), matrix({{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}})));
}

// ---- Seed 004 ----

TEST(Seed004, OneWindowGradientsAreTheKernelAndTheInput) {
  const Lesson l = preset("sobel-3x3.json");
  const Results r = compute(l.input, l.weight, l.bias, l.upstream, l.geometry());
  EXPECT_TRUE(Near(r.Z, matrix({{-8}})));
  EXPECT_TRUE(Near(r.dX, matrix({{1, 0, -1}, {2, 0, -2}, {1, 0, -1}})));
  EXPECT_TRUE(Near(r.dW, matrix({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}})));
}

TEST(Seed004, TwoByTwoKernelWithUpstream) {
  const Lesson l = preset("kernel-2x2-upstream.json");
  const Results r = compute(l.input, l.weight, l.bias, l.upstream, l.geometry());
  EXPECT_TRUE(Near(r.dX, matrix({{1, 2, 0}, {3, 5, 2}, {0, 3, 4}})));
  // Hand arithmetic: dW[0,0] = 1·1 + 2·2 + 4·3 + 5·4 = 37, and so on.
  EXPECT_TRUE(Near(r.dW, matrix({{37, 47}, {67, 77}})));
}

TEST(Seed004, IdenticalSamplesGetIdenticalGradients) {
  // In the notebook's batch-3 example every sample's dX was the same: with L = ΣZ, G is all
  // ones, and dX does not depend on X. Every output channel's dW is the same too.
  const Lesson l = preset("batch3-padding1.json");
  const Geometry geo = l.geometry();
  const Results r = compute(l.input, l.weight, l.bias, l.upstream, geo);
  ASSERT_EQ(r.dX.shape, (Shape{3, 1, 3, 3}));
  ASSERT_EQ(r.dW.shape, (Shape{3, 1, 3, 3}));
  const std::size_t sample = 9;
  for (int n = 1; n < 3; ++n)
    for (std::size_t i = 0; i < sample; ++i) {
      EXPECT_EQ(r.dX.values[n * sample + i], r.dX.values[i]);
      EXPECT_EQ(r.dW.values[n * sample + i], r.dW.values[i]);
    }
  // dW sums over the batch: with identical samples it is 3 times one sample's.
  Lesson same = l;
  for (int n = 1; n < 3; ++n)
    for (std::size_t i = 0; i < sample; ++i) same.input.values[n * sample + i] = l.input.values[i];
  Lesson one = l;
  one.input = Tensor(Shape{1, 1, 3, 3});
  std::copy_n(l.input.values.begin(), sample, one.input.values.begin());
  const Tensor dW3 = grad_weight(same.input, ones_like_output(geo), geo);
  const Geometry geo1 = one.geometry();
  const Tensor dW1 = grad_weight(one.input, ones_like_output(geo1), geo1);
  for (std::size_t i = 0; i < dW3.values.size(); ++i)
    EXPECT_DOUBLE_EQ(dW3.values[i], 3 * dW1.values[i]);
}

// ---- The seeds' mistakes reproduce their numbers ----

TEST(Pitfalls, ConvolutionConventionRotatesDW) {
  const Lesson l = preset("kernel-2x2-upstream.json");
  const Geometry geo = l.geometry();
  const PitfallResult p =
      compute_pitfall(Pitfall::ConvolutionConvention, l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_TRUE(Near(p.dW, matrix({{77, 67}, {47, 37}})));  // what SciPy printed
  // dx is right only because this kernel is unchanged by a 180° rotation.
  EXPECT_TRUE(Near(p.dX, matrix({{1, 2, 0}, {3, 5, 2}, {0, 3, 4}})));
}

TEST(Pitfalls, ConvolutionConventionDXDiffersForAnAsymmetricKernel) {
  const Lesson l = preset("rotation-2x2.json");
  const Geometry geo = l.geometry();
  const PitfallResult p =
      compute_pitfall(Pitfall::ConvolutionConvention, l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_TRUE(Near(p.dX, matrix({{4, 11, 6}, {14, 30, 14}, {6, 11, 4}})));
}

TEST(Pitfalls, NoRotationOnTheHandWorkedCase) {
  // X 3×3, W = G = [[1,2],[3,4]], worked by hand.
  const Lesson l = preset("rotation-2x2.json");
  const Geometry geo = l.geometry();
  EXPECT_TRUE(Near(grad_input(l.upstream, l.weight, geo, GradInputMethod::Gather),
                   matrix({{1, 4, 4}, {6, 20, 16}, {9, 24, 16}})));
  const PitfallResult p =
      compute_pitfall(Pitfall::NoRotation, l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_TRUE(Near(p.dX, matrix({{4, 11, 6}, {14, 30, 14}, {6, 11, 4}})));
  EXPECT_EQ(p.dW.shape.count(), 0);
}

TEST(Pitfalls, OutputFedBackGivesMinusEightTimesTheKernel) {
  // Seed 004: tf.nn.conv2d_transpose(y, f) with y = −8.
  const Lesson l = preset("sobel-3x3.json");
  const Geometry geo = l.geometry();
  const PitfallResult p =
      compute_pitfall(Pitfall::OutputAsGradient, l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_TRUE(Near(p.dX, matrix({{-8, 0, 8}, {-16, 0, 16}, {-8, 0, 8}})));
}

TEST(Pitfalls, GatherWithoutPaddingIsSmallerThanX) {
  const Lesson l = preset("sobel-6x5.json");
  const Geometry geo = l.geometry();
  const PitfallResult p =
      compute_pitfall(Pitfall::NoGradientPadding, l.input, l.weight, l.bias, l.upstream, geo);
  // G is 4×3; a 3×3 kernel fully inside it fits at 2×1 places.
  EXPECT_EQ(p.dX.shape, (Shape{1, 1, 2, 1}));
  // Each of those windows sums Wr over ones: 0 for the Sobel kernel.
  EXPECT_TRUE(Near(p.dX, matrix({{0}, {0}})));
}

// Issue 11, statement 7: the convolution convention's dX is wrong too. It is the dX gathered
// with W unrotated, and the SciPy notebook's looked right only because of its kernel.
TEST(Pitfalls, ConvolutionConventionGathersDXWithoutRotating) {
  const Lesson l = preset("rotation-2x2.json");
  const Geometry geo = l.geometry();
  const PitfallResult convention =
      compute_pitfall(Pitfall::ConvolutionConvention, l.input, l.weight, l.bias, l.upstream, geo);
  const PitfallResult unrotated =
      compute_pitfall(Pitfall::NoRotation, l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_TRUE(Near(convention.dX, unrotated.dX));
  const Tensor right = compute(l.input, l.weight, l.bias, l.upstream, geo).dX;
  ASSERT_EQ(right.values.size(), 9u);
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NE(convention.dX.values[i], right.values[i]) << i;
  const std::string words = pitfall_explanation(Pitfall::ConvolutionConvention, geo, nullptr);
  EXPECT_NE(words.find("dX is gathered with W itself"), std::string::npos) << words;
  EXPECT_NE(words.find("[[1,0],[0,1]]"), std::string::npos) << words;
}

// Statement 8: the no-padding mistake overlaps Gd (not G), and in the notebook's own geometry
// (4×4 input, 3×3 kernel, no padding) its result is empty, which the explanation says.
TEST(Pitfalls, NoGradientPaddingSaysWhenItsResultIsEmpty) {
  const Lesson l = parse_lesson(R"({"input": [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]],
                                   "weight": [[1,0,-1],[2,0,-2],[1,0,-1]]})");
  const Geometry geo = l.geometry();
  const PitfallResult p =
      compute_pitfall(Pitfall::NoGradientPadding, l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_EQ(p.dX.shape, (Shape{1, 1, 0, 0}));
  const std::string words = pitfall_explanation(Pitfall::NoGradientPadding, geo, &l.loss);
  EXPECT_NE(words.find("overlaps Gd completely"), std::string::npos) << words;
  EXPECT_NE(words.find("the result is empty (0×0)"), std::string::npos) << words;
  EXPECT_NE(words.find("3×3 kernel is larger than the 2×2 Gd"), std::string::npos) << words;
  // Where the result is not empty, nothing is said about emptiness.
  const Lesson sobel = preset("sobel-6x5.json");
  EXPECT_EQ(
      pitfall_explanation(Pitfall::NoGradientPadding, sobel.geometry(), &sobel.loss).find("empty"),
      std::string::npos);
}

// Under a named loss the words say where G comes from; under L = ½ΣZ² itself, feeding Z back
// is the right answer, and the words say so rather than call it a mistake.
TEST(Pitfalls, OutputAsGradientUnderANamedLoss) {
  const std::string base = R"({"input": [[1,2,0],[-1,3,1],[2,-2,1]], "weight": [[1,-1],[2,0]], )";
  const Timeline half(parse_lesson(base + R"("loss": "half_sum_squares"})"));
  const std::string words = half.pitfall_explanation(Pitfall::OutputAsGradient);
  EXPECT_NE(words.find("is no mistake"), std::string::npos) << words;
  EXPECT_EQ(words.find("not of this lesson's"), std::string::npos) << words;
  EXPECT_EQ(max_abs_diff(half.pitfall(Pitfall::OutputAsGradient).dX, half.results().dX), 0);
  const Timeline mse(parse_lesson(base + R"("loss": {"mse": [[1, 0], [2, -1]]}})"));
  const std::string mse_words = mse.pitfall_explanation(Pitfall::OutputAsGradient);
  EXPECT_NE(mse_words.find("derived from the loss L = mean((Z − T)²)"), std::string::npos)
      << mse_words;
  EXPECT_EQ(mse_words.find("the lesson's own"), std::string::npos) << mse_words;
}

// Statement 9: "G is all ones" only when the lesson's G is the ones of L = ΣZ; and Z is
// ∂L/∂Z for L = ½ΣZ², so feeding it back gives that loss's gradients.
TEST(Pitfalls, OutputAsGradientSaysWhichLossZIsTheGradientOf) {
  const Lesson own = preset("kernel-2x2-upstream.json");  // G = [[1,2],[3,4]]
  const Lesson ones = preset("sobel-3x3.json");
  ASSERT_GT(own.upstream.shape.count(), 0);
  ASSERT_EQ(ones.upstream.shape.count(), 0);
  const std::string with_own = Timeline(own).pitfall_explanation(Pitfall::OutputAsGradient);
  const std::string with_ones = Timeline(ones).pitfall_explanation(Pitfall::OutputAsGradient);
  EXPECT_EQ(with_own.find("all ones"), std::string::npos) << with_own;
  EXPECT_NE(with_ones.find("Here L = ΣZ, so G is all ones"), std::string::npos) << with_ones;
  for (const std::string& w : {with_own, with_ones}) {
    EXPECT_EQ(w.find("not a gradient"), std::string::npos) << w;
    EXPECT_NE(w.find("Z is ∂L/∂Z only for the loss L = ½ΣZ²"), std::string::npos) << w;
  }
  // And so it is: the gradients for L = ½ΣZ² are those with G = Z.
  const Geometry geo = own.geometry();
  const Tensor Z = forward(own.input, own.weight, own.bias, geo);
  const PitfallResult p = compute_pitfall(Pitfall::OutputAsGradient, own.input, own.weight,
                                          own.bias, own.upstream, geo);
  EXPECT_TRUE(Near(p.dX, compute(own.input, own.weight, own.bias, Z, geo).dX));
}

// ---- The notebooks' fourth mistake: x.grad fed back as d_out (issue 11, item 5) ----

// dX of one sample and channel by plain loops: every output cell scatters G·W over the inputs
// its window covers (stride s, padding p on every side, no dilation).
Tensor dx_by_loops(const Tensor& G, const Tensor& W, int s, int p, int h, int w) {
  Tensor dX(Shape{1, 1, h, w});
  for (int oi = 0; oi < G.shape.h; ++oi)
    for (int oj = 0; oj < G.shape.w; ++oj)
      for (int u = 0; u < W.shape.h; ++u)
        for (int v = 0; v < W.shape.w; ++v) {
          const int i = oi * s + u - p, j = oj * s + v - p;
          if (i >= 0 && i < h && j >= 0 && j < w) dX(0, 0, i, j) += G(0, 0, oi, oj) * W(0, 0, u, v);
        }
  return dX;
}

// The "4 ways" cell: d_out = x.grad, then dX gathered again from it. In the padding-1 preset dX
// has G's shape (4×4), so the mistake runs: it is the right backward pass applied twice.
TEST(Pitfalls, InputGradientFedBackIsTheBackwardPassTwice) {
  const Lesson l = preset("padding1-4x4.json");
  const Geometry geo = l.geometry();
  ASSERT_TRUE(input_gradient_fits_upstream(geo));
  const Tensor ones = matrix({{1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}});
  const Tensor right = dx_by_loops(ones, l.weight, 1, 1, 4, 4);
  // By hand: dX[0,0] is reached by the four windows at the top left, through W[0..1][0..1]:
  // 1 − 1 + 2 + 0 = 2.
  EXPECT_EQ(right(0, 0, 0, 0), 2);
  const Tensor twice = dx_by_loops(right, l.weight, 1, 1, 4, 4);
  const PitfallResult p =
      compute_pitfall(Pitfall::InputGradientAsGradient, l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_TRUE(p.cannot_happen.empty());
  EXPECT_EQ(p.dW.shape.count(), 0);
  EXPECT_TRUE(Near(p.dX, twice));
  EXPECT_FALSE(Near(p.dX, right));
}

// The notebook's own geometry (4×4 input, 3×3 kernel, no padding): dX is 4×4 but G is 2×2, so
// the mistake cannot happen; that is said, with this lesson's sizes, instead of a grid.
TEST(Pitfalls, InputGradientFedBackSaysWhenShapesDiffer) {
  const Lesson l = parse_lesson(R"({"input": [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]],
                                   "weight": [[1,0,-1],[2,0,-2],[1,0,-1]]})");
  const Geometry geo = l.geometry();
  EXPECT_FALSE(input_gradient_fits_upstream(geo));
  const PitfallResult p =
      compute_pitfall(Pitfall::InputGradientAsGradient, l.input, l.weight, l.bias, l.upstream, geo);
  EXPECT_EQ(p.dX.shape, (Shape{1, 1, 0, 0}));
  EXPECT_EQ(p.cannot_happen, "Cannot happen here: dX is 4×4, but G is 2×2 like Z.");
  const std::string words = Timeline(l).pitfall_explanation(Pitfall::InputGradientAsGradient);
  EXPECT_NE(words.find("cannot even happen here: dX has the input's shape (4×4) and G the "
                       "output's (2×2)"),
            std::string::npos)
      << words;
  // Channels count too: the groups preset's dX (4 channels of 3×3) and G (2 channels of 3×3)
  // differ in channels only.
  const Lesson groups = preset("groups.json");
  const Geometry g = groups.geometry();
  ASSERT_EQ(g.h, g.oh);
  ASSERT_EQ(g.w, g.ow);
  ASSERT_NE(g.c, g.cout);
  EXPECT_FALSE(input_gradient_fits_upstream(g));
  const std::string gw = Timeline(groups).pitfall_explanation(Pitfall::InputGradientAsGradient);
  EXPECT_NE(gw.find("(4 channels of 3×3) and G the output's (2 channels of 3×3)"),
            std::string::npos)
      << gw;
}

// What the explanation claims, on every preset and on random lessons: where the shapes match,
// the wrong dX is the gradient of the loss Σ dX·Z (checked by exact differences of the forward
// pass, which is linear in X), and the cell it names differs by the values it gives; where they
// do not, it says the mistake cannot happen and draws no grid.
void check_input_gradient_claims(const Tensor& X, const Tensor& W, const std::vector<double>& b,
                                 const Tensor& G, const Geometry& geo, const std::string& what,
                                 int* fits) {
  const Tensor right = compute(X, W, b, G, geo).dX;
  const PitfallResult p = compute_pitfall(Pitfall::InputGradientAsGradient, X, W, b, G, geo);
  const std::string words =
      pitfall_explanation(Pitfall::InputGradientAsGradient, geo, nullptr, &right, &p);
  const bool fit = geo.c == geo.cout && geo.h == geo.oh && geo.w == geo.ow;
  if (!fit) {
    EXPECT_EQ(p.dX.shape.h * p.dX.shape.w, 0) << what;
    EXPECT_FALSE(p.cannot_happen.empty()) << what;
    EXPECT_NE(words.find("cannot even happen here"), std::string::npos) << what << words;
    EXPECT_NE(words.find(dims(geo.h, geo.w) + ") and G"), std::string::npos) << what << words;
    EXPECT_NE(words.find(dims(geo.oh, geo.ow) + "), so"), std::string::npos) << what << words;
    return;
  }
  ++*fits;
  ASSERT_EQ(p.dX.shape, right.shape) << what;
  EXPECT_EQ(words.find("cannot"), std::string::npos) << what << words;
  // L'(X) = Σ dX·Z(X): its gradient in input k is L'(X + e_k) − L'(X).
  auto loss = [&](const Tensor& x) {
    const Tensor Z = forward(x, W, b, geo);
    double sum = 0;
    for (std::size_t k = 0; k < Z.values.size(); ++k) sum += right.values[k] * Z.values[k];
    return sum;
  };
  const double base = loss(X);
  double scale = 1;
  for (double v : p.dX.values) scale = std::max(scale, std::fabs(v));
  for (std::size_t k = 0; k < X.values.size(); ++k) {
    Tensor moved = X;
    moved.values[k] += 1;
    EXPECT_NEAR(loss(moved) - base, p.dX.values[k], 1e-9 * scale + 1e-6 * std::fabs(base))
        << what << " input " << k;
  }
  std::size_t first = right.values.size(), differ = 0;
  for (std::size_t k = 0; k < right.values.size(); ++k)
    if (std::fabs(right.values[k] - p.dX.values[k]) > 1e-9) {
      first = std::min(first, k);
      ++differ;
    }
  if (differ == 0) {
    EXPECT_NE(words.find("no cell differs"), std::string::npos) << what << words;
    return;
  }
  const std::string claim = " should be " + format_number(right.values[first], kUnicode) +
                            " but comes out " + format_number(p.dX.values[first], kUnicode) + "; " +
                            std::to_string(differ) + " of ";
  EXPECT_NE(words.find(claim), std::string::npos) << what << "\n" << claim << "\n" << words;
}

TEST(Pitfalls, InputGradientFedBackExplanationHoldsOnPresetsAndRandomLessons) {
  int fits = 0;
  for (const char* name : {"batch3-padding1.json", "channels.json", "dilation2.json", "groups.json",
                           "kernel-2x2-upstream.json", "padding1-4x4.json", "rotation-2x2.json",
                           "sobel-3x3.json", "sobel-6x5.json", "stride2.json"}) {
    const Lesson l = preset(name);
    check_input_gradient_claims(l.input, l.weight, l.bias, l.upstream, l.geometry(), name, &fits);
  }
  EXPECT_GE(fits, 1);  // padding1-4x4
  std::mt19937 rng(4);
  int random_fits = 0, tried = 0;
  for (; tried < 3000 && random_fits < 25; ++tried) {
    const testing::RandomCase c = testing::random_case(rng);
    if (c.X.shape.count() > 400) continue;  // one forward pass per input
    check_input_gradient_claims(c.X, c.W, c.bias, c.G, c.geo, c.describe(), &random_fits);
  }
  EXPECT_GE(random_fits, 5) << "of " << tried;
}

// Issue 10: a pitfall has a title a student reads, not the command line's name.
TEST(Pitfalls, HaveHumanTitles) {
  EXPECT_STREQ(pitfall_title(Pitfall::NoRotation), "Forgot to rotate the kernel");
  EXPECT_STREQ(pitfall_title(Pitfall::OutputAsGradient), "Fed Z back instead of ∂L/∂Z");
  EXPECT_STREQ(pitfall_title(Pitfall::InputGradientAsGradient), "Fed dX back instead of ∂L/∂Z");
  for (Pitfall p : kAllPitfalls)
    EXPECT_EQ(std::string(pitfall_title(p)).find('_'), std::string::npos) << pitfall_title(p);
}

// ---- Geometry ----

TEST(Geometry, SamePaddingFollowsTensorFlow) {
  ConvSpec s;
  s.padding.mode = PaddingMode::Same;
  s.stride_h = s.stride_w = 2;
  // in 7, k 3, s 2: out = 4, total = (4−1)·2 + 3 − 7 = 2 → 1 and 1.
  Geometry g = resolve(s, Shape{1, 1, 7, 8}, Shape{1, 1, 3, 3});
  EXPECT_EQ(g.oh, 4);
  EXPECT_EQ(g.pad_top, 1);
  EXPECT_EQ(g.pad_bottom, 1);
  // in 8, k 3, s 2: out = 4, total = 6 + 3 − 8 = 1 → 0 on the left, 1 on the right.
  EXPECT_EQ(g.ow, 4);
  EXPECT_EQ(g.pad_left, 0);
  EXPECT_EQ(g.pad_right, 1);
}

TEST(Geometry, FullPaddingIsKernelMinusOneTimesDilation) {
  ConvSpec s;
  s.padding.mode = PaddingMode::Full;
  s.dil_h = 2;
  const Geometry g = resolve(s, Shape{1, 1, 5, 5}, Shape{1, 1, 3, 2});
  EXPECT_EQ(g.pad_top, 4);
  EXPECT_EQ(g.pad_left, 1);
  EXPECT_EQ(g.oh, 5 + 8 - 5 + 1);
}

TEST(Geometry, InputShapeIsNeededBecauseStrideLosesIt) {
  ConvSpec s;
  s.stride_h = s.stride_w = 2;
  EXPECT_EQ(resolve(s, Shape{1, 1, 7, 7}, Shape{1, 1, 3, 3}).oh, 3);
  EXPECT_EQ(resolve(s, Shape{1, 1, 8, 8}, Shape{1, 1, 3, 3}).oh, 3);
}

TEST(Geometry, ErrorsSayWhatIsWrong) {
  auto message = [](ConvSpec s, Shape x, Shape w) {
    try {
      resolve(s, x, w);
    } catch (const ConvError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ConvSpec s;
  s.dil_h = s.dil_w = 2;
  EXPECT_EQ(message(s, {1, 1, 8, 7}, {1, 1, 7, 7}),
            "kernel 7×7 with dilation 2 spans 13×13 and does not fit the padded input 8×7");
  ConvSpec g;
  g.groups = 3;
  EXPECT_EQ(message(g, {1, 4, 5, 5}, {3, 1, 3, 3}),
            "input has 4 channels, not divisible by groups = 3");
  ConvSpec z;
  z.stride_w = 0;
  EXPECT_EQ(message(z, {1, 1, 5, 5}, {1, 1, 3, 3}), "stride must be at least 1, got 0");
}

// ---- Every method agrees, on 1,000 random configurations ----

TEST(Methods, AgreeOnAThousandRandomConfigurations) {
  std::mt19937 rng(20261123);
  int strided = 0, dilated = 0, grouped = 0, batched = 0, uncovered = 0;
  for (int t = 0; t < 1000; ++t) {
    const auto r = testing::random_case(rng);
    SCOPED_TRACE(r.describe());
    const Tensor Z = forward(r.X, r.W, r.bias, r.geo, ForwardMethod::Direct);
    ASSERT_TRUE(Near(forward(r.X, r.W, r.bias, r.geo, ForwardMethod::Im2col), Z, 1e-12));
    const Tensor dX = grad_input(r.G, r.W, r.geo, GradInputMethod::Direct);
    for (auto m : {GradInputMethod::Gather, GradInputMethod::Scatter, GradInputMethod::Im2col})
      ASSERT_TRUE(Near(grad_input(r.G, r.W, r.geo, m), dX, 1e-12)) << "method " << int(m);
    const Tensor dW = grad_weight(r.X, r.G, r.geo, GradWeightMethod::Direct);
    ASSERT_TRUE(Near(grad_weight(r.X, r.G, r.geo, GradWeightMethod::Im2col), dW, 1e-12));
    // The fast path the app and the command line use.
    const Results fast = compute(r.X, r.W, r.bias, r.G, r.geo);
    ASSERT_TRUE(Near(fast.Z, Z, 1e-12));
    ASSERT_TRUE(Near(fast.dX, dX, 1e-12));
    ASSERT_TRUE(Near(fast.dW, dW, 1e-12));
    strided += r.geo.stride_h > 1 || r.geo.stride_w > 1;
    dilated += r.geo.dil_h > 1 || r.geo.dil_w > 1;
    grouped += r.geo.groups > 1;
    batched += r.geo.n > 1;
    uncovered += (r.geo.hp() - r.geo.span_h()) % r.geo.stride_h != 0;
  }
  // The random set really covers what it claims to.
  EXPECT_GT(strided, 300);
  EXPECT_GT(dilated, 300);
  EXPECT_GT(grouped, 300);
  EXPECT_GT(batched, 300);
  EXPECT_GT(uncovered, 100);
}

// ---- The matrix view's matrices reproduce the results ----

// T(W)·vec(X[n]) + b = vec(Z[n]), T(W)ᵀ·vec(G[n]) = vec(dX[n]), W_g·cols(n, g) = Z's group g
// without b, and Σ_n G(n, g)·cols(n, g)ᵀ = dW's group g: against compute(), which the parity
// script checks against PyTorch. Groups included, though the phase shows one group only.
TEST(MatrixView, MatricesReproduceTheResults) {
  std::mt19937 rng(7311);
  int checked = 0, grouped = 0, strided = 0;
  for (int t = 0; t < 400; ++t) {
    const auto r = testing::random_case(rng);
    const Geometry& g = r.geo;
    if (1LL * g.cout * g.oh * g.ow * g.c * g.h * g.w > 200000) continue;
    SCOPED_TRACE(r.describe());
    const Results res = compute(r.X, r.W, r.bias, r.G, g);
    const Tensor T = toeplitz_matrix(r.W, g), cols = im2col_matrix(r.X, g);
    const int rows = g.cout * g.oh * g.ow, inputs = g.c * g.h * g.w;
    ASSERT_EQ(T.shape, (Shape{1, 1, rows, inputs}));
    for (int n = 0; n < g.n; ++n) {
      for (int row = 0; row < rows; ++row) {  // z = T(W)·x + b
        double z = r.bias.empty() ? 0.0 : r.bias[row / (g.oh * g.ow)];
        for (int k = 0; k < inputs; ++k) z += T(0, 0, row, k) * r.X.values[n * inputs + k];
        ASSERT_NEAR(z, res.Z.values[1LL * n * rows + row], 1e-9) << "Z row " << row;
      }
      for (int k = 0; k < inputs; ++k) {  // dx = T(W)ᵀ·g
        double dx = 0;
        for (int row = 0; row < rows; ++row) dx += T(0, 0, row, k) * r.G.values[n * rows + row];
        ASSERT_NEAR(dx, res.dX.values[1LL * n * inputs + k], 1e-9) << "dX " << k;
      }
    }
    const int og = g.cout_per_group(), taps = g.c_per_group() * g.kh * g.kw, cells = g.oh * g.ow;
    ASSERT_EQ(cols.shape, (Shape{g.n, g.groups, taps, cells}));
    for (int gr = 0; gr < g.groups; ++gr)
      for (int o = gr * og; o < (gr + 1) * og; ++o) {
        for (int n = 0; n < g.n; ++n)
          for (int cell = 0; cell < cells; ++cell) {  // Z = W·cols (+ b)
            double z = r.bias.empty() ? 0.0 : r.bias[o];
            for (int k = 0; k < taps; ++k)
              z += r.W.values[1LL * o * taps + k] * cols(n, gr, k, cell);
            ASSERT_NEAR(z, res.Z(n, o, cell / g.ow, cell % g.ow), 1e-9);
          }
        for (int k = 0; k < taps; ++k) {  // dW = Σ_n G·colsᵀ
          double dw = 0;
          for (int n = 0; n < g.n; ++n)
            for (int cell = 0; cell < cells; ++cell)
              dw += r.G(n, o, cell / g.ow, cell % g.ow) * cols(n, gr, k, cell);
          ASSERT_NEAR(dw, res.dW.values[1LL * o * taps + k], 1e-9);
        }
      }
    ++checked, grouped += g.groups > 1, strided += g.stride_h > 1 || g.dil_w > 1;
  }
  EXPECT_GT(checked, 200);
  EXPECT_GT(grouped, 50);
  EXPECT_GT(strided, 50);
}

// The view is refused, with a sentence that says why and what fits, above 32×32 or with groups.
TEST(MatrixView, RefusesLargeOrGroupedLessonsSayingWhatFits) {
  const Geometry fits = resolve(ConvSpec{}, Shape{1, 1, 5, 5}, Shape{1, 1, 3, 3});
  EXPECT_EQ(matrix_view_refusal(fits), "");  // the size the message suggests
  ConvSpec pad1;
  pad1.padding.top = pad1.padding.bottom = pad1.padding.left = pad1.padding.right = 1;
  EXPECT_EQ(matrix_view_refusal(resolve(pad1, Shape{1, 1, 5, 5}, Shape{1, 1, 3, 3})), "");
  const std::string big =
      matrix_view_refusal(resolve(ConvSpec{}, Shape{1, 1, 6, 6}, Shape{1, 1, 3, 3}));
  EXPECT_NE(big.find("here it would be 16×36"), std::string::npos) << big;
  EXPECT_NE(big.find("5×5 input"), std::string::npos) << big;
  ConvSpec grouped;
  grouped.groups = 2;
  EXPECT_NE(
      matrix_view_refusal(resolve(grouped, Shape{1, 2, 3, 3}, Shape{2, 1, 2, 2})).find("one group"),
      std::string::npos);
}

// im2col works in chunks of output cells, at most 256 KB of columns each, shared out among the
// cores. With 64 channels per group and an 8×8 kernel a column has 4096 rows, so a chunk holds
// 8 cells: this lesson's 51×44 outputs take 281 chunks, the last one cut short. The results
// still agree with the direct sums.
TEST(Methods, Im2colAgreesAcrossBlocks) {
  std::mt19937 rng(8);
  std::uniform_int_distribution<int> value(-3, 3);
  ConvSpec spec;
  spec.groups = 2;
  spec.padding = {PaddingMode::Explicit, 1, 0, 2, 1};
  Tensor X(Shape{1, 128, 57, 48}), W(Shape{2, 64, 8, 8});
  for (double& v : X.values) v = value(rng);
  for (double& v : W.values) v = value(rng);
  const Geometry geo = resolve(spec, X.shape, W.shape);
  ASSERT_EQ(geo.oh * geo.ow, 51 * 44);
  Tensor G(geo.output_shape());
  for (double& v : G.values) v = value(rng);
  EXPECT_TRUE(Near(forward(X, W, {}, geo, ForwardMethod::Im2col),
                   forward(X, W, {}, geo, ForwardMethod::Direct), 1e-12));
  EXPECT_TRUE(Near(grad_input(G, W, geo, GradInputMethod::Im2col),
                   grad_input(G, W, geo, GradInputMethod::Direct), 1e-12));
  EXPECT_TRUE(Near(grad_weight(X, G, geo, GradWeightMethod::Im2col),
                   grad_weight(X, G, geo, GradWeightMethod::Direct), 1e-12));
}

// compute() splits large lessons over the cores in chunks that the geometry alone fixes: on one
// core it gives the same bits as on all of them, and the same numbers as the direct sums. Each
// lesson here takes several chunks (a chunk holds 32768 / (C/groups·kH·kW) output cells), with
// a batch, groups, dilation, uneven padding, and with and without a stride (Z and dW share
// their columns; dX is gathered without a stride and scattered by im2col with one).
TEST(Methods, ComputeGivesTheSameBitsOnOneCoreAsOnAll) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> value(-1, 1);
  for (int stride : {1, 2}) {
    SCOPED_TRACE("stride " + std::to_string(stride));
    ConvSpec spec;
    spec.groups = 2;
    spec.dil_h = 2;
    spec.stride_h = spec.stride_w = stride;
    spec.padding = {PaddingMode::Explicit, 1, 0, 2, 1};
    Tensor X(Shape{2, 8, 120, 100}), W(Shape{6, 4, 3, 3});
    for (double& v : X.values) v = value(rng);
    for (double& v : W.values) v = value(rng);
    const std::vector<double> bias = {0.5, -1, 2, 0, 0.25, 3};
    const Geometry geo = resolve(spec, X.shape, W.shape);
    ASSERT_GT(1LL * geo.oh * geo.ow, 3 * 32768 / (4 * 3 * 3));  // more than three chunks
    Tensor G(geo.output_shape());
    for (double& v : G.values) v = value(rng);

    const Results all = compute(X, W, bias, G, geo);
    cpu_set_t every, one;
    ASSERT_EQ(sched_getaffinity(0, sizeof every, &every), 0);
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &every)) {
        CPU_SET(cpu, &one);
        break;
      }
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    const Results single = compute(X, W, bias, G, geo);
    ASSERT_EQ(sched_setaffinity(0, sizeof every, &every), 0);

    EXPECT_TRUE(all.Z == single.Z) << "max |difference| " << max_abs_diff(all.Z, single.Z);
    EXPECT_TRUE(all.dX == single.dX) << "max |difference| " << max_abs_diff(all.dX, single.dX);
    EXPECT_TRUE(all.dW == single.dW) << "max |difference| " << max_abs_diff(all.dW, single.dW);
    EXPECT_EQ(all.db, single.db);
    EXPECT_TRUE(Near(all.Z, forward(X, W, bias, geo, ForwardMethod::Direct), 1e-12));
    EXPECT_TRUE(Near(all.dX, grad_input(G, W, geo, GradInputMethod::Direct), 1e-12));
    EXPECT_TRUE(Near(all.dW, grad_weight(X, G, geo, GradWeightMethod::Direct), 1e-12));
  }
}

// ⟨conv(X, W), G⟩ = ⟨X, grad_input(G, W)⟩ = ⟨W, grad_weight(X, G)⟩ (without bias).
TEST(Identities, AdjointHolds) {
  std::mt19937 rng(7);
  auto dot = [](const Tensor& a, const Tensor& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i) s += a.values[i] * b.values[i];
    return s;
  };
  for (int t = 0; t < 300; ++t) {
    const auto r = testing::random_case(rng);
    SCOPED_TRACE(r.describe());
    const double zg = dot(forward(r.X, r.W, {}, r.geo), r.G);
    const double xdx = dot(r.X, grad_input(r.G, r.W, r.geo, GradInputMethod::Gather));
    const double wdw = dot(r.W, grad_weight(r.X, r.G, r.geo, GradWeightMethod::Direct));
    const double scale = std::max(1.0, std::fabs(zg));
    EXPECT_NEAR(xdx, zg, 1e-10 * scale);
    EXPECT_NEAR(wdw, zg, 1e-10 * scale);
  }
}

TEST(Identities, FiniteDifferencesMatch) {
  std::mt19937 rng(11);
  for (int t = 0; t < 60; ++t) {
    const auto r = testing::random_case(rng);
    SCOPED_TRACE(r.describe());
    auto loss = [&](const Tensor& X, const Tensor& W, const std::vector<double>& b) {
      const Tensor Z = forward(X, W, b, r.geo, ForwardMethod::Direct);
      double s = 0;
      for (std::size_t i = 0; i < Z.values.size(); ++i) s += Z.values[i] * r.G.values[i];
      return s;
    };
    const Tensor dX = grad_input(r.G, r.W, r.geo, GradInputMethod::Scatter);
    const Tensor dW = grad_weight(r.X, r.G, r.geo, GradWeightMethod::Direct);
    const double h = 1e-3;
    for (int probe = 0; probe < 5; ++probe) {
      const std::size_t i =
          std::uniform_int_distribution<std::size_t>(0, r.X.values.size() - 1)(rng);
      Tensor plus = r.X, minus = r.X;
      plus.values[i] += h, minus.values[i] -= h;
      EXPECT_NEAR((loss(plus, r.W, r.bias) - loss(minus, r.W, r.bias)) / (2 * h), dX.values[i],
                  1e-6);
      const std::size_t k =
          std::uniform_int_distribution<std::size_t>(0, r.W.values.size() - 1)(rng);
      Tensor wp = r.W, wm = r.W;
      wp.values[k] += h, wm.values[k] -= h;
      EXPECT_NEAR((loss(r.X, wp, r.bias) - loss(r.X, wm, r.bias)) / (2 * h), dW.values[k], 1e-6);
    }
    if (!r.bias.empty()) {
      std::vector<double> bp = r.bias, bm = r.bias;
      bp[0] += h, bm[0] -= h;
      EXPECT_NEAR((loss(r.X, r.W, bp) - loss(r.X, r.W, bm)) / (2 * h), grad_bias(r.G)[0], 1e-6);
    }
  }
}

// Inputs that no window reaches get gradient 0, at the edge and inside.
TEST(Coverage, UncoveredInputsGetZeroGradient) {
  // k = 2, dil = 2, s = 2 on width 8: the windows start at columns 0, 2 and 4 and read the
  // column they start at and the one 2 further, so they read 0, 2, 4 and 6, never an odd one.
  ConvSpec s;
  s.stride_h = s.stride_w = 2;
  s.dil_h = s.dil_w = 2;
  const Geometry geo = resolve(s, Shape{1, 1, 8, 8}, Shape{1, 1, 2, 2});
  Tensor W(geo.weight_shape(), 1.0);
  const Tensor dX = grad_input(ones_like_output(geo), W, geo, GradInputMethod::Gather);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      const bool covered = y % 2 == 0 && x % 2 == 0;
      EXPECT_EQ(dX(0, 0, y, x) != 0, covered) << "at " << y << "," << x;
    }
  // Stride 2, 3×3 kernel, height 8: the last row is never reached (8 − 3 is odd).
  ConvSpec e;
  e.stride_h = e.stride_w = 2;
  const Geometry g2 = resolve(e, Shape{1, 1, 8, 8}, Shape{1, 1, 3, 3});
  const Tensor dX2 =
      grad_input(ones_like_output(g2), Tensor(g2.weight_shape(), 1.0), g2, GradInputMethod::Gather);
  for (int x = 0; x < 8; ++x) EXPECT_EQ(dX2(0, 0, 7, x), 0);
  EXPECT_NE(dX2(0, 0, 6, 0), 0);
}

// ---- The index helpers of one axis (ConvAxis), against loops over every window and tap ----

// One axis of a geometry read straight from its fields, so that rows() and cols() are checked
// to pick the right ones: the geometries below differ between their two axes.
struct AxisFields {
  int in, pad_before, padded, k, s, dil, out;
};
AxisFields row_fields(const Geometry& g) {
  return {g.h, g.pad_top, g.hp(), g.kh, g.stride_h, g.dil_h, g.oh};
}
AxisFields col_fields(const Geometry& g) {
  return {g.w, g.pad_left, g.wp(), g.kw, g.stride_w, g.dil_w, g.ow};
}

// Every small geometry that resolves: inputs 1–7, kernels 1–3, strides and dilations 1–3,
// uneven paddings 0–2, with the columns' settings different from the rows'.
std::vector<Geometry> small_geometries() {
  std::vector<Geometry> out;
  for (int h = 1; h <= 7; ++h)
    for (int k = 1; k <= 3; ++k)
      for (int s = 1; s <= 3; ++s)
        for (int d = 1; d <= 3; ++d)
          for (int top = 0; top <= 2; ++top)
            for (int bottom = 0; bottom <= 2; ++bottom) {
              ConvSpec spec;
              spec.stride_h = s, spec.stride_w = 4 - s;
              spec.dil_h = d, spec.dil_w = 4 - d;
              spec.padding = {PaddingMode::Explicit, top, bottom, bottom, (top + 1) % 3};
              try {
                out.push_back(resolve(spec, Shape{1, 1, h, 8 - h}, Shape{1, 1, k, 4 - k}));
              } catch (const ConvError&) {
                // the kernel does not fit this input: not a geometry
              }
            }
  return out;
}

std::vector<int> elements(const Lattice& l) {
  std::vector<int> v;
  for (int t = 0; t < l.count; ++t) v.push_back(l.at(t));
  if (l.count <= 1) {
    EXPECT_EQ(l.step, 1);
  }
  return v;
}

// Checks one axis's helpers against the windows and taps listed one by one.
void check_axis(const ConvAxis& A, const AxisFields& f, int* unread_inside, int* several_taps) {
  ASSERT_EQ(A.padded(), f.padded);
  // reads[y]: every (window i, tap u) with y = i·s + u·dil.
  std::vector<std::vector<std::pair<int, int>>> reads(f.padded);
  for (int i = 0; i < f.out; ++i)
    for (int u = 0; u < f.k; ++u) {
      const int y = i * f.s + u * f.dil;
      ASSERT_LT(y, f.padded);
      reads[y].push_back({i, u});
      EXPECT_EQ(A.input_of(i, u), y);
    }
  for (int i = 0; i < f.out; ++i) {
    std::vector<int> covered;
    for (int u = 0; u < f.k; ++u) covered.push_back(i * f.s + u * f.dil);
    EXPECT_EQ(elements(A.window(i)), covered) << "window " << i;
  }
  for (int u = 0; u < f.k; ++u) {
    std::vector<int> covered;
    for (int i = 0; i < f.out; ++i) covered.push_back(i * f.s + u * f.dil);
    EXPECT_EQ(elements(A.tap(u)), covered) << "tap " << u;
  }
  int last_read = -1;
  for (int y = 0; y < f.padded; ++y)
    if (!reads[y].empty()) last_read = y;
  for (int y = -3; y < f.padded + 3; ++y) {
    const auto& here = y >= 0 && y < f.padded ? reads[y] : std::vector<std::pair<int, int>>{};
    std::vector<int> taps, windows;
    for (auto [i, u] : here) taps.push_back(u), windows.push_back(i);
    std::sort(taps.begin(), taps.end());
    std::sort(windows.begin(), windows.end());
    for (int u = 0; u < f.k; ++u) {
      int want = -1;
      for (auto [i, uu] : here)
        if (uu == u) want = i;
      EXPECT_EQ(A.output_of(y, u), want) << "row " << y << ", tap " << u;
    }
    EXPECT_EQ(elements(A.taps_reaching(y)), taps) << "row " << y;
    EXPECT_EQ(elements(A.windows_reaching(y)), windows) << "row " << y;
    EXPECT_EQ(A.reached(y), !here.empty()) << "row " << y;
    EXPECT_EQ(A.in_input(y), y >= f.pad_before && y < f.pad_before + f.in) << "row " << y;
    if (here.empty() && y > 0 && y < last_read) ++*unread_inside;
    if (here.size() > 1) ++*several_taps;
  }
  // Gd and Gp laid out cell by cell: G's row i at i·s, and (k − 1)·dil further in Gp.
  const int gd = (f.out - 1) * f.s + 1, ring = (f.k - 1) * f.dil, gp = gd + 2 * ring;
  std::vector<int> gd_holds(gd, -1), gp_holds(gp, -1);
  for (int i = 0; i < f.out; ++i) gd_holds[i * f.s] = i, gp_holds[ring + i * f.s] = i;
  for (int y = -3; y < gp + 3; ++y) {
    EXPECT_EQ(A.gd_output(y), y >= 0 && y < gd ? gd_holds[y] : -1) << "Gd row " << y;
    EXPECT_EQ(A.gp_output(y), y >= 0 && y < gp ? gp_holds[y] : -1) << "Gp row " << y;
  }
  // Gp ⋆ Wr computes the positions where the dilated kernel fits inside Gp: exactly up to the
  // last row some window reads; the rows past it, if any, are those the stride leaves unread.
  int fits = 0;
  while (fits + ring < gp) ++fits;
  EXPECT_EQ(A.gather_extent(), fits);
  EXPECT_EQ(A.gather_extent(), last_read + 1);
  EXPECT_LE(A.gather_extent(), f.padded);
}

TEST(ConvAxis, IndexHelpersMatchTheWindowsCountedOneByOne) {
  const std::vector<Geometry> geometries = small_geometries();
  ASSERT_GT(geometries.size(), 500u);
  int unread_inside = 0, several_taps = 0, short_gather = 0;
  for (const Geometry& g : geometries) {
    SCOPED_TRACE("input " + dims(g.h, g.w) + ", kernel " + dims(g.kh, g.kw) + ", stride " +
                 dims(g.stride_h, g.stride_w) + ", dilation " + dims(g.dil_h, g.dil_w) +
                 ", padding " + std::to_string(g.pad_top) + " " + std::to_string(g.pad_bottom) +
                 " " + std::to_string(g.pad_left) + " " + std::to_string(g.pad_right));
    check_axis(g.rows(), row_fields(g), &unread_inside, &several_taps);
    check_axis(g.cols(), col_fields(g), &unread_inside, &several_taps);
    EXPECT_EQ(g.rows().gather_extent(), g.gp_h() - g.span_h() + 1);
    EXPECT_EQ(g.cols().gather_extent(), g.gp_w() - g.span_w() + 1);
    short_gather += g.rows().gather_extent() < g.hp();
  }
  // The cases that make the helpers matter all occur above.
  EXPECT_GT(unread_inside, 0);  // rows the stride skips between windows
  EXPECT_GT(several_taps, 0);   // rows read by several taps of different windows
  EXPECT_GT(short_gather, 0);   // rows past the last window
}

}  // namespace
}  // namespace convstep
