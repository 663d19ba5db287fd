#include "core/conv.h"

#include <sched.h>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "core/format.h"
#include "core/loss.h"

namespace convstep {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void require_at_least_one(int value, const char* what) {
  if (value < 1)
    throw ConvError(std::string(what) + " must be at least 1, got " + std::to_string(value));
}

// TensorFlow's "same": the output is ceil(in/s); the total padding is split with the
// smaller half on the top/left side.
std::pair<int, int> same_padding(int in, int k, int stride, int dil) {
  const int out = (in + stride - 1) / stride;
  const int total = std::max((out - 1) * stride + (k - 1) * dil + 1 - in, 0);
  return {total / 2, total - total / 2};
}

}  // namespace

Geometry resolve(const ConvSpec& spec, const Shape& input, const Shape& weight) {
  require_at_least_one(spec.stride_h, "stride");
  require_at_least_one(spec.stride_w, "stride");
  require_at_least_one(spec.dil_h, "dilation");
  require_at_least_one(spec.dil_w, "dilation");
  require_at_least_one(spec.groups, "groups");
  const Padding& p = spec.padding;
  if (p.mode == PaddingMode::Explicit && std::min({p.top, p.bottom, p.left, p.right}) < 0)
    throw ConvError("padding must not be negative, got " +
                    std::to_string(std::min({p.top, p.bottom, p.left, p.right})));
  for (int v : {spec.stride_h, spec.stride_w, spec.dil_h, spec.dil_w, spec.groups, p.top, p.bottom,
                p.left, p.right})
    if (v > kMaxDimension)
      throw ConvError("stride, padding, dilation and groups must be at most " +
                      std::to_string(kMaxDimension) + ", got " + std::to_string(v));
  if (input.count() <= 0) throw ConvError("input is empty");
  if (weight.count() <= 0) throw ConvError("weight is empty");

  Geometry g{};
  g.n = input.n, g.c = input.c, g.h = input.h, g.w = input.w;
  g.cout = weight.n, g.kh = weight.h, g.kw = weight.w;
  g.stride_h = spec.stride_h, g.stride_w = spec.stride_w;
  g.dil_h = spec.dil_h, g.dil_w = spec.dil_w;
  g.groups = spec.groups;

  if (g.c % g.groups != 0)
    throw ConvError("input has " + plural(g.c, "channel") +
                    ", not divisible by groups = " + std::to_string(g.groups));
  if (g.cout % g.groups != 0)
    throw ConvError("weight has " + plural(g.cout, "output channel") +
                    ", not divisible by groups = " + std::to_string(g.groups));
  if (weight.c != g.c / g.groups)
    throw ConvError("weight has " + plural(weight.c, "input channel") +
                    " per group, but input has " + plural(g.c, "channel") +
                    " and groups = " + std::to_string(g.groups) + ", so it needs " +
                    std::to_string(g.c / g.groups) + " (weight is [Cout][C/groups][kH][kW])");

  switch (p.mode) {
    case PaddingMode::Explicit:
      g.pad_top = p.top, g.pad_bottom = p.bottom, g.pad_left = p.left, g.pad_right = p.right;
      break;
    case PaddingMode::Valid:
      g.pad_top = g.pad_bottom = g.pad_left = g.pad_right = 0;
      break;
    case PaddingMode::Full:
      g.pad_top = g.pad_bottom = (g.kh - 1) * g.dil_h;
      g.pad_left = g.pad_right = (g.kw - 1) * g.dil_w;
      break;
    case PaddingMode::Same:
      std::tie(g.pad_top, g.pad_bottom) = same_padding(g.h, g.kh, g.stride_h, g.dil_h);
      std::tie(g.pad_left, g.pad_right) = same_padding(g.w, g.kw, g.stride_w, g.dil_w);
      break;
  }

  // 64-bit arithmetic: dilation × kernel may exceed int for absurd inputs.
  const long long span_h = 1LL * (g.kh - 1) * g.dil_h + 1, span_w = 1LL * (g.kw - 1) * g.dil_w + 1;
  const long long hp = 1LL * g.h + g.pad_top + g.pad_bottom;
  const long long wp = 1LL * g.w + g.pad_left + g.pad_right;
  if (span_h > hp || span_w > wp) {
    const std::string dilation =
        g.dil_h == g.dil_w ? std::to_string(g.dil_h) : dims(g.dil_h, g.dil_w);
    throw ConvError("kernel " + dims(g.kh, g.kw) + " with dilation " + dilation + " spans " +
                    dims(span_h, span_w) + " and does not fit the padded input " + dims(hp, wp));
  }
  g.oh = static_cast<int>((hp - span_h) / g.stride_h + 1);
  g.ow = static_cast<int>((wp - span_w) / g.stride_w + 1);

  for (long long extent : {hp, wp, span_h, span_w})
    if (extent > 4LL * kMaxDimension)
      throw ConvError("the padded input or the dilated kernel spans " + std::to_string(extent) +
                      " cells, more than the limit of " + std::to_string(4 * kMaxDimension));
  // Named, so that the student knows which setting to change: the padding makes Xp, the
  // output and the kernel make Gp.
  const std::pair<const char*, Shape> grids[] = {{"the padded input Xp ", g.padded_input_shape()},
                                                 {"the padded gradient map Gp ", g.gp_shape()}};
  for (const auto& [name, s] : grids)
    if (s.count() > kMaxTensorValues)
      throw ConvError(name + s.str() + " would hold " + std::to_string(s.count()) +
                      " values, more than the limit of " + std::to_string(kMaxTensorValues) +
                      ", which keeps convstep within 2 GB of memory");
  // Checked after the tensors, which bound n·cout·oh·ow: the product then fits 64 bits.
  if (g.multiply_adds() > kMaxMultiplyAdds)
    throw ConvError("this lesson needs " + std::to_string(g.multiply_adds()) +
                    " multiply-adds, more than the limit of " + std::to_string(kMaxMultiplyAdds) +
                    ": every method must compute it in a few seconds");
  return g;
}

// ---------------------------------------------------------------------------------------------
// One axis's index logic

Lattice ConvAxis::taps_reaching(int y) const {
  Lattice taps;
  for (int u = 0; u < k; ++u) {
    if (output_of(y, u) < 0) continue;
    if (taps.count == 1) taps.step = u - taps.first;
    if (taps.count++ == 0) taps.first = u;
  }
  return taps;
}

Lattice ConvAxis::windows_reaching(int y) const {
  const Lattice taps = taps_reaching(y);
  if (taps.count == 0) return {};
  // Consecutive taps are step·dil apart in Xp, so their windows are step·dil / s apart.
  const int last_tap = taps.at(taps.count - 1);
  return {output_of(y, last_tap), taps.count, taps.count > 1 ? taps.step * dil / stride : 1};
}

ConvAxis::Miss ConvAxis::miss(int y) const {
  if (reached(y)) return Miss::Reached;
  if (y >= gather_extent()) return Miss::PastLastWindow;
  // The last window starting at or before y is the only one that could cover it: the windows
  // before it end earlier.
  const int last_start = std::min(out - 1, y / stride) * stride;
  return y - last_start < span() ? Miss::BetweenTaps : Miss::BetweenWindows;
}

// ---------------------------------------------------------------------------------------------
// The building blocks of the gather method.

Tensor pad_input(const Tensor& X, const Geometry& geo) {
  Tensor Xp(geo.padded_input_shape());
  for (int n = 0; n < geo.n; ++n)
    for (int c = 0; c < geo.c; ++c)
      for (int y = 0; y < geo.h; ++y)
        for (int x = 0; x < geo.w; ++x) Xp(n, c, y + geo.pad_top, x + geo.pad_left) = X(n, c, y, x);
  return Xp;
}

