// Fuzzes the script language: parsing, then running each command that parses against a real
// App (without a window), with a stage scene after each one.
//
// Commands that touch files (open, save, screenshot, export) are not run, and neither are
// edits that would make a lesson too large to step through quickly. A ScriptError or a
// rejected edit is the expected answer to bad input; a crash or a sanitizer report is a
// finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/app.h"
#include "app/script.h"
#include "core/json.h"
#include "tests/fuzz/cheap.h"

using namespace convstep;

namespace {

struct NoWindow : ScriptHost {
  void screenshot(const std::string&) override {}
  void export_file(const std::string&, const std::string&) override {}
  void resize(int, int) override {}
  void quit() override {}
};

// Whether running `c` could build a lesson too large for a quick run.
bool too_costly(const App& app, const ScriptCommand& c) {
  const Lesson& l = app.lesson();
  if (c.verb == "shape") {
    // The sizes as the app reads them; out of 1..4096 the app refuses before allocating.
    int s[7];
    for (int i = 0; i < 7; ++i) {
      char* end = nullptr;
      s[i] = static_cast<int>(std::strtoll(c.args[i].c_str(), &end, 10));
      if (*end || s[i] < 1 || s[i] > kMaxDimension) return false;
    }
    const int groups = l.spec.groups;
    if (s[1] % groups || s[4] % groups) return false;
    const Shape input{s[0], s[1], s[2], s[3]}, weight{s[4], s[1] / groups, s[5], s[6]};
    if (input.count() > kMaxFuzzWork || weight.count() > kMaxFuzzWork) return true;
    try {
      return !cheap(resolve(l.spec, input, weight));
    } catch (const ConvError&) {
      return false;
    }
  }
  if (c.verb == "set") {
    // The lesson the edit would make, built the way App::set_param builds it.
    nlohmann::json value = nlohmann::json::parse(c.args[1], nullptr, false);
    if (value.is_discarded()) value = c.args[1];
    nlohmann::json j = nlohmann::json::parse(lesson_to_json(l));
    j[c.args[0]] = value;
    try {
      return !cheap(parse_lesson(j.dump()).geometry());
    } catch (const LessonError&) {
      return false;
    } catch (const nlohmann::json::exception&) {
      return false;  // e.g. text that is not UTF-8: the app refuses it the same way
    }
  }
  return c.verb == "open" || c.verb == "save" || c.verb == "screenshot" || c.verb == "export" ||
         (c.verb == "preset" && c.args[0].find_first_of("./") != std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<ScriptCommand> commands;
  try {
    commands = parse_script(std::string(reinterpret_cast<const char*>(data), size), "fuzz.txt");
  } catch (const ScriptError&) {
    return 0;
  }
  static App* app = nullptr;  // built once: the default lesson, restored below for each input
  if (!app) app = new App;
  app->open_or_default("");
  app->settings = Settings();
  app->hover.reset(), app->pinned.reset(), app->slice.reset();
  app->pitfalls = {};
  NoWindow host;
  double now = 0;
  for (std::size_t i = 0; i < commands.size() && i < 64; ++i) {
    if (too_costly(*app, commands[i])) continue;
    try {
      ScriptRunner({commands[i]}, "fuzz.txt").update(*app, host, now);
    } catch (const ScriptError&) {
      // a command with a bad argument: named by its line, as the front ends report it
    }
    now += 0.1;
    app->advance(0.1);
    StageOptions o;
    app->scene(o);
  }
  return 0;
}
