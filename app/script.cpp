#include "app/script.h"

#include <algorithm>
#include <cfloat>
#include <climits>
#include <map>
#include <sstream>

#include "app/export/formats.h"
#include "core/io.h"
#include "core/json.h"
#include "core/names.h"
#include "core/user_text.h"

namespace convstep {

namespace {

// verb → (minimum, maximum) number of arguments
const std::map<std::string, std::pair<int, int>>& verbs() {
  static const std::map<std::string, std::pair<int, int>> v = {
      {"open", {1, 1}},      {"preset", {1, 1}},        {"save", {1, 1}},
      {"phase", {1, 1}},     {"granularity", {1, 1}},   {"seek", {1, 1}},
      {"step", {0, 1}},      {"start", {0, 0}},         {"end", {0, 0}},
      {"play", {0, 0}},      {"pause", {0, 0}},         {"set", {2, 2}},
      {"edit", {2, 2}},      {"shape", {7, 7}},         {"randomize", {0, 1}},
      {"upstream", {1, 1}},  {"pitfall", {2, 2}},       {"theme", {1, 1}},
      {"classroom", {1, 1}}, {"scale", {1, 1}},         {"speed", {1, 1}},
      {"loop", {1, 1}},      {"reduce_motion", {1, 1}}, {"skip_zeros", {1, 1}},
      {"panel", {2, 2}},     {"hover", {1, 1}},         {"pin", {1, 1}},
      {"resize", {2, 2}},    {"wait", {1, 1}},          {"screenshot", {1, 1}},
      {"export", {2, 2}},    {"quit", {0, 0}},          {"slice", {1, 3}},
      {"press", {1, 1}},     {"undo", {0, 0}},          {"redo", {0, 0}},
      {"key", {1, 1}},       {"grow", {1, 1}},          {"quiz", {1, 2}},
      {"answer", {1, 1}},    {"reveal", {0, 0}},        {"open_link", {1, 1}},
  };
  return v;
}

// Far more steps than any lesson has, and far from overflowing when added to a step.
constexpr long long kMaxStepMove = 1'000'000'000'000'000;
constexpr long long kMaxWaitMs = 30 * 60 * 1000;  // the headless run stops at 30 minutes
constexpr int kMaxWindowSide = 16384;

bool to_switch(const std::string& s) {
  if (s == "on") return true;
  if (s == "off") return false;
  throw std::invalid_argument("expected on or off, got " + in_quotes(s));
}

// Parses a `set` value: JSON, or a bare word (same, valid, full, ones) as text.
nlohmann::json to_json_value(const std::string& text) {
  // Deep values are refused before they are built: nlohmann copies and dumps recursively.
  if (const std::string deep = nesting_error(text); !deep.empty())
    throw std::invalid_argument("the value: " + deep);
  nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
  if (value.is_discarded()) value = text;
  return value;
}

std::optional<CellRef> to_cell(const std::string& s) {
  std::string name;
  std::vector<int> index;
  if (!parse_cell_address(s, &name, &index)) return std::nullopt;
  const auto grid = parse_grid(name);
  if (!grid) return std::nullopt;
  CellRef r{*grid};
  if (index.size() == 2)
    r.h = index[0], r.w = index[1];
  else if (index.size() == 4)
    r.n = index[0], r.c = index[1], r.h = index[2], r.w = index[3];
  else if (index.size() == 1 && r.grid == Grid::db)
    r.c = index[0];
  else
    return std::nullopt;
  return r;
}

// The quiz's commands (core/quiz.h): quiz on, off, every, restart or worksheet N; answer VALUE;
// reveal (the teacher shows the answer). An answer that is not a number, or one given with no
// question open, is the script's mistake.
void run_quiz(const ScriptCommand& c, App& app) {
  const auto& a = c.args;
  if (c.verb == "answer") {
    if (!app.quiz().question())
      throw std::invalid_argument("the quiz asks nothing at this step (is it on?)");
    if (app.quiz_answer(a[0]) == Verdict::NotANumber)
      throw std::invalid_argument("expected a number like -2, 0.5 or 1/3, got " + in_quotes(a[0]));
  } else if (c.verb == "reveal") {
    if (!app.quiz_reveal())
      throw std::invalid_argument("the quiz asks nothing at this step (is it on?)");
  } else if (a[0] == "worksheet" && a.size() == 2) {
    app.set_quiz_worksheet_cells(static_cast<int>(whole_number(a[1], "the cells a phase", 1, 100)));
  } else if (a.size() == 1 && (a[0] == "on" || a[0] == "off")) {
    app.set_quiz(a[0] == "on");
  } else if (a.size() == 1 && a[0] == "every") {
    app.set_quiz_worksheet_cells(0);
  } else if (a.size() == 1 && a[0] == "restart") {
    app.quiz_reset();
  } else {
    throw std::invalid_argument("expected quiz on, off, every, restart or worksheet N");
  }
}

}  // namespace

std::vector<ScriptCommand> parse_script(const std::string& text, const std::string& name) {
  std::vector<ScriptCommand> out;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    // `#` starts a comment; two or more in a row are part of an ImGui label ("###error").
    for (std::size_t at = line.find('#'); at != std::string::npos; at = line.find('#', at)) {
      const std::size_t run = line.find_first_not_of('#', at);
      if ((run == std::string::npos ? line.size() : run) - at == 1) {
        line.erase(at);
        break;
      }
      at = run == std::string::npos ? line.size() : run;
    }
    std::istringstream words(line);
    ScriptCommand c;
    c.line = number;
    if (!(words >> c.verb)) continue;
    // `set KEY VALUE` takes the rest of the line as one JSON value: [1, 2] has spaces; `press`
    // takes it as one path of labels, which have spaces too.
    std::string word;
    if (c.verb == "set" || c.verb == "press") {
      if (c.verb == "set" && words >> word) c.args.push_back(word);
      std::string rest;
      std::getline(words, rest);
      rest.erase(rest.find_last_not_of(" \t\r") + 1);  // before a comment
      if (const auto first = rest.find_first_not_of(' '); first != std::string::npos)
        c.args.push_back(rest.substr(first));
    } else {
      while (words >> word) c.args.push_back(word);
    }
    const auto known = verbs().find(c.verb);
    if (known == verbs().end())
      throw ScriptError(name + ":" + std::to_string(number) + ": unknown command " +
                        in_quotes(c.verb));
    const auto [lo, hi] = known->second;
    const int n = static_cast<int>(c.args.size());
    if (n < lo || n > hi)
      throw ScriptError(
          name + ":" + std::to_string(number) + ": " + c.verb + " takes " +
          (lo == hi ? std::to_string(lo) : std::to_string(lo) + " or " + std::to_string(hi)) +
          " argument" + (hi == 1 ? "" : "s") + ", got " + std::to_string(n));
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<ScriptCommand> load_script(const std::string& path) {
  constexpr long long kMaxScriptBytes = 16 << 20;
  try {
    // read_file refuses a folder or a named pipe instead of waiting on it.
    return parse_script(read_file(path, kMaxScriptBytes), path);
  } catch (const IoError& e) {  // a script that cannot be read is bad input: exit 2
    throw ScriptError(path_excerpt(path) + ": " + e.reason());
  }
}

ScriptRunner::ScriptRunner(std::vector<ScriptCommand> commands, std::string name)
    : commands_(std::move(commands)), name_(std::move(name)) {}

void ScriptRunner::update(App& app, ScriptHost& host, double now) {
  now_ = now;
  if (pressing_) {
    // The frame drawn since the press has applied it, or found no such widget.
    const ScriptCommand& c = commands_[*pressing_];
    pressing_.reset();
    if (!host.pressed(c.args[0]))
      throw ScriptError(name_ + ":" + std::to_string(c.line) + ": press: nothing called " +
                        in_quotes(c.args[0]) + " is on the screen");
  }
  // A command waits for the timeline of the last edit to be on screen (the app keeps drawing).
  while (next_ < commands_.size() && now >= resume_at_ && !app.computing()) {
    const ScriptCommand& c = commands_[next_++];
    const std::string where = name_ + ":" + std::to_string(c.line) + ": " + c.verb + ": ";
    // A wrong command is the script's fault (exit 2); a file that cannot be written, or
    // memory that runs out, is the environment's (exit 1).
    const bool writes = c.verb == "save" || c.verb == "screenshot" || c.verb == "export";
    try {
      run(c, app, host);
    } catch (const IoError& e) {  // a file that cannot be written: the environment, not the script
      throw IoError(where + e.what(), e.path(), e.reason());
    } catch (const std::invalid_argument& e) {
      throw ScriptError(where + e.what());
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      if (writes) throw std::runtime_error(where + e.what());
      throw ScriptError(where + e.what());
    }
    if (c.verb == "wait" || c.verb == "key") break;  // a key acts during the next frame
    if (c.verb == "press") {
      pressing_ = next_ - 1;
      break;
    }
  }
}

void ScriptRunner::run(const ScriptCommand& c, App& app, ScriptHost& host) {
  const auto& a = c.args;
  const std::string& v = c.verb;
  auto must = [&](bool ok) {
    if (!ok) throw std::invalid_argument(app.last_error());
  };
  if (v == "open")
    app.open(a[0]);
  else if (v == "open_link")
    app.open_link(a[0]);
  else if (v == "preset")
    app.open_preset(a[0]);
  else if (v == "save")
    app.save(a[0]);
  else if (v == "phase") {
    const auto p = parse_phase(a[0]);
    if (!p)
      throw std::invalid_argument("unknown phase " + in_quotes(a[0]) + ": " +
                                  spelled_out(phase_names()));
    app.set_phase(*p);
  } else if (v == "granularity") {
    const auto g = parse_granularity(a[0]);
    if (!g)
      throw std::invalid_argument("unknown granularity " + in_quotes(a[0]) + ": " +
                                  spelled_out(granularity_names()));
    app.set_granularity(*g);
  } else if (v == "seek") {
    app.seek(whole_number(a[0], "the step", 0, app.step_count() - 1));
  } else if (v == "step")
    app.step_by(a.empty() ? 1
                          : whole_number(a[0], "the number of steps", -kMaxStepMove, kMaxStepMove));
  else if (v == "start")
    app.go_start();
  else if (v == "end")
    app.go_end();
  else if (v == "play")
    app.set_playing(true);
  else if (v == "pause")
    app.set_playing(false);
  else if (v == "set") {
    must(app.set_param(a[0], to_json_value(a[1])));
  } else if (v == "edit") {
    std::string tensor;
    std::vector<int> index;
    if (!parse_cell_address(a[0], &tensor, &index))
      throw std::invalid_argument("expected a cell like W[0][1], got " + in_quotes(a[0]));
    must(app.edit_value(tensor, index, finite_number(a[1], "the value", -DBL_MAX, DBL_MAX)));
  } else if (v == "shape") {
    int s[7];
    for (int i = 0; i < 7; ++i)
      s[i] = static_cast<int>(whole_number(a[i], "a size", 1, kMaxDimension));
    must(app.reshape(s[0], s[1], s[2], s[3], s[4], s[5], s[6]));
  } else if (v == "randomize")
    app.randomize_integers(
        a.empty() ? 1 : static_cast<unsigned>(whole_number(a[0], "the seed", 0, UINT_MAX)));
  else if (v == "upstream") {
    if (a[0] == "ones")
      app.set_upstream_ones();
    else if (a[0] == "random")
      app.set_upstream_random(1);
    else
      throw std::invalid_argument("expected ones or random");
  } else if (v == "pitfall") {
    for (std::size_t i = 0; i < std::size(kAllPitfalls); ++i)
      if (a[0] == pitfall_name(kAllPitfalls[i])) {
        app.pitfalls[i] = to_switch(a[1]);
        return;
      }
    throw std::invalid_argument("unknown pitfall " + in_quotes(a[0]) + ": " +
                                spelled_out(pitfall_names()));
  } else if (v == "theme") {
    const auto t = parse_theme(a[0]);
    if (!t)
      throw std::invalid_argument("unknown theme " + in_quotes(a[0]) + ": " +
                                  spelled_out(theme_names()));
    app.settings.theme = *t;
  } else if (v == "grow") {
    const auto f = parse_grow_fill(a[0]);
    if (!f) throw std::invalid_argument("expected random, zeros or ones, got " + in_quotes(a[0]));
    app.settings.grow_fill = *f;
  } else if (v == "classroom") {
    app.set_classroom(to_switch(a[0]));
  } else if (v == "scale") {
    app.settings.set_scale(static_cast<float>(
        finite_number(a[0], "the scale", Settings::kMinScale, Settings::kMaxScale)));
  } else if (v == "speed") {
    app.settings.speed = static_cast<float>(finite_number(a[0], "the speed", 0.25, 8));
  } else if (v == "loop")
    app.settings.loop = to_switch(a[0]);
  else if (v == "reduce_motion")
    app.settings.reduce_motion = to_switch(a[0]);
  else if (v == "skip_zeros") {
    app.settings.skip_zero_terms = to_switch(a[0]);
    app.seek(0);
  } else if (v == "panel") {
    const bool on = to_switch(a[1]);
    if (a[0] == "lesson")
      app.settings.show_lesson_panel = on;
    else if (a[0] == "why")
      app.settings.show_why_panel = on;
    else
      throw std::invalid_argument("unknown panel " + in_quotes(a[0]) + ": lesson or why");
  } else if (v == "hover" || v == "pin") {
    std::optional<CellRef> cell;
    if (a[0] != "none" && !(cell = to_cell(a[0])))
      throw std::invalid_argument("expected a cell like Z[1][2] or none, got " + in_quotes(a[0]));
    (v == "hover" ? app.hover : app.pinned) = cell;
  } else if (v == "resize") {
    host.resize(static_cast<int>(whole_number(a[0], "the width", 0, kMaxWindowSide)),
                static_cast<int>(whole_number(a[1], "the height", 0, kMaxWindowSide)));
  } else if (v == "wait") {
    resume_at_ = now_ + whole_number(a[0], "the wait in milliseconds", 0, kMaxWaitMs) / 1000.0;
  } else if (v == "screenshot")
    host.screenshot(a[0]);
  else if (v == "export") {
    const std::vector<std::string> formats = export_format_names();
    if (std::find(formats.begin(), formats.end(), a[0]) == formats.end())
      throw std::invalid_argument("unknown export " + in_quotes(a[0]) + ": " +
                                  spelled_out(formats));
    host.export_file(a[0], a[1]);
  } else if (v == "quit")
    host.quit();
  else if (v == "press")
    host.press(a[0]);
  else if (v == "key")
    host.key(a[0]);
  else if (v == "quiz" || v == "answer" || v == "reveal")
    run_quiz(c, app);
  else if (v == "undo" || v == "redo") {
    if (!(v == "undo" ? app.undo() : app.redo()))
      throw std::invalid_argument("there is nothing to " + v);
  }
}

}  // namespace convstep