Tensor dilate_by_stride(const Tensor& G, const Geometry& geo) {
  Tensor Gd(geo.gd_shape());
  for (int n = 0; n < geo.n; ++n)
    for (int o = 0; o < geo.cout; ++o)
      for (int i = 0; i < geo.oh; ++i)
        for (int j = 0; j < geo.ow; ++j)
          Gd(n, o, i * geo.stride_h, j * geo.stride_w) = G(n, o, i, j);
  return Gd;
}

Tensor pad_gradient(const Tensor& Gd, const Geometry& geo) {
  Tensor Gp(geo.gp_shape());
  const int top = (geo.kh - 1) * geo.dil_h, left = (geo.kw - 1) * geo.dil_w;
  for (int n = 0; n < geo.n; ++n)
    for (int o = 0; o < geo.cout; ++o)
      for (int y = 0; y < geo.gd_h(); ++y)
        for (int x = 0; x < geo.gd_w(); ++x) Gp(n, o, y + top, x + left) = Gd(n, o, y, x);
  return Gp;
}

Tensor rotate_weight(const Tensor& W, const Geometry& geo) {
  Tensor Wr(geo.rotated_weight_shape());
  const int cg = geo.c_per_group(), og = geo.cout_per_group();
  for (int c = 0; c < geo.c; ++c) {
    const int group = c / cg;
    for (int o = 0; o < og; ++o)
      for (int u = 0; u < geo.kh; ++u)
        for (int v = 0; v < geo.kw; ++v)
          Wr(c, o, u, v) = W(group * og + o, c - group * cg, geo.kh - 1 - u, geo.kw - 1 - v);
  }
  return Wr;
}

Tensor crop_padding(const Tensor& dXp, const Geometry& geo) {
  Tensor dX(geo.input_shape());
  for (int n = 0; n < geo.n; ++n)
    for (int c = 0; c < geo.c; ++c)
      for (int y = 0; y < geo.h; ++y)
        for (int x = 0; x < geo.w; ++x)
          dX(n, c, y, x) = dXp(n, c, y + geo.pad_top, x + geo.pad_left);
  return dX;
}

// ---------------------------------------------------------------------------------------------
// im2col: for sample n and group g, cols is a row-major matrix with one row per
// (c', u, v) of the group's kernel and one column per output cell (i, j). The whole matrix
// would hold kH·kW times the input, so it is built in chunks of output cells, each at most
// kChunkBytes (one column at least): small enough to stay in a core's L2 cache while the
// GEMM reads it, and many enough that both cores get work.
//
// The chunks are fixed by the geometry alone, never by the number of threads, and each output
// value is summed by one chunk in one order: the results are the same on any machine's cores.

namespace {

constexpr long long kChunkBytes = 256LL << 10;
// Below this many multiply-adds a job runs on the calling thread: starting a thread costs
// tens of microseconds, more than the whole job.
constexpr long long kParallelWork = 1LL << 18;

// The cores this process may run on: `taskset -c 0 convstep ...` runs the core on one.
int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Runs task(t) for 0 ≤ t < count, on every core when `work` multiply-adds are worth it. The
// tasks must write disjoint data. The first exception a task throws is rethrown here.
template <typename F>
void parallel_for(long long count, long long work, F task) {
  const long long threads = work < kParallelWork ? 1 : std::min<long long>(usable_cores(), count);
  if (threads <= 1) {
    for (long long t = 0; t < count; ++t) task(t);
    return;
  }
  std::atomic<long long> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    try {
      for (long long t; (t = next++) < count;) task(t);
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = count;  // the others stop after their current task
    }
  };
  {
    std::vector<std::jthread> helpers;
    try {
      for (long long i = 1; i < threads; ++i) helpers.emplace_back(worker);
    } catch (const std::exception&) {  // std::system_error, std::bad_alloc
      // No thread to be had (a process limit, too little memory): fewer cores do the work.
    }
    worker();
  }  // joins the helpers
  if (error) std::rethrow_exception(error);
}

// The chunks of output cells (row-major i·ow + j) of one (sample, group): how many cells each
// holds and how many chunks there are.
struct Chunks {
  long long cells_per_chunk, count;
  explicit Chunks(const Geometry& geo) {
    const long long rows = 1LL * geo.c_per_group() * geo.kh * geo.kw;
    const long long cells = 1LL * geo.oh * geo.ow;
    cells_per_chunk = std::max(1LL, kChunkBytes / (rows * static_cast<long long>(sizeof(double))));
    count = (cells + cells_per_chunk - 1) / cells_per_chunk;
  }
  long long first(long long chunk) const { return chunk * cells_per_chunk; }
  long long size(long long chunk, const Geometry& geo) const {
    return std::min(cells_per_chunk, 1LL * geo.oh * geo.ow - first(chunk));
  }
};

// Calls fn(n, group, first, count) for every chunk of every (sample, group), in parallel.
template <typename F>
void for_each_chunk(const Geometry& geo, F fn) {
  const Chunks chunks(geo);
  parallel_for(1LL * geo.n * geo.groups * chunks.count, geo.multiply_adds(), [&](long long t) {
    const long long chunk = t % chunks.count, ng = t / chunks.count;
    fn(static_cast<int>(ng / geo.groups), static_cast<int>(ng % geo.groups), chunks.first(chunk),
       chunks.size(chunk, geo));
  });
}

// A grid read as if padded: cell (y, x) of the padded grid is src(n, c, y − top, x − left), and
// 0 outside src. im2col reads X as Xp (and G as Gp) this way without building them: at
// 128×128 each is megabytes of fresh memory, which costs more than the copying.
struct Padded {
  const Tensor& src;
  int top = 0, left = 0;
};

// The columns of output cells first .. first + count − 1.
RowMatrix im2col(const Padded& Xp, const Geometry& geo, int n, int group, long long first,
                 long long count) {
  const int cg = geo.c_per_group(), s = geo.stride_w, width = Xp.src.shape.w;
  const ConvAxis R = geo.rows(), C = geo.cols();
  RowMatrix cols(cg * geo.kh * geo.kw, count);
  for (int c = 0; c < cg; ++c)
    for (int u = 0; u < geo.kh; ++u)
      for (int v = 0; v < geo.kw; ++v) {
        double* row = cols.row((c * geo.kh + u) * geo.kw + v).data();
        // Output column j reads source column x0 + j·s, inside src for j_lo ≤ j < j_hi.
        const int x0 = C.input_of(0, v) - Xp.left;
        const int j_lo = x0 >= 0 ? 0 : (-x0 + s - 1) / s;
        const int j_hi = std::max(j_lo, x0 < width ? (width - x0 + s - 1) / s : 0);
        int i = static_cast<int>(first / geo.ow), j = static_cast<int>(first % geo.ow);
        for (long long k = 0; k < count; k += geo.ow - j, j = 0, ++i) {
          // The rest of output row i, in one run.
          const int end = static_cast<int>(std::min<long long>(geo.ow, j + count - k));
          double* out = row + k - j;  // out[j] is output column j's entry
          const int y = R.input_of(i, u) - Xp.top;
          if (y < 0 || y >= Xp.src.shape.h) {
            std::fill(out + j, out + end, 0.0);
            continue;
          }
          const double* in = &Xp.src.values[Xp.src.offset(n, group * cg + c, y, 0)] + x0;
          const int lo = std::clamp(j_lo, j, end), hi = std::clamp(j_hi, lo, end);
          std::fill(out + j, out + lo, 0.0);
          if (s == 1)
            std::copy(in + lo, in + hi, out + lo);  // the common case, as one memcpy
          else
            for (int t = lo; t < hi; ++t) out[t] = in[t * s];
          std::fill(out + hi, out + end, 0.0);
        }
      }
  return cols;
}

