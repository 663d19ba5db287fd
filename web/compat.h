// compat.h — what the desktop's C++20 library and glibc give and Debian's emscripten 3.1.6 (its
// libc++ and musl) lack, so that the browser build compiles the same sources unchanged. Put in
// front of every source of the browser build only (-include, web/CMakeLists.txt).
//
// Numbers are read and written as the desktop does: from_chars and to_chars of doubles by the
// C library's strtod and printf, with from_chars's own rules (no leading space or plus sign, no
// hexadecimal); to_chars writes the shortest %g text that reads back as the same double (the
// same number as the desktop's, though "0.0001" where the desktop writes "1e-04"). The page has no
// worker threads (app/platform.h): a jthread cannot start, as when a system has none to spare,
// and the core then does the work on its own thread. Folders are swapped in two renames.
#pragma once

#ifdef __cplusplus
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

namespace std {

inline from_chars_result from_chars(const char* first, const char* last, double& value,
                                    chars_format = chars_format::general) {
  const char* p = first;
  if (p != last && *p == '-') ++p;
  const bool digits_or_word = p != last && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'i' ||
                                            *p == 'I' || *p == 'n' || *p == 'N');
  if (!digits_or_word) return {first, errc::invalid_argument};
  std::string text(first, last);
  // Hexadecimal is not read: "0x1" reads as 0, its text stopping at the x, as from_chars does.
  if (const std::size_t x = text.find_first_of("xX"); x != std::string::npos) text.resize(x);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return {first, errc::invalid_argument};
  const char* stop = first + (end - text.c_str());
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0))
    return {stop, errc::result_out_of_range};
  value = v;
  return {stop, errc()};
}

inline to_chars_result to_chars(char* first, char* last, double value) {
  char buffer[40];
  int length = 0;
  for (int precision = 1; precision <= 17; ++precision) {
    length = std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value || std::isnan(value)) break;
  }
  if (length < 0 || length > last - first) return {last, errc::value_too_large};
  std::memcpy(first, buffer, static_cast<std::size_t>(length));
  return {first + length, errc()};
}

// A thread that never starts: its constructor throws as std::thread's does without threads.
class jthread {
 public:
  template <class F>
  explicit jthread(F&&) {
    throw system_error(make_error_code(errc::resource_unavailable_try_again),
                       "no worker threads in the browser");
  }
};

}  // namespace std

#include <fcntl.h>
#include <stdio.h>
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
// No atomic exchange of two folders: the caller moves the old one aside instead (EINVAL).
inline int renameat2(int, const char*, int, const char*, unsigned int) {
  errno = EINVAL;
  return -1;
}
#endif
#endif
