#include "app/export/export.h"

#include <stdexcept>

#include "app/export/formats.h"
#include "app/export/pytorch.h"
#include "core/io.h"
#include "core/names.h"

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
  } else if (kind == "py") {
    write_file_atomically(path, pytorch_code(app.lesson(), app.timeline().results()));
  } else {
    throw std::invalid_argument("unknown export \"" + kind +
                                "\": " + spelled_out(export_format_names()));
  }
}

std::string no_picture(int width, int height) {
  return "the window is " + std::to_string(width) + "×" + std::to_string(height) +
         " pixels: there is no picture to take";
}

}  // namespace convstep
