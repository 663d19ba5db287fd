// link.h — a lesson and a view of it, shared as the fragment of a web address.
//
//   LinkView view{lesson, Phase::DxGather, Granularity::Cell, 13};
//   std::string url = link_url(view, "https://example.org/convstep/");
//   // https://example.org/convstep/#lesson=eyJ2…&phase=dx_gather&granularity=cell&step=13
//   LinkView back = parse_link(url);   // the same view; throws LessonError
//
// The fragment is key=value pairs joined by "&":
//   lesson       the lesson file's JSON, without its spaces and line breaks, in base64url
//                (RFC 4648 §5: A–Z a–z 0–9 - _, no "=" padding written; padding is accepted)
//   phase        a phase name (core/names.h: forward, dw, dx_gather, ...); default forward
//   granularity  phase, cell or term; default the app's, term
//   step         the step, 0-based, as `convstep steps` numbers it at that granularity (zero
//                terms counted); default 0
//   classroom    1 for classroom mode, 0 or left out for the desk
// Only `lesson` is required. The lesson is read by the lesson file's parser, so a link accepts
// exactly the lessons a file does and reports the same messages, after "link, lesson: ".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/lesson.h"
#include "core/timeline.h"

namespace convstep {

// What a link restores.
struct LinkView {
  Lesson lesson;
  Phase phase = Phase::Forward;
  Granularity granularity = Granularity::Term;  // the app's default (Settings::granularity)
  std::size_t step = 0;                         // 0-based, as `convstep steps` numbers it
  bool classroom = false;
  bool operator==(const LinkView&) const = default;
};

// The longest fragment (what follows the "#") a link is made with or read with: browsers and
// chat programs keep addresses of this length intact.
inline constexpr std::size_t kMaxLinkBytes = 64 * 1024;

// "lesson=<base64url>&phase=dx_gather&granularity=cell&step=13" (and "&classroom=1").
// Throws LessonError when the fragment would pass kMaxLinkBytes: the lesson is too big for a
// link, and the message says to share the file instead.
std::string link_fragment(const LinkView& view);
// base (up to any "#" of its own) + "#" + fragment; throws LessonError as link_fragment does.
std::string link_url(const LinkView& view, std::string_view base);

// Reads a whole address (everything up to its "#" is ignored) or a bare fragment, with or
// without its "#"; spaces and line breaks around it are ignored. Throws LessonError with one
// message that says what is wrong and where ("link, lesson: weight[0][1]: expected 3 numbers,
// got 2"): a fragment longer than kMaxLinkBytes (refused before it is read), a lesson that is not
// base64url or not a valid lesson, an unknown phase or granularity, a step past the end of the
// phase, an unknown, repeated or missing key.
LinkView parse_link(std::string_view text);

// Whether `text` looks like a link rather than a file name: a fragment after its "#" that holds
// the key lesson ("#lesson=…", "#phase=…&lesson=…"), or a text that starts with "lesson=" (the
// command line opens either as a link).
bool looks_like_link(std::string_view text);

// RFC 4648 §5, exposed for the tests: no padding written; padding accepted. The decoder throws
// LessonError naming the first character that does not belong (parse_link puts "link, lesson: "
// before it).
std::string base64url_encode(std::string_view bytes);
std::string base64url_decode(std::string_view text);

}  // namespace convstep
