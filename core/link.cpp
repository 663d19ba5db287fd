#include "core/link.h"

#include <algorithm>
#include <array>
#include <optional>

#include "core/names.h"
#include "core/user_text.h"

namespace convstep {

namespace {

constexpr const char* kLinkKeys[] = {"lesson", "phase", "granularity", "step", "classroom"};
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

[[noreturn]] void fail(const std::string& message) {
  throw LessonError(message);
}

std::string bytes_text(std::size_t n) {
  return std::to_string(n) + " bytes";
}

[[noreturn]] void too_big(std::size_t bytes, bool at_least) {
  fail("this lesson is too big for a link: its link would be " +
       std::string(at_least ? "more than " : "") + bytes_text(bytes) + " long, and a link holds " +
       bytes_text(kMaxLinkBytes) + " at most; share the lesson file instead");
}

// The lesson file's JSON without the spaces and line breaks between its tokens: the same
// text to the parser, and shorter.
std::string compact_json(const Lesson& lesson) {
  const std::string pretty = lesson_to_json(lesson);
  std::string out;
  out.reserve(pretty.size());
  JsonStrings strings;
  for (char c : pretty)
    if (strings.inside(c) || (c != ' ' && c != '\n')) out += c;
  return out;
}

// Each number of the lesson takes at least two bytes of JSON ("0,"): a lesson with more
// numbers than a link can hold is refused before its JSON is made.
std::size_t minimum_json_bytes(const Lesson& l) {
  const std::size_t numbers = l.input.values.size() + l.weight.values.size() + l.bias.size() +
                              l.upstream.values.size() + l.loss.target.values.size();
  return 2 * numbers;
}

std::size_t base64_length(std::size_t bytes) {
  return (4 * bytes + 2) / 3;  // without padding
}

std::string_view trimmed(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// A step as the link writes it: digits only, and few enough to fit.
std::optional<std::size_t> read_step(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::size_t step = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    step = step * 10 + static_cast<std::size_t>(c - '0');
  }
  return step;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve(base64_length(bytes.size()));
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[v >> shift & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    if (rest == 2) out += kAlphabet[v >> 6 & 63];
  }
  return out;
}

std::string base64url_decode(std::string_view text) {
  static const std::array<int, 256> value = [] {
    std::array<int, 256> v;
    v.fill(-1);
    for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(kAlphabet[i])] = i;
    return v;
  }();
  // Padding: up to two "=" at the end, and nowhere else.
  std::size_t length = text.size();
  for (int pad = 0; pad < 2 && length > 0 && text[length - 1] == '='; ++pad) --length;
  std::string out;
  out.reserve(length * 3 / 4);
  unsigned bits = 0;
  int held = 0;
  for (std::size_t i = 0; i < length; ++i) {
    const int v = value[static_cast<unsigned char>(text[i])];
    if (v < 0)
      fail("character " + std::to_string(i + 1) + ", " + in_quotes(text.substr(i, 1)) +
           ", is not base64url: the lesson of a link is written with A–Z, a–z, 0–9, - and _ only");
    bits = (bits << 6 | static_cast<unsigned>(v)) & 0xFFFFFF;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out += static_cast<char>(bits >> held & 0xFF);
    }
  }
  if (length % 4 == 1)
    fail("it is cut short: " + std::to_string(length) +
         " characters of base64url do not make whole bytes; was the link copied whole?");
  return out;
}

std::string link_fragment(const LinkView& view) {
  const std::string view_part = std::string("&phase=") + phase_name(view.phase) +
                                "&granularity=" + granularity_name(view.granularity) +
                                "&step=" + std::to_string(view.step) +
                                (view.classroom ? "&classroom=1" : "");
  const std::size_t fixed = std::string_view("lesson=").size() + view_part.size();
  if (const std::size_t least = fixed + base64_length(minimum_json_bytes(view.lesson));
      least > kMaxLinkBytes)
    too_big(least, true);
  const std::string json = compact_json(view.lesson);
  if (const std::size_t bytes = fixed + base64_length(json.size()); bytes > kMaxLinkBytes)
    too_big(bytes, false);
  return "lesson=" + base64url_encode(json) + view_part;
}

