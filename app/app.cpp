#include "app/app.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <new>
#include <random>

#include "app/latest_job.h"
#include "app/resource_paths.h"
#include "core/io.h"
#include "core/json.h"
#include "core/stage.h"
#include "core/user_text.h"

namespace convstep {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Settings

const char* grow_fill_name(GrowFill f) {
  switch (f) {
    case GrowFill::Zeros:
      return "zeros";
    case GrowFill::Ones:
      return "ones";
    case GrowFill::Random:
      break;
  }
  return "random";
}

std::optional<GrowFill> parse_grow_fill(std::string_view name) {
  for (GrowFill f : {GrowFill::Random, GrowFill::Zeros, GrowFill::Ones})
    if (name == grow_fill_name(f)) return f;
  return std::nullopt;
}

nlohmann::json Settings::to_json() const {
  return {{"theme", theme_name(theme)},
          {"stage_scale", stage_scale},
          {"classroom_scale", classroom_scale},
          {"classroom", classroom},
          {"stop_at_phase_end", stop_at_phase_end},
          {"granularity", granularity_name(granularity)},
          {"speed", speed},
          {"loop", loop},
          {"reduce_motion", reduce_motion},
          {"skip_zero_terms", skip_zero_terms},
          {"grow_fill", grow_fill_name(grow_fill)},
          {"show_lesson_panel", show_lesson_panel},
          {"show_why_panel", show_why_panel},
          {"window_width", window_width},
          {"window_height", window_height},
          {"last_lesson", last_lesson},
          {"recent_files", recent_files}};
}

Settings Settings::from_json(const nlohmann::json& j) {
  Settings s;
  if (!j.is_object()) return s;
  auto get = [&](const char* key, auto& field) {
    try {
      if (j.contains(key)) field = j.at(key).get<std::decay_t<decltype(field)>>();
    } catch (const nlohmann::json::exception&) {
      // a bad value keeps the default
    }
  };
  std::string theme, granularity, grow_fill;
  get("theme", theme);
  get("granularity", granularity);
  get("grow_fill", grow_fill);
  if (auto f = parse_grow_fill(grow_fill)) s.grow_fill = *f;
  if (auto t = parse_theme(theme)) s.theme = *t;
  if (auto g = parse_granularity(granularity)) s.granularity = *g;
  // Numbers are read as doubles and clamped before they are converted: get<int>() or
  // get<float>() of 1e300 would be undefined behaviour, and a clamped NaN stays NaN.
  auto number = [&](const char* key, auto& field, double lo, double hi) {
    if (!j.contains(key) || !j.at(key).is_number()) return;
    const double v = j.at(key).get<double>();
    if (std::isfinite(v)) field = static_cast<std::decay_t<decltype(field)>>(std::clamp(v, lo, hi));
  };
  number("stage_scale", s.stage_scale, kMinScale, kMaxScale);
  number("classroom_scale", s.classroom_scale, kMinScale, kMaxScale);
  number("speed", s.speed, 0.25, 8);
  number("window_width", s.window_width, 320, 16384);
  number("window_height", s.window_height, 240, 16384);
  get("classroom", s.classroom);
  get("loop", s.loop);
  get("stop_at_phase_end", s.stop_at_phase_end);
  get("reduce_motion", s.reduce_motion);
  get("skip_zero_terms", s.skip_zero_terms);
  get("show_lesson_panel", s.show_lesson_panel);
  get("show_why_panel", s.show_why_panel);
  get("last_lesson", s.last_lesson);
  get("recent_files", s.recent_files);
  if (s.recent_files.size() > kMaxRecentFiles) s.recent_files.resize(kMaxRecentFiles);
  return s;
}

void Settings::set_scale(float s) {
  if (!std::isfinite(s)) return;
  (classroom ? classroom_scale : stage_scale) = std::clamp(s, kMinScale, kMaxScale);
}

namespace {

std::string xdg_dir(const char* variable, const char* fallback_under_home) {
  const char* set = std::getenv(variable);
  if (set && *set) return std::string(set) + "/convstep";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/" + fallback_under_home + "/convstep";
}

}  // namespace

std::string config_dir() {
  return xdg_dir("XDG_CONFIG_HOME", ".config");
}
std::string state_dir() {
  return xdg_dir("XDG_STATE_HOME", ".local/state");
}
std::string cache_dir() {
  return xdg_dir("XDG_CACHE_HOME", ".cache");
}

Settings parse_settings(const std::string& text, std::string* problem) {
  // Settings nested deep would be refused anyway; refuse them before they are built.
  if (const std::string deep = nesting_error(text); !deep.empty()) {
    if (problem) *problem = deep;
    return {};
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    if (problem) *problem = "is not valid JSON (at byte " + std::to_string(e.byte) + ")";
    return {};
  } catch (const nlohmann::json::exception&) {  // a number too large for a double: 1e999
    if (problem) *problem = "is not valid JSON (a number is out of range)";
    return {};
  }
  if (!j.is_object()) {
    if (problem) *problem = "does not hold settings (a JSON object)";
    return {};
  }
  return Settings::from_json(j);
}

Settings load_settings(std::string* problem) {
  const std::string path = config_dir() + "/settings.json";
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return {};  // the first start
  std::string why;
  Settings s;
  try {
    // read_file refuses a named pipe or a folder instead of waiting on it or failing later.
    s = parse_settings(read_file(path, kMaxSettingsBytes), &why);
  } catch (const IoError& e) {
    why = e.reason();
  }
  if (problem && !why.empty())
    *problem = path_excerpt(path) + ": " + why + "; using the default settings";
  return s;
}

void save_settings(const Settings& s) {
  std::error_code ec;
  fs::create_directories(config_dir(), ec);
  write_file_atomically(config_dir() + "/settings.json", s.to_json().dump(2) + "\n",
                        SpecialFiles::Refuse);
}

void remember_recent(Settings& s, const std::string& path) {
  std::error_code ec;
  const std::string full = fs::absolute(path, ec).lexically_normal().string();
  if (ec || full.empty()) return;
  auto& r = s.recent_files;
  r.erase(std::remove(r.begin(), r.end(), full), r.end());
  r.insert(r.begin(), full);
  if (r.size() > kMaxRecentFiles) r.resize(kMaxRecentFiles);
}

bool is_preset_path(const std::string& path) {
  // The preset folder and the file's folder, both resolved: "./assets/lessons/../lessons/x"
  // and a symbolic link to the folder are presets too.
  std::error_code ec;
  const fs::path folder = fs::weakly_canonical(fs::path(assets_dir()) / "lessons", ec);
  if (ec) return false;
  const fs::path file = fs::weakly_canonical(path, ec);
  return !ec && file.parent_path() == folder;
}

// ---------------------------------------------------------------------------------------------
// The lesson

App::App() {
  // The default 6×5 Sobel example is built in, so the app starts even without its assets.
  Lesson l;
  l.title = "Sobel on a 6×5 ramp, from a NumPy notebook checked against PyTorch";
  l.input = Tensor(Shape{1, 1, 6, 5});
  l.input.values = {1, 1, 1, 2, 3, 1, 1, 1, 2, 3, 1, 1, 1, 2, 3,
                    2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4};
  l.weight = Tensor(Shape{1, 1, 3, 3});
  l.weight.values = {1, 0, -1, 2, 0, -2, 1, 0, -1};
  rebuild(std::move(l));
}

App::~App() = default;  // joins the rebuilds' worker, calling off the rebuild in hand

void App::open(const std::string& path) {
  Lesson l;
  try {
    l = load_lesson(path);
  } catch (const LessonError& e) {
    throw LessonError(path_excerpt(path) + ": " + e.what());
  }
  set_lesson(std::move(l), path, false, "open " + fs::path(path).filename().string());
  if (!is_preset_path(path)) remember_recent(settings, path);
}

void App::open_preset(const std::string& name) {
  const std::string file = name.ends_with(".json") ? name : name + ".json";
  open(assets_dir() + "/lessons/" + file);
}

void App::set_lesson(Lesson lesson, std::string path, bool unsaved, std::string what) {
  remember(std::move(what));
  rebuild(std::move(lesson));
  set_path(std::move(path));
  dirty_ = unsaved;
  error_.clear();
  settings.last_lesson = path_;
}

void App::save(const std::string& path) {
  if (is_preset_path(path))
    throw LessonError(path_excerpt(path) +
                      ": this preset comes with convstep and stays as it is: save your lesson "
                      "under another name");
  save_lesson(lesson(), path);
  set_path(path);
  dirty_ = false;
  settings.last_lesson = path;
  remember_recent(settings, path);
  // The file now holds this state: any other state of it in the history is unsaved.
  for (auto* history : {&undo_, &redo_})
    for (Snapshot& s : *history)
      if (s.path == path) s.dirty = true;
}

bool App::apply(Lesson lesson, std::string what) {
  remember(std::move(what));
  rebuild(std::move(lesson));
  dirty_ = true;
  error_.clear();
  return true;
}

void App::set_path(std::string path) {
  path_ = std::move(path);
  read_only_ = path_.empty() || is_preset_path(path_);  // asked every frame: kept
}

void App::open_or_default(const std::string& path) {
  if (path.empty())
    open_preset("sobel-6x5");
  else if (looks_like_link(path))
    open_link(path);
  else
    open(path);
  clear_history();  // the lesson the app starts with is where undo stops
}

// ---- Links ----

void App::open_link(std::string_view text) {
  open_link(parse_link(text));  // a bad link throws before anything changes
}

void App::open_link(LinkView view) {
  set_lesson(std::move(view.lesson), "", false, "open a link");
  settle();  // the step is the new lesson's: its timeline must be on screen to go there
  settings.granularity = view.granularity;
  set_classroom(view.classroom);
  set_phase(view.phase);
  // A link counts every term, zeros included, as `convstep steps` does. While zero terms are
  // skipped, the same step of the skipping walk is shown; a zero term is only in the full walk.
  const long long full = static_cast<long long>(view.step);
  const std::optional<long long> skipping =
      settings.skip_zero_terms ? skipping_step(full) : std::nullopt;
  if (!skipping) settings.skip_zero_terms = false;
  seek(skipping.value_or(full));
}

LinkView App::link_view() const {
  LinkView view;
  view.lesson = timeline_->lesson();  // the lesson whose step is on screen
  view.phase = phase_;
  view.granularity = settings.granularity;
  view.step = static_cast<std::size_t>(linked_step());
  view.classroom = settings.classroom;
  return view;
}

// Skipping zero terms renumbers the block's term steps and the stages after them; the stages
// before the block are the same steps either way.
std::pair<long long, long long> App::stages_around_terms() const {
  const Timeline& tl = *timeline_;
  const long long skipping = tl.count(phase_, Granularity::Term, true);
  const auto is_stage = [&](long long k) {
    return tl.frame(phase_, Granularity::Term, k, true, false).kind == StepKind::Stage;
  };
  long long before = 0, after = 0;
  while (before < skipping && is_stage(before)) ++before;
  while (after < skipping - before && is_stage(skipping - 1 - after)) ++after;
  return {before, after};
}

std::optional<long long> App::skipping_step(long long full_step) const {
  if (settings.granularity != Granularity::Term) return full_step;
  const Timeline& tl = *timeline_;
  const long long skipping = tl.count(phase_, Granularity::Term, true);
  const long long full = tl.count(phase_, Granularity::Term);
  if (full_step < 0 || full_step >= full) return std::nullopt;
  const Frame f = tl.frame(phase_, Granularity::Term, full_step, false, false);
  const auto [before, after] = stages_around_terms();
  if (f.kind == StepKind::Stage)
    return full_step < before ? full_step : full_step - full + skipping;
  if (f.current_term && f.current_term->zero) return std::nullopt;
  // The skipping walk's steps are in (cell, term) order, a cell's Sum step after its terms.
  const auto place = [](const Frame& g) {
    return std::pair(g.cell, g.kind == StepKind::Sum ? g.terms_per_cell : g.term);
  };
  long long lo = before, hi = skipping - 1 - after;
  while (lo < hi) {
    const long long mid = (lo + hi) / 2;
    if (place(tl.frame(phase_, Granularity::Term, mid, true, false)) >= place(f))
      hi = mid;
    else
      lo = mid + 1;
  }
  if (place(tl.frame(phase_, Granularity::Term, lo, true, false)) != place(f)) return std::nullopt;
  return lo;
}

long long App::linked_step() const {
  if (!settings.skip_zero_terms || settings.granularity != Granularity::Term) return step_;
  const Timeline& tl = *timeline_;
  const long long skipping = step_count(), full = tl.count(phase_, Granularity::Term);
  const auto [before, after] = stages_around_terms();
  if (to_.kind == StepKind::Stage) return step_ < before ? step_ : step_ - skipping + full;
  // The full walk's first step of the target cell, then the term within the cell.
  long long lo = before, hi = full - 1 - after;
  while (lo < hi) {
    const long long mid = (lo + hi) / 2;
    if (tl.frame(phase_, Granularity::Term, mid, false, false).cell >= to_.cell)
      hi = mid;
    else
      lo = mid + 1;
  }
  if (to_.kind == StepKind::Sum) {
    // The full walk's Sum step of the cell; without one, the step is the one a phase of only
    // zero terms keeps while skipping them, and the cell's last term stands for it.
    const long long sum = lo + to_.terms_per_cell;
    const Frame there = tl.frame(phase_, Granularity::Term, std::min(sum, full - 1), false, false);
    return there.kind == StepKind::Sum && there.cell == to_.cell ? sum : sum - 1;
  }
  return std::clamp(lo + to_.term, before, full - 1 - after);
}

// ---- Undo and redo ----

namespace {

long long values_in(const Lesson& l) {
  return static_cast<long long>(l.input.values.size() + l.weight.values.size() +
                                l.upstream.values.size() + l.bias.size());
}

}  // namespace

void App::remember(std::string what) {
  undo_.push_back({lesson_, path_, dirty_, std::move(what)});
  redo_.clear();
  trim_history();
}

void App::trim_history() {
  // The oldest steps go first; a single state larger than the budget is not kept at all.
  long long total = 0;
  for (const auto* history : {&undo_, &redo_})
    for (const Snapshot& s : *history) total += values_in(*s.lesson);
  while (!undo_.empty() &&
         (undo_.size() + redo_.size() > kMaxUndoSteps || total > max_undo_values)) {
    total -= values_in(*undo_.front().lesson);
    undo_.pop_front();
  }
  while (!redo_.empty() && total > max_undo_values) {
    total -= values_in(*redo_.front().lesson);
    redo_.pop_front();
  }
}

void App::restore(std::deque<Snapshot>& from, std::deque<Snapshot>& to) {
  Snapshot s = std::move(from.back());
  from.pop_back();
  to.push_back({lesson_, path_, dirty_, s.what});
  rebuild(std::move(s.lesson));
  set_path(std::move(s.path));
  dirty_ = s.dirty;
  error_.clear();
  trim_history();
}

bool App::undo() {
  if (undo_.empty()) return false;
  restore(undo_, redo_);
  return true;
}

bool App::redo() {
  if (redo_.empty()) return false;
  restore(redo_, undo_);
  return true;
}

void App::rebuild(Lesson lesson) {
  rebuild(std::make_shared<const Lesson>(std::move(lesson)));
}

void App::rebuild(std::shared_ptr<const Lesson> lesson) {
  geometry_ = lesson->geometry();
  lesson_ = std::move(lesson);
  ++revision_;
  if (!rebuilds_ || geometry_.multiply_adds() < kBackgroundWork) {
    if (rebuilds_) rebuilds_->cancel();  // a larger lesson's rebuild must not land on this one
    show(std::make_unique<Timeline>(*lesson_));
    return;
  }
  if (shown_revision_ == revision_ - 1) computing_since_ = std::chrono::steady_clock::now();
  // The worker holds the lesson it builds: an edit meanwhile makes it stale, never frees it.
  rebuilds_->start(
      [lesson = lesson_](const CancelFlag& cancel) { return Timeline(*lesson, &cancel); });
}

void App::set_background(bool on) {
  if (on && !rebuilds_) rebuilds_ = std::make_unique<LatestJob<Timeline>>();
  if (!on && rebuilds_) {
    settle();
    rebuilds_.reset();
  }
}

bool App::poll() {
  if (!rebuilds_ || !computing()) return false;
  std::optional<Timeline> ready;
  try {
    ready = rebuilds_->take();  // only ever the latest lesson's
  } catch (const std::exception& e) {
    // The edit's timeline could not be built: the lesson on screen stays, and says why.
    lesson_ = shown_lesson_;
    geometry_ = lesson_->geometry();
    shown_revision_ = ++revision_;
    error_ = dynamic_cast<const std::bad_alloc*>(&e)
                 ? "There is not enough memory to compute that edit; the lesson is as it was."
                 : std::string("That edit could not be computed (") + e.what() +
                       "); the lesson is as it was.";
    return true;
  }
  if (!ready) return false;
  show(std::make_unique<Timeline>(std::move(*ready)));
  return true;
}

double App::computing_seconds() const {
  if (!computing()) return 0;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - computing_since_).count();
}

