// app.h — the app's state and every change to it: the lesson, the playhead, the settings.
//
// GL-free, so that scripts, tests and both front ends (the GLFW window and headless EGL) drive
// the same model. Panels read the state and call these methods (their "intents"); nothing else
// mutates it. Everything shown is derived from the lesson and the playhead each frame or
// cached with an explicit key (the timeline is rebuilt when the lesson changes).
//
// In the app the timeline is rebuilt in the background (set_background): an edit returns at
// once, the old timeline stays on screen until the new one is ready, and an edit made
// meanwhile calls off the stale rebuild. lesson() is always the latest lesson (what edits,
// undo, saving and autosave see); timeline() and frame() are what is on screen.
//
//   App app;
//   app.open("assets/lessons/sobel-6x5.json");
//   app.set_phase(Phase::DxGather);
//   app.step_by(+1);
//   app.advance(1.0 / 60);          // plays the tween and the playback clock
//   Scene s = app.scene(options);
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <nlohmann/json_fwd.hpp>  // the declarations only: json.hpp is in the .cpp files
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/lesson.h"
#include "core/link.h"
#include "core/quiz.h"
#include "core/stage.h"
#include "core/timeline.h"

namespace convstep {

template <class Result>
class LatestJob;

// What growing a shape puts in the new cells: small random integers (so that a larger lesson
// still has something to compute), zeros or ones.
enum class GrowFill { Random, Zeros, Ones };
const char* grow_fill_name(GrowFill f);  // "random", "zeros", "ones"
std::optional<GrowFill> parse_grow_fill(std::string_view name);

// UI-only settings, persisted in $XDG_CONFIG_HOME/convstep/settings.json; apart from the lesson.
struct Settings {
  Theme theme = Theme::Dark;
  // The size of the stage's text and grids, 1–3: one for the desk and one for the projector.
  float stage_scale = 1;
  float classroom_scale = kDefaultClassroomScale;
  bool classroom = false;
  // Next on the last step of a phase goes on to the next phase (a lecture flows), unless this
  // is set: then it stops there, as before.
  bool stop_at_phase_end = false;
  Granularity granularity = Granularity::Term;
  float speed = 1;  // 0.25–8
  bool loop = false;
  bool reduce_motion = false;
  bool skip_zero_terms = false;
  GrowFill grow_fill = GrowFill::Random;
  bool show_lesson_panel = true, show_why_panel = true;
  int window_width = 1600, window_height = 900;
  std::string last_lesson;
  std::vector<std::string> recent_files;  // newest first, at most kMaxRecentFiles

  static constexpr float kDefaultClassroomScale = 2, kMinScale = 1, kMaxScale = 3,
                         kScaleStep = 0.25f;
  // The scale of the mode the app is in (classroom mode has its own).
  float scale() const { return classroom ? classroom_scale : stage_scale; }
  void set_scale(float s);  // clamped to kMinScale..kMaxScale

  nlohmann::json to_json() const;
  static Settings from_json(const nlohmann::json& j);  // tolerant: unknown or bad keys ignored
};

// Where settings and the unsaved-edits copy live (XDG base directories).
std::string config_dir();
std::string state_dir();
std::string cache_dir();  // what can be made again: the baked font atlas
// The defaults when the file is missing. When it is unreadable (a folder, a named pipe, not
// JSON...), also the defaults, and `problem` says why in one line naming the file.
Settings load_settings(std::string* problem = nullptr);
Settings parse_settings(const std::string& text, std::string* problem);  // the file's text
constexpr long long kMaxSettingsBytes = 1 << 20;
void save_settings(const Settings& s);  // atomic, regular files only; throws std::runtime_error

// Recent files: a lesson opened or saved goes first, as an absolute path, once.
constexpr std::size_t kMaxRecentFiles = 10;
void remember_recent(Settings& s, const std::string& path);
// True for the presets that come with convstep (assets/lessons): they open read-only.
bool is_preset_path(const std::string& path);

class App {
 public:
  App();
  ~App();

