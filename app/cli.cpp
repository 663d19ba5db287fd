#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <climits>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include "app/export/formats.h"
#include "app/export/request.h"
#include "app/steps_output.h"
#include "core/format.h"
#include "core/io.h"
#include "core/lesson.h"
#include "core/link.h"
#include "core/mistake.h"
#include "core/names.h"
#include "core/stage.h"
#include "core/svg.h"
#include "core/timeline.h"
#include "core/user_text.h"

namespace convstep {

namespace {

// One line on stderr for an error in the command line (help is printed whole), and its status.
int report_parse_error(CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help
  // CLI11 quotes the arguments it could not use whole: they may be a megabyte long.
  std::cerr << "convstep: " << excerpt(e.what(), 3 * kExcerptChars) << " (see convstep --help)\n";
  return kExitBadInput;
}

// Each (n, c) slice as a right-aligned matrix.
void print_tensor(std::ostream& out, const std::string& heading, const Tensor& t,
                  const char* channel_letter) {
  out << heading << "  " << t.shape.str() << "\n";
  for (int n = 0; n < t.shape.n; ++n)
    for (int c = 0; c < t.shape.c; ++c) {
      if (t.shape.n * t.shape.c > 1)
        out << "  [n=" << n << ", " << channel_letter << "=" << c << "]\n";
      std::vector<std::string> cells;
      std::size_t width = 0;
      for (int h = 0; h < t.shape.h; ++h)
        for (int w = 0; w < t.shape.w; ++w) {
          cells.push_back(format_number(t(n, c, h, w)));
          width = std::max(width, cells.back().size());
        }
      for (int h = 0; h < t.shape.h; ++h) {
        out << "  ";
        for (int w = 0; w < t.shape.w; ++w) {
          const std::string& cell = cells[h * t.shape.w + w];
          out << std::string(width - cell.size() + (w ? 2 : 0), ' ') << cell;
        }
        out << "\n";
      }
    }
  out << "\n";
}

std::string describe_geometry(const Geometry& g) {
  auto pair = [](int a, int b) { return a == b ? std::to_string(a) : dims(a, b); };
  std::string padding = std::to_string(g.pad_top);
  if (g.pad_bottom != g.pad_top || g.pad_left != g.pad_top || g.pad_right != g.pad_top)
    padding = "(top " + std::to_string(g.pad_top) + ", bottom " + std::to_string(g.pad_bottom) +
              ", left " + std::to_string(g.pad_left) + ", right " + std::to_string(g.pad_right) +
              ")";
  return "X " + g.input_shape().str() + ", W " + g.weight_shape().str() + ", stride " +
         pair(g.stride_h, g.stride_w) + ", padding " + padding + ", dilation " +
         pair(g.dil_h, g.dil_w) + ", groups " + std::to_string(g.groups) + " → Z " +
         g.output_shape().str() + ", " + std::to_string(g.multiply_adds()) + " multiply–adds";
}

// Standard output may be a full disk or a closed pipe: that is the environment failing.
int finish_output(const std::string& what) {
  std::cout.flush();
  if (std::cout) return kExitSuccess;
  std::cerr << "convstep: cannot write " << what << " to standard output\n";
  return kExitEnvironment;
}

int compute_command(const std::string& path, const std::string& format) {
  const Lesson lesson = load_lesson(path);
  const Geometry geo = lesson.geometry();
  const Results r =
      compute(lesson.input, lesson.weight, lesson.bias, lesson.upstream_or_empty(), geo);
  if (format == "json") {
    write_results_json(std::cout, lesson, r);
  } else {
    if (!lesson.title.empty()) std::cout << lesson.title << "\n";
    std::cout << describe_geometry(geo) << "\n"
              << "G = ∂L/∂Z: "
              << (lesson.gives_gradient() ? std::string("from the lesson")
                  : lesson.loss.kind == LossKind::Sum
                      ? std::string("all ones (L = ΣZ)")
                      : "derived from L = " + loss_formula(lesson.loss.kind))
              << "\n\n";
    print_tensor(std::cout, "Z = Xp ⋆ W + b  (output)", r.Z, "c");
    print_tensor(std::cout, "dW = W_grad = ∂L/∂W", r.dW, "o");
    print_tensor(std::cout, "dX = X_grad = ∂L/∂X", r.dX, "c");
    std::cout << "db = ∂L/∂b = ΣG:";
    for (double v : r.db) std::cout << " " << format_number(v);
    std::cout << "\n";
  }
  return finish_output("the results");
}

int validate_command(const std::string& path) {
  const Lesson lesson = load_lesson(path);
  std::cout << path << ": valid lesson: " << describe_geometry(lesson.geometry()) << "\n";
  return finish_output("the description");
}

// An exercise of `convstep steps`: blank this many cells a phase, the answer key to a file.
struct StepsExercise {
  std::string cells, answers;
  bool force = false;
};

int steps_command(const std::string& path, const std::string& phase, const std::string& granularity,
                  long long from, long long count, bool skip_zero_terms, const std::string& format,
                  const StepsExercise& ex) {
  const int exercise =
      ex.cells.empty() ? 0 : static_cast<int>(whole_number(ex.cells, "--exercise", 1, 100));
  if (!ex.answers.empty() && exercise == 0)
    throw std::invalid_argument("--answers is the answer key of an exercise: add --exercise N");
  if (exercise > 0 && ex.answers.empty())
    throw std::invalid_argument("--exercise needs a file for its answer key: add --answers FILE");
  struct stat existing;
  if (!ex.force && !ex.answers.empty() && ::stat(ex.answers.c_str(), &existing) == 0 &&
      (S_ISREG(existing.st_mode) || S_ISDIR(existing.st_mode))) {
    std::cerr << "convstep: " << path_excerpt(ex.answers)
              << " already exists: add --force to replace it\n";
    return kExitBadInput;
  }
  const Timeline timeline(load_lesson(path));
  StepsRequest request;
  if (phase == "all")
    request.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
  else
    request.phases = {*parse_phase(phase)};  // CLI11 has checked the name
  // A phase asked for alone, on a lesson it cannot show (the matrix view's limits): why, as bad
  // input. With `all` its one step says the same and the other phases follow as usual.
  if (phase != "all")
    if (const std::string why = phase_refusal(request.phases[0], timeline.geometry()); !why.empty())
      throw std::invalid_argument(path_excerpt(path) + ": " + why);
  request.granularity = *parse_granularity(granularity);
  // `from + count` must not overflow: a count past the end means "to the end".
  request.from = from, request.count = std::min(count, LLONG_MAX - from);
  request.skip_zero_terms = skip_zero_terms;
  request.format = format == "jsonl"      ? StepsFormat::Jsonl
                   : format == "markdown" ? StepsFormat::Markdown
                                          : StepsFormat::Text;
  std::ostringstream answers;
  request.exercise = exercise;
  if (exercise > 0) request.answers = &answers;
  if (!write_steps(std::cout, timeline, request)) {
    std::cerr << "convstep: cannot write the steps to standard output\n";
    return kExitEnvironment;
  }
  if (exercise > 0) write_file_atomically(ex.answers, answers.str());
  return kExitSuccess;
}

// Whether `path` names the file standard output writes to (`-o /dev/stdout`, say): the name
// printed after writing it would be appended to the picture.
bool is_standard_output(const std::string& path) {
  struct stat file, out;
  return ::stat(path.c_str(), &file) == 0 && ::fstat(STDOUT_FILENO, &out) == 0 &&
         file.st_dev == out.st_dev && file.st_ino == out.st_ino;
}

// What `convstep export` was given, as typed: checked by export_command.
struct ExportArguments {
  std::string lesson, format, out, phase, granularity = "cell", steps, size = "1600x900",
                                          scale = "1", theme = "dark", pitfall, fps = "30",
                                          exercise;
  bool classroom = false, skip_zero_terms = false, force = false;
};

// "A:B", "A:", ":B" or "A" (the one step A) into request.from and request.to.
void read_steps(const std::string& text, ExportRequest* r) {
  const std::size_t colon = text.find(':');
  const std::string a = text.substr(0, colon);
  r->from = a.empty() ? 0 : whole_number(a, "--steps' first step", 0, LLONG_MAX - 1);
  if (colon == std::string::npos)
    r->to = r->from + 1;
  else if (colon + 1 < text.size())
    r->to = whole_number(text.substr(colon + 1), "--steps' end", 0, LLONG_MAX);
}

// "1920x1080" into a width and a height.
std::pair<int, int> read_size(const std::string& size) {
  const std::size_t x = size.find('x');
  if (x == std::string::npos)
    throw std::invalid_argument("--size must be WIDTHxHEIGHT, e.g. 1920x1080, got " +
                                in_quotes(size));
  return {static_cast<int>(whole_number(size.substr(0, x), "--size's width", 16, 16384)),
          static_cast<int>(whole_number(size.substr(x + 1), "--size's height", 16, 16384))};
}

// The progress line on stderr, for exports that take a while: rewritten in place on a terminal
// and wiped at the end, so that an error or the summary stands alone; in a log, a line every
// 5 s. A short export prints none.
bool print_progress(const ExportProgress& p) {
  static double printed = 0;
  const bool terminal = ::isatty(STDERR_FILENO);
  if (p.done == p.total) {
    if (terminal && printed > 0) std::cerr << "\r\x1b[K" << std::flush;
    return true;
  }
  if (p.seconds < 1 || p.seconds - printed < (terminal ? 0.2 : 5)) return true;
  printed = p.seconds;
  std::string line = "exporting: " + std::to_string(p.done) + " of " + std::to_string(p.total) +
                     (p.total == 1 ? " picture" : " pictures");
  if (const double left = p.seconds_left(); left >= 0)
    line += ", about " + std::to_string(static_cast<long long>(left + 0.5)) + " s left";
  std::cerr << (terminal ? "\r" + line + "\x1b[K" : line + "\n") << std::flush;
  return true;
}

int export_command(const ExportArguments& a) {
  ExportRequest r;
  r.format = a.format;
  r.out = a.out;
  const bool one_picture = a.format == "png" || a.format == "svg";
  // One picture of a mistake shows the first phase it changes, where its result is drawn.
  std::string first = "forward";
  for (Pitfall p : kAllPitfalls)  // CLI11 has checked the name
    if (a.pitfall == pitfall_name(p)) first = phase_name(first_phase_changed(p));
  const std::string phase = a.phase.empty() ? (one_picture ? first : "all") : a.phase;
  if (phase == "all") {
    if (one_picture)
      throw std::invalid_argument("--format " + a.format +
                                  " is one picture: choose one --phase, not all");
    if (!a.steps.empty())
      throw std::invalid_argument("--steps counts the steps of one phase: choose one --phase");
    r.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
  } else {
    r.phases = {*parse_phase(phase)};  // CLI11 has checked the name
  }
  r.granularity = *parse_granularity(a.granularity);
  r.skip_zero_terms = a.skip_zero_terms;
  if (!a.steps.empty()) read_steps(a.steps, &r);
  const auto [width, height] = read_size(a.size);
  const int scale = static_cast<int>(whole_number(a.scale, "--scale", 1, 4));
  if (static_cast<long long>(width) * scale > 16384 ||
      static_cast<long long>(height) * scale > 16384)
    throw std::invalid_argument("--size " + a.size + " at --scale " + a.scale +
                                " is more than 16384 pixels a side");
  r.width = width * scale, r.height = height * scale;
  r.scale = a.classroom ? 2 : 1;
  r.theme = *parse_theme(a.theme);
  for (Pitfall p : kAllPitfalls)  // CLI11 has checked the name
    if (a.pitfall == pitfall_name(p)) r.pitfalls = {p};
  if (!r.pitfalls.empty() && r.format == "py")
    throw std::invalid_argument(
        "--pitfall shows a mistake in pictures, SVG and worksheets; PyTorch code has none");
  r.fps = static_cast<int>(whole_number(a.fps, "--fps", 30, 60));
  if (r.fps != 30 && r.fps != 60) throw std::invalid_argument("--fps must be 30 or 60");
  if (!a.exercise.empty()) {
    if (r.format != "md")
      throw std::invalid_argument("--exercise blanks cells of a worksheet: use --format md");
    if (is_standard_output(a.out))
      throw std::invalid_argument(
          "--exercise writes its answer key to a second file: give -o a file name");
    r.exercise = static_cast<int>(whole_number(a.exercise, "--exercise", 1, 100));
  }
  // Never replace a file, or a folder of pictures, unless asked; devices are written to.
  for (const std::string& path : {a.out, r.exercise > 0 ? answers_path(a.out) : a.out}) {
    struct stat existing;
    if (!a.force && ::stat(path.c_str(), &existing) == 0 &&
        (S_ISREG(existing.st_mode) || S_ISDIR(existing.st_mode))) {
      std::cerr << "convstep: " << path_excerpt(path)
                << " already exists: add --force to replace it\n";
      return kExitBadInput;
    }
  }
  const Timeline timeline(load_lesson(a.lesson));
  const auto start = std::chrono::steady_clock::now();
  long long pictures = 0;
  run_export(timeline, r, [&](const ExportProgress& p) {
    pictures = p.total;
    return !is_picture_format(r.format) || print_progress(p);
  });
  if (is_standard_output(a.out)) return finish_output("the " + a.format + " file");
  std::cout << "wrote " << a.out;
  if (r.exercise > 0) std::cout << " and its answer key " << answers_path(a.out);
  if (is_picture_format(r.format)) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char figures[96];
    std::snprintf(figures, sizeof figures, ": %lld %s in %.1f s (%.0f a second)", pictures,
                  pictures == 1 ? "picture" : "pictures", seconds,
                  pictures / std::max(seconds, 1e-3));
    std::cout << figures;
  }
  std::cout << "\n";
  return finish_output("the file name");
}

// One step of a phase as an SVG picture of the stage.
int export_svg_command(const std::string& path, const std::string& phase,
                       const std::string& granularity, long long step, const std::string& theme,
                       const std::string& out) {
  const Timeline timeline(load_lesson(path));
  const Phase p = *parse_phase(phase);
  const Granularity g = *parse_granularity(granularity);
  if (const std::string why = timeline.past_the_end(p, g, step); !why.empty()) {
    std::cerr << "convstep: --step " << why << "\n";
    return kExitBadInput;
  }
  StageOptions options;
  options.theme = *parse_theme(theme);
  const Frame frame = timeline.frame(p, g, step);
  write_file_atomically(out, scene_to_svg(build_stage(timeline, frame, frame, 1, options)));
  if (is_standard_output(out)) return finish_output("the picture");
  std::cout << out << "\n";
  return finish_output("the file name");
}

// The link that opens the lesson at this step, in the app or on the web page: `base` (the page's
// address, empty by default) + "#" + the fragment (core/link.h).
int link_command(const std::string& path, const std::string& phase, const std::string& granularity,
                 long long step, bool classroom, const std::string& base) {
  LinkView view;
  view.lesson = load_lesson(path);
  view.phase = *parse_phase(phase);  // CLI11 has checked the names
  view.granularity = *parse_granularity(granularity);
  view.classroom = classroom;
  const Timeline timeline(view.lesson);
  // A phase that cannot show the lesson (the matrix view's limits) makes no link to it.
  if (const std::string why = phase_refusal(view.phase, timeline.geometry()); !why.empty())
    throw std::invalid_argument(path_excerpt(path) + ": " + why);
  if (const std::string why = timeline.past_the_end(view.phase, view.granularity, step);
      !why.empty()) {
    std::cerr << "convstep: --step " << why << "\n";
    return kExitBadInput;
  }
  view.step = static_cast<std::size_t>(step);
  std::cout << link_url(view, base) << "\n";
  return finish_output("the link");
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"convstep: 2-D convolution and its backpropagation, step by step"};
  app.footer(
      "Without a subcommand, convstep opens the app:\n"
      "  convstep [LESSON.json | LINK] [--script FILE] [--headless] [--no-restore] [--size WxH]");
  app.require_subcommand(1);

