// user_text.h — text that convstep did not write (lessons, scripts, settings, arguments),
// handled within bounds: messages quote a short excerpt of it, and JSON is refused before it
// is built when it nests deeper than any convstep file needs (a lesson needs 5 levels).
//
//   excerpt("sa\nme")                   → sa\nme   (control characters escaped)
//   excerpt(std::string(1 << 20, 'x'))   → xx…x…   (80 characters and a "…")
//   in_quotes("sames")                   → "sames"
//   whole_number("99999999999999999999", "--count", 0, 1000)   throws: it does not fit
//   nesting_error(R"({"version": [[[[...]]]]})")
//     → "version" is nested more than 64 levels deep (line 1, column 76)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace convstep {

inline constexpr std::size_t kExcerptChars = 80;
inline constexpr int kMaxNesting = 64;
// Paths are shown longer (the file's name is at their end), and a whole message is bounded
// too, as a last resort for messages made of several parts.
inline constexpr std::size_t kPathChars = 160;
inline constexpr std::size_t kMessageChars = 400;

// At most `max_chars` characters of `text`, with control characters, invalid UTF-8 and
// direction overrides escaped (\n, \t, \xNN, \u202e), and "…" when `text` was cut.
std::string excerpt(std::string_view text, std::size_t max_chars = kExcerptChars);
// The excerpt in double quotes.
std::string in_quotes(std::string_view text, std::size_t max_chars = kExcerptChars);
// A path as messages show it: escaped like an excerpt, and, when longer than `max_chars`, cut
// at its start rather than its end, so that the file's own name is always there:
//   path_excerpt("/" + std::string(300, 'd') + "/lesson.json") → …ddd/lesson.json
std::string path_excerpt(std::string_view path, std::size_t max_chars = kPathChars);

// `text` as a whole number from `lo` to `hi`, with nothing around it. Throws
// std::invalid_argument naming `what` instead of wrapping around or saturating:
//   whole_number("1e30", "--count", 0, 1000) → --count must be a whole number from 0 to 1000,
//                                               got "1e30"
long long whole_number(std::string_view text, const std::string& what, long long lo, long long hi);
// The same for a finite number.
double finite_number(std::string_view text, const std::string& what, double lo, double hi);

// Follows JSON text one character at a time and says which ones belong to a string (its
// quotes included), so that a scan can look at what lies outside strings:
//   JsonStrings strings;
//   for (char c : text) if (!strings.inside(c) && c == ' ') ...
class JsonStrings {
 public:
  bool inside(char c) {
    if (!in_string_) return in_string_ = c == '"';
    if (escaped_)
      escaped_ = false;
    else if (c == '\\')
      escaped_ = true;
    else if (c == '"')
      in_string_ = false;
    return true;
  }

 private:
  bool in_string_ = false, escaped_ = false;
};

// Empty when the JSON text nests at most kMaxNesting arrays and objects deep; otherwise a
// message naming the top-level key (when there is one) and the line and column of the first
// bracket too deep. Reads the text once, without recursion, whether or not it is valid JSON.
std::string nesting_error(std::string_view json_text);

}  // namespace convstep
