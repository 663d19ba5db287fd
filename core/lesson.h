// lesson.h — the lesson file: a convolution's tensors and parameters, as JSON.
//
//   Lesson lesson = load_lesson("assets/lessons/sobel-6x5.json");  // throws LessonError
//   Geometry geo = lesson.geometry();
//   save_lesson(lesson, "copy.json");                                // atomic: temp file + rename
//
// The format (version 1) is documented in the README; every key but input and weight is
// optional. Validation happens once, on load: a Lesson that exists is a valid lesson.
#pragma once

#include <nlohmann/json_fwd.hpp>  // the declarations only: json.hpp is in the .cpp files
#include <stdexcept>
#include <string>
#include <vector>

#include "core/conv.h"
#include "core/loss.h"

namespace convstep {

// Bad lesson input. The message names the place: "weight[0][1]: expected 3 numbers, got 2".
struct LessonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Lesson {
  std::string title;
  Tensor input;              // X, [N][C][H][W]
  Tensor weight;             // W, [Cout][C/groups][kH][kW]
  std::vector<double> bias;  // b, [Cout]; empty when the lesson has none
  ConvSpec spec;
  // G is given one way or the other, never both (the file may hold "upstream" or "loss"):
  Tensor upstream;  // G itself, shaped like the output; empty shape: G comes from `loss`
  Loss loss;        // the loss G is derived from; its default, L = ΣZ, makes G all ones

  // The resolved geometry, within every limit (README, "Limits"). Throws ConvError.
  Geometry geometry() const;
  // Whether the lesson gives G itself (its "upstream") rather than a loss.
  bool gives_gradient() const { return upstream.shape.count() > 0; }
  // G itself: the lesson's upstream, or ∂L/∂Z of its loss (a forward pass), all ones for ΣZ.
  Tensor upstream_gradient() const;
  // G for compute() and compute_pitfall(): empty when it is all ones (they make it then).
  Tensor upstream_or_empty() const;
  bool operator==(const Lesson&) const;
};

// Parses and validates a lesson. `source` names the text in messages (usually the path).
Lesson parse_lesson(const std::string& text);
Lesson load_lesson(const std::string& path);
// The lesson with one key ("stride", "padding", "bias", ...) set to a JSON value, read and
// checked exactly as the loader reads a file that holds it: the same rules, the same messages.
// A null bias removes the bias. No JSON text is made: an edit of a large lesson stays cheap.
// Throws LessonError.
Lesson with_key(Lesson lesson, const std::string& key, const nlohmann::json& value);

// The lesson as JSON text, in the shorthand forms when they apply ([H][W] for N = C = 1).
std::string lesson_to_json(const Lesson& lesson);
// Writes through core/io: atomically for a regular file, through a symbolic link to its
// target; the old file stays intact if anything fails. Throws LessonError.
void save_lesson(const Lesson& lesson, const std::string& path);

}  // namespace convstep