  std::string lesson_path, format = "text";
  CLI::App* compute = app.add_subcommand("compute", "print Z, dW, dX and db of a lesson");
  compute->add_option("lesson", lesson_path, "lesson file (JSON)")->required();
  compute->add_option("--format", format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();

  CLI::App* validate = app.add_subcommand("validate", "check a lesson file and describe it");
  validate->add_option("lesson", lesson_path, "lesson file (JSON)")->required();

  std::string phase = "all", granularity = "cell", steps_format = "text";
  std::string from = "0", count;
  bool skip_zero_terms = false;
  CLI::App* steps =
      app.add_subcommand("steps", "print the steps of the computation with their equations");
  steps->add_option("lesson", lesson_path, "lesson file (JSON)")->required();
  std::vector<std::string> phases_or_all = phase_names();
  phases_or_all.push_back("all");
  steps->add_option("--phase", phase, spelled_out(phases_or_all))
      ->check(CLI::IsMember(phases_or_all))
      ->capture_default_str();
  steps->add_option("--granularity", granularity, spelled_out(granularity_names()))
      ->check(CLI::IsMember(granularity_names()))
      ->capture_default_str();
  // Numbers are read as text and checked by whole_number(): CLI11 would saturate huge ones.
  steps->add_option("--from", from, "first step of each phase (0-based)");
  steps->add_option("--count", count, "number of steps of each phase");
  steps->add_flag("--skip-zero-terms", skip_zero_terms,
                  "leave out terms that multiply a padding or inserted zero");
  steps->add_option("--format", steps_format, "text, jsonl or markdown")
      ->check(CLI::IsMember({"text", "jsonl", "markdown"}))
      ->capture_default_str();
  StepsExercise steps_exercise;
  steps->add_option("--exercise", steps_exercise.cells,
                    "blank N cells of each phase's result, as the worksheet and the quiz do");
  steps->add_option("--answers", steps_exercise.answers, "the exercise's answer key (Markdown)");
  steps->add_flag("--force", steps_exercise.force, "replace an existing answer key");

  std::string step = "0", theme = "dark", out_path, svg_phase = "forward", svg_granularity = "cell";
  CLI::App* svg = app.add_subcommand("svg", "draw one step of the stage as an SVG picture");
  svg->add_option("lesson", lesson_path, "lesson file (JSON)")->required();
  svg->add_option("--phase", svg_phase, spelled_out(phase_names()))
      ->check(CLI::IsMember(phase_names()))
      ->capture_default_str();
  svg->add_option("--granularity", svg_granularity, spelled_out(granularity_names()))
      ->check(CLI::IsMember(granularity_names()))
      ->capture_default_str();
  svg->add_option("--step", step, "the step (0-based)");
  svg->add_option("--theme", theme, spelled_out(theme_names()))
      ->check(CLI::IsMember(theme_names()))
      ->capture_default_str();
  svg->add_option("-o,--out", out_path, "the SVG file to write (- for standard output)")
      ->required();

  std::string link_phase = "forward", link_granularity = "cell", link_base;
  bool link_classroom = false;
  CLI::App* link = app.add_subcommand(
      "link", "print a link that opens the lesson at a step, in the app or on the web page");
  link->add_option("lesson", lesson_path, "lesson file (JSON)")->required();
  link->add_option("--phase", link_phase, spelled_out(phase_names()))
      ->check(CLI::IsMember(phase_names()))
      ->capture_default_str();
  link->add_option("--granularity", link_granularity, spelled_out(granularity_names()))
      ->check(CLI::IsMember(granularity_names()))
      ->capture_default_str();
  link->add_option("--step", step, "the step (0-based), as convstep steps numbers it");
  link->add_flag("--classroom", link_classroom, "open it in classroom mode");
  link->add_option("--base", link_base,
                   "the web page's address, written before the \"#\"; default none");

  ExportArguments ex;
  CLI::App* export_ = app.add_subcommand(
      "export", "write pictures of the steps, a GIF or video, the worksheet or PyTorch code");
  export_->add_option("lesson", ex.lesson, "lesson file (JSON)")->required();
  export_->add_option("--format", ex.format, spelled_out(export_format_names()))
      ->check(CLI::IsMember(export_format_names()))
      ->required();
  export_
      ->add_option("-o,--out", ex.out,
                   "the file to write (a folder for pngs; - for standard output)")
      ->required();
  export_
      ->add_option("--phase", ex.phase,
                   spelled_out(phases_or_all) + "; default forward for png and svg, else all")
      ->check(CLI::IsMember(phases_or_all));
  export_->add_option("--granularity", ex.granularity, spelled_out(granularity_names()))
      ->check(CLI::IsMember(granularity_names()))
      ->capture_default_str();
  export_->add_option("--steps", ex.steps,
                      "A:B, the steps from A up to but not including B (0-based); A alone: one");
  export_->add_option("--size", ex.size, "the picture's size in pixels")->capture_default_str();
  export_->add_option("--scale", ex.scale, "the pictures' pixels times 1 to 4, e.g. 2 for 2×")
      ->capture_default_str();
  export_->add_option("--theme", ex.theme, spelled_out(theme_names()))
      ->check(CLI::IsMember(theme_names()))
      ->capture_default_str();
  export_->add_flag("--classroom", ex.classroom, "the stage enlarged as in classroom mode");
  export_
      ->add_option(
          "--pitfall", ex.pitfall,
          "show a classic mistake inside the step view, its wrong result beside the right one: " +
              spelled_out(pitfall_names()))
      ->check(CLI::IsMember(pitfall_names()));
  export_->add_flag("--skip-zero-terms", ex.skip_zero_terms,
                    "leave out terms that multiply a padding or inserted zero");
  export_->add_option("--fps", ex.fps, "mp4: 30 or 60 frames a second")->capture_default_str();
  export_->add_option("--exercise", ex.exercise,
                      "md: blank N cells of each phase's result, answers in NAME-answers.md");
  export_->add_flag("--force", ex.force, "replace the file or folder if it exists");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e);
  }

  // "-" is standard output, as for most programs that write files.
  for (std::string* out : {&out_path, &ex.out})
    if (*out == "-") *out = "/dev/stdout";
  try {
    if (compute->parsed()) return compute_command(lesson_path, format);
    if (validate->parsed()) return validate_command(lesson_path);
    if (export_->parsed()) {
      lesson_path = ex.lesson;  // for a message about the lesson
      return export_command(ex);
    }
    if (svg->parsed())
      return export_svg_command(lesson_path, svg_phase, svg_granularity,
                                whole_number(step, "--step", 0, LLONG_MAX), theme, out_path);
    if (link->parsed())
      return link_command(lesson_path, link_phase, link_granularity,
                          whole_number(step, "--step", 0, LLONG_MAX), link_classroom, link_base);
    if (steps->parsed())
      return steps_command(lesson_path, phase, granularity,
                           whole_number(from, "--from", 0, LLONG_MAX),
                           count.empty() ? LLONG_MAX : whole_number(count, "--count", 0, LLONG_MAX),
                           skip_zero_terms, steps_format, steps_exercise);
  } catch (const LessonError& e) {
    std::cerr << "convstep: " << path_excerpt(lesson_path) << ": "
              << excerpt(e.what(), kMessageChars) << "\n";
    return kExitBadInput;
  } catch (...) {
    return report_current_exception();
  }
  return kExitEnvironment;
}

