// pytorch.h — a lesson as a PyTorch program, in the language of the notebooks convstep started
// from: it builds the lesson's tensors, runs the convolution forward and autograd backward,
// prints Z, dX, dW and db, and asserts that they equal the numbers convstep computed, which it
// embeds. A student runs it with `python3 FILE.py` to check convstep against PyTorch.
//
//   std::string code = pytorch_code(lesson, timeline.results());
//   write_file_atomically("lesson.py", code);
//
// GL-free: used by `convstep export --format py`, the app's File › Export and scripts.
#pragma once

#include <string>

#include "core/conv.h"
#include "core/lesson.h"

namespace convstep {

// Numbers are written so that Python reads back exactly the same doubles.
std::string pytorch_code(const Lesson& lesson, const Results& results);

}  // namespace convstep
