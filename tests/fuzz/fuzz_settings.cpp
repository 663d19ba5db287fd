// Fuzzes the settings file: Settings::from_json on whatever parses as JSON, and the loading
// path (load_settings) on the same bytes written to a settings file.
//
// Settings are tolerant: anything gives usable settings within their ranges, and what is
// saved loads back the same. A crash, a sanitizer report or a setting out of range is a
// finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "app/app.h"
#include "core/json.h"

using namespace convstep;

namespace {

std::string settings_file;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz_settings: %s\n", what);
  std::abort();
}

void check(const Settings& s) {
  if (!(s.stage_scale >= 1 && s.stage_scale <= 3)) finding("stage scale out of 1..3");
  if (!(s.speed >= 0.25f && s.speed <= 8)) finding("speed out of 0.25..8");
  if (s.window_width < 320 || s.window_height < 240) finding("a window smaller than 320x240");
  const nlohmann::json saved = s.to_json();
  if (Settings::from_json(saved).to_json() != saved)
    finding("settings that do not load back as saved");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A settings folder of our own, so that the loading path reads the fuzzed bytes.
  char folder[] = "/tmp/convstep-fuzz-settings-XXXXXX";
  if (!mkdtemp(folder)) return 0;
  setenv("XDG_CONFIG_HOME", folder, 1);
  const std::string dir = config_dir();
  std::system(("mkdir -p '" + dir + "'").c_str());
  settings_file = dir + "/settings.json";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  check(Settings::from_json(nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false)));
  {
    std::ofstream out(settings_file, std::ios::binary | std::ios::trunc);
    out << text;
  }
  check(load_settings());
  return 0;
}
