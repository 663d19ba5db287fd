// The app's model and scripts, without a window: what a user's action does to the state.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <thread>

#include "app/app.h"
#include "app/script.h"
#include "app/stage_zoom.h"
#include "core/json.h"
#include "tests/bench/big_lesson.h"

namespace convstep {
namespace {

struct FakeHost : ScriptHost {
  std::vector<std::string> calls;
  void screenshot(const std::string& p) override { calls.push_back("screenshot " + p); }
  void export_file(const std::string& k, const std::string& p) override {
    calls.push_back("export " + k + " " + p);
  }
  void resize(int w, int h) override {
    calls.push_back("resize " + std::to_string(w) + "x" + std::to_string(h));
  }
  void quit() override { calls.push_back("quit"); }
};

std::string script_error(const std::string& text) {
  try {
    App app;
    FakeHost host;
    ScriptRunner runner(parse_script(text, "demo.txt"), "demo.txt");
    for (double t = 0; !runner.finished() && t < 10; t += 0.1) runner.update(app, host, t);
  } catch (const ScriptError& e) {
    return e.what();
  }
  return "no error";
}

TEST(App, StartsOnTheSeedLessonAndSteps) {
  App app;
  EXPECT_EQ(app.lesson().input.shape, (Shape{1, 1, 6, 5}));
  app.set_phase(Phase::DxGather);
  app.step_by(3);
  EXPECT_EQ(app.step(), 3);
  EXPECT_TRUE(app.animating());
  app.advance(1.0);  // step 3 turns the kernel: 0.9 s at speed 1
  EXPECT_FALSE(app.animating());
  app.step_by(-100);
  EXPECT_EQ(app.step(), 0);  // clamped at the start
}

// Issue 10: the pitfalls in classroom mode, where the why panel is hidden: M shows each one
// alone in turn, then none. In a phase the mistake does not change a line says where it shows;
// in the dX gather phase its wrong result stands beside the right one.
TEST(App, TheMKeyShowsEachPitfallInTurn) {
  App app;
  app.set_classroom(true);
  for (Pitfall p : kAllPitfalls) {
    app.next_pitfall();
    EXPECT_EQ(std::count(app.pitfalls.begin(), app.pitfalls.end(), true), 1);
    app.enter_phase(Phase::Forward);
    bool titled = false;
    for (const SceneText& t : app.scene({}).texts)
      titled |= t.text.rfind(pitfall_title(p), 0) == 0 &&
                t.text.find("draws the mistake in the") != std::string::npos;
    EXPECT_TRUE(titled) << pitfall_name(p);
    app.enter_phase(Phase::DxGather);
    app.seek(app.step_count() / 2);
    const Scene s = app.scene({});
    const SceneGrid* wrong = nullptr;
    for (const SceneGrid& g : s.grids)
      if (g.copy == GridCopy::Mistake) wrong = &g;
    // The default lesson's dX (6×5) cannot stand in for G (4×3): that mistake is said instead.
    if (p == Pitfall::InputGradientAsGradient) {
      EXPECT_EQ(wrong, nullptr);
    } else {
      ASSERT_NE(wrong, nullptr) << pitfall_name(p);
      EXPECT_EQ(wrong->pitfall, p);
    }
  }
  app.next_pitfall();
  EXPECT_EQ(std::count(app.pitfalls.begin(), app.pitfalls.end(), true), 0);
  app.pitfalls = {true, false, true, false};  // several, from the panel: M turns them off
  app.next_pitfall();
  EXPECT_EQ(std::count(app.pitfalls.begin(), app.pitfalls.end(), true), 0);
}

TEST(App, AnInvalidParameterIsExplainedAndChangesNothing) {
  App app;
  const Lesson before = app.lesson();
  EXPECT_FALSE(app.set_param("dilation", 3));
  EXPECT_EQ(app.last_error(),
            "kernel 3×3 with dilation 3 spans 7×7 and does not fit the padded input 6×5");
  EXPECT_EQ(app.lesson(), before);
  EXPECT_FALSE(app.dirty());
  EXPECT_TRUE(app.set_param("padding", "same"));
  EXPECT_EQ(app.timeline().geometry().output_shape(), (Shape{1, 1, 6, 5}));
  EXPECT_TRUE(app.dirty());
}

// The lesson panel writes its parameter edits as JSON text: the same edits, the same checks.
TEST(App, AParameterWrittenAsJsonIsReadAsTheLessonFileReadsIt) {
  App app;
  EXPECT_TRUE(app.set_param_json("padding", "\"same\""));
  EXPECT_EQ(app.timeline().geometry().output_shape(), (Shape{1, 1, 6, 5}));
  EXPECT_TRUE(app.set_param_json("stride", "[2,1]"));
  EXPECT_EQ(app.lesson().spec.stride_h, 2);
  EXPECT_EQ(app.lesson().spec.stride_w, 1);
  EXPECT_TRUE(app.set_param_json("bias", "[1]"));
  EXPECT_EQ(app.lesson().bias, std::vector<double>{1});
  EXPECT_TRUE(app.set_param_json("bias", "null"));
  EXPECT_TRUE(app.lesson().bias.empty());
  const Lesson before = app.lesson();
  EXPECT_FALSE(app.set_param_json("stride", "[2,"));
  EXPECT_EQ(app.last_error(), "stride: [2, is not a JSON value");
  EXPECT_FALSE(app.set_param_json("stride", "0"));
  EXPECT_EQ(app.lesson(), before);
}

TEST(App, EditsRecomputeTheResults) {
  App app;
  // W[0][0] 1 → 2 adds one more X[0,0]·1 = 1 to Z[0,0]: 0 → 1. dW does not depend on W.
  ASSERT_TRUE(app.edit_value("W", {0, 0}, 2));
  EXPECT_EQ(app.timeline().results().Z(0, 0, 0, 0), 1);
  EXPECT_EQ(app.timeline().results().dW(0, 0, 0, 0), 15);
  EXPECT_FALSE(app.edit_value("W", {5, 5}, 1));
  EXPECT_FALSE(app.edit_value("Q", {0, 0}, 1));
}

TEST(App, ReshapeKeepsValuesThatStillFit) {
  App app;
  ASSERT_TRUE(app.reshape(2, 1, 7, 5, 3, 3, 3));
  EXPECT_EQ(app.lesson().input(0, 0, 5, 4), 4);  // the seed's bottom-right value
  EXPECT_EQ(app.lesson().weight.shape, (Shape{3, 1, 3, 3}));
  EXPECT_FALSE(app.reshape(1, 1, 2, 2, 1, 3, 3));  // the kernel no longer fits
}

// Growing a shape fills the new cells with small random integers, so that there is something
// to compute; zeros or ones when chosen.
TEST(App, GrowingAShapeFillsTheNewCellsAsChosen) {
  App app;
  ASSERT_EQ(app.settings.grow_fill, GrowFill::Random);
  ASSERT_TRUE(app.reshape(2, 1, 7, 5, 3, 3, 3));
  const Tensor& x = app.lesson().input;
  EXPECT_EQ(x(0, 0, 5, 4), 4);  // kept
  std::set<double> fresh;
  for (int y = 0; y < 7; ++y)
    for (int i = 0; i < 5; ++i) fresh.insert(x(1, 0, y, i));
  EXPECT_GE(fresh.size(), 3u);  // not all zeros, nor all one value
  for (double v : fresh) EXPECT_TRUE(v == std::trunc(v) && std::fabs(v) <= 3) << v;
  for (GrowFill f : {GrowFill::Zeros, GrowFill::Ones}) {
    App other;
    other.settings.grow_fill = f;
    ASSERT_TRUE(other.reshape(2, 1, 7, 5, 3, 3, 3));
    EXPECT_EQ(other.lesson().input(0, 0, 5, 4), 4);
    EXPECT_EQ(other.lesson().input(1, 0, 3, 2), f == GrowFill::Ones ? 1 : 0);
    EXPECT_EQ(other.lesson().weight(2, 0, 1, 1), f == GrowFill::Ones ? 1 : 0);
  }
  // The choice is kept with the settings.
  Settings s;
  s.grow_fill = GrowFill::Ones;
  EXPECT_EQ(Settings::from_json(s.to_json()).grow_fill, GrowFill::Ones);
}

// The stage's mouse zoom keeps the point under the pointer in place, stops at 1× and 8×, pans
// only as far as the zoomed stage still covers the stage, and resets to the whole stage.
TEST(StageZoom, ZoomsAboutThePointerAndPansWithinTheStage) {
  StageZoom z;
  const float w = 800, h = 600, mx = 200, my = 150;
  const float lx = (mx - z.x) / z.factor, ly = (my - z.y) / z.factor;  // stage point under it
  z.wheel(mx, my, 3, w, h);
  EXPECT_NEAR(z.factor, 1.728f, 1e-3f);
  EXPECT_NEAR(z.x + lx * z.factor, mx, 1e-3f);
  EXPECT_NEAR(z.y + ly * z.factor, my, 1e-3f);
  z.pan(1000, 1000, w, h);  // no further than the stage's top-left corner
  EXPECT_EQ(z.x, 0);
  EXPECT_EQ(z.y, 0);
  z.pan(-5000, -5000, w, h);  // nor past its bottom-right one
  EXPECT_NEAR(z.x, w * (1 - z.factor), 1e-3f);
  EXPECT_NEAR(z.y, h * (1 - z.factor), 1e-3f);
  z.wheel(mx, my, 100, w, h);
  EXPECT_EQ(z.factor, StageZoom::kMax);
  z.wheel(mx, my, -100, w, h);
  EXPECT_EQ(z.factor, 1);
  EXPECT_EQ(z.x, 0);  // at 1× the stage is where it was
  EXPECT_FALSE(z.zoomed());
  z.wheel(mx, my, 2, w, h);
  z.pan(-5000, -5000, w, h);
  z.clamp(w / 2, h / 2);  // the window made smaller while zoomed: still no blank strip
  EXPECT_GE(z.x + (w / 2) * z.factor, w / 2 - 1e-3f);
  EXPECT_GE(z.y + (h / 2) * z.factor, h / 2 - 1e-3f);
  z.reset();
  EXPECT_EQ(z.factor, 1);
  EXPECT_EQ(z.x, 0);
  EXPECT_EQ(z.y, 0);
}

TEST(App, AKernelTooLargeIsRefusedBeforeItIsMade) {
  App app;
  const Lesson before = app.lesson();
  // 16 × 16 × 4096 × 4096 weights would be 4.3 billion values (34 GB): refused, not allocated.
  EXPECT_FALSE(app.reshape(1, 16, 4096, 1, 16, 4096, 4096));
  EXPECT_NE(app.last_error().find("too large"), std::string::npos) << app.last_error();
  EXPECT_EQ(app.lesson(), before);
}

TEST(App, AMoveOfAnyLengthEndsAtTheFirstOrLastStep) {
  App app;
  app.step_by(1);  // from step 1 a move of the largest length would overflow
  app.step_by(std::numeric_limits<long long>::max());
  EXPECT_EQ(app.step(), app.step_count() - 1);
  app.step_by(std::numeric_limits<long long>::min());
  EXPECT_EQ(app.step(), 0);
}

TEST(App, ChangingGranularityKeepsTheCell) {
  App app;
  app.set_phase(Phase::Forward);
  app.settings.granularity = Granularity::Cell;
  app.seek(1 + 7);  // pad, then Z cell 7
  ASSERT_EQ(app.frame().cell, 7);
  app.set_granularity(Granularity::Term);
  EXPECT_EQ(app.frame().cell, 7);
  EXPECT_EQ(app.frame().term, 0);
}

// The stride's zeros are taught, not flashed: at 1× they are still coming in three quarters of
// a second after Next (the clock here is the app's own, advanced by hand).
TEST(App, TheStructuralMovesTakeTheirTime) {
  App app;
  app.settings.granularity = Granularity::Phase;
  app.set_phase(Phase::DxGather);
  app.step_by(1);  // G → Gd
  ASSERT_EQ(app.frame().stage, Stage::DilateGradient);
  app.advance(0.75);
  EXPECT_TRUE(app.animating());
  app.advance(0.5);
  EXPECT_FALSE(app.animating());
}

// Forward's padding ring is its first step: entering the phase plays it, ring by ring.
TEST(App, EnteringForwardGrowsThePaddingRing) {
  App app;
  app.open_preset("padding1-4x4");
  app.settings.granularity = Granularity::Phase;
  app.set_phase(Phase::Dw);
  app.enter_phase(Phase::Forward);
  ASSERT_EQ(app.frame().stage, Stage::PadInput);
  app.advance(0.5);
  EXPECT_TRUE(app.animating());
  const Scene mid = app.scene({});
  const SceneGrid* xp = mid.grid(Grid::Xp);
  ASSERT_NE(xp, nullptr);
  int growing = 0;
  for (const SceneCell& c : xp->cells)
    growing += c.style == CellStyle::Padding && c.rect.w < xp->cell_size * 0.99f;
  EXPECT_GT(growing, 0);
  app.advance(1);
  EXPECT_FALSE(app.animating());
}

TEST(App, PlaybackAdvancesAndStopsAtTheEnd) {
  App app;
  app.settings.granularity = Granularity::Phase;
  app.set_phase(Phase::DxGather);
  app.set_playing(true);
  for (int i = 0; i < 600 && app.playing(); ++i) app.advance(1.0 / 60);
  EXPECT_FALSE(app.playing());
  EXPECT_EQ(app.step(), app.step_count() - 1);
}

// A clicker only sends Next and Previous: the lecture must flow through every phase in order,
// and back, without the teacher walking to the keyboard.
TEST(App, NextOnTheLastStepOfAPhaseGoesOnToTheNextPhase) {
  App app;
  app.settings.granularity = Granularity::Cell;
  std::vector<Phase> visited = {app.phase()};
  long long presses = 0;
  for (; presses < 10000; ++presses) {
    const Phase before = app.phase();
    const long long step = app.step();
    app.step_by(+1);
    if (app.phase() != before) {
      EXPECT_EQ(step, app.timeline().count(before, Granularity::Cell) - 1) << "left before the end";
      EXPECT_EQ(app.step(), 0) << "arrives on the first step of " << phase_name(app.phase());
      visited.push_back(app.phase());
    } else if (app.step() == step) {
      break;  // the end of the lecture: nowhere further to go
    }
  }
  EXPECT_EQ(visited, std::vector<Phase>(std::begin(kAllPhases), std::end(kAllPhases)));
  EXPECT_EQ(app.phase(), Phase::Matrix);  // the last phase: Next at db's end goes into it
  EXPECT_EQ(app.step(), app.step_count() - 1);
  // Previous goes back the same way: from the matrix view's first step to db's last.
  app.seek(0);
  app.step_by(-1);
  EXPECT_EQ(app.phase(), Phase::Db);
  EXPECT_EQ(app.step(), app.step_count() - 1);
  app.set_phase(Phase::Forward);
  app.step_by(-1);  // nothing before the first step of forward
  EXPECT_EQ(app.phase(), Phase::Forward);
  EXPECT_EQ(app.step(), 0);
}

TEST(App, TheOldStopAtTheEndOfAPhaseIsASetting) {
  App app;
  app.settings.stop_at_phase_end = true;
  app.set_phase(Phase::Dw);
  app.go_end();
  app.step_by(+1);
  EXPECT_EQ(app.phase(), Phase::Dw);
  EXPECT_EQ(app.step(), app.step_count() - 1);
  app.go_start();
  app.step_by(-1);
  EXPECT_EQ(app.phase(), Phase::Dw);
  EXPECT_EQ(app.step(), 0);
  // The script's `step` is Next too, and follows the same setting.
  app.settings.stop_at_phase_end = false;
  FakeHost host;
  ScriptRunner runner(parse_script("phase dw\nend\nstep\n", "t"), "t");
  runner.update(app, host, 0);
  EXPECT_EQ(app.phase(), Phase::DxGather);
  EXPECT_EQ(app.step(), 0);
  Settings stopping;
  stopping.stop_at_phase_end = true;
  EXPECT_TRUE(Settings::from_json(stopping.to_json()).stop_at_phase_end);
}

TEST(App, ClassroomModeHasItsOwnScale) {
  App app;
  app.settings.set_scale(1.5f);
  app.set_classroom(true);
  EXPECT_EQ(app.settings.scale(), Settings::kDefaultClassroomScale);
  app.settings.set_scale(2.75f);
  app.set_classroom(false);
  EXPECT_EQ(app.settings.scale(), 1.5f);  // leaving classroom mode gives the desk's scale back
  EXPECT_EQ(Settings::from_json(app.settings.to_json()).classroom_scale, 2.75f);
  app.settings.set_scale(99);
  EXPECT_EQ(app.settings.scale(), Settings::kMaxScale);
}

TEST(Script, RunsCommandsAndWaits) {
  App app;
  FakeHost host;
  ScriptRunner runner(
      parse_script("phase dw\ngranularity cell\nseek 4\nwait 500\nscreenshot a.png\nquit\n", "t"),
      "t");
  runner.update(app, host, 0);
  EXPECT_EQ(app.phase(), Phase::Dw);
  EXPECT_EQ(app.step(), 4);
  EXPECT_TRUE(host.calls.empty());  // waiting
  runner.update(app, host, 0.6);
  EXPECT_EQ(host.calls, (std::vector<std::string>{"screenshot a.png", "quit"}));
  EXPECT_TRUE(runner.finished());
}

TEST(Script, ErrorsNameTheLine) {
  EXPECT_EQ(script_error("phase dw\n\n# fine\nfly away\n"), "demo.txt:4: unknown command \"fly\"");
  EXPECT_EQ(script_error("seek\n"), "demo.txt:1: seek takes 1 argument, got 0");
  EXPECT_EQ(script_error("phase sideways\n"),
            "demo.txt:1: phase: unknown phase \"sideways\": forward, loss, dw, dx_gather, "
            "dx_scatter, db or matrix");
  EXPECT_EQ(script_error("set stride 0\n"), "demo.txt:1: set: stride must be at least 1, got 0");
  EXPECT_EQ(script_error("edit W[9][9] 1\n"),
            "demo.txt:1: edit: W has shape [1][1][3][3]: the index is outside it");
  EXPECT_EQ(script_error("open /nonexistent.json\n"),
            "demo.txt:1: open: /nonexistent.json: cannot open: No such file or directory");
}

// A press is applied by the next frame: the script waits for it, then checks that the
// widget was on the screen, naming the line when it was not.
TEST(Script, PressWaitsForItsFrameAndNamesAMissingWidget) {
  struct PressHost : FakeHost {
    bool found = true;
    void press(const std::string& p) override { calls.push_back("press " + p); }
    bool pressed(const std::string&) override { return found; }
  };
  App app;
  PressHost host;
  ScriptRunner runner(parse_script("press Lesson > H > +\nquit\n", "t"), "t");
  runner.update(app, host, 0);
  EXPECT_EQ(host.calls, (std::vector<std::string>{"press Lesson > H > +"}));
  EXPECT_FALSE(runner.finished());
  runner.update(app, host, 0.1);
  EXPECT_EQ(host.calls.back(), "quit");
  EXPECT_TRUE(runner.finished());
  host.found = false;
  ScriptRunner missing(parse_script("press Lesson > Nope\n", "t"), "t");
  missing.update(app, host, 0);
  try {
    missing.update(app, host, 0.1);
    ADD_FAILURE() << "no error for a widget that is not there";
  } catch (const ScriptError& e) {
    EXPECT_EQ(std::string(e.what()),
              "t:1: press: nothing called \"Lesson > Nope\" is on the screen");
  }
  EXPECT_EQ(script_error("press Lesson > H\n"),
            "demo.txt:1: press: there are no widgets to press here: \"Lesson > H\"");
  EXPECT_EQ(script_error("resize -1 5\n"),
            "demo.txt:1: resize: the width must be a whole number from 0 to 16384, got \"-1\"");
}

// The slice chosen for the stage names channels of the lesson it was chosen in: after an
// edit it is brought within the new lesson.
TEST(App, AChosenSliceStaysWithinTheLessonAfterAnEdit) {
  App app;
  ASSERT_TRUE(app.reshape(2, 3, 5, 5, 4, 3, 3));
  app.slice = std::array<int, 3>{1, 2, 3};
  ASSERT_TRUE(app.reshape(1, 1, 5, 5, 1, 3, 3));
  ASSERT_TRUE(app.slice);
  EXPECT_EQ(*app.slice, (std::array<int, 3>{0, 0, 0}));
}

TEST(App, ChangingGroupsResizesTheKernelsChannels) {
  App app;
  ASSERT_TRUE(app.reshape(1, 4, 5, 5, 2, 3, 3));
  ASSERT_TRUE(app.set_param("groups", 2));
  EXPECT_EQ(app.lesson().weight.shape, (Shape{2, 2, 3, 3}));
  EXPECT_FALSE(app.set_param("groups", 3));
  EXPECT_EQ(app.last_error(), "input has 4 channels, not divisible by groups = 3");
}

// Fewer groups mean more work: past the limits the change is refused with the reason, and the
// lesson stays as it was (it used to escape as an exception from the rebuild).
TEST(App, GroupsThatWouldPassTheLimitsAreRefused) {
  App app;
  Lesson l;
  l.input = Tensor(Shape{1, 4096, 4, 4}, 1.0);
  l.weight = Tensor(Shape{4096, 1, 1, 1}, 1.0);
  l.spec.groups = 4096;
  app.set_lesson(l, "");
  EXPECT_FALSE(app.set_param("groups", 1));
  EXPECT_NE(app.last_error().find("multiply-adds, more than the limit"), std::string::npos)
      << app.last_error();
  EXPECT_EQ(app.lesson().spec.groups, 4096);
}

TEST(Script, SetTakesJsonValues) {
  App app;
  FakeHost host;
  ScriptRunner runner(parse_script("set padding [1, 0, 2, 1]\nset stride [2, 1]\n", "t"), "t");
  runner.update(app, host, 0);
  const Geometry& g = app.timeline().geometry();
  EXPECT_EQ(g.pad_top, 1);
  EXPECT_EQ(g.pad_left, 2);
  EXPECT_EQ(g.stride_h, 2);
}

TEST(Script, HashesOfImGuiLabelsAreNotComments) {
  const auto c = parse_script("press Edit > ###Undo  # the Edit menu's Undo\nkey ctrl+z #z\n", "t");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].args, std::vector<std::string>{"Edit > ###Undo"});
  EXPECT_EQ(c[1].args, std::vector<std::string>{"ctrl+z"});
}