void App::settle() {
  if (!rebuilds_ || !computing()) return;
  rebuilds_->wait();
  poll();
}

void App::show(std::unique_ptr<Timeline> timeline) {
  // The playhead keeps its phase and, clamped, its step: an edit shows its effect in place.
  timeline_ = std::move(timeline);
  shown_revision_ = revision_;  // a timeline only ever lands for the latest lesson
  shown_lesson_ = lesson_;
  // Cells and slices of the old lesson may not exist in the new one.
  hover.reset();
  pinned.reset();
  if (slice) {
    const Geometry& g = timeline_->geometry();
    *slice = {std::clamp((*slice)[0], 0, g.n - 1), std::clamp((*slice)[1], 0, g.c - 1),
              std::clamp((*slice)[2], 0, g.cout - 1)};
  }
  const long long last = step_count() - 1;
  step_ = std::clamp(step_, 0LL, last);
  set_frame(step_, false);
}

namespace {

// `old` in shape `s`: the values that still fit kept, the new cells 0 or `fill()`.
Tensor resized(const Tensor& old, Shape s, const std::function<double()>& fill = nullptr) {
  Tensor t(s);
  for (int a = 0; a < s.n; ++a)
    for (int b = 0; b < s.c; ++b)
      for (int y = 0; y < s.h; ++y)
        for (int x = 0; x < s.w; ++x)
          if (a < old.shape.n && b < old.shape.c && y < old.shape.h && x < old.shape.w)
            t(a, b, y, x) = old(a, b, y, x);
          else if (fill)
            t(a, b, y, x) = fill();
  return t;
}

Tensor* tensor_named(Lesson& l, const std::string& name) {
  if (name == "X" || name == "input") return &l.input;
  if (name == "W" || name == "weight") return &l.weight;
  if (name == "G" || name == "upstream") return &l.upstream;
  if ((name == "T" || name == "target") && l.loss.kind == LossKind::Mse) return &l.loss.target;
  return nullptr;
}

}  // namespace

