// Excerpts of user text in messages, the nesting check, numbers that must fit, and how a
// number is written as a factor.
#include "core/user_text.h"

#include <gtest/gtest.h>

#include <climits>
#include <stdexcept>
#include <string>

#include "core/format.h"

namespace convstep {
namespace {

TEST(Excerpt, ShortTextIsKeptWhole) {
  EXPECT_EQ(excerpt("sames"), "sames");
  EXPECT_EQ(excerpt("6×5 −1"), "6×5 −1");
  EXPECT_EQ(in_quotes("sames"), "\"sames\"");
}

TEST(Excerpt, LongTextIsCutAt80CharactersAndMarked) {
  EXPECT_EQ(excerpt(std::string(1 << 20, 'x')), std::string(80, 'x') + "…");
  EXPECT_EQ(excerpt(std::string(80, 'x')), std::string(80, 'x'));
  // Characters, not bytes: a cut never splits a UTF-8 sequence.
  std::string crosses;
  for (int i = 0; i < 100; ++i) crosses += "×";
  std::string kept;
  for (int i = 0; i < 80; ++i) kept += "×";
  EXPECT_EQ(excerpt(crosses), kept + "…");
}

TEST(Excerpt, ControlCharactersAreEscaped) {
  EXPECT_EQ(excerpt("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(excerpt("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(excerpt(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(excerpt("\x7f"), "\\x7f");
  EXPECT_EQ(excerpt("\u0085"), "\\u0085");              // a C1 control
  EXPECT_EQ(excerpt("abc\u202edef"), "abc\\u202edef");  // right-to-left override
}

TEST(Excerpt, BytesThatAreNotUtf8AreEscaped) {
  EXPECT_EQ(excerpt("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(excerpt("\xc3"), "\\xc3");                    // a sequence cut short
  EXPECT_EQ(excerpt("\xc0\xaf"), "\\xc0\\xaf");           // an overlong '/'
  EXPECT_EQ(excerpt("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

TEST(PathExcerpt, LongPathKeepsTheFileName) {
  EXPECT_EQ(path_excerpt("lessons/sobel.json"), "lessons/sobel.json");
  const std::string path = "/" + std::string(1000, 'd') + "/lesson\n.json";
  const std::string shown = path_excerpt(path);
  EXPECT_EQ(shown.rfind("…", 0), 0u) << shown;
  EXPECT_NE(shown.find("d/lesson\\n.json"), std::string::npos) << shown;
  EXPECT_LE(shown.size(), kPathChars + 8);
  // Cut inside a character, the excerpt starts at the next whole one: no stray byte.
  EXPECT_EQ(path_excerpt(std::string(200, 'x') + "é", 3), "…xé");
  EXPECT_EQ(path_excerpt("éé", 3), "…é");
}

TEST(Nesting, WithinTheLimitIsAccepted) {
  EXPECT_EQ(nesting_error(R"({"input": [[[[1]]]], "weight": [[1]]})"), "");
  EXPECT_EQ(nesting_error(std::string(64, '[') + std::string(64, ']')), "");
  // Brackets in strings, escaped quotes included, are text.
  EXPECT_EQ(nesting_error("{\"title\": \"\\\"" + std::string(1000, '[') + "\"}"), "");
}

TEST(Nesting, TooDeepNamesTheKeyAndThePlace) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(nesting_error("{\"input\": [[1]],\n \"version\": " + deep + "}"),
            "\"version\" is nested more than 64 levels deep (line 2, column 76)");
  EXPECT_EQ(nesting_error(deep), "the text is nested more than 64 levels deep (line 1, column 65)");
  // Unbalanced or invalid text is read to the end without harm.
  EXPECT_EQ(nesting_error("]]]]}}}\"\\"), "");
  EXPECT_NE(nesting_error("{\"" + std::string(200, 'k') + "\": " + deep).find("k…\" is nested"),
            std::string::npos);
}

TEST(WholeNumber, RejectsWhatDoesNotFit) {
  EXPECT_EQ(whole_number("12", "--count", 0, 100), 12);
  EXPECT_EQ(whole_number("9223372036854775807", "--from", 0, LLONG_MAX), LLONG_MAX);
  for (const char* bad : {"99999999999999999999", "-1", "1e3", "12x", "", " 1", "0x10", "101"})
    EXPECT_THROW(whole_number(bad, "--count", 0, 100), std::invalid_argument) << bad;
  try {
    whole_number(std::string(1 << 20, '9'), "--count", 0, 100);
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "--count must be a whole number from 0 to 100, got \"" +
                                         std::string(80, '9') + "…\"");
  }
}

TEST(FiniteNumber, RejectsWhatIsNotFiniteOrOutOfRange) {
  EXPECT_EQ(finite_number("2.5", "the scale", 1, 3), 2.5);
  for (const char* bad : {"nan", "inf", "1e999", "0.5", "3.5", "2,5", ""})
    EXPECT_THROW(finite_number(bad, "the scale", 1, 3), std::invalid_argument) << bad;
}

// A factor of a product in an equation: negative numbers in parentheses, "1·(−2.5)".
TEST(FormatFactor, NegativeNumbersAreParenthesised) {
  EXPECT_EQ(format_factor(3), "3");
  EXPECT_EQ(format_factor(-2.5), "(-2.5)");
  EXPECT_EQ(format_factor(-2.5, kUnicode), "(\u22122.5)");
  EXPECT_EQ(format_factor(-0.0), "0");
  EXPECT_EQ(format_factor(-1e-300), "(-1e-300)");
}

}  // namespace
}  // namespace convstep
