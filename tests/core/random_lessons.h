// random_lessons.h — seeded random convolution configurations for the tests.
#pragma once

#include <random>
#include <string>

#include "core/conv.h"
#include "core/lesson.h"

namespace convstep::testing {

struct RandomCase {
  Tensor X, W, G;
  std::vector<double> bias;
  ConvSpec spec;
  Geometry geo;
  std::string describe() const;  // a line to print when a check fails
};

// A valid configuration covering stride 1–3, dilation 1–3, every padding form, groups 1–4,
// batch 1–3, channels 1–6, non-square shapes, bias or not, ones or random G.
RandomCase random_case(std::mt19937& rng);
Tensor random_tensor(std::mt19937& rng, Shape shape);  // small integers or floats
// Lesson i of a series, with the loss phase's every kind in turn: odd i keep their given G;
// even i name a loss instead (the mean squared error takes the G as its target).
void name_a_loss(Lesson& l, int i);

}  // namespace convstep::testing
