#include "core/format.h"

#include <cmath>
#include <cstdio>

namespace convstep {

std::string format_number(double v, Minus minus) {
  if (std::isnan(v)) return "NaN";
  if (v == 0) v = 0;  // turns −0 into 0
  char buf[40];
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  std::string s = buf;
  if (minus == kUnicode && !s.empty() && s[0] == '-') s.replace(0, 1, "\u2212");
  return s;
}

std::string format_factor(double v, Minus minus) {
  const std::string s = format_number(v, minus);
  return v < 0 && s != "0" ? "(" + s + ")" : s;
}

std::string dims(long long rows, long long cols) {
  return std::to_string(rows) + "\u00d7" + std::to_string(cols);
}

std::string plural(long long count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

}  // namespace convstep