TEST(Script, UndoAndRedoTheLessonsHistory) {
  App app;
  FakeHost host;
  ScriptRunner runner(parse_script("edit W[0][0] 7\nundo\n", "t"), "t");
  runner.update(app, host, 0);
  EXPECT_EQ(app.lesson().weight(0, 0, 0, 0), 1);
  EXPECT_EQ(script_error("redo\n"), "demo.txt:1: redo: there is nothing to redo");
}

TEST(Settings, RoundTripAndBadValuesFallBack) {
  Settings s;
  s.theme = Theme::Light;
  s.speed = 4;
  s.granularity = Granularity::Cell;
  const Settings back = Settings::from_json(s.to_json());
  EXPECT_EQ(back.theme, Theme::Light);
  EXPECT_EQ(back.speed, 4);
  EXPECT_EQ(back.granularity, Granularity::Cell);
  const Settings bad = Settings::from_json(nlohmann::json{{"speed", "fast"}, {"stage_scale", 99}});
  EXPECT_EQ(bad.speed, 1);
  EXPECT_EQ(bad.stage_scale, 3);
}

TEST(Settings, NumbersThatDoNotFitAreClampedNotWrapped) {
  // 2^32 + 1000 would wrap around to a 1000-pixel window; 1e300 does not fit an int or float.
  const Settings s = Settings::from_json(nlohmann::json{{"window_width", 4294968296LL},
                                                        {"window_height", -1e300},
                                                        {"stage_scale", 1e300},
                                                        {"speed", -4294967295LL}});
  EXPECT_EQ(s.window_width, 16384);
  EXPECT_EQ(s.window_height, 240);
  EXPECT_EQ(s.stage_scale, 3);
  EXPECT_EQ(s.speed, 0.25f);
}

