// big_lesson.h — the benchmarks' large lesson: a 128×128 input of small random integers and a
// 3×3 kernel, the same every run.
#pragma once

#include <random>

#include "core/lesson.h"

namespace convstep {

inline Lesson big_lesson_128() {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> value(-4, 4);
  Lesson l;
  l.title = "128×128 input, 3×3 kernel";
  l.input = Tensor(Shape{1, 1, 128, 128});
  for (double& v : l.input.values) v = value(rng);
  l.weight = Tensor(Shape{1, 1, 3, 3});
  for (double& v : l.weight.values) v = value(rng);
  return l;
}

}  // namespace convstep
