// The worksheet of every phase, in Markdown: the same text as `convstep steps --format md`.
#include <iterator>
#include <sstream>

#include "app/export/export.h"
#include "app/steps_output.h"
#include "core/io.h"

namespace convstep {

void export_markdown(const App& app, const std::string& path) {
  std::ostringstream out;
  StepsRequest request;
  request.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
  request.format = StepsFormat::Markdown;
  write_steps(out, app.timeline(), request);
  write_file_atomically(path, out.str());
}

}  // namespace convstep