bool App::set_param_json(const std::string& key, std::string_view json_text) {
  const nlohmann::json value = nlohmann::json::parse(json_text, nullptr, false);
  if (value.is_discarded()) {
    error_ = key + ": " + std::string(json_text) + " is not a JSON value";
    return false;
  }
  return set_param(key, value);
}

bool App::set_param(const std::string& key, const nlohmann::json& value) {
  // get<int>() would wrap a larger number around: 4294967298 is not 2.
  if (key == "groups" && value.is_number_integer() && value.get<long long>() >= 1 &&
      value.get<long long>() <= kMaxDimension) {
    // The weight's in-channels follow C/groups: resize it, keeping what fits.
    const int groups = value.get<int>();
    const Geometry g = geometry_;  // a copy: apply() replaces it
    if (g.c % groups == 0 && g.cout % groups == 0 && g.c / groups != lesson().weight.shape.c) {
      Lesson l = lesson();
      l.weight = resized(l.weight, Shape{g.cout, g.c / groups, g.kh, g.kw});
      l.spec.groups = groups;
      try {
        l.geometry();  // fewer groups mean more work: it must stay within the limits
      } catch (const ConvError& e) {
        error_ = e.what();
        return false;
      }
      return apply(std::move(l), "change groups");
    }
  }
  try {
    return apply(with_key(lesson(), key, value), "change " + key);
  } catch (const LessonError& e) {
    error_ = e.what();
    return false;
  }
}

