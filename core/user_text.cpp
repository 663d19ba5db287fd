#include "core/user_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/format.h"

namespace convstep {

namespace {

// The length of the UTF-8 sequence starting at text[i] and its code point, or 0 when the bytes
// there are not valid UTF-8 (overlong forms, surrogates and truncated sequences included).
std::size_t utf8_sequence(std::string_view text, std::size_t i, char32_t* code) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length;
  char32_t min;
  if (lead < 0x80) {
    *code = lead;
    return 1;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2, min = 0x80, *code = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, min = 0x800, *code = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, min = 0x10000, *code = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    *code = (*code << 6) | (byte(i + k) & 0x3f);
  }
  if (*code < min || *code > 0x10ffff || (*code >= 0xd800 && *code <= 0xdfff)) return 0;
  return length;
}

// Characters that would move the cursor, ring, or reorder the text around them.
bool is_control(char32_t c) {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

std::string escape(char32_t c) {
  switch (c) {
    case '\n':
      return "\\n";
    case '\t':
      return "\\t";
    case '\r':
      return "\\r";
    default:
      break;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, c < 0x80 ? "\\x%02x" : "\\u%04x", static_cast<unsigned>(c));
  return buf;
}

}  // namespace

std::string excerpt(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t i = 0;
  for (std::size_t chars = 0; i < text.size() && chars < max_chars; ++chars) {
    char32_t code = 0;
    const std::size_t length = utf8_sequence(text, i, &code);
    if (length == 0) {  // a byte that is not UTF-8: shown, not passed on to the terminal
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[i]));
      out += buf;
      ++i;
      continue;
    }
    if (is_control(code))
      out += escape(code);
    else
      out.append(text.substr(i, length));
    i += length;
  }
  if (i < text.size()) out += "\u2026";
  return out;
}

std::string in_quotes(std::string_view text, std::size_t max_chars) {
  return "\"" + excerpt(text, max_chars) + "\"";
}

std::string path_excerpt(std::string_view path, std::size_t max_chars) {
  if (path.size() <= max_chars) return excerpt(path, max_chars);
  std::size_t start = path.size() - max_chars;
  // Start on a character, not inside one: UTF-8 continuation bytes are 10xxxxxx.
  while (start < path.size() && (static_cast<unsigned char>(path[start]) & 0xc0) == 0x80) ++start;
  return "\u2026" + excerpt(path.substr(start), max_chars);
}

long long whole_number(std::string_view text, const std::string& what, long long lo, long long hi) {
  long long v = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, v);
  if (error != std::errc() || stop != end || v < lo || v > hi)
    throw std::invalid_argument(what + " must be a whole number from " + std::to_string(lo) +
                                " to " + std::to_string(hi) + ", got " + in_quotes(text));
  return v;
}

double finite_number(std::string_view text, const std::string& what, double lo, double hi) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, v);
  if (error != std::errc() || stop != end || !std::isfinite(v) || v < lo || v > hi)
    throw std::invalid_argument(what + " must be a number from " + format_number(lo) + " to " +
                                format_number(hi) + ", got " + in_quotes(text));
  return v;
}

std::string nesting_error(std::string_view text) {
  int depth = 0;
  long long line = 1;
  std::size_t line_start = 0, string_start = 0;
  bool in_string = false, escaped = false;
  std::string_view last_string, key;  // the top-level key whose value is being read
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line, line_start = i + 1;
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"' || c == '\n') {  // a newline ends a broken string: keep counting
        in_string = false;
        if (depth == 1) last_string = text.substr(string_start, i - string_start);
      }
      continue;
    }
    if (c == '"') {
      in_string = true, string_start = i + 1;
    } else if (c == ':' && depth == 1) {
      key = last_string;
    } else if (c == '[' || c == '{') {
      if (++depth <= kMaxNesting) continue;
      const std::string where =
          "(line " + std::to_string(line) + ", column " + std::to_string(i - line_start + 1) + ")";
      const std::string what = key.empty() ? "the text" : in_quotes(key);
      return what + " is nested more than " + std::to_string(kMaxNesting) + " levels deep " + where;
    } else if ((c == ']' || c == '}') && depth > 0) {
      if (--depth == 0) key = {};
    }
  }
  return {};
}

}  // namespace convstep
