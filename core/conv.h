// conv.h — 2-D convolution and its gradients, in every form the lessons teach.
//
// Conventions are PyTorch's: NCHW tensors, cross-correlation (the forward pass does not flip
// the kernel), stride s, padding (top, bottom, left, right), dilation `dil`, groups.
// Names follow DESIGN.md: X input, W weight, b bias, Xp padded input, Z output,
// G upstream gradient ∂L/∂Z, Gd stride-dilated G, Gp padded Gd, Wr rotated kernel,
// dXp gradient of Xp, dX = ∂L/∂X, dW = ∂L/∂W, db = ∂L/∂b.
//
//   ConvSpec spec;  spec.stride_h = spec.stride_w = 2;
//   Geometry geo = resolve(spec, X.shape, W.shape);   // throws ConvError with a readable message
//   Tensor Z  = forward(X, W, bias, geo);
//   Tensor dX = grad_input(G, W, geo, GradInputMethod::Gather);
//   Tensor dW = grad_weight(X, G, geo);
//
// Every method computes the same numbers; they exist side by side because showing that they
// agree is part of the lesson. The `Pitfall` variants reproduce the seeds' mistakes.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace convstep {

// A parameter or shape that makes the convolution impossible. The message names the culprit
// in words a student can act on, e.g. "stride must be at least 1".
struct ConvError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class PaddingMode { Explicit, Valid, Same, Full };

struct Padding {
  PaddingMode mode = PaddingMode::Explicit;
  int top = 0, bottom = 0, left = 0, right = 0;  // used when mode is Explicit
  bool operator==(const Padding&) const = default;
};

struct ConvSpec {
  int stride_h = 1, stride_w = 1;
  Padding padding;
  int dil_h = 1, dil_w = 1;
  int groups = 1;
  bool bias = false;  // whether the lesson has a bias; its values travel with the tensors
  bool operator==(const ConvSpec&) const = default;
};

// The limits on what convstep accepts (README, "Limits").
inline constexpr int kMaxDimension = 4096;
inline constexpr long long kMaxTensorValues = 8'388'608;
inline constexpr long long kMaxMultiplyAdds = 1LL << 26;
// The timeline's limits (checked by check_step_limits in core/timeline): the terms one target
// cell sums, and the steps of a phase at term granularity, padding and inserted zeros included.
inline constexpr long long kMaxTermsPerCell = 1LL << 22;
inline constexpr long long kMaxTermSteps = 1LL << 27;

// Evenly spaced indices along one axis: first + t·step for 0 ≤ t < count (ConvAxis gives step 1
// when count ≤ 1). Windows, the taps that reach a cell and the outputs they feed are lattices.
struct Lattice {
  int first = 0, count = 0, step = 1;
  int at(int t) const { return first + t * step; }
  bool operator==(const Lattice&) const = default;
};

// One spatial axis of a Geometry (geo.rows() or geo.cols()), with the index logic of the
// lessons written once for rows and columns alike. Indices y are in the padded input Xp.
//
//   const ConvAxis R = geo.rows();
//   R.input_of(i, u)      // the Xp row that tap u of window i reads: i·s + u·dil
//   R.output_of(y, u)     // the window i whose tap u reads Xp row y, or −1
//   R.reached(y)          // some window reads row y (the stride may leave rows unread)
//   R.miss(y)             // and if none does, why: the stride, the dilation's holes
//   R.gather_extent()     // the rows of dXp that Gp ⋆ Wr computes; those past it get 0
//   R.gp_output(y) >= 0   // row y of Gp holds a G value (not padding, not an inserted zero)
struct ConvAxis {
  int in;                     // X's extent
  int pad_before, pad_after;  // the padding on each side
  int k, stride, dil;         // the kernel's taps, the stride, the dilation
  int out;                    // Z's extent

  int padded() const { return in + pad_before + pad_after; }  // Xp's extent
  int span() const { return (k - 1) * dil + 1; }              // the dilated kernel's extent
  bool in_input(int y) const { return y >= pad_before && y < pad_before + in; }  // not padding

  int input_of(int i, int u) const { return i * stride + u * dil; }     // y = i·s + u·dil
  int output_of(int y, int u) const { return gd_output(y - u * dil); }  // that i, or −1
  // The Xp indices window i covers, one per tap.
  Lattice window(int i) const { return {i * stride, k, k > 1 ? dil : 1}; }
  // The Xp indices tap u covers, one per window.
  Lattice tap(int u) const { return {u * dil, out, out > 1 ? stride : 1}; }
  // The taps u that put Xp index y under some window, ascending (count 0: none does). They are
  // evenly spaced: y − u·dil must be a multiple of s within [0, (out − 1)·s].
  Lattice taps_reaching(int y) const;
  // The windows of those taps, ascending (so the last tap's window first).
  Lattice windows_reaching(int y) const;
  bool reached(int y) const { return taps_reaching(y).count > 0; }
  // Why no window reaches Xp index y. Past the last window: the next window one stride further
  // would not fit (only with a stride above 1). Between the taps of a window that the dilation
  // spreads apart, with no other window's tap on it. Between two windows: the stride is longer
  // than a window's span.
  enum class Miss { Reached, PastLastWindow, BetweenTaps, BetweenWindows };
  Miss miss(int y) const;

