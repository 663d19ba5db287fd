// The quiz (core/quiz.h) and the exercises it shares with the worksheet and `convstep steps`:
// which cells are asked, how answers are checked and scored, and that the stage never shows an
// asked cell's value before it is answered. Each test says what a student or teacher would
// notice if it broke.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "app/app.h"
#include "app/script.h"
#include "app/steps_output.h"
#include "core/format.h"
#include "core/quiz.h"
#include "core/stage.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> preset_paths() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons"))
    if (e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

Timeline preset(const std::string& name) {
  return Timeline(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/" + name + ".json"));
}

// Every question of a walk through the phase, in order.
std::vector<QuizQuestion> walk(const Timeline& tl, Phase p, Granularity g, int worksheet = 0,
                               bool skip = false) {
  std::vector<QuizQuestion> out;
  for (long long k = 0; k < tl.count(p, g, skip); ++k)
    for (QuizQuestion& q : questions_at(tl, tl.frame(p, g, k, skip), skip, worksheet))
      out.push_back(std::move(q));
  return out;
}

// The cells a phase's quiz should ask: every cell of its result, dX's where the steps compute
// them, less the inputs no window reaches (0 by the rule, filled in by no step of their own).
std::set<std::pair<std::string, double>> expected_cells(const Timeline& tl, Phase p) {
  std::set<std::pair<std::string, double>> out;
  // A phase that computes nothing for this lesson asks nothing: the loss phase of a lesson that
  // gives G itself, the matrix view of a lesson too large for it.
  if (p == Phase::Loss && tl.lesson().gives_gradient()) return out;
  const Grid computed = tl.accumulation_grid(p);  // dX's cells in dXp, or dX in the matrix view
  if (computed == Grid::None) return out;
  const Geometry& g = tl.geometry();
  const Grid grid = phase_result(p);
  const Tensor& t = tl.tensor(grid);
  for (int n = 0; n < t.shape.n; ++n)
    for (int c = 0; c < t.shape.c; ++c)
      for (int h = 0; h < t.shape.h; ++h)
        for (int w = 0; w < t.shape.w; ++w) {
          if (grid == Grid::dX && tl.is_uncovered(h, w)) continue;
          const CellRef shown = grid == Grid::dX && computed == Grid::dXp
                                    ? CellRef{Grid::dXp, n, c, h + g.pad_top, w + g.pad_left}
                                    : CellRef{grid, n, c, h, w};
          // Z is asked before the bias is added, at the step that sums its terms.
          const double bias =
              p == Phase::Forward && !tl.lesson().bias.empty() ? tl.lesson().bias[c] : 0;
          out.insert({tl.cell_name(shown), t(n, c, h, w) - bias});
        }
  return out;
}

// ---- The chooser ----

TEST(Exercise, ChoosesTheSameCellsEveryTimeSpreadOverTheGrid) {
  EXPECT_EQ(exercise_cells(12, 3), (std::vector<std::size_t>{2, 6, 10}));
  EXPECT_EQ(exercise_cells(12, 3), exercise_cells(12, 3));
  EXPECT_EQ(exercise_cells(4, 10).size(), 4u);  // never more cells than the grid has
  EXPECT_TRUE(exercise_cells(12, 0).empty());
  EXPECT_TRUE(exercise_cells(0, 3).empty());
  const Timeline tl = preset("padding1-4x4");
  // dX's cells are computed in dXp, inside the padding border of 1.
  for (const ExerciseCell& e : exercise(tl, Phase::DxGather, 3)) {
    EXPECT_EQ(e.result.grid, Grid::dX);
    EXPECT_EQ(e.step, (CellRef{Grid::dXp, e.result.n, e.result.c, e.result.h + 1, e.result.w + 1}));
  }
}

// The worksheet's answer key (export --format md --exercise N, and steps --exercise N in every
// format) lists exactly the cells exercise() chooses; the quiz's worksheet option asks exactly
// those (less any input no window reaches), with the same values.
TEST(Exercise, WorksheetStepsAndQuizChooseTheSameCells) {
  for (const std::string& path : preset_paths()) {
    const Timeline tl(load_lesson(path));
    for (StepsFormat format : {StepsFormat::Markdown, StepsFormat::Text, StepsFormat::Jsonl}) {
      StepsRequest r;
      r.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
      r.format = format;
      r.exercise = 3;
      std::ostringstream out, answers;
      r.answers = &answers;
      ASSERT_TRUE(write_steps(out, tl, r));
      for (Phase p : kAllPhases)
        for (const ExerciseCell& e : exercise(tl, p, 3)) {
          const std::string line =
              "- **" + tl.cell_name(e.result) + " = " +
              format_number(tl.tensor(e.result.grid).values[e.offset], kUnicode) + "**";
          EXPECT_NE(answers.str().find(line), std::string::npos) << path << ": " << line;
        }
    }
    for (Phase p : kAllPhases)
      for (Granularity g : {Granularity::Cell, Granularity::Term}) {
        std::vector<std::string> asked, chosen;
        for (const QuizQuestion& q : walk(tl, p, g, 3)) asked.push_back(q.name);
        for (const ExerciseCell& e : exercise(tl, p, 3))
          if (!(e.result.grid == Grid::dX && tl.is_uncovered(e.result.h, e.result.w)))
            chosen.push_back(tl.cell_name(e.step));
        std::sort(asked.begin(), asked.end());
        std::sort(chosen.begin(), chosen.end());
        EXPECT_EQ(asked, chosen) << path << " " << phase_name(p) << " " << granularity_name(g);
      }
  }
}

// ---- Which cells a step asks ----

// A walk through a phase asks every cell of its result once, at the step that finishes it,
// with its final value; at cell and at term granularity (the last term of each cell) alike.
TEST(Quiz, AWalkAsksEveryResultCellOnceWithItsFinalValue) {
  for (const std::string& path : preset_paths()) {
    const Timeline tl(load_lesson(path));
    for (Phase p : kAllPhases)
      for (Granularity g : {Granularity::Cell, Granularity::Term}) {
        std::set<std::pair<std::string, double>> asked;
        std::size_t count = 0;
        for (const QuizQuestion& q : walk(tl, p, g)) asked.insert({q.name, q.answer}), ++count;
        EXPECT_EQ(count, asked.size()) << path << ": a cell asked twice";
        EXPECT_EQ(asked, expected_cells(tl, p))
            << path << " " << phase_name(p) << " " << granularity_name(g);
      }
  }
}

TEST(Quiz, TheStepOfACellAsksItAndAPhaseStepAsksNothing) {
  const Timeline tl = preset("sobel-6x5");
  // Forward at cell granularity: step 0 pads, step k finishes Z's (k−1)-th cell.
  EXPECT_TRUE(questions_at(tl, tl.frame(Phase::Forward, Granularity::Cell, 0), false, 0).empty());
  const auto q = questions_at(tl, tl.frame(Phase::Forward, Granularity::Cell, 2), false, 0);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].name, "Z[0,1]");
  EXPECT_EQ(q[0].answer, -4);
  EXPECT_EQ(q[0].equation, tl.equation_of({Grid::Z, 0, 0, 0, 1}));
  // At term granularity, only the cell's last term asks it (9 terms a cell, after the pad).
  EXPECT_TRUE(questions_at(tl, tl.frame(Phase::Forward, Granularity::Term, 8), false, 0).empty());
  EXPECT_EQ(questions_at(tl, tl.frame(Phase::Forward, Granularity::Term, 9), false, 0)[0].name,
            "Z[0,0]");
  for (Phase p : kAllPhases)
    for (long long k = 0; k < tl.count(p, Granularity::Phase); ++k)
      EXPECT_TRUE(questions_at(tl, tl.frame(p, Granularity::Phase, k), false, 0).empty());
}

