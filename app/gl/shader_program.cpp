#include "app/gl/shader_program.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "app/gl/gl_api.h"
#include "app/platform.h"

namespace convstep {
namespace {

std::string read_source(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ShaderError(path + ": cannot read the shader file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string shader_log(GLuint shader) {
  GLint length = 0;
  glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
  std::string log(static_cast<std::size_t>(length > 1 ? length : 1), '\0');
  glGetShaderInfoLog(shader, length, nullptr, log.data());
  return log.c_str();
}

// "grid.frag" or "grid.frag (CELL_STYLE 1)": which variant failed.
std::string describe(const std::string& path, const std::string& defines) {
  std::string d;
  for (char ch : defines) {
    if (ch == '\n') ch = ';';
    d += ch;
  }
  while (!d.empty() && d.back() == ';') d.pop_back();
  for (std::size_t at; (at = d.find("#define ")) != std::string::npos;) d.erase(at, 8);
  return defines.empty() ? path : path + " (" + d + ")";
}

GLuint compile(GLenum kind, const std::string& path, const std::string& defines) {
  // The platform's #version line first (app/platform.h), then the defines, then a #line
  // directive so that the driver's log still gives the file's own line numbers.
  const std::string source = std::string(kGlslVersion) + defines + (defines.empty() ? "" : "\n") +
                             "#line 1\n" + read_source(path);
  const GLuint shader = glCreateShader(kind);
  const char* text = source.c_str();
  glShaderSource(shader, 1, &text, nullptr);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    const std::string log = shader_log(shader);
    glDeleteShader(shader);
    throw ShaderError(describe(path, defines) + ": compile failed: " + log);
  }
  return shader;
}

}  // namespace

ShaderProgram::ShaderProgram(const std::string& vertex_path, const std::string& fragment_path,
                             const std::string& defines) {
  const GLuint vs = compile(GL_VERTEX_SHADER, vertex_path, defines);
  GLuint fs = 0;
  try {
    fs = compile(GL_FRAGMENT_SHADER, fragment_path, defines);
  } catch (...) {
    glDeleteShader(vs);
    throw;
  }
  program_ = glCreateProgram();
  glAttachShader(program_, vs);
  glAttachShader(program_, fs);
  glLinkProgram(program_);
  glDetachShader(program_, vs);
  glDetachShader(program_, fs);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = GL_FALSE;
  glGetProgramiv(program_, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetProgramiv(program_, GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<std::size_t>(length > 1 ? length : 1), '\0');
    glGetProgramInfoLog(program_, length, nullptr, log.data());
    glDeleteProgram(program_);
    program_ = 0;
    throw ShaderError(describe(vertex_path + " + " + fragment_path, defines) +
                      ": link failed: " + log.c_str());
  }
}

ShaderProgram::~ShaderProgram() {
  if (program_) glDeleteProgram(program_);
}

int ShaderProgram::uniform(const char* name) const {
  return glGetUniformLocation(program_, name);
}

}  // namespace convstep