// The group's slice of W as a row-major [cout/groups] × [c/groups·kh·kw] matrix.
Eigen::Map<const RowMatrix> weight_matrix(const Tensor& W, const Geometry& geo, int group) {
  const int og = geo.cout_per_group(), k = geo.c_per_group() * geo.kh * geo.kw;
  return {W.values.data() + static_cast<std::size_t>(group) * og * k, og, k};
}

// The (sample, group) slice of an output-shaped tensor as a [cout/groups] × [oh·ow] matrix.
template <typename T>
auto output_matrix(T& Z, const Geometry& geo, int n, int group) {
  using M = std::conditional_t<std::is_const_v<T>, const RowMatrix, RowMatrix>;
  const int og = geo.cout_per_group();
  return Eigen::Map<M>(Z.values.data() + Z.offset(n, group * og, 0, 0), og, geo.oh * geo.ow);
}

// The products of the im2col method over each chunk of columns: out = K·cols when `out` is
// given, dW = Σ G·colsᵀ when `dW` is given. Building the columns costs about as much as one
// product, so compute() builds them once for both.
//
// out[n][o][i][j] = Σ_{c,u,v} Xp[n][g·cg + c][i·s + u·dil][j·s + v·dil] · K[o][c][u][v] for the
// geometry's output cells (i < oh, j < ow). `out` may be larger than oh × ow (the gather's
// dXp): the cells past that are left alone.
//
// dW: each chunk sums its own cells' terms; the partial sums are then added in chunk order
// (samples, then cells), the same order whichever core computed each.
void im2col_products(const Padded& Xp, const Geometry& geo, const Tensor& K, Tensor* out,
                     const Tensor& G, Tensor* dW) {
  const int og = geo.cout_per_group(), k = geo.c_per_group() * geo.kh * geo.kw;
  const Chunks chunks(geo);
  std::vector<RowMatrix> partial(dW ? static_cast<std::size_t>(geo.n * geo.groups * chunks.count)
                                    : 0);
  for_each_chunk(geo, [&](int n, int g, long long first, long long count) {
    const RowMatrix cols = im2col(Xp, geo, n, g, first, count);
    if (out && out->shape.h == geo.oh && out->shape.w == geo.ow) {
      // The chunk's cells are consecutive in each output channel: the product lands in place.
      output_matrix(*out, geo, n, g).middleCols(first, count).noalias() =
          weight_matrix(K, geo, g) * cols;
    } else if (out) {
      const RowMatrix part = weight_matrix(K, geo, g) * cols;
      for (int o = 0; o < og; ++o) {
        int i = static_cast<int>(first / geo.ow), j = static_cast<int>(first % geo.ow);
        for (long long t = 0; t < count; ++t) {
          (*out)(n, g * og + o, i, j) = part(o, t);
          if (++j == geo.ow) j = 0, ++i;
        }
      }
    }
    if (dW) {
      const long long chunk = first / chunks.cells_per_chunk;
      partial[static_cast<std::size_t>((1LL * g * geo.n + n) * chunks.count + chunk)].noalias() =
          output_matrix(G, geo, n, g).middleCols(first, count) * cols.transpose();
    }
  });
  if (dW)
    for (int g = 0; g < geo.groups; ++g) {
      Eigen::Map<RowMatrix> dW_g(dW->values.data() + static_cast<std::size_t>(g) * og * k, og, k);
      for (long long t = 0; t < geo.n * chunks.count; ++t)
        dW_g += partial[static_cast<std::size_t>(g * geo.n * chunks.count + t)];
    }
}

}  // namespace

std::string matrix_view_refusal(const Geometry& geo) {
  if (geo.groups > 1)
    return "The matrix view shows lessons with one group: with " + std::to_string(geo.groups) +
           " groups T(W) splits into " + std::to_string(geo.groups) +
           " separate blocks, one small convolution each. Set groups to 1 to see it.";
  const long long rows = 1LL * geo.cout * geo.oh * geo.ow, cols = 1LL * geo.c * geo.h * geo.w;
  if (rows <= kMatrixViewMaxSide && cols <= kMatrixViewMaxSide) return "";
  const std::string max = std::to_string(kMatrixViewMaxSide);
  return "The matrix view needs T(W), one row per output value and one column per input value, "
         "to be at most " +
         max + "×" + max + " to stay readable, and here it would be " + std::to_string(rows) + "×" +
         std::to_string(cols) +
         ". A 5×5 input with one channel, one 3×3 kernel and a padding of at most 1 fits.";
}

Tensor im2col_matrix(const Tensor& X, const Geometry& geo) {
  const int rows = geo.c_per_group() * geo.kh * geo.kw, cells = geo.oh * geo.ow;
  Tensor cols(Shape{geo.n, geo.groups, rows, cells});
  for (int n = 0; n < geo.n; ++n)
    for (int g = 0; g < geo.groups; ++g) {
      const RowMatrix m = im2col({X, geo.pad_top, geo.pad_left}, geo, n, g, 0, cells);
      std::copy(m.data(), m.data() + m.size(), &cols.values[cols.offset(n, g, 0, 0)]);
    }
  return cols;
}

Tensor toeplitz_matrix(const Tensor& W, const Geometry& geo) {
  const int cg = geo.c_per_group(), og = geo.cout_per_group();
  const ConvAxis R = geo.rows(), C = geo.cols();
  Tensor T(Shape{1, 1, geo.cout * geo.oh * geo.ow, geo.c * geo.h * geo.w});
  for (int o = 0; o < geo.cout; ++o)
    for (int i = 0; i < geo.oh; ++i)
      for (int j = 0; j < geo.ow; ++j)
        for (int c = 0; c < cg; ++c)
          for (int u = 0; u < geo.kh; ++u)
            for (int v = 0; v < geo.kw; ++v) {
              const int y = R.input_of(i, u), x = C.input_of(j, v);
              if (!R.in_input(y) || !C.in_input(x)) continue;  // a padding zero: no input
              const int ci = o / og * cg + c;
              T(0, 0, (o * geo.oh + i) * geo.ow + j,
                (ci * geo.h + y - geo.pad_top) * geo.w + x - geo.pad_left) += W(o, c, u, v);
            }
  return T;
}