// ---- Checking an answer ----

TEST(Quiz, WholeNumbersAreCheckedExactlyOthersToThreeSignificantDigits) {
  EXPECT_EQ(check_answer("-4", -4), Verdict::Right);
  EXPECT_EQ(check_answer("\u22124", -4), Verdict::Right);  // the minus the stage writes
  EXPECT_EQ(check_answer(" -4.0 ", -4), Verdict::Right);
  EXPECT_EQ(check_answer("-3.9", -4), Verdict::Wrong);
  EXPECT_EQ(check_answer("4", -4), Verdict::Wrong);
  EXPECT_EQ(precision_words(-4), "a whole number, exactly");
  // −1/3 shows as −0.333 in its cell.
  EXPECT_EQ(check_answer("-0.333", -1.0 / 3), Verdict::Right);
  EXPECT_EQ(check_answer("-1/3", -1.0 / 3), Verdict::Right);
  EXPECT_EQ(check_answer("-0,333", -1.0 / 3), Verdict::Right);
  EXPECT_EQ(check_answer("-0.33", -1.0 / 3), Verdict::Wrong);
  EXPECT_EQ(check_answer("-0.334", -1.0 / 3), Verdict::Wrong);
  EXPECT_EQ(check_answer("12.3", 12.34), Verdict::Right);
  EXPECT_EQ(check_answer("12.4", 12.34), Verdict::Wrong);
  EXPECT_EQ(precision_words(12.34), "to 3 significant digits, as the cells show it");
  // Rounding noise in a computed value does not make a whole number fractional.
  EXPECT_EQ(check_answer("3", 3 + 1e-13), Verdict::Right);
  for (const char* junk : {"", "abc", "1/0", "--1", "1e999", "2x", "/", "nan", "inf"})
    EXPECT_EQ(check_answer(junk, 1), Verdict::NotANumber) << junk;
}

