// cli.h — convstep's command line: `compute`, `validate`, `steps`, `svg`, `export`, `link`; and the
// exit status every part of convstep returns (README, "Exit status"):
//   0  success;
//   2  bad input or bad arguments: a lesson, a script or an option that is wrong, missing or
//      unreadable;
//   1  the environment failed: a write (disk full, no permission), the memory, the display;
//      an internal error, too.
// Never a signal: every failure is one message on stderr and one of these statuses.
#pragma once

#include <optional>
#include <string>

namespace convstep {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitEnvironment = 1;
inline constexpr int kExitBadInput = 2;

int run_cli(int argc, char** argv);

// The app's own command line, `convstep [LESSON] [--script FILE] [--headless] ...`, as given:
// the caller checks the values. CLI11 is compiled in cli.cpp only.
struct AppArguments {
  std::string lesson, script, size, monkey = "0", seed = "1";
  bool headless = false, no_restore = false;
};
// Fills `out`, or returns the exit status when the command line is wrong or asks for --help
// (the message or the help is already printed).
std::optional<int> parse_app_arguments(int argc, char** argv, AppArguments* out);

// Inside a catch block: one line on stderr about the exception being handled, and the exit
// status it stands for. Bad input (a lesson, a script, an argument: std::invalid_argument) is
// 2; running out of memory and everything else is 1.
int report_current_exception();

}  // namespace convstep
