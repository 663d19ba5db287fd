#include "core/names.h"

#include "core/conv.h"
#include "core/stage.h"
#include "core/timeline.h"

namespace convstep {

namespace {

template <class T, std::size_t N>
std::vector<std::string> names_of(const T (&all)[N], const char* (*name)(T)) {
  std::vector<std::string> out;
  for (T value : all) out.push_back(name(value));
  return out;
}

}  // namespace

std::vector<std::string> phase_names() {
  return names_of(kAllPhases, phase_name);
}

std::vector<std::string> granularity_names() {
  return names_of(kAllGranularities, granularity_name);
}

std::vector<std::string> theme_names() {
  return names_of(kAllThemes, theme_name);
}

std::vector<std::string> pitfall_names() {
  return names_of(kAllPitfalls, pitfall_name);
}

std::string spelled_out(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace convstep