// ---- Scoring ----

TEST(Quiz, ScoresRightWrongSkippedAndRevealedPerPhase) {
  const Timeline tl = preset("sobel-6x5");
  const auto at = [&](Phase p, long long k) { return tl.frame(p, Granularity::Cell, k); };
  Quiz quiz;
  quiz.arrive(tl, at(Phase::Forward, 1), false, 1);
  EXPECT_EQ(quiz.question(), nullptr);  // off: asks nothing
  quiz.set_on(true);
  quiz.arrive(tl, at(Phase::Forward, 1), false, 1);
  ASSERT_NE(quiz.question(), nullptr);
  EXPECT_EQ(quiz.hidden(), (std::vector<CellRef>{{Grid::Z, 0, 0, 0, 0}}));
  EXPECT_EQ(quiz.answer("zero"), Verdict::NotANumber);  // not scored, still open
  ASSERT_NE(quiz.question(), nullptr);
  EXPECT_EQ(quiz.answer("0"), Verdict::Right);
  EXPECT_EQ(quiz.question(), nullptr);
  EXPECT_TRUE(quiz.hidden().empty());
  EXPECT_EQ(quiz.feedback()->outcome, Outcome::Right);
  quiz.arrive(tl, at(Phase::Forward, 2), false, 1);
  EXPECT_EQ(quiz.answer("5"), Verdict::Wrong);  // Z[0,1] is −4
  quiz.arrive(tl, at(Phase::Forward, 3), false, 1);
  quiz.arrive(tl, at(Phase::Forward, 4), false, 1);  // forward past Z[0,2]: skipped
  quiz.arrive(tl, at(Phase::Forward, 3), false, 1);  // back: Z[1,0] left open, Z[0,2] counted
  EXPECT_EQ(quiz.question(), nullptr);               // once asked, not asked again
  quiz.arrive(tl, at(Phase::Forward, 4), false, 1);
  ASSERT_NE(quiz.question(), nullptr);  // Z[1,0], left going back, is asked again
  EXPECT_TRUE(quiz.reveal());
  EXPECT_EQ(quiz.feedback()->outcome, Outcome::Revealed);
  const QuizScore s = quiz.score(Phase::Forward);
  EXPECT_EQ(s.asked, 4);
  EXPECT_EQ(s.right, 1);
  EXPECT_EQ(s.wrong, 1);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_EQ(s.revealed, 1);
  EXPECT_EQ(quiz.score(Phase::Dw).asked, 0);
  quiz.arrive(tl, at(Phase::Dw, 1), false, 1);
  EXPECT_EQ(quiz.answer(format_number(quiz.question()->answer)), Verdict::Right);
  EXPECT_EQ(quiz.score(Phase::Dw).right, 1);
  EXPECT_EQ(quiz.score(Phase::Forward).asked, 4);
  // The lesson changed: the score starts over.
  quiz.arrive(tl, at(Phase::Dw, 2), false, 2);
  EXPECT_EQ(quiz.score(Phase::Forward).asked, 0);
  EXPECT_EQ(quiz.score(Phase::Dw).asked, 0);
}