namespace {

void correlate(const Padded& Xp, const Tensor& K, const Geometry& geo, Tensor& out) {
  im2col_products(Xp, geo, K, &out, Tensor{}, nullptr);
}

void add_bias(Tensor& Z, const std::vector<double>& bias, const Geometry& geo) {
  if (!bias.empty())
    for (int n = 0; n < geo.n; ++n)
      for (int o = 0; o < geo.cout; ++o)
        for (int i = 0; i < geo.oh; ++i)
          for (int j = 0; j < geo.ow; ++j) Z(n, o, i, j) += bias[o];
}

// The correlation grad_padded_input_gather computes, written as a convolution geometry: Gp
// (Cout channels, no further padding) correlated with Wr (C output channels) at stride 1 and
// the kernel's dilation, over the `out_h` × `out_w` cells that it reaches.
Geometry gather_geometry(const Geometry& geo, const Shape& map, int out_h, int out_w) {
  Geometry g = geo;
  g.c = map.c, g.h = map.h, g.w = map.w;
  g.cout = geo.c;
  g.stride_h = g.stride_w = 1;
  g.pad_top = g.pad_bottom = g.pad_left = g.pad_right = 0;
  g.oh = std::min(out_h, map.h - geo.span_h() + 1);
  g.ow = std::min(out_w, map.w - geo.span_w() + 1);
  return g;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Forward

Tensor forward(const Tensor& X, const Tensor& W, const std::vector<double>& bias,
               const Geometry& geo, ForwardMethod method) {
  Tensor Z(geo.output_shape());
  const int cg = geo.c_per_group(), og = geo.cout_per_group();
  if (method == ForwardMethod::Im2col) {
    correlate({X, geo.pad_top, geo.pad_left}, W, geo, Z);
  } else {
    const Tensor Xp = pad_input(X, geo);
    const ConvAxis rows = geo.rows(), cols = geo.cols();
    for (int n = 0; n < geo.n; ++n)
      for (int o = 0; o < geo.cout; ++o) {
        const int group = o / og;
        for (int i = 0; i < geo.oh; ++i)
          for (int j = 0; j < geo.ow; ++j) {
            double sum = 0;
            for (int c = 0; c < cg; ++c)
              for (int u = 0; u < geo.kh; ++u)
                for (int v = 0; v < geo.kw; ++v)
                  sum += Xp(n, group * cg + c, rows.input_of(i, u), cols.input_of(j, v)) *
                         W(o, c, u, v);
            Z(n, o, i, j) = sum;
          }
      }
  }
  add_bias(Z, bias, geo);
  return Z;
}

// ---------------------------------------------------------------------------------------------
// ∂L/∂X

namespace {

Tensor grad_input_direct(const Tensor& G, const Tensor& W, const Geometry& geo) {
  Tensor dX(geo.input_shape());
  const int cg = geo.c_per_group(), og = geo.cout_per_group();
  const ConvAxis rows = geo.rows(), cols = geo.cols();
  for (int n = 0; n < geo.n; ++n)
    for (int c = 0; c < geo.c; ++c) {
      const int group = c / cg;
      for (int y = 0; y < geo.h; ++y)
        for (int x = 0; x < geo.w; ++x) {
          // W[u, v] of window (i, j) lands on Xp row i·s + u·dil = y + pad_top.
          double sum = 0;
          for (int o = group * og; o < (group + 1) * og; ++o)
            for (int u = 0; u < geo.kh; ++u) {
              const int i = rows.output_of(y + geo.pad_top, u);
              if (i < 0) continue;
              for (int v = 0; v < geo.kw; ++v) {
                const int j = cols.output_of(x + geo.pad_left, v);
                if (j >= 0) sum += G(n, o, i, j) * W(o, c - group * cg, u, v);
              }
            }
          dX(n, c, y, x) = sum;
        }
    }
  return dX;
}

// Correlates each sample of `map` (Cout channels) with `kernel` laid out like Wr
// ([C][Cout/groups][kh][kw]) using the kernel's dilation, into a tensor of `out_h` × `out_w`.
// Rows and columns past the correlation's valid extent stay 0. Each value sums its terms in
// the order (o, u, v), as the gather's equations list them.
Tensor correlate_gradient(const Tensor& map, const Tensor& kernel, const Geometry& geo, int out_h,
                          int out_w) {
  Tensor out(Shape{geo.n, geo.c, out_h, out_w});
  const Geometry gather = gather_geometry(geo, map.shape, out_h, out_w);
  if (gather.oh > 0 && gather.ow > 0) correlate({map}, kernel, gather, out);
  return out;
}

Tensor grad_padded_input_scatter(const Tensor& G, const Tensor& W, const Geometry& geo) {
  Tensor dXp(geo.padded_input_shape());
  const int cg = geo.c_per_group(), og = geo.cout_per_group();
  const ConvAxis rows = geo.rows(), cols = geo.cols();
  for (int n = 0; n < geo.n; ++n)
    for (int o = 0; o < geo.cout; ++o) {
      const int group = o / og;
      for (int i = 0; i < geo.oh; ++i)
        for (int j = 0; j < geo.ow; ++j) {
          const double g = G(n, o, i, j);
          for (int c = 0; c < cg; ++c)
            for (int u = 0; u < geo.kh; ++u)
              for (int v = 0; v < geo.kw; ++v)
                dXp(n, group * cg + c, rows.input_of(i, u), cols.input_of(j, v)) +=
                    g * W(o, c, u, v);
        }
    }
  return dXp;
}

// col2im adds overlapping windows onto the same cells, so the chunks of one (sample, group) run
// in order on one thread; the (sample, group) pairs write disjoint channels and run in parallel.
Tensor grad_padded_input_im2col(const Tensor& G, const Tensor& W, const Geometry& geo) {
  Tensor dXp(geo.padded_input_shape());
  const int cg = geo.c_per_group();
  const ConvAxis rows = geo.rows(), cols = geo.cols();
  const Chunks chunks(geo);
  parallel_for(1LL * geo.n * geo.groups, geo.multiply_adds(), [&](long long ng) {
    const int n = static_cast<int>(ng / geo.groups), g = static_cast<int>(ng % geo.groups);
    for (long long chunk = 0; chunk < chunks.count; ++chunk) {
      const long long first = chunks.first(chunk), count = chunks.size(chunk, geo);
      {
        const RowMatrix dcols = weight_matrix(W, geo, g).transpose() *
                                output_matrix(G, geo, n, g).middleCols(first, count);
        // col2im: add each column entry back onto the Xp cell it was read from.
        for (int c = 0; c < cg; ++c)
          for (int u = 0; u < geo.kh; ++u)
            for (int v = 0; v < geo.kw; ++v) {
              const double* row = dcols.row((c * geo.kh + u) * geo.kw + v).data();
              int i = static_cast<int>(first / geo.ow), j = static_cast<int>(first % geo.ow);
              for (long long k = 0; k < count; ++k) {
                dXp(n, g * cg + c, rows.input_of(i, u), cols.input_of(j, v)) += row[k];
                if (++j == geo.ow) j = 0, ++i;
              }
            }
      }
    }
  });
  return dXp;
}

}  // namespace

Tensor grad_padded_input_gather(const Tensor& G, const Tensor& W, const Geometry& geo) {
  // Gp in one pass: Gd is never held (at 128×128 each of these grids is megabytes).
  Tensor Gp(geo.gp_shape());
  const int top = (geo.kh - 1) * geo.dil_h, left = (geo.kw - 1) * geo.dil_w;
  for (int n = 0; n < geo.n; ++n)
    for (int o = 0; o < geo.cout; ++o)
      for (int i = 0; i < geo.oh; ++i)
        for (int j = 0; j < geo.ow; ++j)
          Gp(n, o, top + i * geo.stride_h, left + j * geo.stride_w) = G(n, o, i, j);
  return correlate_gradient(Gp, rotate_weight(W, geo), geo, geo.hp(), geo.wp());
}

Tensor grad_input(const Tensor& G, const Tensor& W, const Geometry& geo, GradInputMethod method) {
  switch (method) {
    case GradInputMethod::Direct:
      return grad_input_direct(G, W, geo);
    case GradInputMethod::Gather:
      return crop_padding(grad_padded_input_gather(G, W, geo), geo);
    case GradInputMethod::Scatter:
      return crop_padding(grad_padded_input_scatter(G, W, geo), geo);
    case GradInputMethod::Im2col:
      break;
  }
  return crop_padding(grad_padded_input_im2col(G, W, geo), geo);
}

// ---------------------------------------------------------------------------------------------
// ∂L/∂W and ∂L/∂b

Tensor grad_weight(const Tensor& X, const Tensor& G, const Geometry& geo, GradWeightMethod method) {
  Tensor dW(geo.weight_shape());
  const int cg = geo.c_per_group(), og = geo.cout_per_group();
  if (method == GradWeightMethod::Im2col) {
    im2col_products({X, geo.pad_top, geo.pad_left}, geo, Tensor{}, nullptr, G, &dW);
    return dW;
  }
  const Tensor Xp = pad_input(X, geo);
  const ConvAxis rows = geo.rows(), cols = geo.cols();
  for (int o = 0; o < geo.cout; ++o) {
    const int group = o / og;
    for (int c = 0; c < cg; ++c)
      for (int u = 0; u < geo.kh; ++u)
        for (int v = 0; v < geo.kw; ++v) {
          double sum = 0;
          for (int n = 0; n < geo.n; ++n)
            for (int i = 0; i < geo.oh; ++i)
              for (int j = 0; j < geo.ow; ++j)
                sum +=
                    Xp(n, group * cg + c, rows.input_of(i, u), cols.input_of(j, v)) * G(n, o, i, j);
          dW(o, c, u, v) = sum;
        }
  }
  return dW;
}

std::vector<double> grad_bias(const Tensor& G) {
  std::vector<double> db(G.shape.c, 0.0);
  // One output channel per task: each db[o] is summed on one thread, samples then cells.
  parallel_for(G.shape.c, G.shape.count(), [&](long long o) {
    const int c = static_cast<int>(o);
    double sum = 0;  // not db[o]: neighbours written by another core share its cache line
    for (int n = 0; n < G.shape.n; ++n)
      for (int i = 0; i < G.shape.h; ++i)
        for (int j = 0; j < G.shape.w; ++j) sum += G(n, c, i, j);
    db[static_cast<std::size_t>(o)] = sum;
  });
  return db;
}

Tensor ones_like_output(const Geometry& geo) {
  return Tensor(geo.output_shape(), 1.0);
}

// ---------------------------------------------------------------------------------------------
// The fast path without a stride: direct correlation, vectorized along the rows.
//
// With stride 1, the cells a tap reads for consecutive outputs of a row are consecutive in the
// (padded) input row, so each product reads the input in place: no im2col columns and no packing
// of them, only the band of X or G each task reads, copied with its padding. Every output value
// is summed in one fixed order (Z and dX: taps c, u, v; dW: lane by lane along a band's rows,
// then the bands in order), on any number of cores.

namespace {

#if defined(__AVX512F__)
constexpr int kLanes = 8;
#elif defined(__AVX__)
constexpr int kLanes = 4;
#else
constexpr int kLanes = 2;  // SSE2, or the compiler's own code for two lanes elsewhere
#endif
using Vec = double __attribute__((vector_size(kLanes * sizeof(double))));

Vec load(const double* p) {
#if defined(__AVX512F__)
  return _mm512_loadu_pd(p);
#elif defined(__AVX__)
  return _mm256_loadu_pd(p);
#elif defined(__SSE2__)
  return _mm_loadu_pd(p);
#else
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
#endif
}

// v, as a value GCC must keep in a register: it would otherwise read it from memory again for
// each of its uses in dW's tile, and the loads, not the multiply-adds, would set the pace.
Vec in_register(Vec v) {
#if defined(__SSE2__)
  asm("" : "+v"(v));
#endif
  return v;
}

void store(double* p, Vec v) {
  std::memcpy(p, &v, sizeof v);
}

// The lanes' sum, in lane order.
double lane_sum(Vec v) {
  double sum = 0;
  for (int l = 0; l < kLanes; ++l) sum += v[l];
  return sum;
}

// a·b + c, fused where the CPU can (-march=native); the portable build multiplies, then adds.
Vec multiply_add(Vec a, Vec b, Vec c) {
#if defined(__AVX512F__)
  return _mm512_fmadd_pd(a, b, c);
#elif defined(__FMA__)
  return _mm256_fmadd_pd(a, b, c);
#else
  return a * b + c;
#endif
}

Vec broadcast(double x) {
#if defined(__AVX512F__)
  return _mm512_set1_pd(x);
#elif defined(__AVX__)
  return _mm256_set1_pd(x);
#elif defined(__SSE2__)
  return _mm_set1_pd(x);
#else
  return Vec{} + x;
#endif
}

constexpr int kTileO = 4;                // output channels of a tile
constexpr int kTileV = 3;                // vectors of a tile, along a row
constexpr int kTileJ = kTileV * kLanes;  // cells of a tile, along a row
constexpr int kTileTaps = 3;             // dW: taps of a tile
constexpr int kBandRows = 8;             // output rows of one task

int round_up(int value, int step) {
  return (value + step - 1) / step * step;
}

// The input rows a band of output rows reads: rows y0 .. y0 + rows − 1 of the padded grid of
// channels c0 .. c0 + channels − 1 of sample n, each `pitch` wide, cell (y, x) being
// src(n, c, y − top, x − left) and 0 outside src. A task copies its band (it stays in the
// core's cache) and then reads it in place, with room for whole tiles past the last output.
struct Band {
  int rows, pitch;
  std::unique_ptr<double[]> values;  // not zero-filled: every cell is written once below

  Band(const Tensor& src, int n, int c0, int channels, int y0, int rows_, int top, int left,
       int pitch_)
      : rows(rows_),
        pitch(pitch_),
        values(new double[static_cast<std::size_t>(channels) * rows_ * pitch_]) {
    const Shape s = src.shape;
    const int x0 = std::clamp(left, 0, pitch), x1 = std::clamp(left + s.w, x0, pitch);
    for (int c = 0; c < channels; ++c)
      for (int y = y0; y < y0 + rows; ++y) {
        double* out = &values[(static_cast<std::size_t>(c) * rows + y - y0) * pitch];
        if (y < top || y >= top + s.h || x0 == x1) {
          std::fill(out, out + pitch, 0.0);
          continue;
        }
        const double* in = &src.values[src.offset(n, c0 + c, y - top, 0)] - left;
        std::fill(out, out + x0, 0.0);
        std::copy(in + x0, in + x1, out + x0);
        std::fill(out + x1, out + pitch, 0.0);
      }
  }
  const double* row(int c, int y) const {
    return &values[(static_cast<std::size_t>(c) * rows + y) * pitch];
  }
};

// The offsets in a band of every tap (c, u, v), in that order, from the cell an output reads
// with tap 0.
std::vector<std::ptrdiff_t> tap_offsets(const Geometry& g, int rows, int pitch) {
  std::vector<std::ptrdiff_t> taps;
  for (int c = 0; c < g.c_per_group(); ++c)
    for (int u = 0; u < g.kh; ++u)
      for (int v = 0; v < g.kw; ++v)
        taps.push_back((1LL * c * rows + 1LL * u * g.dil_h) * pitch + 1LL * v * g.dil_w);
  return taps;
}

// Where a task of a stride-1 product works: a band of output rows of one group of one sample.
// Tasks are numbered samples, then groups, then bands.
struct BandTask {
  int n, group, first_row;
  BandTask(const Geometry& g, long long t) {
    const int bands = (g.oh + kBandRows - 1) / kBandRows;
    n = static_cast<int>(t / bands / g.groups);
    group = static_cast<int>(t / bands % g.groups);
    first_row = static_cast<int>(t % bands) * kBandRows;
  }
  static long long count(const Geometry& g) {
    return 1LL * g.n * g.groups * ((g.oh + kBandRows - 1) / kBandRows);
  }
};

// A stride-1 correlation: out[n, o, i, j] = Σ_{c, u, v} K[o, c, u, v]·src[n, g·cg + c,
// i + u·dil_h − top, j + v·dil_w − left] (0 outside src) for the outputs of `g` (its cout,
// oh × ow and groups; g.c counts src's channels). A task computes a band of rows of every
// output channel of one group of one sample.
struct Correlation {
  const Geometry g;
  const Tensor& src;
  int top, left, band_rows, pitch, og_tiles;
  std::vector<double> kernel;  // per group: [tap (c, u, v)][o], o rounded up to whole tiles
  std::vector<std::ptrdiff_t> taps;

  Correlation(const Geometry& geo, const Tensor& source, int top_, int left_, const Tensor& K)
      : g(geo), src(source), top(top_), left(left_) {
    const int og = g.cout_per_group(), n_taps = g.c_per_group() * g.kh * g.kw;
    band_rows = kBandRows + (g.kh - 1) * g.dil_h;
    pitch = round_up(g.ow, kTileJ) + (g.kw - 1) * g.dil_w;
    og_tiles = round_up(og, kTileO);
    kernel.assign(static_cast<std::size_t>(g.groups) * n_taps * og_tiles, 0.0);
    for (int o = 0; o < g.cout; ++o)
      for (int t = 0; t < n_taps; ++t)
        kernel[(static_cast<std::size_t>(o / og) * n_taps + t) * og_tiles + o % og] =
            K.values[static_cast<std::size_t>(o) * n_taps + t];
    taps = tap_offsets(g, band_rows, pitch);
  }
  // The source rows a task reads.
  Band band(const BandTask& at) const {
    const int cg = g.c_per_group();
    return Band(src, at.n, at.group * cg, cg, at.first_row, band_rows, top, left, pitch);
  }

  void run(const BandTask& at, const Band& in, Tensor& out) const {
    const int og = g.cout_per_group(), i0 = at.first_row;
    for (int o0 = 0; o0 < og; o0 += kTileO) {
      const double* w0 = &kernel[static_cast<std::size_t>(at.group) * taps.size() * og_tiles + o0];
      for (int i = i0; i < std::min(g.oh, i0 + kBandRows); ++i)
        for (int j = 0; j < g.ow; j += kTileJ) {
          Vec acc[kTileO][kTileV] = {};
          const double* x0 = in.row(0, i - i0) + j;
          const double* w = w0;
          for (const std::ptrdiff_t tap : taps) {
            Vec xs[kTileV];
#pragma GCC unroll 4
            for (int l = 0; l < kTileV; ++l) xs[l] = load(x0 + tap + l * kLanes);
#pragma GCC unroll 4
            for (int o = 0; o < kTileO; ++o) {
              const Vec wo = broadcast(w[o]);
#pragma GCC unroll 4
              for (int l = 0; l < kTileV; ++l) acc[o][l] = multiply_add(wo, xs[l], acc[o][l]);
            }
            w += og_tiles;
          }
          // Out of the registers with constant indices (a variable one would keep acc in
          // memory throughout), then the tile's real channels and cells into place.
          double tile[kTileO][kTileJ];
#pragma GCC unroll 4
          for (int o = 0; o < kTileO; ++o)
#pragma GCC unroll 4
            for (int l = 0; l < kTileV; ++l) store(tile[o] + l * kLanes, acc[o][l]);
          const int cells = std::min(kTileJ, g.ow - j);
          for (int o = 0; o < std::min(kTileO, og - o0); ++o)
            std::copy(tile[o], tile[o] + cells,
                      &out.values[out.offset(at.n, at.group * og + o0 + o, i, j)]);
        }
    }
  }
};

// dW without a stride: dW[o, c, u, v] = Σ_{n, i, j} G[n, o, i, j]·Xp[n, g·cg + c, i + u·dil_h,
// j + v·dil_w]. A task sums the terms of a band of rows of one sample for every weight of one
// group, reading the band of X that the forward pass's task reads; the bands' sums are then
// added in task order.
struct WeightGradient {
  const Geometry& g;
  const Tensor& G;
  int n_taps;
  std::vector<std::ptrdiff_t> taps;  // rounded up to whole tiles: the extra ones repeat tap 0
  std::vector<double> partial;       // per task: the group's og × n_taps sums

  WeightGradient(const Geometry& geo, const Correlation& forward, const Tensor& upstream)
      : g(geo), G(upstream), taps(forward.taps) {
    n_taps = static_cast<int>(taps.size());
    taps.resize(static_cast<std::size_t>(round_up(n_taps, kTileTaps)), taps[0]);
    partial.resize(static_cast<std::size_t>(BandTask::count(g)) * g.cout_per_group() * n_taps);
  }

  void run(long long t, const BandTask& at, const Band& in) {
    const int og = g.cout_per_group(), n = at.n, i0 = at.first_row;
    double* sums = &partial[static_cast<std::size_t>(t) * og * n_taps];
    for (int o0 = 0; o0 < og; o0 += kTileO) {
      const int o_count = std::min(kTileO, og - o0);
      for (int t0 = 0; t0 < n_taps; t0 += kTileTaps) {
        Vec acc[kTileO][kTileTaps] = {};
        double tail[kTileO][kTileTaps] = {};  // the last ow % kLanes cells of each row
        for (int i = i0; i < std::min(g.oh, i0 + kBandRows); ++i) {
          const double* gs[kTileO];
          for (int o = 0; o < kTileO; ++o)  // a tile's missing channels repeat its first
            gs[o] = &G.values[G.offset(n, at.group * og + o0 + (o < o_count ? o : 0), i, 0)];
          const double* xs[kTileTaps];
          for (int k = 0; k < kTileTaps; ++k) xs[k] = in.row(0, i - i0) + taps[t0 + k];
          int j = 0;
          for (; j + kLanes <= g.ow; j += kLanes) {
            Vec gv[kTileO], xv[kTileTaps];
#pragma GCC unroll 4
            for (int o = 0; o < kTileO; ++o) gv[o] = in_register(load(gs[o] + j));
#pragma GCC unroll 4
            for (int k = 0; k < kTileTaps; ++k) xv[k] = in_register(load(xs[k] + j));
#pragma GCC unroll 4
            for (int o = 0; o < kTileO; ++o)
#pragma GCC unroll 4
              for (int k = 0; k < kTileTaps; ++k) acc[o][k] = multiply_add(gv[o], xv[k], acc[o][k]);
          }
          for (; j < g.ow; ++j)
            for (int o = 0; o < kTileO; ++o)
              for (int k = 0; k < kTileTaps; ++k) tail[o][k] += gs[o][j] * xs[k][j];
        }
        double tile[kTileO][kTileTaps];  // constant indices: see Correlation::run
#pragma GCC unroll 4
        for (int o = 0; o < kTileO; ++o)
#pragma GCC unroll 4
          for (int k = 0; k < kTileTaps; ++k) tile[o][k] = lane_sum(acc[o][k]) + tail[o][k];
        for (int o = 0; o < o_count; ++o)
          for (int k = 0; k < kTileTaps && t0 + k < n_taps; ++k)
            sums[(o0 + o) * n_taps + t0 + k] = tile[o][k];
      }
    }
  }

  // The bands' sums, added in task order: for each group, samples, then bands.
  void finish(Tensor& dW) const {
    const std::size_t per_group = static_cast<std::size_t>(g.cout_per_group()) * n_taps;
    for (long long t = 0; t < BandTask::count(g); ++t) {
      const double* sums = &partial[static_cast<std::size_t>(t) * per_group];
      double* out = &dW.values[static_cast<std::size_t>(BandTask(g, t).group) * per_group];
      for (std::size_t k = 0; k < per_group; ++k) out[k] += sums[k];
    }
  }
};

// The geometry of dX as a stride-1 correlation of G (Cout channels) with Wr (C outputs).
Geometry gather_as_correlation(const Geometry& geo) {
  Geometry g = geo;
  g.c = geo.cout, g.h = geo.oh, g.w = geo.ow;
  g.cout = geo.c, g.oh = geo.h, g.ow = geo.w;
  return g;
}

// Whether the direct path's own buffers stay small beside the lesson's tensors: a task's band
// of X or G (rows rounded up to whole tiles), the kernel tables (channels rounded up to whole
// tiles) and dW's band sums. A lesson of many channels on a few cells would multiply them; it
// goes by im2col instead.
bool direct_fits(const Geometry& geo) {
  constexpr long long kMaxValues = 1LL << 21;  // 16 MB
  const long long rows = kBandRows + 1LL * (geo.kh - 1) * geo.dil_h;
  const long long span_w = 1LL * (geo.kw - 1) * geo.dil_w;
  const long long cg = geo.c_per_group(), og = geo.cout_per_group(), k = 1LL * geo.kh * geo.kw;
  const long long bands = (geo.oh + kBandRows - 1) / kBandRows;
  const long long weights = geo.cout * cg * k;
  // The tables and sums grow with W; a band must stay small whatever the lesson.
  const long long tables = std::max(kMaxValues, 4 * weights);
  return cg * rows * (round_up(geo.ow, kTileJ) + span_w) <= kMaxValues &&           // a band of X
         og * rows * (round_up(geo.w, kTileJ) + span_w) <= kMaxValues &&            // a band of G
         geo.groups * cg * k * round_up(static_cast<int>(og), kTileO) <= tables &&  // W's
         geo.groups * og * k * round_up(static_cast<int>(cg), kTileO) <= tables &&  // Wr's
         geo.n * bands * weights <= tables;                                         // dW's sums
}

// compute() without a stride. A task of the forward pass copies a band of X, computes Z's rows
// from it and dW's terms over them; a task of the gather copies a band of G and computes dX's
// rows. They are independent: all run in one parallel loop, the larger ones first. Then dW's
// bands are added up.
Results compute_stride_one(const Tensor& X, const Tensor& W, const Tensor& G, const Geometry& geo) {
  const int span_h = (geo.kh - 1) * geo.dil_h, span_w = (geo.kw - 1) * geo.dil_w;
  const Geometry back = gather_as_correlation(geo);
  const Correlation forward(geo, X, geo.pad_top, geo.pad_left, W);
  const Correlation gather(back, G, span_h - geo.pad_top, span_w - geo.pad_left,
                           rotate_weight(W, geo));
  WeightGradient weight(geo, forward, G);
  Results r{Tensor(geo.output_shape()), Tensor(geo.input_shape()), Tensor(geo.weight_shape()), {}};
  const long long z = BandTask::count(geo), dx = BandTask::count(back);
  parallel_for(z + dx, 3 * geo.multiply_adds(), [&](long long t) {
    if (t < z) {
      const BandTask at(geo, t);
      const Band in = forward.band(at);
      forward.run(at, in, r.Z);
      weight.run(t, at, in);
    } else {
      const BandTask at(back, t - z);
      gather.run(at, gather.band(at), r.dX);
    }
  });
  weight.finish(r.dW);
  return r;
}

}  // namespace

namespace {
// An empty G stands for all ones (L = ΣZ).
Tensor upstream_or_ones(const Tensor& G, const Geometry& geo) {
  return G.shape.count() == 0 ? ones_like_output(geo) : G;
}
}  // namespace

Results compute(const Tensor& X, const Tensor& W, const std::vector<double>& bias, const Tensor& G,
                const Geometry& geo) {
  const Tensor ones = G.shape.count() == 0 ? ones_like_output(geo) : Tensor{};
  const Tensor& upstream = G.shape.count() == 0 ? ones : G;  // not copied: it is megabytes
  if (geo.stride_h == 1 && geo.stride_w == 1 && direct_fits(geo)) {
    Results r = compute_stride_one(X, W, upstream, geo);
    r.db = grad_bias(upstream);
    add_bias(r.Z, bias, geo);
    return r;
  }
  // With a stride (or too many channels on too few cells for the bands): im2col. Z and dW read
  // the same columns of Xp: they are built once for both.
  // dX scatters by im2col (with a stride Gp would be mostly inserted zeros).
  Results r{Tensor(geo.output_shape()), {}, Tensor(geo.weight_shape()), grad_bias(upstream)};
  im2col_products({X, geo.pad_top, geo.pad_left}, geo, W, &r.Z, upstream, &r.dW);
  add_bias(r.Z, bias, geo);
  r.dX = grad_input(upstream, W, geo, GradInputMethod::Im2col);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Pitfalls

const char* pitfall_name(Pitfall p) {
  switch (p) {
    case Pitfall::ConvolutionConvention:
      return "convolution_convention";
    case Pitfall::NoRotation:
      return "no_rotation";
    case Pitfall::OutputAsGradient:
      return "output_as_gradient";
    case Pitfall::NoGradientPadding:
      return "no_gradient_padding";
    case Pitfall::InputGradientAsGradient:
      return "dx_as_gradient";
  }
  return "";
}

const char* pitfall_title(Pitfall p) {
  switch (p) {
    case Pitfall::ConvolutionConvention:
      return "Used a true convolution's gradients (SciPy)";
    case Pitfall::NoRotation:
      return "Forgot to rotate the kernel";
    case Pitfall::OutputAsGradient:
      return "Fed Z back instead of ∂L/∂Z";
    case Pitfall::NoGradientPadding:
      return "Forgot to pad the gradient map";
    case Pitfall::InputGradientAsGradient:
      return "Fed dX back instead of ∂L/∂Z";
  }
  return "";
}

std::pair<int, int> unpadded_gather_size(const Geometry& geo) {
  return {std::max(geo.gd_h() - geo.span_h() + 1, 0), std::max(geo.gd_w() - geo.span_w() + 1, 0)};
}

bool input_gradient_fits_upstream(const Geometry& geo) {
  return geo.c == geo.cout && geo.h == geo.oh && geo.w == geo.ow;
}

namespace {

// "6×5", or "2 channels of 6×5" when there are several.
std::string grid_size(int channels, int rows, int cols) {
  return channels == 1 ? dims(rows, cols) : plural(channels, "channel") + " of " + dims(rows, cols);
}

// A cell of dX as the stage names it: dX[i,j] for one sample and channel, else dX[n,c,i,j].
std::string dx_cell(const Shape& s, std::size_t flat) {
  const long long j = flat % s.w, i = flat / s.w % s.h, c = flat / s.w / s.h % s.c,
                  n = flat / s.w / s.h / s.c;
  const std::string ij = std::to_string(i) + "," + std::to_string(j) + "]";
  return s.n == 1 && s.c == 1 ? "dX[" + ij
                              : "dX[" + std::to_string(n) + "," + std::to_string(c) + "," + ij;
}

// The fourth mistake: whether it can happen here, and which cell shows it when it does.
std::string input_gradient_explanation(const Geometry& geo, const Tensor* right,
                                       const PitfallResult* wrong) {
  std::string s =
      "dX = ∂L/∂X, already the answer, was fed back in where the upstream gradient G = ∂L/∂Z "
      "belongs, and a second dX was gathered from it. What comes out is the gradient of the "
      "loss Σ dX·Z (each output weighted by the dX cell in its place), not of this lesson's "
      "loss.";
  const std::string x = grid_size(geo.c, geo.h, geo.w), z = grid_size(geo.cout, geo.oh, geo.ow);
  if (!input_gradient_fits_upstream(geo))
    return s + " It cannot even happen here: dX has the input's shape (" + x +
           ") and G the output's (" + z + "), so dX does not fit where G goes. The notebook's " +
           "cell (4×4 input, 3×3 kernel) got numbers only because it also left out the padding " +
           "of the gradient map, which shrank its 4×4 dX to 2×2.";
  s += " Here dX and G have the same shape (" + x + "), so nothing stops the mistake.";
  if (!right || !wrong || wrong->dX.shape != right->shape) return s;
  std::size_t differ = 0, first = right->values.size();
  for (std::size_t k = 0; k < right->values.size(); ++k)
    if (std::fabs(right->values[k] - wrong->dX.values[k]) > 1e-9) {
      ++differ;
      first = std::min(first, k);
    }
  if (differ == 0) return s + " By chance, no cell differs in this lesson.";
  return s + " " + dx_cell(right->shape, first) + " should be " +
         format_number(right->values[first], kUnicode) + " but comes out " +
         format_number(wrong->dX.values[first], kUnicode) + "; " + std::to_string(differ) + " of " +
         plural(static_cast<long long>(right->values.size()), "cell") +
         (differ == 1 ? " differs." : " differ.");
}

// Z fed back as G: a mistake under every loss but L = ½ΣZ², whose gradient is Z.
std::string output_as_gradient_explanation(const Loss* loss) {
  const std::string s = "The output Z was fed back where the upstream gradient G = ∂L/∂Z belongs. ";
  const std::string only =
      "Z is ∂L/∂Z only for the loss L = ½ΣZ², so these are the gradients of that loss, not of "
      "this lesson's.";
  if (!loss) return s + "Here G is the lesson's own upstream gradient. " + only;
  switch (loss->kind) {
    case LossKind::Sum:
      return s + "Here L = ΣZ, so G is all ones. " + only;
    case LossKind::HalfSumSquares:
      return s + "Here the loss is L = ½ΣZ² itself, whose gradient ∂L/∂Z is Z: in this lesson " +
             "feeding Z back is no mistake, and the results are the right ones.";
    default:
      return s + "Here G is derived from the loss L = " + loss_formula(loss->kind) + ". " + only;
  }
}

}  // namespace

std::string pitfall_explanation(Pitfall p, const Geometry& geo, const Loss* loss,
                                const Tensor* right_dX, const PitfallResult* wrong) {
  switch (p) {
    case Pitfall::InputGradientAsGradient:
      return input_gradient_explanation(geo, right_dX, wrong);
    case Pitfall::ConvolutionConvention:
      return "These are the exact gradients of a true convolution, which flips the kernel "
             "(scipy.signal.convolve2d). PyTorch's conv2d is a cross-correlation and does not "
             "flip it, so dW comes out rotated by 180°, and dX is gathered with W itself "
             "instead of the rotated kernel: the same dX as forgetting to rotate. The SciPy "
             "notebook's dX only looked right because its kernel [[1,0],[0,1]] is unchanged by "
             "a 180° rotation.";
    case Pitfall::NoRotation:
      return "Gathering dX slides the kernel over the padded gradient map in the opposite "
             "direction to the forward pass, so the kernel must be rotated by 180° first. "
             "Without the rotation each input collects the wrong weights.";
    case Pitfall::OutputAsGradient:
      return output_as_gradient_explanation(loss);
    case Pitfall::NoGradientPadding: {
      std::string s =
          "Without padding Gd (G spread out by the stride) by (k−1)·dil on every side, the "
          "rotated kernel only reaches positions where it overlaps Gd completely";
      const auto [h, w] = unpadded_gather_size(geo);
      if (h == 0 || w == 0)
        return s + ". Here the " + dims(geo.span_h(), geo.span_w()) +
               (geo.dil_h > 1 || geo.dil_w > 1 ? " dilated" : "") + " kernel is larger than the " +
               dims(geo.gd_h(), geo.gd_w()) + " Gd and fits nowhere: the result is empty (" +
               dims(h, w) + ") and no input gets a gradient at all.";
      s += ", so the result is " + dims(h, w) + " where X is " + dims(geo.h, geo.w);
      // What this lesson shows, from the numbers themselves.
      if (right_dX && wrong && wrong->dX.shape == right_dX->shape &&
          max_abs_diff(wrong->dX, *right_dX) == 0)
        return s + ". Here that happens to be the right dX" +
               (geo.pad_top == geo.span_h() - 1 && geo.pad_bottom == geo.span_h() - 1 &&
                        geo.pad_left == geo.span_w() - 1 && geo.pad_right == geo.span_w() - 1
                    ? ": the positions it leaves out are exactly X's padding, which the crop "
                      "drops anyway."
                    : ".");
      if (h < geo.h || w < geo.w) return s + ": some inputs get no gradient at all.";
      return s + ", and its cells are not the gradients of the inputs at their places.";
    }
  }
  return "";
}

namespace {

// W rotated by 180° in its spatial axes only (channel axes unchanged).
Tensor rotate_spatial(const Tensor& W) {
  Tensor r(W.shape);
  for (int a = 0; a < W.shape.n; ++a)
    for (int b = 0; b < W.shape.c; ++b)
      for (int u = 0; u < W.shape.h; ++u)
        for (int v = 0; v < W.shape.w; ++v)
          r(a, b, u, v) = W(a, b, W.shape.h - 1 - u, W.shape.w - 1 - v);
  return r;
}

}  // namespace

PitfallResult compute_pitfall(Pitfall p, const Tensor& X, const Tensor& W,
                              const std::vector<double>& bias, const Tensor& G,
                              const Geometry& geo) {
  const Tensor upstream = upstream_or_ones(G, geo);
  // A mistake of the gathering: its dXp, and dX cropped from it.
  auto gathered = [&](Tensor dXp, Tensor dW) {
    Tensor dX = crop_padding(dXp, geo);
    return PitfallResult{std::move(dX), std::move(dXp), std::move(dW), ""};
  };
  switch (p) {
    case Pitfall::ConvolutionConvention:
      // A true convolution with W is a cross-correlation with rot180(W).
      return gathered(grad_padded_input_gather(upstream, rotate_spatial(W), geo),
                      rotate_spatial(grad_weight(X, upstream, geo)));
    case Pitfall::NoRotation: {
      const Tensor Gp = pad_gradient(dilate_by_stride(upstream, geo), geo);
      // Wr's channel layout, but the spatial rotation undone.
      const Tensor unrotated = rotate_spatial(rotate_weight(W, geo));
      return gathered(correlate_gradient(Gp, unrotated, geo, geo.hp(), geo.wp()), {});
    }
    case Pitfall::OutputAsGradient: {
      const Tensor Z = forward(X, W, bias, geo);
      return gathered(grad_padded_input_gather(Z, W, geo), grad_weight(X, Z, geo));
    }
    case Pitfall::NoGradientPadding: {
      const Tensor Gd = dilate_by_stride(upstream, geo);
      const auto [h, w] = unpadded_gather_size(geo);
      return {correlate_gradient(Gd, rotate_weight(W, geo), geo, h, w), {}, {}, ""};
    }
    case Pitfall::InputGradientAsGradient: {
      if (!input_gradient_fits_upstream(geo))
        return {Tensor(Shape{geo.n, geo.c, 0, 0}),
                {},
                {},
                "Cannot happen here: dX is " + grid_size(geo.c, geo.h, geo.w) + ", but G is " +
                    grid_size(geo.cout, geo.oh, geo.ow) + " like Z."};
      // The right backward pass, run a second time on its own answer.
      return gathered(grad_padded_input_gather(grad_input(upstream, W, geo), W, geo), {});
    }
  }
  return {};
}

}  // namespace convstep
