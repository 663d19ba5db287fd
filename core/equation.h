// equation.h — a step's equation as data, and the one formatter that writes it: the command
// line, the jsonl `equation` field, the Markdown worksheet, the stage and the SVG all read it.
//
//   Equation e;
//   e.target = "dXp[2,3]";
//   e.terms = {{"Gp[2,3]·Wr[0,0]", "1·(−1)"}, {"Gp[2,4]·Wr[0,1]", "1·0"}};
//   e.current = 1;                 // this step's term, underlined on the stage
//   e.result = "−1";
//   e.text()                → "dXp[2,3] = Gp[2,3]·Wr[0,0] + Gp[2,4]·Wr[0,1] = 1·(−1) + 1·0 = −1"
//   equation_lines(e, 40)   → two lines, symbols then values, the middle of long sums elided
//
// The text is `target op [symbols =] [values =] result [→ running]remark`, each part present
// only when it is set:
//   a sum              Z[1,2] = Xp[1,2]·W[0,0] + … = 1·1 + … = 5
//   subtotals          Z[1,2] = 3 + (−1) = 2  (sum over channels)          (values only)
//   a scatter's stamp  dXp[window of G[0,1]] += G[0,1]·W = 2·W                (no result)
//   a scatter's term   dXp[1,1] += G[0,1]·W[1,1] = 2·(−1) = −2 → 3           (running)
//   a stage            Xp = pad(X): 1 top, 1 bottom, 1 left, 1 right          (result only)
//   an empty cell      dX[4,4] = 0: no window reaches it, so it gets no gradient   (remark)
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace convstep {

struct EquationTerm {
  std::string symbols;  // "Xp[1,2]·W[0,0]"; empty when the equation shows values only
  std::string values;   // "1·(−1)"
};

struct Equation {
  std::string target;               // "Z[1,2]", "dXp[window of G[0,1]]", a stage's "Xp"
  std::string op = "=";             // "=", or "+=" where a scatter adds into its target
  std::vector<EquationTerm> terms;  // the terms shown, in order
  // A long sum shows its first and last terms: `elided` terms are left out before
  // terms[elided_at], written "… (N more)".
  int elided_at = -1;
  long long elided = 0;
  int current = -1;     // the index in `terms` of this step's term; -1: none
  std::string result;   // after the last "=": the sum, or a stage's right side
  std::string running;  // after " → ": the target's value after a scatter's term
  std::string remark;   // written as is at the end: "  (sum over channels)"

  std::string text() const;  // on one line, as the command line and files print it
};

// A line of the equation as the stage lays it out, with the current term's byte range
// [first, second) in it when it shows one.
struct EquationLine {
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> marks;
};

// The equation in at most `columns` code points a line where it can: on one line if it fits,
// else the symbols on one line and the values, aligned under them, on the next; sums too long
// for their line keep their first terms, the current one and the last, with "…" between.
std::vector<EquationLine> equation_lines(const Equation& e, std::size_t columns);

// A term a·b as a sum shows it: "Xp[1,2]·W[0,0]" and "1·(−1)". A plain addition (db) has no b:
// pass b empty, and its value is not written.
EquationTerm product_term(const std::string& a, double a_value, const std::string& b,
                          double b_value);

// A factor of a product as equations write it: negative numbers in parentheses, "(−1)".
std::string factor(double v);
// A number as equations write it: "−2.5".
std::string number(double v);

}  // namespace convstep