// ---- Nothing leaks ----

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Whether the scene shows `q`'s value: in its cell (any picture of its grid), or, when it is the
// step's target, in its channels' subtotals (which add up to it), or at the end of the
// equation or the running sum, where the value is written.
bool shows_answer(const Scene& s, const QuizQuestion& q, bool target, bool* hidden_cell_drawn) {
  bool shows = false;
  *hidden_cell_drawn = false;
  for (const SceneGrid& g : s.grids) {
    if (target && g.copy == GridCopy::Subtotal)
      for (const SceneCell& c : g.cells) shows |= !c.text.empty() && c.text != "?";
    if (g.grid != q.cell.grid) continue;
    for (const SceneCell& c : g.cells) {
      const bool it = q.cell.grid == Grid::db ? c.col == q.cell.c
                                              : g.slice_n == q.cell.n && g.slice_c == q.cell.c &&
                                                    c.row == q.cell.h && c.col == q.cell.w;
      if (!it) continue;
      if (c.text == "?") *hidden_cell_drawn = true;
      if (!c.text.empty() && c.text != "?") shows = true;
    }
  }
  const std::string value = format_number(q.answer, kUnicode);
  for (const SceneText& t : s.texts)
    if (target && (t.role == TextRole::Equation || t.role == TextRole::RunningSum) &&
        (ends_with(t.text, "= " + value) || ends_with(t.text, "→ " + value)))
      shows = true;
  return shows;
}

TEST(Quiz, TheStageNeverShowsAnAskedCellBeforeItIsAnswered) {
  long long checked = 0;
  for (const std::string& path : preset_paths()) {
    const Timeline tl(load_lesson(path));
    for (Phase p : kAllPhases)
      for (Granularity g : {Granularity::Cell, Granularity::Term}) {
        const long long steps = tl.count(p, g);
        for (long long k = 0; k < steps && k < 400; ++k) {
          const Frame f = tl.frame(p, g, k);
          const std::vector<QuizQuestion> qs = questions_at(tl, f, false, 0);
          if (qs.empty()) continue;
          // One question at a time, as the app asks them: the earlier ones answered.
          for (std::size_t i = 0; i < qs.size(); ++i) {
            const QuizQuestion& q = qs[i];
            StageOptions o;
            o.slice = question_slice(f, q.cell);
            for (std::size_t j = i; j < qs.size(); ++j) o.hidden.push_back(qs[j].cell);
            const Scene quiz = build_stage(tl, f, f, 1, o);
            o.hidden.clear();
            const Scene plain = build_stage(tl, f, f, 1, o);
            bool drawn = false, unused = false;
            const bool target = q.cell == f.target;
            EXPECT_FALSE(shows_answer(quiz, q, target, &drawn))
                << path << " " << phase_name(p) << " " << k << ": " << q.name;
            EXPECT_TRUE(drawn) << path << " " << phase_name(p) << " " << k << ": " << q.name;
            // Without the quiz, the same check sees the value: it can fail.
            EXPECT_TRUE(shows_answer(plain, q, target, &unused)) << path << " " << q.name;
            ++checked;
          }
        }
      }
  }
  EXPECT_GT(checked, 500);
}

// A tooltip shows no value of a cell still to be asked (or asked and not answered).
TEST(Quiz, ConcealsTheCellsStillToBeAskedFromTooltips) {
  const Timeline tl = preset("padding1-4x4");
  const Frame f = tl.frame(Phase::DxGather, Granularity::Cell, 12);  // dXp[1,2], dX[0,1]
  Quiz quiz;
  EXPECT_FALSE(quiz.conceals(tl, f, {Grid::dX, 0, 0, 3, 3}));  // off
  quiz.set_on(true);
  quiz.arrive(tl, f, false, 1);
  ASSERT_NE(quiz.question(), nullptr);
  EXPECT_TRUE(quiz.conceals(tl, f, quiz.question()->cell));
  EXPECT_EQ(quiz.question()->name, "dXp[1,2]");
  EXPECT_EQ(quiz.question()->dx_name, "dX[0,1]");              // as the worksheet names it
  EXPECT_TRUE(quiz.conceals(tl, f, {Grid::dX, 0, 0, 3, 3}));   // a later cell, read in dX
  EXPECT_TRUE(quiz.conceals(tl, f, {Grid::dXp, 0, 0, 4, 4}));  // and in dXp
  EXPECT_FALSE(quiz.conceals(tl, f, {Grid::Gp, 0, 0, 1, 1}));  // what it is made of is shown
  const CellRef first = tl.frame(Phase::DxGather, Granularity::Cell, 11).target;
  EXPECT_FALSE(quiz.conceals(tl, f, first));  // finished at an earlier step
  quiz.answer("0");
  EXPECT_FALSE(quiz.conceals(tl, f, f.target));
}

// ---- A scripted run, as a teacher prepares a demo ----