// The lesson panel's loss control: a loss or a given G, never both; T keeps the output's shape.
TEST(Loss, TheLossControlGivesGOneWayOrTheOther) {
  App app;
  app.open_or_default("");
  app.set_upstream_random(2);
  EXPECT_TRUE(app.lesson().gives_gradient());
  app.set_loss(LossKind::HalfSumSquares, 1);
  EXPECT_FALSE(app.lesson().gives_gradient());
  EXPECT_EQ(app.lesson().loss.kind, LossKind::HalfSumSquares);
  app.set_loss(LossKind::Mse, 1);
  EXPECT_EQ(app.lesson().loss.target.shape, app.lesson().geometry().output_shape());
  ASSERT_TRUE(app.reshape(1, 1, 7, 7, 1, 2, 2)) << app.last_error();
  EXPECT_EQ(app.lesson().loss.target.shape, (Shape{1, 1, 6, 6}));
  EXPECT_TRUE(app.edit_value("T", {1, 1}, 9)) << app.last_error();
  EXPECT_EQ(app.lesson().loss.target(0, 0, 1, 1), 9);
  // Editing G makes it given: the loss gives way.
  EXPECT_TRUE(app.edit_value("G", {0, 0}, 5)) << app.last_error();
  EXPECT_TRUE(app.lesson().gives_gradient());
  EXPECT_EQ(app.lesson().loss, Loss{});
  EXPECT_FALSE(app.edit_value("T", {0, 0}, 1)) << "no target without the mse loss";
  app.set_upstream_ones();
  EXPECT_FALSE(app.lesson().gives_gradient());
  EXPECT_EQ(app.lesson().loss.kind, LossKind::Sum);
}

