// steps_output.h — the timeline's steps as text, JSON lines or a Markdown worksheet, shared by
// `convstep steps` and the app's worksheet export; and `convstep compute --format json`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/conv.h"
#include "core/lesson.h"
#include "core/timeline.h"

namespace convstep {

enum class StepsFormat { Text, Jsonl, Markdown };

struct StepsRequest {
  std::vector<Phase> phases;  // in order
  Granularity granularity = Granularity::Cell;
  long long from = 0;    // within each phase, 0-based
  long long count = -1;  // -1: to the end of each phase
  bool skip_zero_terms = false;
  StepsFormat format = StepsFormat::Text;
  // Blank this many cells of each phase's result (core/quiz.h, exercise(): the cells the app's
  // quiz asks with its worksheet option), in the steps that compute them and, in Markdown, in
  // its table; and write their answers to `answers` (when given), as Markdown.
  int exercise = 0;
  std::ostream* answers = nullptr;
};

// Grids larger than this per slice, and slices past this many, are not printed as tables:
// the worksheet says so and points to the PNG export, so its size stays bounded.
inline constexpr int kMaxTableSide = 16;
inline constexpr int kMaxTableSlices = 4;

// `t` as Markdown tables under a caption "**name** (rows×cols):", one per (n, c) slice; cells
// that differ from `right` (when given, and of the same shape) in bold.
void markdown_grid(std::ostream& out, const std::string& name, const Tensor& t,
                   const Tensor* right = nullptr);

// Streams the steps; returns false if writing failed (e.g. a full disk).
bool write_steps(std::ostream& out, const Timeline& timeline, const StepsRequest& request);

// The results as one JSON object, a line: output, grad_output, grad_input, grad_weight (each
// [n][c][h][w]), grad_bias, and the loss when the lesson names one.
void write_results_json(std::ostream& out, const Lesson& lesson, const Results& results);

}  // namespace convstep
