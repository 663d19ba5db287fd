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
#include "core/conv.h"
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

// A preset's lesson with G derived from the loss `kind` instead (no preset names a loss). The
// mean squared error's target: 0, ½, 1, 0, ½, … so that its answers are not all Z's.
Lesson with_loss(const std::string& path, LossKind kind) {
  Lesson l = load_lesson(path);
  l.upstream = Tensor();
  l.loss.kind = kind;
  if (kind == LossKind::Mse) {
    l.loss.target = Tensor(l.geometry().output_shape());
    for (std::size_t k = 0; k < l.loss.target.values.size(); ++k)
      l.loss.target.values[k] = 0.5 * static_cast<double>(k % 3);
  }
  return l;
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
  const Geometry& g = tl.geometry();
  if (p == Phase::Matrix && !matrix_view_refusal(g).empty()) return out;
  const Grid grid = phase_result(p);
  // dX's cells are computed in dXp, inside its padding border; the matrix view computes dX.
  const Grid computed = grid == Grid::dX && p != Phase::Matrix ? Grid::dXp : grid;
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

// Whether `text` holds `value` right after `before` ("= ", "→ ", "is "), as a whole number: at
// the end or followed by a space, ")", "," or a full stop. A sum's values row, "= 5 + 0 = ?" or
// "= 5 = ?", is the sum the student is asked to do, and not counted.
bool states(const std::string& text, const std::string& before, const std::string& value) {
  const std::string needle = before + value;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1)) {
    const std::string rest = text.substr(at + needle.size());
    if (rest.starts_with(" = ?") || rest.starts_with(" + ")) continue;
    if (rest.empty() || rest[0] == ' ' || rest[0] == ')' || rest[0] == ',' || rest == "." ||
        rest.starts_with(". "))
      return true;
  }
  return false;
}

// A text of the scene that lets a student read `q`'s value off (see the rule in
// core/stage.cpp): its value written after "=", "→" or "is" in any text about the cell (the
// step's equation, current term, running sum and note when it is the step's target, or any
// text naming it), or, for a derived cell (the loss phase's), a remark after the equation's
// hidden "?" or a note. "" when none.
std::string leaking_text(const Scene& s, const Frame& f, const QuizQuestion& q, bool target) {
  const std::string value = format_number(q.answer, kUnicode);
  for (const SceneText& t : s.texts) {
    const bool about =
        (target && (t.role == TextRole::Equation || t.role == TextRole::CurrentTerm ||
                    t.role == TextRole::RunningSum || t.role == TextRole::Note)) ||
        t.text.find(q.name) != std::string::npos ||
        (!q.dx_name.empty() && t.text.find(q.dx_name) != std::string::npos);
    if (!about) continue;
    if (states(t.text, "= ", value) || states(t.text, "→ ", value) || states(t.text, "is ", value))
      return t.text;
    // A derived cell's remark and note say why it has its value (relu's "Z[1,2] = 5 > 0").
    const bool derived = target && f.phase == Phase::Loss;
    if (derived && t.role == TextRole::Equation && t.text.find('?') != std::string::npos &&
        !ends_with(t.text, "?"))
      return t.text;
    if (derived && t.role == TextRole::Note) return t.text;
  }
  return "";
}

// The lessons the leak test walks: every preset, and four of them under each loss.
std::vector<std::pair<std::string, Lesson>> leak_lessons() {
  std::vector<std::pair<std::string, Lesson>> out;
  for (const std::string& path : preset_paths()) out.emplace_back(path, load_lesson(path));
  for (const char* name : {"sobel-6x5", "stride2", "padding1-4x4", "channels"})
    for (LossKind kind :
         {LossKind::Sum, LossKind::HalfSumSquares, LossKind::Mse, LossKind::ReluThenSum}) {
      const std::string path =
          std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/" + name + ".json";
      out.emplace_back(std::string(name) + " with loss " + loss_name(kind), with_loss(path, kind));
    }
  return out;
}

