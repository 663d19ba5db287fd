// Fuzzes links (core/link.h) two ways: the input as a whole link, as pasted; and the input's
// first line as the link's view part ("phase=dw&step=3") with the rest as the lesson's JSON,
// which the harness writes in base64url itself, so that the lesson parser behind the link is
// reached as easily as through a file.
//
// Bad input must end in exactly one LessonError: any other exception, a crash or a sanitizer
// report is a finding. A link that opens makes a link that opens as the same view.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include "core/link.h"
#include "tests/fuzz/cheap.h"

using namespace convstep;

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "fuzz_link: %s\n", what);
  std::abort();
}

// A step past 0 makes parse_link build the lesson's timeline, which a lesson within the limits
// may take seconds to compute: such links are read once with every step at 0, and only the
// cheap ones read as they are.
bool worth_reading(const std::string& link) {
  static const std::regex step("step=[0-9]+");
  const std::string at_zero = std::regex_replace(link, step, "step=0");
  try {
    return cheap(parse_link(at_zero).lesson.geometry());
  } catch (const LessonError&) {
    return true;  // refused before a timeline is built: the same or an earlier message
  }
}

void read(const std::string& link) {
  if (!worth_reading(link)) return;
  LinkView view;
  try {
    view = parse_link(link);
  } catch (const LessonError&) {
    return;  // rejected with a message: what bad input should get
  }
  std::string again;
  try {
    again = link_fragment(view);
  } catch (const LessonError& e) {
    // Written again, a lesson may take more room than the link it came in ("1e3" is "1000").
    if (std::string(e.what()).find("too big for a link") == std::string::npos)
      finding("a link that opens but cannot be made again");
    return;
  }
  if (!(parse_link(again) == view)) finding("a link that does not open as the view it was made of");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  read(text);
  const std::size_t line = text.find('\n');
  if (line != std::string::npos)
    read("#lesson=" + base64url_encode(text.substr(line + 1)) + "&" + text.substr(0, line));
  return 0;
}
