// big_lesson.h — the benchmarks' large lessons: a size×size input of small random integers and
// a 3×3 kernel, the same every run.
#pragma once

#include <random>
#include <string>

#include "core/lesson.h"

namespace convstep {

inline Lesson big_lesson(int size) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> value(-4, 4);
  Lesson l;
  l.title = std::to_string(size) + "×" + std::to_string(size) + " input, 3×3 kernel";
  l.input = Tensor(Shape{1, 1, size, size});
  for (double& v : l.input.values) v = value(rng);
  l.weight = Tensor(Shape{1, 1, 3, 3});
  for (double& v : l.weight.values) v = value(rng);
  return l;
}

inline Lesson big_lesson_128() {
  return big_lesson(128);
}

}  // namespace convstep
