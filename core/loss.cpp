#include "core/loss.h"

namespace convstep {

const char* loss_name(LossKind k) {
  switch (k) {
    case LossKind::Sum:
      return "sum";
    case LossKind::HalfSumSquares:
      return "half_sum_squares";
    case LossKind::Mse:
      return "mse";
    case LossKind::ReluThenSum:
      return "relu_then_sum";
  }
  return "";
}

std::string loss_formula(LossKind k) {
  switch (k) {
    case LossKind::Sum:
      return "ΣZ";
    case LossKind::HalfSumSquares:
      return "½ΣZ²";
    case LossKind::Mse:
      return "mean((Z − T)²)";
    case LossKind::ReluThenSum:
      return "Σ relu(Z)";
  }
  return "";
}

double loss_value(const Loss& loss, const Tensor& Z) {
  double sum = 0;
  for (std::size_t k = 0; k < Z.values.size(); ++k) {
    const double z = Z.values[k];
    switch (loss.kind) {
      case LossKind::Sum:
        sum += z;
        break;
      case LossKind::HalfSumSquares:
        sum += 0.5 * z * z;
        break;
      case LossKind::Mse: {
        const double d = z - loss.target.values[k];
        sum += d * d;
        break;
      }
      case LossKind::ReluThenSum:
        sum += z > 0 ? z : 0;
        break;
    }
  }
  // F.mse_loss's reduction "mean": over every cell of every sample and channel.
  if (loss.kind == LossKind::Mse && !Z.values.empty()) sum /= static_cast<double>(Z.values.size());
  return sum;
}

double loss_derivative(const Loss& loss, const Tensor& Z, std::size_t k) {
  const double z = Z.values[k];
  switch (loss.kind) {
    case LossKind::Sum:
      return 1;
    case LossKind::HalfSumSquares:
      return z;
    case LossKind::Mse:
      // As PyTorch computes it: (2/count)·(Z − T).
      return 2.0 / static_cast<double>(Z.values.size()) * (z - loss.target.values[k]);
    case LossKind::ReluThenSum:
      return z > 0 ? 1 : 0;  // relu's gradient at exactly 0 is 0 in PyTorch
  }
  return 0;
}

Tensor loss_gradient(const Loss& loss, const Tensor& Z) {
  Tensor G(Z.shape);
  for (std::size_t k = 0; k < Z.values.size(); ++k) G.values[k] = loss_derivative(loss, Z, k);
  return G;
}

}  // namespace convstep
