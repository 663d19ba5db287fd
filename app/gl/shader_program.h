// shader_program.h — a GLSL program loaded from files, with the file name in every error.
//
//   ShaderProgram grid(shader_dir() + "/grid.vert", shader_dir() + "/grid.frag");
//   ShaderProgram padding(vert, frag, "#define CELL_STYLE 1\n");   // a specialised variant
//   glUseProgram(grid.id());
//   glUniform1f(grid.uniform("u_opacity"), 1.0f);
//
// Needs a current GL 3.3 core context for its whole life.
#pragma once

#include <stdexcept>
#include <string>

namespace convstep {

// A shader that cannot be read, compiled or linked. The message names the file and quotes the
// driver's log, e.g. "shaders/grid.frag: compile failed: 0:12(3): error: ...".
struct ShaderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ShaderProgram {
 public:
  // `defines` is inserted into both sources right after their #version line.
  ShaderProgram(const std::string& vertex_path, const std::string& fragment_path,
                const std::string& defines = "");
  ~ShaderProgram();
  ShaderProgram(const ShaderProgram&) = delete;
  ShaderProgram& operator=(const ShaderProgram&) = delete;

  unsigned id() const { return program_; }
  // The uniform's location; -1 when the linker removed it (as glGetUniformLocation).
  int uniform(const char* name) const;

 private:
  unsigned program_ = 0;
};

}  // namespace convstep