// ---- Undo and redo ----

TEST(Undo, EveryKindOfEditGoesBackAndForth) {
  App app;
  app.open_or_default("");
  EXPECT_FALSE(app.can_undo()) << "the lesson the app starts with is not undoable";
  std::vector<Lesson> states = {app.lesson()};
  std::vector<std::string> names;
  auto did = [&](bool ok, const std::string& name) {
    ASSERT_TRUE(ok) << app.last_error();
    states.push_back(app.lesson());
    names.push_back(name);
  };
  did(app.edit_value("W", {0, 0}, 7), "edit W[0][0]");
  did(app.set_param("stride", 2), "change stride");
  did(app.reshape(1, 1, 7, 5, 1, 3, 3), "change shapes");
  did(app.set_param("bias", nlohmann::json::array({1.5})), "change bias");
  app.set_upstream_random(3);
  did(true, "randomize G");
  app.set_loss(LossKind::Mse, 5);  // the loss replaces the given G, with a target
  did(true, "set the loss to L = mean((Z − T)²)");
  did(app.edit_value("T", {0, 1}, 4), "edit T[0][1]");
  did(app.reshape(1, 1, 6, 5, 1, 3, 3), "change shapes");  // T follows the output's shape
  app.set_loss(LossKind::ReluThenSum, 5);
  did(true, "set the loss to L = Σ relu(Z)");
  app.randomize_integers(4);
  did(true, "randomize values");
  app.open_preset("stride2");
  did(true, "open stride2.json");
  // Back to the start, one step at a time, each named and each the state before it.
  for (std::size_t i = states.size() - 1; i > 0; --i) {
    ASSERT_TRUE(app.can_undo());
    EXPECT_EQ(app.undo_name(), names[i - 1]);
    ASSERT_TRUE(app.undo());
    EXPECT_EQ(app.lesson(), states[i - 1]) << "after undoing " << names[i - 1];
  }
  EXPECT_FALSE(app.can_undo());
  EXPECT_FALSE(app.undo());
  EXPECT_FALSE(app.dirty()) << "back to the lesson as it was opened";
  for (std::size_t i = 1; i < states.size(); ++i) {
    EXPECT_EQ(app.redo_name(), names[i - 1]);
    ASSERT_TRUE(app.redo());
    EXPECT_EQ(app.lesson(), states[i]);
  }
  EXPECT_FALSE(app.can_redo());
  EXPECT_TRUE(app.lesson_path().ends_with("stride2.json"));
}