  // The extent of dXp that Gp ⋆ Wr computes, (out − 1)·s + span, at most padded(): a correlation
  // of Gp with the dilated kernel is gp − span + 1 long. Indices past it are read by no window.
  int gather_extent() const { return (out - 1) * stride + span(); }
  // The G index stored at index y of Gd (y = i·s), or −1 where Gd holds an inserted zero.
  int gd_output(int y) const {
    return y >= 0 && y % stride == 0 && y / stride < out ? y / stride : -1;
  }
  // The G index stored at index y of Gp (y = (k − 1)·dil + i·s), or −1 for padding and zeros.
  int gp_output(int y) const { return gd_output(y - (k - 1) * dil); }
};

// Everything about one convolution, resolved and validated: named padding turned into
// numbers, the output size computed. All the methods below take a Geometry.
struct Geometry {
  int n, c, h, w;    // input X
  int cout, kh, kw;  // weight W is [cout][c / groups][kh][kw]
  int stride_h, stride_w;
  int pad_top, pad_bottom, pad_left, pad_right;
  int dil_h, dil_w;
  int groups;
  int oh, ow;  // output Z

  int hp() const { return h + pad_top + pad_bottom; }  // padded input Xp
  int wp() const { return w + pad_left + pad_right; }
  int span_h() const { return (kh - 1) * dil_h + 1; }  // extent of the dilated kernel
  int span_w() const { return (kw - 1) * dil_w + 1; }
  int c_per_group() const { return c / groups; }
  int cout_per_group() const { return cout / groups; }
  int gd_h() const { return (oh - 1) * stride_h + 1; }  // Gd, G dilated by the stride
  int gd_w() const { return (ow - 1) * stride_w + 1; }
  int gp_h() const { return gd_h() + 2 * (kh - 1) * dil_h; }  // Gp, the padded gradient map
  int gp_w() const { return gd_w() + 2 * (kw - 1) * dil_w; }

  Shape input_shape() const { return {n, c, h, w}; }
  Shape weight_shape() const { return {cout, c / groups, kh, kw}; }
  Shape output_shape() const { return {n, cout, oh, ow}; }
  Shape padded_input_shape() const { return {n, c, hp(), wp()}; }
  Shape rotated_weight_shape() const { return {c, cout / groups, kh, kw}; }
  Shape gd_shape() const { return {n, cout, gd_h(), gd_w()}; }
  Shape gp_shape() const { return {n, cout, gp_h(), gp_w()}; }
  ConvAxis rows() const { return {h, pad_top, pad_bottom, kh, stride_h, dil_h, oh}; }
  ConvAxis cols() const { return {w, pad_left, pad_right, kw, stride_w, dil_w, ow}; }
  long long multiply_adds() const { return 1LL * n * cout * oh * ow * (c / groups) * kh * kw; }
};

// Validates the spec against the shapes and computes the geometry. Throws ConvError.
Geometry resolve(const ConvSpec& spec, const Shape& input, const Shape& weight);

// ---- The tensors the gather method builds, exposed for the timeline and the stage. ----
Tensor pad_input(const Tensor& X, const Geometry& geo);         // Xp
Tensor dilate_by_stride(const Tensor& G, const Geometry& geo);  // Gd: s−1 zeros between cells
Tensor pad_gradient(const Tensor& Gd, const Geometry& geo);     // Gp: (k−1)·dil zeros around
// Wr[c][o'][u][v] = W[group(c)·Cout/groups + o'][c − group start][kh−1−u][kw−1−v]:
// rotated by 180° and, within each group, in/out channel axes swapped.
Tensor rotate_weight(const Tensor& W, const Geometry& geo);
Tensor crop_padding(const Tensor& dXp, const Geometry& geo);  // dXp → dX

// ---- Forward ----
enum class ForwardMethod { Direct, Im2col };
// bias is empty (no bias) or has geo.cout values.
Tensor forward(const Tensor& X, const Tensor& W, const std::vector<double>& bias,
               const Geometry& geo, ForwardMethod method = ForwardMethod::Im2col);

// ---- ∂L/∂X ----
enum class GradInputMethod {
  Direct,   // dX[n,c,y,x] = Σ G·W over every (o, i, j, u, v) whose window puts W[u,v] on (y,x)
  Gather,   // dXp = Gp ⋆ Wr (same dilation), short edge rows zero-filled, then cropped
  Scatter,  // transposed convolution: each G cell adds g·W into the window it came from
  Im2col,   // Wᵀ·G per group (GEMM), then col2im
};
Tensor grad_input(const Tensor& G, const Tensor& W, const Geometry& geo,
                  GradInputMethod method = GradInputMethod::Im2col);

// The gradient of the padded input before the crop, by gathering (Gp ⋆ Wr).
Tensor grad_padded_input_gather(const Tensor& G, const Tensor& W, const Geometry& geo);