TEST(Quiz, TheStageNeverShowsAnAskedCellBeforeItIsAnswered) {
  long long checked = 0;
  for (const auto& [path, lesson] : leak_lessons()) {
    const Timeline tl(lesson);
    for (bool skip : {false, true})
      for (Phase p : kAllPhases)
        for (Granularity g : {Granularity::Cell, Granularity::Term}) {
          const long long steps = tl.count(p, g, skip);
          for (long long k = 0; k < steps; ++k) {
            const Frame f = tl.frame(p, g, k, skip);
            const std::vector<QuizQuestion> qs = questions_at(tl, f, skip, 0);
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
              EXPECT_EQ(leaking_text(quiz, f, q, target), "")
                  << path << " " << phase_name(p) << " " << granularity_name(g) << " skip " << skip
                  << " " << k << ": " << q.name << " = " << q.answer;
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

// A tooltip hides exactly the cells the quiz asks (now or later): not dXp's padding border,
// not inputs no window reaches, not cells outside the worksheet's choice.
TEST(Quiz, ConcealsOnlyCellsTheQuizAsks) {
  long long concealed = 0;
  for (const char* name : {"padding1-4x4", "stride2"})
    for (int worksheet : {0, 2}) {
      const Timeline tl = preset(name);
      std::set<std::string> asked;
      for (const QuizQuestion& q : walk(tl, Phase::DxGather, Granularity::Cell, worksheet))
        asked.insert(q.name);
      const Geometry& geo = tl.geometry();
      for (long long k = 0; k < tl.count(Phase::DxGather, Granularity::Cell); ++k) {
        const Frame f = tl.frame(Phase::DxGather, Granularity::Cell, k);
        Quiz quiz;
        quiz.set_on(true);
        quiz.set_worksheet_cells(worksheet);
        quiz.arrive(tl, f, false, 1);
        for (Grid g : {Grid::dXp, Grid::dX}) {
          const Shape s = tl.tensor(g).shape;
          for (int h = 0; h < s.h; ++h)
            for (int w = 0; w < s.w; ++w) {
              const CellRef cell{g, 0, 0, h, w};
              if (!quiz.conceals(tl, f, cell)) continue;
              ++concealed;
              const CellRef at = g == Grid::dX
                                     ? CellRef{Grid::dXp, 0, 0, h + geo.pad_top, w + geo.pad_left}
                                     : cell;
              EXPECT_TRUE(asked.contains(tl.cell_name(at)))
                  << name << " worksheet " << worksheet << " step " << k << ": "
                  << tl.cell_name(cell) << " is hidden but never asked";
            }
        }
      }
    }
  EXPECT_GT(concealed, 20);
}

// The why panel shows a mistake's explanation; with a question open it names no cell's right
// value ("dX[0,1] should be 4"), which the question may ask.
TEST(Quiz, AMistakesExplanationWithholdsValuesWhileAsked) {
  const Timeline tl = preset("padding1-4x4");  // dX and G the same shape: the mistake happens
  const Pitfall p = Pitfall::InputGradientAsGradient;
  ASSERT_NE(tl.pitfall_explanation(p).find("should be"), std::string::npos);
  const std::string quiet = tl.pitfall_explanation(p, false);
  EXPECT_EQ(quiet.find("should be"), std::string::npos) << quiet;
  EXPECT_NE(quiet.find("same shape"), std::string::npos) << quiet;  // the words stay
}

// ---- The worksheet's exercises give no answer away ----

// Row y, column x of the first table headed `heading` ("**G** (") in a worksheet.
std::string table_cell(const std::string& md, const std::string& heading, int y, int x) {
  const std::size_t at = md.find("\n" + heading);
  if (at == std::string::npos) return "(no table)";
  const std::string row = "| **" + std::to_string(y) + "** |";
  std::size_t line = md.find(row, at);
  if (line == std::string::npos) return "(no row)";
  line += row.size();
  for (int i = 0; i < x; ++i) line = md.find('|', line) + 1;
  const std::size_t end = md.find('|', line);
  std::string cell = md.substr(line, end - line);
  cell.erase(0, cell.find_first_not_of(' '));
  cell.erase(cell.find_last_not_of(' ') + 1);
  return cell;
}

// The loss phase's exercise blanks G cells: the lesson's G table at the top, and Gd and Gp,
// which hold G, show them blank too.
TEST(Exercise, TheWorksheetShowsNoBlankedGradientCellElsewhere) {
  const std::string path = std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/stride2.json";
  const Timeline tl(with_loss(path, LossKind::HalfSumSquares));
  const Geometry& g = tl.geometry();
  ASSERT_GT(g.stride_h, 1);  // Gd is printed: it is not G
  StepsRequest r;
  r.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
  r.format = StepsFormat::Markdown;
  r.exercise = 3;
  std::ostringstream out, answers;
  r.answers = &answers;
  ASSERT_TRUE(write_steps(out, tl, r));
  const std::string md = out.str();
  int checked = 0;
  for (const ExerciseCell& e : exercise(tl, Phase::Loss, 3)) {
    if (e.result.n != 0 || e.result.c != 0) continue;
    const int h = e.result.h, w = e.result.w;
    EXPECT_EQ(table_cell(md, "**G** (", h, w), "____") << tl.cell_name(e.result);
    EXPECT_EQ(table_cell(md, "**Gd** (", h * g.stride_h, w * g.stride_w), "____");
    EXPECT_EQ(table_cell(md, "**Gp** (", (g.kh - 1) * g.dil_h + h * g.stride_h,
                         (g.kw - 1) * g.dil_w + w * g.stride_w),
              "____");
    ++checked;
  }
  EXPECT_GT(checked, 0);
  // The other G cells are printed.
  EXPECT_EQ(table_cell(md, "**G** (", 0, 0), format_number(tl.tensor(Grid::G).values[0], kUnicode));
}

// A blanked loss step in jsonl: one term is the whole cell, so its product is the answer, and
// relu's note says it; neither is written, and ½ΣZ²'s equation ends in the blank.
TEST(Exercise, BlankedStepsInJsonlGiveNoValueAway) {
  const std::string path = std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json";
  for (LossKind kind : {LossKind::HalfSumSquares, LossKind::Mse, LossKind::ReluThenSum})
    for (Granularity gr : {Granularity::Cell, Granularity::Term}) {
      const Timeline tl(with_loss(path, kind));
      StepsRequest r;
      r.phases = {Phase::Loss};
      r.format = StepsFormat::Jsonl;
      r.granularity = gr;
      r.exercise = 3;
      std::ostringstream out;
      ASSERT_TRUE(write_steps(out, tl, r));
      std::istringstream lines(out.str());
      int blanked = 0;
      for (std::string line; std::getline(lines, line);) {
        if (line.find("\"exercise\":true") == std::string::npos) continue;
        ++blanked;
        EXPECT_NE(line.find("\"product\":null"), std::string::npos) << line;
        EXPECT_EQ(line.find("\"note\""), std::string::npos) << line;
        EXPECT_NE(line.find("____\""), std::string::npos) << line;  // the equation's end
      }
      EXPECT_EQ(blanked, 3) << loss_name(kind);
    }
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