std::string link_url(const LinkView& view, std::string_view base) {
  base = base.substr(0, base.find('#'));  // an address that has a fragment already loses it
  return std::string(base) + "#" + link_fragment(view);
}

bool looks_like_link(std::string_view text) {
  text = trimmed(text);
  const std::size_t hash = text.find('#');
  const std::string_view fragment = hash == std::string_view::npos ? text : text.substr(hash + 1);
  if (hash == std::string_view::npos) return fragment.starts_with("lesson=");
  return fragment.starts_with("lesson=") || fragment.find("&lesson=") != std::string_view::npos;
}

LinkView parse_link(std::string_view text) {
  text = trimmed(text);
  // The address before the "#" is the page's, whatever its length: only the fragment is read.
  const std::size_t hash = text.find('#');
  std::string_view fragment = hash == std::string_view::npos ? text : text.substr(hash + 1);
  if (fragment.size() > kMaxLinkBytes)
    fail("link: it is " + bytes_text(fragment.size()) + " long" +
         (hash == std::string_view::npos ? "" : " after its \"#\"") + ", more than the " +
         bytes_text(kMaxLinkBytes) + " a link may hold");
  if (hash == std::string_view::npos && text.find("://") != std::string_view::npos)
    fail("link: this address has no \"#lesson=\" part, where a link to a lesson carries it");

  // The keys and their values, as written.
  std::array<std::optional<std::string_view>, std::size(kLinkKeys)> values;
  while (!fragment.empty()) {
    const std::size_t amp = fragment.find('&');
    const std::string_view part = fragment.substr(0, amp);
    fragment = amp == std::string_view::npos ? std::string_view() : fragment.substr(amp + 1);
    if (part.empty()) continue;  // "a&&b", or a "&" at the end
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      fail("link: " + in_quotes(part) + " is not of the form key=value");
    const std::string_view key = part.substr(0, eq);
    const auto known = std::find(std::begin(kLinkKeys), std::end(kLinkKeys), key);
    if (known == std::end(kLinkKeys))
      fail("link: unknown key " + in_quotes(key) +
           "; the keys are lesson, phase, granularity, step and classroom");
    auto& value = values[static_cast<std::size_t>(known - std::begin(kLinkKeys))];
    if (value) fail("link: the key " + in_quotes(key) + " appears twice");
    value = part.substr(eq + 1);
  }
  const auto& [lesson, phase, granularity, step, classroom] = values;

  LinkView view;
  if (!lesson) fail("link: it has no lesson: a link needs \"lesson=\" and the lesson after it");
  if (lesson->empty()) fail("link, lesson: is empty");
  try {
    view.lesson = parse_lesson(base64url_decode(*lesson));
  } catch (const LessonError& e) {
    fail(std::string("link, lesson: ") + e.what());
  }
  if (phase) {
    const auto p = parse_phase(*phase);
    if (!p)
      fail("link, phase: unknown phase " + in_quotes(*phase) + "; it must be " +
           spelled_out(phase_names()));
    view.phase = *p;
  }
  if (granularity) {
    const auto g = parse_granularity(*granularity);
    if (!g)
      fail("link, granularity: unknown granularity " + in_quotes(*granularity) + "; it must be " +
           spelled_out(granularity_names()));
    view.granularity = *g;
  }
  if (classroom) {
    if (*classroom != "0" && *classroom != "1")
      fail("link, classroom: must be 1 or 0, got " + in_quotes(*classroom));
    view.classroom = *classroom == "1";
  }
  if (step) {
    const auto k = read_step(*step);
    if (!k) fail("link, step: must be a whole number from 0, got " + in_quotes(*step));
    view.step = *k;
    // Step 0 is in every phase: only a later one needs the lesson's timeline to check.
    if (view.step > 0)
      if (const std::string why =
              Timeline(view.lesson)
                  .past_the_end(view.phase, view.granularity, static_cast<long long>(view.step));
          !why.empty())
        fail("link, step: " + why);
  }
  return view;
}

}  // namespace convstep
