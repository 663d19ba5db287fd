// format.h — how numbers, shapes and counts are written, in one place, so that the command
// line, equations, the stage and exports agree.
//
//   format_number(3.0)              → "3"      (integers without decimals)
//   format_number(-0.0)             → "0"      (never "-0")
//   format_number(-2.5, kUnicode)   → "−2.5"   (U+2212 minus, for the screen)
//   format_factor(-2.5, kUnicode)   → "(−2.5)" (a factor of a product: "1·(−2.5)")
//   dims(6, 5)                      → "6×5"
//   plural(1, "channel")            → "1 channel"
#pragma once

#include <string>

namespace convstep {

enum class Minus { kAscii, kUnicode };
inline constexpr Minus kAscii = Minus::kAscii;
inline constexpr Minus kUnicode = Minus::kUnicode;

// Integers are written without decimals; other values with up to 6 significant digits.
std::string format_number(double v, Minus minus = kAscii);
// format_number, with a negative number in parentheses so that it reads as a factor.
std::string format_factor(double v, Minus minus = kAscii);
std::string dims(long long rows, long long cols);              // "6×5"
std::string plural(long long count, const std::string& noun);  // "2 channels"

}  // namespace convstep
