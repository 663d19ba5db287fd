// convstep: with a subcommand (compute, validate, steps, svg, export, link) the command line;
// otherwise the app, in a window, or headless through EGL with --headless.
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "app/cli.h"
#include "core/io.h"
#include "core/user_text.h"
#ifdef CONVSTEP_GUI
#include "app/front.h"
#endif

namespace {

// The last resort of the exit-status contract: an exception that escapes (from a destructor, or
// a noexcept function) would abort with SIGABRT; it is reported and exits 1 instead. Running
// out of memory gets here too: nlohmann's destructor allocates while it frees a large value.
[[noreturn]] void on_terminate() {
  int status = convstep::kExitEnvironment;
  if (std::current_exception())
    status = convstep::report_current_exception();
  else
    std::fputs("convstep: internal error: stopped\n", stderr);
  std::_Exit(status);
}

bool is_subcommand(const char* arg) {
  for (const char* name : {"compute", "validate", "steps", "svg", "export", "link", "--help", "-h"})
    if (std::strcmp(arg, name) == 0) return true;
  return false;
}

#ifdef CONVSTEP_GUI
// --size WxH, each side from 1 to 16384 (what the window and the offscreen target accept).
void read_size(const std::string& size, int* width, int* height) {
  if (size.empty()) return;
  const std::size_t x = size.find('x');
  if (x == std::string::npos)
    throw std::invalid_argument("--size must be WIDTHxHEIGHT, e.g. 1600x900, got " +
                                convstep::in_quotes(size));
  *width = static_cast<int>(convstep::whole_number(size.substr(0, x), "--size's width", 1, 16384));
  *height =
      static_cast<int>(convstep::whole_number(size.substr(x + 1), "--size's height", 1, 16384));
}

int run_app(int argc, char** argv) {
  using namespace convstep;
  AppArguments args;
  if (const std::optional<int> status = parse_app_arguments(argc, argv, &args)) return *status;
  ShellOptions o;
  o.lesson = args.lesson;
  o.script = args.script;
  o.headless = args.headless;
  o.no_restore = args.no_restore;
  try {
    read_size(args.size, &o.width, &o.height);
    // The headless run stops after 30 simulated minutes, 108,000 frames of one event each.
    o.monkey_events = whole_number(args.monkey, "--monkey", 0, 100'000);
    o.monkey_seed = static_cast<unsigned>(whole_number(args.seed, "--seed", 0, UINT_MAX));
    const bool display = std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY");
    // --monkey runs in the window when there is a display (tests), headless otherwise.
    if (o.headless || (o.monkey_events > 0 && !display)) return run_headless(o);
    if (display) {
      const int status = run_window(o);
      if (status >= 0) return status;
    }
    if (!o.script.empty()) {
      std::cerr << "convstep: no display: run the script with --headless\n";
      return kExitEnvironment;
    }
    std::cout << "convstep: there is no display here; rendering the stage headless instead.\n";
    return render_without_display(o, "convstep-out");
  } catch (const ScriptError& e) {
    std::cerr << "convstep: " << excerpt(e.what(), kMessageChars) << "\n";
    return kExitBadInput;
  } catch (...) {
    return report_current_exception();
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  convstep::ignore_file_size_signal();  // a write past `ulimit -f` fails like a full disk
  std::set_terminate(on_terminate);
  // A reader that goes away (`convstep steps ... | head`) makes writes fail with EPIPE, reported
  // and exiting 1, instead of killing convstep with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
#ifdef CONVSTEP_GUI
  if (argc < 2 || !is_subcommand(argv[1])) return run_app(argc, argv);
  convstep::set_picture_exporter(convstep::export_headless);  // `export --format png` draws
#else
  (void)is_subcommand;
#endif
  return convstep::run_cli(argc, argv);
}
