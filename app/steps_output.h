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
};

// Streams the steps; returns false if writing failed (e.g. a full disk).
bool write_steps(std::ostream& out, const Timeline& timeline, const StepsRequest& request);

}  // namespace convstep
