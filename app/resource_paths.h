// resource_paths.h — where convstep finds its shaders and assets at run time.
//
//   ShaderProgram p(shader_dir() + "/grid.vert", shader_dir() + "/grid.frag");
//   std::string fonts = assets_dir() + "/fonts";
//
// Defaults are the source tree's folders, compiled in (CONVSTEP_SHADER_DIR, CONVSTEP_ASSETS_DIR);
// the environment variables of the same names override them, e.g. for an installed copy.
#pragma once

#include <string>

namespace convstep {

std::string shader_dir();
std::string assets_dir();

}  // namespace convstep
