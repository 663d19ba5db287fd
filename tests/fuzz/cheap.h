// cheap.h — which accepted lessons the fuzz targets go on to compute and step through.
#pragma once

#include "core/conv.h"

namespace convstep {

// Above this the run would spend its time computing convolutions rather than trying inputs.
inline constexpr long long kMaxFuzzWork = 4096;

inline bool cheap(const Geometry& g) {
  const long long grids[] = {
      g.multiply_adds(),        g.input_shape().count(), g.padded_input_shape().count(),
      g.output_shape().count(), g.gp_shape().count(),    g.weight_shape().count()};
  for (long long n : grids)
    if (n > kMaxFuzzWork) return false;
  return true;
}

}  // namespace convstep
