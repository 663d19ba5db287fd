// convstep: with a subcommand (compute, validate, steps, svg) the command line; otherwise the
// app, in a window, or headless through EGL with --headless.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "cli.h"
#ifdef CONVSTEP_GUI
#include "front.h"
#endif

namespace {

bool is_subcommand(const char* arg) {
  for (const char* name : {"compute", "validate", "steps", "svg", "--help", "-h"})
    if (std::strcmp(arg, name) == 0) return true;
  return false;
}

#ifdef CONVSTEP_GUI
int run_app(int argc, char** argv) {
  using namespace convstep;
  CLI::App cli{
      "convstep: 2-D convolution and its backpropagation, step by step.\n"
      "Subcommands (see convstep --help): compute, validate, steps, svg."};
  ShellOptions o;
  std::string size;
  cli.add_option("lesson", o.lesson, "a lesson file (JSON); default: the seed's 6×5 Sobel example");
  cli.add_option("--script", o.script, "run the commands of a script file");
  cli.add_flag("--headless", o.headless, "render through EGL, with no display");
  cli.add_flag("--no-restore", o.no_restore,
               "do not offer unsaved edits from a previous session back");
  cli.add_option("--size", size, "window size, e.g. 1600x900");
  cli.add_option("--monkey", o.monkey_events, "feed N seeded random input events (for tests)")
      ->group("");
  cli.add_option("--seed", o.monkey_seed, "seed for --monkey")->group("");
  try {
    cli.parse(argc, argv);
    if (!size.empty() && std::sscanf(size.c_str(), "%dx%d", &o.width, &o.height) != 2)
      throw CLI::ValidationError("--size", "expected WIDTHxHEIGHT, e.g. 1600x900");
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  try {
    const bool display = std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
    // --monkey runs in the window when there is a display (tests), headless otherwise.
    if (o.headless || (o.monkey_events > 0 && !display)) return run_headless(o);
    if (display) {
      const int status = run_window(o);
      if (status >= 0) return status;
    }
    if (!o.script.empty()) {
      std::cerr << "convstep: no display: run the script with --headless\n";
      return 2;
    }
    std::cout << "convstep: there is no display here; rendering the stage headless instead.\n";
    return render_without_display(o, "convstep-out");
  } catch (const ScriptError& e) {
    std::cerr << "convstep: " << e.what() << "\n";
    return 2;
  } catch (const LessonError& e) {
    std::cerr << "convstep: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "convstep: " << e.what() << "\n";
    return 1;
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef CONVSTEP_GUI
  if (argc < 2 || !is_subcommand(argv[1])) return run_app(argc, argv);
#else
  (void)is_subcommand;
#endif
  return convstep::run_cli(argc, argv);
}
