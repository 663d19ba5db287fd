// The equation as data: one formatter writes every form the steps take, and the stage's lines
// mark the current term from the structure, wherever it stands and whatever text repeats.
#include "core/equation.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace convstep {
namespace {

Equation sum_of(int terms, int current) {
  Equation e;
  e.target = "Z[0,0]";
  for (int i = 0; i < terms; ++i)
    e.terms.push_back({"Xp[0," + std::to_string(i) + "]·W[0,0]", "1·1"});
  e.current = current;
  e.result = std::to_string(terms);
  return e;
}

std::vector<std::string> marked(const std::vector<EquationLine>& lines) {
  std::vector<std::string> out;
  for (const EquationLine& l : lines)
    for (const auto& [from, to] : l.marks) out.push_back(l.text.substr(from, to - from));
  return out;
}

TEST(Equation, WritesEveryFormOnOneLine) {
  EXPECT_EQ(sum_of(2, -1).text(), "Z[0,0] = Xp[0,0]·W[0,0] + Xp[0,1]·W[0,0] = 1·1 + 1·1 = 2");
  Equation empty;
  empty.target = "Z[0,0]", empty.result = "0";
  EXPECT_EQ(empty.text(), "Z[0,0] = 0");
  Equation subtotals;
  subtotals.target = "Z[0,0]", subtotals.terms = {{"", "3"}, {"", "(−1)"}};
  subtotals.result = "2", subtotals.remark = "  (sum over channels)";
  EXPECT_EQ(subtotals.text(), "Z[0,0] = 3 + (−1) = 2  (sum over channels)");
  Equation stamp;
  stamp.target = "dXp[window of G[0,1]]", stamp.op = "+=", stamp.terms = {{"G[0,1]·W", "2·W"}};
  EXPECT_EQ(stamp.text(), "dXp[window of G[0,1]] += G[0,1]·W = 2·W");
  Equation term = stamp;
  term.target = "dXp[1,1]", term.terms = {{"G[0,1]·W[1,1]", "2·(−1)"}};
  term.result = "−2", term.running = "3";
  EXPECT_EQ(term.text(), "dXp[1,1] += G[0,1]·W[1,1] = 2·(−1) = −2 → 3");
  Equation elided = sum_of(4, -1);
  elided.elided_at = 2, elided.elided = 60;
  EXPECT_EQ(elided.text(),
            "Z[0,0] = Xp[0,0]·W[0,0] + Xp[0,1]·W[0,0] + … (60 more) + Xp[0,2]·W[0,0] + "
            "Xp[0,3]·W[0,0] = 1·1 + 1·1 + … (60 more) + 1·1 + 1·1 = 4");
  EXPECT_EQ(Equation{}.text(), "");
}

TEST(Equation, MarksTheCurrentTermNotTheFirstThatReadsTheSame) {
  // Every value reads "1·1": only the structure can say which one is current.
  const auto lines = equation_lines(sum_of(3, 1), 200);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(marked(lines), (std::vector<std::string>{"Xp[0,1]·W[0,0]", "1·1"}));
  const std::string& text = lines[0].text;
  const std::size_t values = text.find("1·1");
  EXPECT_EQ(lines[0].marks[1].first, values + std::string("1·1 + ").size());
}

TEST(Equation, LongSumsGoOnTwoLinesAndKeepTheCurrentTerm) {
  const Equation e = sum_of(40, 20);
  const auto lines = equation_lines(e, 100);
  ASSERT_EQ(lines.size(), 2u);
  for (const EquationLine& l : lines) {
    EXPECT_NE(l.text.find("…"), std::string::npos) << l.text;
    EXPECT_LE(
        std::count_if(l.text.begin(), l.text.end(), [](char c) { return (c & 0xC0) != 0x80; }), 100)
        << l.text;
  }
  EXPECT_EQ(marked(lines), (std::vector<std::string>{"Xp[0,20]·W[0,0]", "1·1"}));
  EXPECT_TRUE(lines[0].text.starts_with("Z[0,0] = Xp[0,0]·W[0,0] + ")) << lines[0].text;
  EXPECT_TRUE(lines[0].text.ends_with(" + Xp[0,39]·W[0,0]")) << lines[0].text;
  EXPECT_TRUE(lines[1].text.starts_with("       = 1·1 + ")) << lines[1].text;
  EXPECT_TRUE(lines[1].text.ends_with(" = 40")) << lines[1].text;
  // Without a current term nothing is marked.
  EXPECT_TRUE(marked(equation_lines(sum_of(40, -1), 100)).empty());
}

// A budget smaller than the target and the result alone (a narrow stage at a large scale):
// both sums as short as they go, never whole. (The room left wrapped around below zero and
// wrote the values line out in full, the longer the smaller the budget.)
TEST(Equation, ATinyBudgetShortensBothSumsAsFarAsTheyGo) {
  const auto lines = equation_lines(sum_of(40, 20), 10);
  ASSERT_EQ(lines.size(), 2u);
  for (const EquationLine& l : lines) EXPECT_NE(l.text.find("…"), std::string::npos) << l.text;
  EXPECT_LE(lines[1].text.size(), equation_lines(sum_of(40, 20), 40)[1].text.size());
}

TEST(Equation, ATermIsAProductOrAPlainAddition) {
  const EquationTerm product = product_term("Gp[2,3]", 1, "Wr[0,0]", -1);
  EXPECT_EQ(product.symbols, "Gp[2,3]·Wr[0,0]");
  EXPECT_EQ(product.values, "1·(−1)");
  const EquationTerm addition = product_term("G[0,1]", -2, "", 1);
  EXPECT_EQ(addition.symbols, "G[0,1]");
  EXPECT_EQ(addition.values, "(−2)");
}

TEST(Equation, NegativeFactorsAreParenthesized) {
  EXPECT_EQ(factor(-1), "(−1)");
  EXPECT_EQ(factor(-0.0), "0");
  EXPECT_EQ(factor(2.5), "2.5");
  EXPECT_EQ(number(-2), "−2");
}

}  // namespace
}  // namespace convstep