  // ---- The lesson ----
  void open(const std::string& path);         // throws LessonError; keeps the old one then
  void open_preset(const std::string& name);  // "sobel-6x5" from assets/lessons
  // At the start: the seed's 6×5 Sobel when path is empty, a link when it is one
  // (core/link.h: "…#lesson=…"). Not undoable.
  void open_or_default(const std::string& path);
  // A lesson shared by link, at the view it names (core/link.h): its phase, granularity, step
  // and classroom mode. The lesson has no file (Save asks where) and opening it is undoable.
  // Throws LessonError for a bad link; the lesson and its edits stay as they are then.
  void open_link(std::string_view text);
  void open_link(LinkView view);
  // The lesson on screen and the view of it, as a link gives them (link_url makes the link).
  LinkView link_view() const;
  // Replaces the lesson (undoable, like every change to it). `what` names it for Undo.
  void set_lesson(Lesson lesson, std::string path, bool unsaved = false,
                  std::string what = "open a lesson");
  // Atomic; throws LessonError, also for a preset's own file: presets are read-only.
  void save(const std::string& path);
  // The lesson as it stands was kept outside the app, where save() cannot write: the page hands
  // it to the browser as a download. It is no longer unsaved; its file, if any, stays as it was.
  void mark_saved() { dirty_ = false; }
  const Lesson& lesson() const { return *lesson_; }  // the latest, maybe not yet on screen
  // The same lesson, for work on another thread (autosave): shared, never copied.
  std::shared_ptr<const Lesson> shared_lesson() const { return lesson_; }
  // The lesson of the timeline on screen, likewise (the methods check).
  std::shared_ptr<const Lesson> shown_lesson() const { return shown_lesson_; }
  const Geometry& geometry() const { return geometry_; }   // the latest lesson's
  const Timeline& timeline() const { return *timeline_; }  // what is on screen
  const std::string& lesson_path() const { return path_; }
  // A preset (or a lesson never saved): Save must ask where, as Save as does.
  bool read_only() const { return read_only_; }
  bool dirty() const { return dirty_; }
  long long revision() const { return revision_; }  // changes whenever the lesson does
  // The revision whose timeline is on screen: caches of what the timeline shows use it.
  long long shown_revision() const { return shown_revision_; }

  // ---- Rebuilding the timeline ----
  // On: an edit starts the rebuild on a worker thread and returns; advance() shows the new
  // timeline once it is ready. Off (the default: the command line, tests, the headless app
  // with its simulated time): an edit rebuilds before it returns. Either way a small lesson
  // (under kBackgroundWork multiply–adds: every preset) is rebuilt at once, in well under a
  // millisecond: handing it to a thread would cost more, and flash the mark for nothing.
  void set_background(bool on);
  bool background() const { return rebuilds_ != nullptr; }
  static constexpr long long kBackgroundWork = 1 << 18;
  // The lesson has changed and its timeline is not on screen yet ("computing…").
  bool computing() const { return shown_revision_ != revision_; }
  // How long it has been computing, in seconds (0 when not): the mark waits a moment.
  double computing_seconds() const;
  // Shows the latest timeline if it is ready; true if it did. advance() calls it.
  bool poll();
  // Waits for the latest timeline and shows it: for scripts and tests, never the frame path.
  void settle();

  // Changes one lesson key ("stride", "padding", ...) to a JSON value, read and checked as the
  // file loader reads that key (core/lesson.h, with_key): the same rules and messages.
  // On error the lesson is unchanged and the message is returned (and kept in last_error()).
  bool set_param(const std::string& key, const nlohmann::json& value);
  // The same, the value written as JSON ("[2, 1]", "\"same\"", "null"): the lesson panel's
  // edits, which spare the interface's code nlohmann-json's templates (a second of build time).
  bool set_param_json(const std::string& key, std::string_view json_text);
  // Edits one value: tensor "X", "W", "b", "G" or the mse target "T" (or input, weight, bias,
  // upstream, target) at an index
  // (1, 2 or 4 numbers; 2 means [h][w] of the first slice).
  bool edit_value(const std::string& tensor, const std::vector<int>& index, double value);
  // Changes shapes, keeping the values that still fit; new cells as settings.grow_fill says
  // (random integers from −3 to 3, the same ones for the same shapes).
  bool reshape(int n, int c, int h, int w, int cout, int kh, int kw);
  void randomize_integers(unsigned seed);  // X, W (and b, a custom G) with small integers
  void set_upstream_ones();                // L = ΣZ
  void set_upstream_random(unsigned seed);
  // G derived from a loss (no longer given); the mean squared error's target T starts as small
  // random integers, the same ones for the same seed.
  void set_loss(LossKind kind, unsigned seed);
  const std::string& last_error() const { return error_; }
  void clear_error() { error_.clear(); }

  // ---- Undo and redo: every change to the lesson, edits and lessons opened alike ----
  // A bounded history (kMaxUndoSteps, and max_undo_values numbers in all, so that a large
  // lesson keeps fewer steps). Each step restores the lesson, its file and whether it was saved.
  bool can_undo() const { return !undo_.empty(); }
  bool can_redo() const { return !redo_.empty(); }
  // What the next undo or redo changes back, in words ("edit W[0][1]"); empty when none.
  std::string undo_name() const { return undo_.empty() ? "" : undo_.back().what; }
  std::string redo_name() const { return redo_.empty() ? "" : redo_.back().what; }
  bool undo();
  bool redo();
  void clear_history() { undo_.clear(), redo_.clear(); }
  static constexpr std::size_t kMaxUndoSteps = 100;
  long long max_undo_values = 1 << 24;  // 128 MB of doubles