// ---- ∂L/∂W and ∂L/∂b ----
enum class GradWeightMethod {
  Direct,  // dW[o,c,u,v] = Σ_{n,i,j} Xp[n, g·C/groups + c, i·s + u·dil, j·s + v·dil]·G[n,o,i,j]
  Im2col,  // G·colsᵀ per group (GEMM), summed over the batch
};
Tensor grad_weight(const Tensor& X, const Tensor& G, const Geometry& geo,
                   GradWeightMethod method = GradWeightMethod::Im2col);
std::vector<double> grad_bias(const Tensor& G);  // db[o] = Σ_{n,h,w} G[n,o,h,w]

// ---- The matrix view ----
// cols, as the im2col method builds it: for sample n and group g, slice (n, g) is a
// [c/groups·kh·kw] × [oh·ow] matrix, one row per kernel tap (c', u, v) and one column per
// window (i, j) holding the Xp cells that window reads. Z = W·cols per group.
Tensor im2col_matrix(const Tensor& X, const Geometry& geo);
// T(W), the convolution as a matrix acting on X itself (not Xp): [cout·oh·ow] × [c·h·w], row
// o·oh·ow + i·ow + j, column c·h·w + y·w + x. Row (o, i, j) holds W[o]'s taps at the inputs
// window (i, j) puts them on; everything else (other inputs, the padding, other groups) is 0.
// So vec(Z[n]) = T(W)·vec(X[n]) + b, and vec(dX[n]) = T(W)ᵀ·vec(G[n]).
Tensor toeplitz_matrix(const Tensor& W, const Geometry& geo);

// The largest T(W) the matrix view draws, in rows and in columns: beyond it its cells are too
// small to read on a classroom screen (README, "The matrix view").
inline constexpr int kMatrixViewMaxSide = 32;
// Why the matrix view cannot show this lesson, in one sentence that says what would work; ""
// when it can.
std::string matrix_view_refusal(const Geometry& geo);

// ---- All results of a lesson, computed with the fast path ----
struct Results {
  Tensor Z, dX, dW;
  std::vector<double> db;
};
// G may be empty (shape count 0), meaning all ones: L = ΣZ.
Results compute(const Tensor& X, const Tensor& W, const std::vector<double>& bias, const Tensor& G,
                const Geometry& geo);
Tensor ones_like_output(const Geometry& geo);

// ---- The seeds' mistakes, as named wrong variants ----
enum class Pitfall {
  // SciPy's convolve2d_gradient (seed 004): the exact gradients of a *true* convolution
  // (kernel flipped in the forward pass) applied to PyTorch's cross-correlation.
  // dW comes out rotated by 180°; dX is the gradient for the rotated kernel.
  ConvolutionConvention,
  NoRotation,         // gathering dX with W instead of the rotated Wr
  OutputAsGradient,   // Z fed back in place of G = ∂L/∂Z (seed 004's conv2d_transpose(y, …))
  NoGradientPadding,  // gathering over Gd without the (k−1)·dil padding: smaller than X
  // Seed 004's "4 ways" cell: x.grad (dX) fed back as d_out in place of G, then gathered again.
  // Possible only where dX has G's shape (the same channels, rows and columns as Z).
  InputGradientAsGradient,
};
inline constexpr Pitfall kAllPitfalls[] = {Pitfall::ConvolutionConvention, Pitfall::NoRotation,
                                           Pitfall::OutputAsGradient, Pitfall::NoGradientPadding,
                                           Pitfall::InputGradientAsGradient};

const char* pitfall_name(Pitfall p);   // the command line's: "convolution_convention", ...
const char* pitfall_title(Pitfall p);  // what a student reads: "Forgot to rotate the kernel"
struct PitfallResult;
struct Loss;
// Why the variant differs from the right answer, in words true of this lesson: where G comes
// from (`loss`: derived from that loss, all ones for L = ΣZ; nullptr: the lesson gives G),
// whether the result comes out empty, whether the mistake can happen at all. Given the right dX
// and the mistake's, it also names a cell that differs.
std::string pitfall_explanation(Pitfall p, const Geometry& geo, const Loss* loss,
                                const Tensor* right_dX = nullptr,
                                const PitfallResult* wrong = nullptr);
// Whether dX has the shape G must have, so that it can be fed back in G's place.
bool input_gradient_fits_upstream(const Geometry& geo);
// The size of dX gathered without padding the gradient map: 0 in an axis where the kernel is
// larger than Gd and fits nowhere.
std::pair<int, int> unpadded_gather_size(const Geometry& geo);

struct PitfallResult {
  Tensor dX;  // empty shape when the pitfall does not touch dX
  // The mistake's dXp before the crop, which the dX gather phase fills beside the right one.
  // Empty when the pitfall does not touch dX, and without padding the gradient map (there the
  // gather's result is the mistake's dX itself: nothing is cropped).
  Tensor dXp;
  Tensor dW;  // empty shape when the pitfall does not touch dW
  // Why the mistake cannot happen in this lesson, said in place of the wrong dX (then 0×0).
  std::string cannot_happen;
};
PitfallResult compute_pitfall(Pitfall p, const Tensor& X, const Tensor& W,
                              const std::vector<double>& bias, const Tensor& G,
                              const Geometry& geo);

}  // namespace convstep