std::optional<int> parse_app_arguments(int argc, char** argv, AppArguments* out) {
  CLI::App cli{
      "convstep: 2-D convolution and its backpropagation, step by step.\n"
      "Subcommands (see convstep --help): compute, validate, steps, svg, export, link."};
  cli.add_option("lesson", out->lesson,
                 "a lesson file (JSON), or a link to a lesson (\"…#lesson=…\", in quotes); "
                 "default: the 6×5 Sobel example");
  cli.add_option("--script", out->script, "run the commands of a script file");
  cli.add_flag("--headless", out->headless, "render through EGL, with no display");
  cli.add_flag("--no-restore", out->no_restore,
               "do not offer unsaved edits from a previous session back");
  cli.add_option("--size", out->size, "window size, e.g. 1600x900");
  cli.add_option("--monkey", out->monkey, "feed N seeded random input events (for tests)")
      ->group("");
  cli.add_option("--seed", out->seed, "seed for --monkey")->group("");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(cli, e);
  }
  return std::nullopt;
}

int report_current_exception() {
  try {
    throw;
  } catch (const LessonError& e) {  // its message names the file
    std::cerr << "convstep: " << excerpt(e.what(), kMessageChars) << "\n";
    return kExitBadInput;
  } catch (const std::invalid_argument& e) {  // an argument out of range, a wrong name
    std::cerr << "convstep: " << excerpt(e.what(), kMessageChars) << "\n";
    return kExitBadInput;
  } catch (const std::bad_alloc&) {
    // The environment's failure, like a full disk: the same input runs on a larger machine.
    std::cerr << "convstep: out of memory: this machine, or its ulimit, has too little\n";
    return kExitEnvironment;
  } catch (const std::exception& e) {  // e.g. an export that cannot be written
    std::cerr << "convstep: " << excerpt(e.what(), kMessageChars) << "\n";
    return kExitEnvironment;
  } catch (...) {
    std::cerr << "convstep: internal error\n";
    return kExitEnvironment;
  }
}

}  // namespace convstep
