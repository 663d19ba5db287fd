// The worksheet in Markdown: the same text as `convstep steps --format markdown`, then each
// pitfall asked for: its explanation, and the right and wrong results as tables with the cells
// that differ in bold.
#include <sstream>

#include "app/export/request.h"
#include "app/steps_output.h"
#include "core/format.h"

namespace convstep {

namespace {

void pitfall_section(std::ostream& out, const Timeline& timeline, Pitfall p) {
  out << "\n## Classic mistake: " << pitfall_title(p) << "\n\n"
      << timeline.pitfall_explanation(p) << "\n";
  const PitfallResult& wrong = timeline.pitfall(p);
  const Results& right = timeline.results();
  const std::pair<const char*, std::pair<const Tensor*, const Tensor*>> results[] = {
      {"dW", {&right.dW, &wrong.dW}}, {"dX", {&right.dX, &wrong.dX}}};
  for (const auto& [name, pair] : results) {
    const auto [good, bad] = pair;
    if (bad->shape.n == 0) continue;  // the mistake leaves this result alone
    markdown_grid(out, std::string(name) + " right", *good);
    if (!wrong.cannot_happen.empty()) {
      out << "\n**" << name << " wrong**: " << wrong.cannot_happen << "\n";
      continue;
    }
    if (bad->shape.h == 0 || bad->shape.w == 0) {
      out << "\n**" << name << " wrong** (" << dims(bad->shape.h, bad->shape.w)
          << "): empty, no input gets a gradient.\n";
      continue;
    }
    markdown_grid(out, std::string(name) + " wrong", *bad, good);
  }
}

}  // namespace

std::string answers_path(const std::string& worksheet) {
  const std::size_t dot = worksheet.rfind('.'), slash = worksheet.rfind('/');
  const bool has_extension =
      dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return has_extension ? worksheet.substr(0, dot) + "-answers" + worksheet.substr(dot)
                       : worksheet + "-answers.md";
}

std::string export_markdown(const Timeline& timeline, const ExportRequest& request,
                            std::string* answers) {
  export_ranges(timeline, request);  // the steps asked for exist
  std::ostringstream out;
  StepsRequest steps;
  steps.phases = request.phases;
  steps.granularity = request.granularity;
  steps.skip_zero_terms = request.skip_zero_terms;
  steps.from = std::max(request.from, 0LL);
  steps.count = request.to < 0 ? -1 : request.to - steps.from;
  steps.format = StepsFormat::Markdown;
  steps.exercise = request.exercise;
  std::ostringstream key;
  if (answers) steps.answers = &key;
  write_steps(out, timeline, steps);
  if (answers) *answers = key.str();
  for (Pitfall p : request.pitfalls) pitfall_section(out, timeline, p);
  return out.str();
}

}  // namespace convstep