bool App::edit_value(const std::string& name, const std::vector<int>& index, double value) {
  if (!std::isfinite(value)) {
    error_ = "values must be finite numbers";
    return false;
  }
  Lesson l = lesson();
  if (name == "b" || name == "bias") {
    if (index.size() != 1 || index[0] < 0 || index[0] >= static_cast<int>(l.bias.size())) {
      error_ = l.bias.empty() ? "this lesson has no bias"
                              : "b has " + std::to_string(l.bias.size()) + " values";
      return false;
    }
    l.bias[index[0]] = value;
  } else {
    Tensor* t = tensor_named(l, name);
    if (!t) {
      error_ = "unknown tensor " + in_quotes(name) +
               (l.loss.kind == LossKind::Mse ? ": use X, W, b, G or T" : ": use X, W, b or G");
      return false;
    }
    if (t == &l.upstream && t->shape.count() == 0) {  // G edited: given from now on
      *t = l.upstream_gradient();
      l.loss = {};
    }
    int n = 0, c = 0, h, w;
    if (index.size() == 2)
      h = index[0], w = index[1];
    else if (index.size() == 4)
      n = index[0], c = index[1], h = index[2], w = index[3];
    else {
      error_ = name + " takes 2 or 4 indices";
      return false;
    }
    const Shape& s = t->shape;
    if (n < 0 || c < 0 || h < 0 || w < 0 || n >= s.n || c >= s.c || h >= s.h || w >= s.w) {
      error_ = name + " has shape " + s.str() + ": the index is outside it";
      return false;
    }
    (*t)(n, c, h, w) = value;
  }
  std::string cell = name;
  for (int i : index) cell += "[" + std::to_string(i) + "]";
  return apply(std::move(l), "edit " + cell);
}