TEST(Undo, AFailedEditLeavesNoStepAndANewEditDropsTheRedo) {
  App app;
  app.open_or_default("");
  EXPECT_FALSE(app.set_param("stride", 0));
  EXPECT_FALSE(app.can_undo());
  app.edit_value("X", {0, 0}, 9);
  app.undo();
  ASSERT_TRUE(app.can_redo());
  app.edit_value("X", {0, 1}, 8);
  EXPECT_FALSE(app.can_redo());
}

TEST(Undo, TheHistoryIsBounded) {
  App app;
  app.open_or_default("");
  for (int i = 0; i < 250; ++i) app.edit_value("W", {0, 0}, i);
  int undone = 0;
  while (app.undo()) ++undone;
  EXPECT_EQ(undone, static_cast<int>(App::kMaxUndoSteps));
  EXPECT_EQ(app.lesson().weight(0, 0, 0, 0), 249 - static_cast<int>(App::kMaxUndoSteps));
  // Large lessons keep fewer steps: never more numbers than the budget (39 in each state here).
  app.max_undo_values = 400;
  for (int i = 0; i < 30; ++i) app.edit_value("W", {0, 0}, i);
  undone = 0;
  while (app.undo()) ++undone;
  EXPECT_EQ(undone, 10);
}

TEST(Undo, SavingMarksTheOtherStatesOfTheFileUnsaved) {
  const std::string path = ::testing::TempDir() + "/undo-saved.json";
  App app;
  app.open_or_default("");
  app.save(path);
  app.edit_value("W", {0, 0}, 7);
  EXPECT_TRUE(app.dirty());
  app.save(path);
  EXPECT_FALSE(app.dirty());
  app.undo();
  EXPECT_TRUE(app.dirty()) << "the file holds the edit: the state before it is not saved";
  app.redo();
  EXPECT_FALSE(app.dirty()) << "the state the file holds";
  std::remove(path.c_str());
}

