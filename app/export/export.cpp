#include "app/export/export.h"

#include <stdexcept>

namespace convstep {

void export_current(const App& app, const std::string& kind, const std::string& path) {
  if (kind == "svg") {
    export_svg(app, path);
  } else if (kind == "png") {
    export_png(app, path);
  } else if (kind == "md") {
    export_markdown(app, path);
  } else if (kind == "gif") {
    export_gif(app, path);
  } else if (kind == "pngs") {
    export_pngs(app, path);
  } else {
    throw std::invalid_argument("unknown export \"" + kind + "\": png, svg, gif, md or pngs");
  }
}

std::string no_picture(int width, int height) {
  return "the window is " + std::to_string(width) + "×" + std::to_string(height) +
         " pixels: there is no picture to take";
}

}  // namespace convstep