bool App::reshape(int n, int c, int h, int w, int cout, int kh, int kw) {
  Lesson l = lesson();
  const int groups = l.spec.groups;
  if (std::min({n, c, h, w, cout, kh, kw}) < 1) {
    error_ = "every size must be at least 1";
    return false;
  }
  if (c % groups || cout % groups) {
    error_ = "C and Cout must be divisible by groups = " + std::to_string(groups);
    return false;
  }
  // Both tensors are checked before either is allocated: 16 × 16 × 4096 × 4096 weights would
  // ask for 34 GB.
  if (1LL * n * c * h * w > kMaxTensorValues ||
      1LL * cout * (c / groups) * kh * kw > kMaxTensorValues ||
      std::max({h, w, kh, kw, n, c, cout}) > kMaxDimension) {
    error_ = "too large: every dimension at most " + std::to_string(kMaxDimension) +
             ", every tensor at most " + std::to_string(kMaxTensorValues) + " values";
    return false;
  }
  // Random new cells are the same for the same shapes: a script replays exactly.
  std::seed_seq seed{n, c, h, w, cout, kh, kw};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(-3, 3);
  std::function<double()> fill;
  if (settings.grow_fill == GrowFill::Random) fill = [&] { return value(rng); };
  if (settings.grow_fill == GrowFill::Ones) fill = [] { return 1.0; };
  l.input = resized(l.input, Shape{n, c, h, w}, fill);
  l.weight = resized(l.weight, Shape{cout, c / groups, kh, kw}, fill);
  if (!l.bias.empty()) l.bias.resize(cout, 0.0);
  l.upstream = Tensor();  // its shape follows the output: back to ones, or to the loss
  try {
    const Shape out = l.geometry().output_shape();  // the kernel must still fit
    if (l.loss.kind == LossKind::Mse) l.loss.target = resized(l.loss.target, out, fill);
  } catch (const ConvError& e) {
    error_ = e.what();
    return false;
  }
  return apply(std::move(l), "change shapes");
}

