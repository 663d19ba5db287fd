#include "app/export/export.h"
namespace convstep {
void export_mp4(const Timeline&, const ExportRequest&, const ExportProgressFn&) {
  throw std::runtime_error("mp4: not yet");
}
}  // namespace convstep
