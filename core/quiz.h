// quiz.h — the quiz and the worksheet's exercises: which result cells are asked, how a typed
// answer is checked, and the score. Pure and deterministic: the app draws it, the worksheet and
// `convstep steps --exercise N` choose their cells with the same chooser.
//
//   const std::vector<ExerciseCell> cells = exercise(timeline, Phase::Forward, 3);
//   std::vector<QuizQuestion> q = questions_at(timeline, frame, skip, /*worksheet_cells=*/0);
//   Verdict v = check_answer("-2.5", q[0].answer);
//
// A cell is asked at the step that finishes it, for the value that step gives it (Z before the
// bias is added, which is a step of its own): at cell granularity the step of that cell (in the
// scatter view, the stamp that adds to it last); at term granularity its last term (the sum of
// channel subtotals that may follow adds nothing new). A phase granularity step finishes every
// cell at once and asks nothing. dX's cells are asked where the steps compute them, in dXp,
// inside its padding border; inputs no window reaches (0 by the rule) are not asked.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/timeline.h"

namespace convstep {

// The offsets an exercise chooses in a grid of `cells` values: `n` offsets spread evenly over
// it, in order, so that the same lesson always gives the same exercise.
std::vector<std::size_t> exercise_cells(std::size_t cells, int n);

// A chosen cell of a phase's result, and the cell its steps compute (dX[1,2] is computed in
// dXp[2,3] when the padding is 1; any other grid's cell is its own).
struct ExerciseCell {
  std::size_t offset = 0;  // in the result grid's values
  CellRef result, step;
};
// The `n` cells of phase `p`'s result that the worksheet blanks and the quiz's worksheet
// option asks: exercise_cells() over the result grid. n ≤ 0: none.
std::vector<ExerciseCell> exercise(const Timeline& tl, Phase p, int n);

struct QuizQuestion {
  Phase phase = Phase::Forward;
  CellRef cell;            // the cell the step finishes, as the stage shows it (dXp for dX's cells)
  std::size_t offset = 0;  // its offset in the frame's result grid
  double answer = 0;
  std::string name;      // "Z[1,2]"
  std::string dx_name;   // a dXp cell inside a padding border: the dX cell it is, "dX[0,1]"
  std::string before;    // a later step that changes the cell ("the bias": Z before the bias)
  std::string equation;  // the equation that gives it, with its numbers
  Equation formula;      // the same as data, for layouts that elide a long sum
};

// The cells step `f` finishes, in order (usually one; a scatter stamp can finish several). `f`
// must carry its result (Timeline::frame with_result). With worksheet_cells > 0 only the cells
// exercise(tl, f.phase, worksheet_cells) chose are asked.
std::vector<QuizQuestion> questions_at(const Timeline& tl, const Frame& f, bool skip_zero_terms,
                                       int worksheet_cells);

// Whether the step's note waits while the `hidden` cells are asked: a derived cell's note (the
// loss phase's) says why it has its value ("its slope is 1"). The stage and the why panel both
// follow it.
bool note_withheld(const Frame& f, const std::vector<CellRef>& hidden);

// The (n, c, o) slice the stage must show for question `cell` of step `f`: unset when the
// step's own slice shows it (its target's). A scatter stamp of G[o] finishes cells in every
// input channel of o's group, and the stage shows one channel at a time.
std::optional<std::array<int, 3>> question_slice(const Frame& f, const CellRef& cell);

// How close an answer must be: whole numbers exactly, others to 3 significant digits, as a cell
// shows them (−0.333 for −1/3). Says it in words for the quiz bar.
double answer_tolerance(double answer);
std::string precision_words(double answer);  // "exactly", "to 3 significant digits"

// A typed answer: a number, with "−" or "-", or a fraction "a/b". Unset when it is not one.
std::optional<double> parse_answer(const std::string& text);

enum class Verdict { NotANumber, Right, Wrong };
Verdict check_answer(const std::string& typed, double answer);

// Right answers out of the cells asked, per phase; skipped and revealed cells count as asked
// and not right (revealed ones are told apart: a teacher showed them).
struct QuizScore {
  int asked = 0, right = 0, wrong = 0, skipped = 0, revealed = 0;
};

enum class Outcome { Open, Right, Wrong, Skipped, Revealed };

// The quiz as the app runs it: the step's questions, one at a time, and the score. The app
// calls arrive() whenever the playhead lands on a step.
class Quiz {
 public:
  bool on() const { return on_; }
  void set_on(bool on);
  // Only the worksheet's cells (n per phase), as `exercise` chooses them; 0: every cell.
  int worksheet_cells() const { return worksheet_cells_; }
  void set_worksheet_cells(int n);

  // The playhead is on `f` (with its result) of the lesson at `revision`. Leaving a step with
  // a question still open counts it skipped when the move went forward; a move back leaves it
  // to be asked again. A cell once asked is not asked again until the score starts over: a new
  // lesson revision, or reset().
  void arrive(const Timeline& tl, const Frame& f, bool skip_zero_terms, long long revision);
  void reset();

  // The open question, if any, and how many this step asks, and which of them this is.
  const QuizQuestion* question() const;
  int question_number() const { return static_cast<int>(next_); }
  int question_count() const { return static_cast<int>(questions_.size()); }
  // Checks the typed answer to the open question: Right or Wrong is scored and the next
  // question of the step (if any) opens; NotANumber changes nothing.
  Verdict answer(const std::string& typed);
  // The teacher shows the answer: not scored as right, counted as revealed.
  bool reveal();

  // What was last decided at this step, for the quiz bar: the question, its outcome, and what
  // was typed. Cleared when the playhead moves.
  struct Feedback {
    QuizQuestion question;
    Outcome outcome = Outcome::Open;
    std::string typed;
  };
  const std::optional<Feedback>& feedback() const { return feedback_; }

  // The cells the stage must not show yet: the step's open questions.
  std::vector<CellRef> hidden() const;
  // Whether a cell's value may not be shown (a tooltip's): an open question, or a result cell
  // the step has not finished that the quiz will ask (the same rule as questions_at), while
  // the quiz is on.
  bool conceals(const Timeline& tl, const Frame& f, const CellRef& cell) const;

  const QuizScore& score(Phase p) const { return scores_[static_cast<int>(p)]; }

 private:
  void close(Outcome o, const std::string& typed);
  bool on_ = false;
  int worksheet_cells_ = 0;
  long long revision_ = -1;
  std::optional<std::array<long long, 3>> at_;  // phase, granularity, step of the last arrival
  std::vector<QuizQuestion> questions_;         // the step's, in order
  std::size_t next_ = 0;                        // the open one
  std::optional<Feedback> feedback_;
  std::array<QuizScore, std::size(kAllPhases)> scores_{};
  // The cells asked so far, per phase, as result-grid offsets.
  std::array<std::set<std::size_t>, std::size(kAllPhases)> asked_;
};

}  // namespace convstep