void App::randomize_integers(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(-3, 3);
  Lesson l = lesson();
  for (double& v : l.input.values) v = value(rng);
  for (double& v : l.weight.values) v = value(rng);
  for (double& v : l.bias) v = value(rng);
  for (double& v : l.upstream.values) v = value(rng);
  for (double& v : l.loss.target.values) v = value(rng);
  apply(std::move(l), "randomize values");
}

void App::set_upstream_ones() {
  Lesson l = lesson();
  l.upstream = Tensor();
  l.loss = {};
  apply(std::move(l), "set G to ones");
}

void App::set_upstream_random(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(-2, 3);
  Lesson l = lesson();
  l.upstream = Tensor(l.geometry().output_shape());
  for (double& v : l.upstream.values) v = value(rng);
  l.loss = {};
  apply(std::move(l), "randomize G");
}

void App::set_loss(LossKind kind, unsigned seed) {
  Lesson l = lesson();
  if (!l.gives_gradient() && l.loss.kind == kind) return;
  l.upstream = Tensor();
  l.loss = {kind, {}};
  if (kind == LossKind::Mse) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> value(-2, 3);
    l.loss.target = Tensor(l.geometry().output_shape());
    for (double& v : l.loss.target.values) v = value(rng);
  }
  apply(std::move(l), std::string("set the loss to L = ") + loss_formula(kind));
}

