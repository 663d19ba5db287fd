// script.h — plain-text scripts that drive the app: for tests, and for teachers preparing a
// demo. One command per line; `#` starts a comment (`##`, as in ImGui's labels, does not):
//
//   preset sobel-6x5
//   open_link lesson=eyJ2ZXJz…&step=3   # a link without its "#", which starts a comment here
//   phase dx_gather
//   granularity term
//   seek 17
//   set stride 2          # any lesson-file key, with a JSON value
//   edit W[0][1] 5
//   press Lesson > H > +  # presses a widget as a click would: its window, then its labels
//   undo                  # and redo: the lesson's history
//   key ctrl+q            # a key chord, as typed: ctrl+, shift+, then a letter, digit or name
//   screenshot step.png
//   quit
//
// Every command is checked before anything runs; an error names the line ("demo.txt:4: ...")
// and the front end exits with status 2. A file the script cannot write (save, screenshot,
// export) is the environment failing instead: the same message, and status 1.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/app.h"
#include "core/user_text.h"

namespace convstep {

struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ScriptCommand {
  int line = 0;
  std::string verb;
  std::vector<std::string> args;
};

// Parses and checks every command (verb and number of arguments). Throws ScriptError.
std::vector<ScriptCommand> parse_script(const std::string& text, const std::string& name);
std::vector<ScriptCommand> load_script(const std::string& path);

// What a script needs from the front end that shows the app.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  virtual void screenshot(const std::string& png_path) = 0;  // the whole window, as shown
  virtual void export_file(const std::string& kind,
                           const std::string& path) = 0;  // png, gif, svg, md
  virtual void resize(int width, int height) = 0;
  virtual void quit() = 0;
  // Presses a widget by its path ("Lesson > H > +") during the next frame; pressed() then
  // says whether it was on the screen to be pressed. Only a front end with panels has widgets.
  virtual void press(const std::string& path) {
    throw std::invalid_argument("there are no widgets to press here: " + in_quotes(path));
  }
  virtual bool pressed(const std::string&) { return false; }
  // Presses a key chord ("ctrl+q") during the next frame, as the keyboard would.
  virtual void key(const std::string& chord) {
    throw std::invalid_argument("there is no keyboard here: " + in_quotes(chord));
  }
};

class ScriptRunner {
 public:
  ScriptRunner(std::vector<ScriptCommand> commands, std::string name);
  // Runs commands until one waits (`wait MS`) or the script ends. `now` is in seconds.
  // Throws ScriptError naming the line.
  void update(App& app, ScriptHost& host, double now);
  bool finished() const { return next_ >= commands_.size() && now_ >= resume_at_ && !pressing_; }

 private:
  void run(const ScriptCommand& c, App& app, ScriptHost& host);
  std::vector<ScriptCommand> commands_;
  std::string name_;
  std::size_t next_ = 0;
  double now_ = 0, resume_at_ = 0;
  std::optional<std::size_t> pressing_;  // a press waiting for its frame to be drawn
};

}  // namespace convstep
