// The worksheet in Markdown: the same text as `convstep steps --format markdown`, then each
// pitfall asked for: its explanation, and the right and wrong results as tables with the cells
// that differ in bold.
#include <cmath>
#include <sstream>

#include "app/export/request.h"
#include "app/steps_output.h"
#include "core/format.h"

namespace convstep {

namespace {

// The first slice of `t` as a Markdown table; cells that differ from `right` (when given, and of
// the same shape) in bold.
void table(std::ostream& out, const Tensor& t, const Tensor* right) {
  const bool compare = right && right->shape == t.shape;
  out << "|";
  for (int x = 0; x < t.shape.w; ++x) out << " " << x << " |";
  out << "\n|";
  for (int x = 0; x < t.shape.w; ++x) out << "---|";
  out << "\n";
  for (int y = 0; y < t.shape.h; ++y) {
    out << "|";
    for (int x = 0; x < t.shape.w; ++x) {
      const std::string v = format_number(t(0, 0, y, x), kUnicode);
      const bool differs = compare && std::fabs(t(0, 0, y, x) - (*right)(0, 0, y, x)) > 1e-9;
      out << " " << (differs ? "**" + v + "**" : v) << " |";
    }
    out << "\n";
  }
}

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
    out << "\n" << name << " right (" << dims(good->shape.h, good->shape.w) << "):\n\n";
    table(out, *good, nullptr);
    if (!wrong.cannot_happen.empty()) {
      out << "\n" << name << " wrong: " << wrong.cannot_happen << "\n";
      continue;
    }
    out << "\n" << name << " wrong (" << dims(bad->shape.h, bad->shape.w) << ")";
    if (bad->shape.h == 0 || bad->shape.w == 0) {
      out << ": empty, no input gets a gradient.\n";
      continue;
    }
    out << (bad->shape == good->shape ? ", the cells that differ in bold" : "") << ":\n\n";
    table(out, *bad, good);
  }
}

}  // namespace

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
  for (Pitfall p : request.pitfalls) pitfall_section(out, timeline, p);
  return out.str();
}

}  // namespace convstep