// ---------------------------------------------------------------------------------------------
// The playhead

long long App::step_count() const {
  return timeline_->count(phase_, settings.granularity, settings.skip_zero_terms);
}

void App::set_frame(long long k, bool tween) {
  step_ = std::clamp(k, 0LL, step_count() - 1);
  // A frame of the scattering phase holds a copy of its result grid: free the old ones first,
  // so that no more than two are ever alive.
  from_ = tween ? std::move(to_) : Frame{};
  to_ = timeline_->frame(phase_, settings.granularity, step_, settings.skip_zero_terms);
  if (!tween) from_ = to_;
  elapsed_ = tween ? 0 : 1e9;
  quiz_.arrive(*timeline_, to_, settings.skip_zero_terms, shown_revision_);
}

void App::set_quiz(bool on) {
  quiz_.set_on(on);
  if (timeline_) quiz_.arrive(*timeline_, to_, settings.skip_zero_terms, shown_revision_);
}

void App::set_quiz_worksheet_cells(int n) {
  quiz_.set_worksheet_cells(n);
  quiz_reset();
}

void App::quiz_reset() {
  quiz_.reset();
  if (timeline_) quiz_.arrive(*timeline_, to_, settings.skip_zero_terms, shown_revision_);
}

void App::set_phase(Phase p) {
  phase_ = p;
  set_frame(0, false);
}

void App::enter_phase(Phase p) {
  set_phase(p);
  if (settings.reduce_motion) return;
  from_.index = -1;  // as if one step before the first: build_stage plays the move onto it
  elapsed_ = 0;
}

void App::set_granularity(Granularity g) {
  // Keep the cell being computed: the first step of the new granularity on the same cell.
  // The frames looked at are made without their results: only their kind and cell count.
  const StepKind old_kind = to_.kind;
  const long long old_cell = to_.cell;
  settings.granularity = g;
  const long long count = step_count();
  auto kind_at = [&](long long i) {
    return timeline_->frame(phase_, g, i, settings.skip_zero_terms, false);
  };
  long long first = 0, last = count - 1;  // the block's steps lie between the stages
  while (first < count && kind_at(first).kind == StepKind::Stage) ++first;
  while (last >= first && kind_at(last).kind == StepKind::Stage) --last;
  long long k = old_kind == StepKind::Stage || first > last ? std::min(step_, count - 1) : first;
  if (old_kind != StepKind::Stage && first <= last) {
    long long lo = first, hi = last;
    while (lo < hi) {
      const long long mid = (lo + hi) / 2;
      if (kind_at(mid).cell >= old_cell)
        hi = mid;
      else
        lo = mid + 1;
    }
    k = lo;
  }
  set_frame(k, false);
}

