// The worksheet in Markdown: the same text as `convstep steps --format markdown`.
#include <sstream>

#include "app/export/request.h"
#include "app/steps_output.h"

namespace convstep {

std::string export_markdown(const Timeline& timeline, const ExportRequest& request) {
  export_ranges(timeline, request);  // the steps asked for exist
  std::ostringstream out;
  StepsRequest steps;
  steps.phases = request.phases;
  steps.granularity = request.granularity;
  steps.skip_zero_terms = request.skip_zero_terms;
  steps.from = std::max(request.from, 0LL);
  steps.count = request.to < 0 ? -1 : request.to - steps.from;
  steps.format = StepsFormat::Markdown;
  write_steps(out, timeline, steps);
  return out.str();
}

}  // namespace convstep