// ---- Presets are read-only ----

TEST(Presets, OpenReadOnlyAndAreNeverOverwritten) {
  App app;
  app.open_preset("sobel-6x5");
  EXPECT_TRUE(app.read_only());
  const std::string preset = app.lesson_path();
  app.edit_value("W", {0, 0}, 7);
  try {
    app.save(preset);
    ADD_FAILURE() << "saved over the preset";
  } catch (const LessonError& e) {
    EXPECT_NE(std::string(e.what()).find("under another name"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(app.dirty()) << "the edits are still unsaved";
  App fresh;
  fresh.open_preset("sobel-6x5");
  EXPECT_EQ(fresh.lesson().weight(0, 0, 0, 0), 1) << "the shipped file changed";
  // The same file by another spelling of its path is the preset too.
  EXPECT_TRUE(
      is_preset_path(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/../lessons/x.json"));
  // A copy saved elsewhere is the user's own: Save writes to it.
  const std::string mine = ::testing::TempDir() + "/my-sobel.json";
  app.save(mine);
  EXPECT_FALSE(app.read_only());
  EXPECT_FALSE(is_preset_path(mine));
  std::remove(mine.c_str());
  App untitled;
  EXPECT_TRUE(untitled.read_only()) << "a lesson with no file: Save must ask where";
}

// ---- The window's app: the timeline rebuilt in the background ----

// An app in the background mode on a 1024×1024 input, whose rebuild takes tens of
// milliseconds: far longer than a frame.
void open_big(App& app) {
  app.set_background(true);
  app.set_lesson(big_lesson(1024), "", true, "open a large lesson");
  app.settle();
}

double first_value_on_screen(const App& app) {
  return app.timeline().lesson().input.values[0];
}

TEST(Background, FramesKeepComingWhileALargeLessonIsRecomputed) {
  App app;
  open_big(app);
  ASSERT_NE(first_value_on_screen(app), 7);
  app.edit_value("X", {0, 0}, 7);  // returns at once: the rebuild runs elsewhere
  EXPECT_EQ(app.lesson().input.values[0], 7) << "the edit itself is made at once";
  int frames = 0;
  while (first_value_on_screen(app) != 7 && frames < 100000) {
    app.advance(1.0 / 60);  // a frame: the old timeline's, until the new one is ready
    app.scene(stage_view(1600, 900, 1));
    ++frames;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(frames, 2) << "the frames stopped while the lesson was recomputed";
  EXPECT_FALSE(app.computing());
  EXPECT_EQ(app.timeline().lesson(), app.lesson());
}

TEST(Background, TheLastEditWinsOverTheRecomputesItMadeStale) {
  App app;
  open_big(app);
  for (int value : {5, 6, 7, 8}) {
    app.edit_value("X", {0, 0}, value);
    app.advance(1.0 / 60);  // a frame between edits: a stale rebuild may be under way
    app.scene(stage_view(1600, 900, 1));
  }
  app.settle();
  EXPECT_EQ(first_value_on_screen(app), 8);
  // Nothing stale lands later.
  for (int i = 0; i < 20; ++i) {
    app.advance(1.0 / 60);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(first_value_on_screen(app), 8);
  EXPECT_EQ(app.timeline().lesson(), app.lesson());
  EXPECT_EQ(app.timeline().results().Z.values[0], Timeline(app.lesson()).results().Z.values[0]);

  // Undo and redo go through the same rebuilds.
  ASSERT_TRUE(app.undo());
  EXPECT_EQ(app.lesson().input.values[0], 7);
  app.settle();
  EXPECT_EQ(first_value_on_screen(app), 7);
  ASSERT_TRUE(app.redo());
  app.settle();
  EXPECT_EQ(first_value_on_screen(app), 8);
  EXPECT_TRUE(app.dirty());

  // A small lesson, rebuilt at once, wins over a large one still being rebuilt.
  app.edit_value("X", {0, 0}, 9);
  app.set_lesson(big_lesson(8), "", true, "open a small lesson");
  EXPECT_FALSE(app.computing());
  for (int i = 0; i < 100; ++i) {
    app.advance(1.0 / 60);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(app.timeline().lesson().input.shape, (Shape{1, 1, 8, 8}));
}

TEST(Background, AScriptCommandWaitsForTheLastEditToBeOnScreen) {
  App app;
  app.set_background(true);
  struct Host : FakeHost {
    const App* app = nullptr;
    std::vector<int> strides_seen;
    void screenshot(const std::string&) override {
      strides_seen.push_back(app->timeline().lesson().spec.stride_h);
    }
  } host;
  host.app = &app;
  ScriptRunner runner(parse_script("set stride 2\nscreenshot a.png\n", "demo.txt"), "demo.txt");
  for (double t = 0; !runner.finished() && t < 100; t += 1.0 / 60) {
    runner.update(app, host, t);
    app.advance(1.0 / 60);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the rebuild's real time
  }
  EXPECT_EQ(host.strides_seen, std::vector<int>{2});
}

}  // namespace
}  // namespace convstep
