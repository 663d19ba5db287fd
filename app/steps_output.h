// steps_output.h — the timeline's steps as text, JSON lines or a Markdown worksheet.
// Shared by `convstep steps` and the app's worksheet export.
#pragma once

#include <ostream>
#include <string>
#include <vector>

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
  // Markdown: blank this many cells of each phase's result, in its table and in the steps that
  // compute them, and write their answers to `answers` (when given).
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

// The cells an exercise blanks in a grid of `cells` values: `n` offsets spread evenly over it,
// in order, so that the same lesson always gives the same worksheet.
std::vector<std::size_t> exercise_cells(std::size_t cells, int n);

// Streams the steps; returns false if writing failed (e.g. a full disk).
bool write_steps(std::ostream& out, const Timeline& timeline, const StepsRequest& request);

}  // namespace convstep