void App::seek(long long k) {
  set_frame(k, false);
}

void App::step_by(long long delta) {
  const long long last = step_count() - 1;
  // A lecture flows: past a phase's end into the next phase, before its start into the
  // previous one's end. The phase switch is a cut, not a tween: the stage changes entirely.
  if (!settings.loop && !settings.stop_at_phase_end) {
    const auto at = std::find(std::begin(kAllPhases), std::end(kAllPhases), phase_);
    if (delta > 0 && step_ == last && at + 1 != std::end(kAllPhases)) {
      enter_phase(at[1]);
      return;
    }
    if (delta < 0 && step_ == 0 && at != std::begin(kAllPhases)) {
      set_phase(at[-1]);
      go_end();
      return;
    }
  }
  // A move longer than the phase cannot overflow: it ends at the first or the last step.
  long long k = step_ + std::clamp(delta, -last - 1, last + 1);
  if (settings.loop && k > last) k = 0;
  if (settings.loop && k < 0) k = last;
  k = std::clamp(k, 0LL, last);
  if (k != step_) set_frame(k, /*tween=*/true);
}

double App::step_seconds() const {
  // The turn and the structural moves take longer than other moves, forwards and back.
  const bool back = from_.index == to_.index + 1;
  return move_seconds(back ? from_ : to_);  // the frame whose move plays
}

float App::tween() const {
  return static_cast<float>(std::clamp(elapsed_ * settings.speed / step_seconds(), 0.0, 1.0));
}

bool App::advance(double seconds) {
  poll();
  elapsed_ += seconds;
  if (playing_ && tween() >= 1) {
    // Hold each step a moment after its move, so that the eye can read the numbers.
    const double hold = 0.35 / settings.speed;
    if (elapsed_ >= step_seconds() / settings.speed + hold) {
      if (step_ + 1 < step_count() || settings.loop)
        step_by(+1);
      else
        playing_ = false;
      // The quiz asks a cell: playing waits for the answer rather than skip it.
      if (quiz_.question()) playing_ = false;
    }
  }
  return animating() || playing_;
}

void App::next_pitfall() {
  const auto on = std::count(pitfalls.begin(), pitfalls.end(), true);
  const auto first = std::find(pitfalls.begin(), pitfalls.end(), true) - pitfalls.begin();
  pitfalls.fill(false);
  if (on == 0) pitfalls[0] = true;
  if (on == 1 && first + 1 < static_cast<long>(pitfalls.size())) pitfalls[first + 1] = true;
}

Scene App::scene(StageOptions options) const {
  options.theme = settings.theme;
  options.reduce_motion = settings.reduce_motion;
  options.slice = slice;
  // A mistake's grid and line name the right value of the cell they frame: not while the quiz
  // asks for one.
  if (!quiz_.question())
    for (std::size_t i = 0; i < std::size(kAllPitfalls); ++i)
      if (pitfalls[i]) options.pitfalls.push_back(kAllPitfalls[i]);
  options.hidden = quiz_.hidden();
  // A question in another channel than the step's (a scatter stamp finishes cells in each
  // channel of its group): the stage shows that channel, unless one is chosen.
  if (const QuizQuestion* q = quiz_.question(); q && !slice)
    options.slice = question_slice(to_, q->cell);
  return build_stage(*timeline_, from_, to_, tween(), options);
}

// ---------------------------------------------------------------------------------------------

bool parse_cell_address(const std::string& text, std::string* tensor, std::vector<int>* index) {
  const std::size_t open = text.find('[');
  if (open == 0 || open == std::string::npos || text.back() != ']') return false;
  *tensor = text.substr(0, open);
  index->clear();
  std::size_t at = open;
  while (at < text.size()) {
    if (text[at] != '[') return false;
    const std::size_t close = text.find(']', at);
    if (close == std::string::npos || close == at + 1) return false;
    const std::string number = text.substr(at + 1, close - at - 1);
    if (number.find_first_not_of("0123456789") != std::string::npos || number.size() > 6)
      return false;
    index->push_back(std::stoi(number));
    at = close + 1;
  }
  return true;
}

}  // namespace convstep