struct Host : ScriptHost {
  void screenshot(const std::string&) override {}
  void export_file(const std::string&, const std::string&) override {}
  void resize(int, int) override {}
  void quit() override {}
};

TEST(Quiz, AScriptAnswersRightAndWrongAndTheScoreCounts) {
  App app;
  Host host;
  ScriptRunner runner(parse_script("preset sobel-6x5\n"
                                   "granularity cell\n"
                                   "quiz on\n"
                                   "step\n"
                                   "answer 0\n"  // Z[0,0] = 0: right
                                   "step\n"
                                   "answer \u22123\n"  // Z[0,1] = −4: wrong
                                   "step\n"
                                   "step\n"    // Z[0,2] skipped
                                   "reveal\n"  // Z[1,0] shown by the teacher
                                   "phase dw\n"
                                   "step\n"
                                   "answer 1/1\n",  // dW[0,0]: checked below
                                   "quiz.txt"),
                      "quiz.txt");
  for (double t = 0; !runner.finished() && t < 10; t += 0.1) runner.update(app, host, t);
  const QuizScore s = app.quiz().score(Phase::Forward);
  EXPECT_EQ(s.asked, 4);
  EXPECT_EQ(s.right, 1);
  EXPECT_EQ(s.wrong, 1);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_EQ(s.revealed, 1);
  const double dw00 = app.timeline().tensor(Grid::dW).values[0];
  EXPECT_EQ(app.quiz().score(Phase::Dw).right, dw00 == 1 ? 1 : 0);
  // The stage of a step with an open question draws it as "?".
  ScriptRunner more(parse_script("step\n", "more.txt"), "more.txt");
  more.update(app, host, 20);
  ASSERT_NE(app.quiz().question(), nullptr);
  const Scene scene = app.scene(stage_view(1600, 900, 1));
  bool drawn = false;
  EXPECT_FALSE(shows_answer(scene, *app.quiz().question(), true, &drawn));
  EXPECT_TRUE(drawn);
  // A mistake's grid and line would give the right value away: they wait for the answer.
  app.pitfalls[0] = true;
  const Scene asked = app.scene(stage_view(1600, 900, 1));
    for (const SceneGrid& g : asked.grids) EXPECT_NE(g.copy, GridCopy::Mistake);
  app.quiz_reveal();
  bool right_shown = false;
  for (const SceneGrid& g : app.scene(stage_view(1600, 900, 1)).grids)
    right_shown |= g.copy == GridCopy::Mistake;
  EXPECT_TRUE(right_shown);
  app.pitfalls[0] = false;
  // Editing the lesson starts the score over.
  ScriptRunner edit(parse_script("edit X[0][0] 2\n", "edit.txt"), "edit.txt");
  edit.update(app, host, 30);
  EXPECT_EQ(app.quiz().score(Phase::Forward).asked, 0);
}

// Playing through a phase stops at each asked cell instead of skipping it.
TEST(Quiz, PlayingStopsAtAnAskedCell) {
  App app;
  app.set_granularity(Granularity::Cell);
  app.set_quiz(true);
  app.set_playing(true);
  for (int i = 0; i < 600 && app.playing(); ++i) app.advance(1.0 / 60);
  EXPECT_FALSE(app.playing());
  EXPECT_EQ(app.step(), 1);  // Z[0,0]'s step, after the padding
  ASSERT_NE(app.quiz().question(), nullptr);
  EXPECT_EQ(app.quiz().question()->name, "Z[0,0]");
  EXPECT_EQ(app.quiz().score(Phase::Forward).skipped, 0);
}

TEST(Quiz, ScriptMistakesAreNamed) {
  const auto error = [](const std::string& text) -> std::string {
    try {
      App app;
      Host host;
      ScriptRunner runner(parse_script(text, "q.txt"), "q.txt");
      for (double t = 0; !runner.finished() && t < 10; t += 0.1) runner.update(app, host, t);
    } catch (const ScriptError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(error("answer 3\n").find("q.txt:1: answer: the quiz asks nothing"), std::string::npos);
  EXPECT_NE(error("quiz on\ngranularity cell\nstep\nanswer x\n").find("expected a number"),
            std::string::npos);
  EXPECT_NE(error("quiz maybe\n").find("q.txt:1: quiz: expected quiz on, off"), std::string::npos);
  EXPECT_EQ(error("quiz on\nquiz worksheet 3\nquiz every\nquiz restart\nquiz off\n"), "no error");
}

}  // namespace
}  // namespace convstep