  // ---- The playhead ----
  Phase phase() const { return phase_; }
  long long step() const { return step_; }
  long long step_count() const;
  const Frame& frame() const { return to_; }
  void set_phase(Phase p);  // a cut to the phase's first step, as scripts want it
  // Goes to the phase's first step and plays the move onto it (Forward's padding ring grows
  // in): what Next into a phase, the phase buttons and the keys 1–5 do.
  void enter_phase(Phase p);
  void set_granularity(Granularity g);  // keeps the current target cell where it can
  void seek(long long k);               // jumps: no tween
  // Moves with a tween. On the last step of a phase, a move forward goes on to the first step
  // of the next phase (forward → dW → dX gather → dX scatter → db), and a move back from the
  // first step to the last of the previous one; unless settings.stop_at_phase_end, or
  // settings.loop (which wraps around within the phase).
  void step_by(long long delta);
  void go_start() { seek(0); }
  void go_end() { seek(step_count() - 1); }
  void set_playing(bool on) { playing_ = on; }
  bool playing() const { return playing_; }
  // Advances the tween and, when playing, the playhead. Returns true while something moves.
  bool advance(double seconds);
  float tween() const;  // 0..1 for the current move
  bool animating() const { return tween() < 1; }

  // ---- Hover and pitfalls ----
  std::optional<CellRef> hover, pinned;
  std::array<bool, std::size(kAllPitfalls)> pitfalls{};  // indexed like kAllPitfalls
  // The M key, for classroom mode where the why panel is hidden: from none to each pitfall
  // alone in turn, then none again (several on, as the panel allows: none).
  void next_pitfall();
  std::optional<std::array<int, 3>> slice;  // (n, c, o) to show; unset: follow the step

  // ---- The quiz (core/quiz.h): the cells a step finishes are asked before they are shown ----
  const Quiz& quiz() const { return quiz_; }
  void set_quiz(bool on);
  void set_quiz_worksheet_cells(int n);  // 0: every cell; n: the worksheet's n cells a phase
  Verdict quiz_answer(const std::string& typed) { return quiz_.answer(typed); }
  bool quiz_reveal() { return quiz_.reveal(); }
  void quiz_reset();

  Settings settings;
  // Classroom mode: full screen, side panels hidden, the stage at its own scale.
  void set_classroom(bool on) { settings.classroom = on; }

  // The stage of the current frame and tween. Hover highlights are the caller's to add
  // (options.hover, or highlight_related): the panel knows where the mouse is this frame.
  Scene scene(StageOptions options) const;

 private:
  // One state of the lesson that undo or redo goes back to.
  struct Snapshot {
    std::shared_ptr<const Lesson> lesson;  // shared with the app or other steps: not copied
    std::string path;
    bool dirty;
    std::string what;  // the change made from this state
  };
  void rebuild(Lesson lesson);
  void rebuild(std::shared_ptr<const Lesson> lesson);
  void show(std::unique_ptr<Timeline> timeline);  // puts a rebuilt timeline on screen
  // An edit: remember the old state as `what`, rebuild, mark unsaved, clear the last error.
  bool apply(Lesson lesson, std::string what = "edit the lesson");
  void remember(std::string what);  // the current state, before a change named `what`
  void trim_history();
  void restore(std::deque<Snapshot>& from, std::deque<Snapshot>& to);
  void set_path(std::string path);
  void set_frame(long long k, bool tween);
  double step_seconds() const;    // how long the current move takes at speed 1
  long long linked_step() const;  // the step as a link numbers it: zero terms counted
  // The step of the skipping walk that shows step `full_step` of the full one (a link's), or
  // nullopt when only the full walk shows it (a zero term) or it is not a step.
  std::optional<long long> skipping_step(long long full_step) const;
  // The stage steps before and after the term steps, at term granularity.
  std::pair<long long, long long> stages_around_terms() const;

  std::shared_ptr<const Lesson> lesson_;           // the latest lesson
  Geometry geometry_;                              // its geometry
  std::unique_ptr<Timeline> timeline_;             // on screen: of lesson_ unless computing()
  std::shared_ptr<const Lesson> shown_lesson_;     // the lesson timeline_ was built from
  std::unique_ptr<LatestJob<Timeline>> rebuilds_;  // set while in the background mode
  long long shown_revision_ = 0;
  std::chrono::steady_clock::time_point computing_since_;
  std::string path_;
  bool read_only_ = true;  // a preset, or no file yet
  bool dirty_ = false;
  long long revision_ = 0;
  std::string error_;
  std::deque<Snapshot> undo_, redo_;  // the next one to undo or redo is at the back
  Phase phase_ = Phase::Forward;
  long long step_ = 0;
  Frame from_, to_;
  double elapsed_ = 0;  // since the current move started
  bool playing_ = false;
  Quiz quiz_;
};

// Parses "W[0][1]" into ("W", {0, 1}); false if malformed.
bool parse_cell_address(const std::string& text, std::string* tensor, std::vector<int>* index);

}  // namespace convstep
