// formats.h — the export formats by the names the command line and scripts spell them, in one
// list. GL-free: the pictures (png, pngs, gif) need the app's renderer, the rest is text.
//
//   "unknown export: " + spelled_out(export_format_names())   // "png, pngs, gif, svg, md or py"
#pragma once

#include <string>
#include <vector>

namespace convstep {

inline std::vector<std::string> export_format_names() {
  return {"png", "pngs", "gif", "svg", "md", "py"};
}

}  // namespace convstep
