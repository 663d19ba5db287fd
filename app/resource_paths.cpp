#include "app/resource_paths.h"

#include <cstdlib>

namespace convstep {
namespace {

std::string from_env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

}  // namespace

std::string shader_dir() {
  return from_env_or("CONVSTEP_SHADER_DIR", CONVSTEP_SHADER_DIR);
}
std::string assets_dir() {
  return from_env_or("CONVSTEP_ASSETS_DIR", CONVSTEP_ASSETS_DIR);
}

}  // namespace convstep
