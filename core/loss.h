// loss.h — the loss L that a lesson names, and G = ∂L/∂Z derived from it, cell by cell.
//
//   Loss mse{LossKind::Mse, T};          // L = mean((Z − T)²), PyTorch's F.mse_loss
//   loss_value(mse, Z)                   → L
//   loss_gradient(mse, Z)                → G, with G[k] = 2·(Z[k] − T[k])/count
//
// A lesson gives G in one of two ways: literally (its "upstream") or through a named loss.
// Without either, L = ΣZ and G is all ones, as in the notebooks.
#pragma once

#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace convstep {

enum class LossKind : std::uint8_t {
  Sum,             // L = ΣZ: G = 1
  HalfSumSquares,  // L = ½ΣZ²: G = Z
  Mse,             // L = mean((Z − T)²) over every cell: G = 2·(Z − T)/count
  ReluThenSum,     // L = Σ relu(Z): G = 1 where Z > 0, else 0 (at Z = 0 too, as PyTorch)
};

struct Loss {
  LossKind kind = LossKind::Sum;
  Tensor target;  // T, shaped like the output: Mse only
  bool operator==(const Loss&) const = default;
};

const char* loss_name(LossKind k);     // as files spell it: "sum", "half_sum_squares", ...
std::string loss_formula(LossKind k);  // "ΣZ", "½ΣZ²", "mean((Z − T)²)", "Σ relu(Z)"
double loss_value(const Loss& loss, const Tensor& Z);
// G at flat index k: ∂L/∂Z there.
double loss_derivative(const Loss& loss, const Tensor& Z, std::size_t k);
Tensor loss_gradient(const Loss& loss, const Tensor& Z);

}  // namespace convstep
