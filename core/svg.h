// svg.h — a scene as SVG text: the same picture as the GL painter, sharp on any projector.
//
//   write_file_atomically("step.svg", scene_to_svg(build_stage(...)));  // core/io.h
//
// Cells are filled with cell_fill() (colormap.h), padding hatched, inserted zeros dotted,
// numbers in DejaVu Sans Mono; a rotating grid becomes an SVG rotate() about its centre.
#pragma once

#include <string>

#include "core/scene.h"

namespace convstep {

std::string scene_to_svg(const Scene& scene);

}  // namespace convstep
