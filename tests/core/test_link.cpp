// Lessons shared by link: every lesson and view comes back from its link, and a bad link gets
// one message that says what and where, as a bad lesson file does.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/link.h"
#include "core/names.h"
#include "core/user_text.h"
#include "tests/core/random_lessons.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

const fs::path kLinkPresets = fs::path(CONVSTEP_SOURCE_DIR) / "assets" / "lessons";

std::string link_error_of(std::string_view text) {
  try {
    parse_link(text);
  } catch (const LessonError& e) {
    return e.what();
  }
  return "no error";
}

std::string lesson_error_of(const std::string& json) {
  try {
    parse_lesson(json);
  } catch (const LessonError& e) {
    return e.what();
  }
  return "no error";
}

// A link whose lesson is this JSON text, as written.
std::string link_of_json(const std::string& json, const std::string& rest = "") {
  return "#lesson=" + base64url_encode(json) + rest;
}

LinkView sobel_view() {
  LinkView view;
  view.lesson = load_lesson((kLinkPresets / "sobel-6x5.json").string());
  view.phase = Phase::DxGather;
  view.granularity = Granularity::Cell;
  view.step = 13;
  return view;
}

void expect_round_trip(const LinkView& view) {
  const std::string fragment = link_fragment(view);
  EXPECT_EQ(parse_link(fragment), view);
  EXPECT_EQ(parse_link("#" + fragment), view);
  EXPECT_EQ(parse_link(link_url(view, "https://example.org/convstep/index.html")), view);
  EXPECT_EQ(parse_link(" " + link_url(view, "index.html") + "\n"), view);  // pasted
}

TEST(Link, Base64urlFollowsRfc4648) {
  // RFC 4648 §10, without the padding; "-" and "_" where base64 has "+" and "/".
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
  for (const auto& [bytes, text] : vectors) {
    EXPECT_EQ(base64url_encode(bytes), text);
    EXPECT_EQ(base64url_decode(text), bytes);
  }
  EXPECT_EQ(base64url_decode("Zg=="), "f");  // padding is accepted
  EXPECT_EQ(base64url_decode("Zm8="), "fo");
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
  for (std::size_t n = 0; n <= every_byte.size(); ++n)
    EXPECT_EQ(base64url_decode(base64url_encode(every_byte.substr(0, n))), every_byte.substr(0, n));
}

TEST(Link, TheDefaultLessonAtDxGatherCellStep13ComesBack) {
  const LinkView view = sobel_view();
  ASSERT_GT(Timeline(view.lesson).count(Phase::DxGather, Granularity::Cell), 13);
  const std::string fragment = link_fragment(view);
  EXPECT_TRUE(fragment.starts_with("lesson="));
  EXPECT_TRUE(fragment.ends_with("&phase=dx_gather&granularity=cell&step=13")) << fragment;
  expect_round_trip(view);
  LinkView classroom = view;
  classroom.classroom = true;
  EXPECT_TRUE(link_fragment(classroom).ends_with("&step=13&classroom=1"));
  expect_round_trip(classroom);
}

TEST(Link, EveryPresetAtTheLastStepOfEveryPhaseComesBack) {
  int presets = 0;
  for (const auto& entry : fs::directory_iterator(kLinkPresets)) {
    SCOPED_TRACE(entry.path().string());
    LinkView view;
    view.lesson = load_lesson(entry.path().string());
    const Timeline timeline(view.lesson);
    for (Phase p : kAllPhases)
      for (Granularity g : kAllGranularities) {
        view.phase = p, view.granularity = g;
        view.step = static_cast<std::size_t>(timeline.count(p, g) - 1);
        view.classroom = !view.classroom;
        expect_round_trip(view);
      }
    ++presets;
  }
  EXPECT_GE(presets, 9);
}

TEST(Link, RandomLessonsComeBack) {
  std::mt19937 rng(20261129);
  const char* titles[] = {"", "stride 2, dilation 2", "quotes \" and \\ backslash", "été · ∂L/∂X",
                          "two\nlines\tand a tab"};
  for (int i = 0; i < 200; ++i) {
    const testing::RandomCase c = testing::random_case(rng);
    LinkView view;
    view.lesson.input = c.X, view.lesson.weight = c.W, view.lesson.bias = c.bias;
    view.lesson.spec = c.spec;
    view.lesson.spec.bias = !c.bias.empty();
    if (c.G.shape.count() > 0) view.lesson.upstream = c.G;
    testing::name_a_loss(view.lesson, i);
    view.lesson.title = titles[i % std::size(titles)];
    const Timeline timeline(view.lesson);
    view.phase = kAllPhases[rng() % std::size(kAllPhases)];
    view.granularity = kAllGranularities[rng() % std::size(kAllGranularities)];
    view.step = rng() % static_cast<std::size_t>(timeline.count(view.phase, view.granularity));
    view.classroom = i % 3 == 0;
    SCOPED_TRACE(c.describe());
    expect_round_trip(view);
  }
}

TEST(Link, TheOnlyKeyNeededIsTheLesson) {
  const LinkView view = parse_link(link_of_json(R"({"input": [[1, 2], [3, 4]], "weight": [[1]]})"));
  EXPECT_EQ(view.lesson.input.values, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(view.phase, Phase::Forward);
  EXPECT_EQ(view.granularity, LinkView().granularity);
  EXPECT_EQ(view.step, 0u);
  EXPECT_FALSE(view.classroom);
  // Keys in any order, an empty part ignored.
  const std::string json = R"({"input": [[1, 2], [3, 4]], "weight": [[1]]})";
  const LinkView reordered =
      parse_link("#step=3&&phase=dw&lesson=" + base64url_encode(json) + "&classroom=0&");
  EXPECT_EQ(reordered.phase, Phase::Dw);
  EXPECT_EQ(reordered.step, 3u);
}

TEST(Link, AMalformedLessonGetsTheSameMessageAsItsFile) {
  const std::string lessons[] = {
      R"({"input": [[1, 2, 3]], "weight": [[1, 2, 3], [4, 5]]})",
      R"({"input": [[NaN]], "weight": [[1]]})",
      R"({"input": [[1e400]], "weight": [[1]]})",
      R"({"input": [[1]], "weight": [[1]], "weight": [[2]]})",
      R"({"input": [[1]], "wieght": [[1]]})",
      R"({"input": [[1]]})",
      R"({"input": [[1, 2]], "weight": [[1]], "stride": 0})",
      R"({"input": [[1]], "weight": [[1]], "title": "cut short)",
      "[1, 2, 3]",
      "not json at all",
      std::string(5000, '[') + std::string(5000, ']'),                   // nested too deep
      "{\"input\": [[1]], \"weight\": [[1]], \"title\": \"\xff\xfe\"}",  // not UTF-8
  };
  for (const std::string& json : lessons) {
    const std::string file_message = lesson_error_of(json);
    ASSERT_NE(file_message, "no error") << json;
    EXPECT_EQ(link_error_of(link_of_json(json, "&phase=dw")), "link, lesson: " + file_message);
  }
  EXPECT_EQ(link_error_of(link_of_json(lessons[0])),
            "link, lesson: weight[1]: expected 3 numbers, got 2");
}

TEST(Link, EachMistakeInALinkIsNamedWithItsPlace) {
  const std::string lesson = base64url_encode(R"({"input": [[1, 2], [3, 4]], "weight": [[1]]})");
  const std::string ok = "#lesson=" + lesson;
  const std::pair<std::string, std::string> cases[] = {
      {"", "link: it has no lesson: a link needs \"lesson=\" and the lesson after it"},
      {"#phase=dw", "link: it has no lesson: a link needs \"lesson=\" and the lesson after it"},
      {"https://example.org/convstep/index.html",
       "link: this address has no \"#lesson=\" part, where a link to a lesson carries it"},
      {"#lesson=", "link, lesson: is empty"},
      {"#lesson=ab+c",
       "link, lesson: character 3, \"+\", is not base64url: the lesson of a link is written "
       "with A–Z, a–z, 0–9, - and _ only"},
      {"#lesson=abc%3D",
       "link, lesson: character 4, \"%\", is not base64url: the lesson of a link is written "
       "with A–Z, a–z, 0–9, - and _ only"},
      {"#lesson=abcde",
       "link, lesson: its base64url ends in the middle of a character (5 characters): the link "
       "may have been cut short"},
      {ok + "&phase=dx",
       "link, phase: unknown phase \"dx\"; it must be " + spelled_out(phase_names())},
      {ok + "&granularity=cells", "link, granularity: unknown granularity \"cells\"; it must be " +
                                      spelled_out(granularity_names())},
      {ok + "&step=-1", "link, step: must be a whole number from 0, got \"-1\""},
      {ok + "&step=1e3", "link, step: must be a whole number from 0, got \"1e3\""},
      {ok + "&step=", "link, step: must be a whole number from 0, got \"\""},
      {ok + "&step=99999999999999999999",
       "link, step: must be a whole number from 0, got \"99999999999999999999\""},
      {ok + "&step=5", "link, step: 5 is past the end: forward has 5 term steps (0..4)"},
      {ok + "&granularity=phase&step=2",
       "link, step: 2 is past the end: forward has 2 phase steps (0..1)"},
      {ok + "&classroom=yes", "link, classroom: must be 1 or 0, got \"yes\""},
      {ok + "&speed=2",
       "link: unknown key \"speed\"; the keys are lesson, phase, granularity, step and classroom"},
      {ok + "&phase=dw&phase=db", "link: the key \"phase\" appears twice"},
      {ok + "&" + ok.substr(1), "link: the key \"lesson\" appears twice"},
      {ok + "&classroom", "link: \"classroom\" is not of the form key=value"},
  };
  for (const auto& [text, message] : cases) EXPECT_EQ(link_error_of(text), message) << text;
  // The counts of the messages above are the lesson's own.
  const Timeline tl(parse_link(ok).lesson);
  EXPECT_EQ(tl.count(Phase::Forward, Granularity::Term), 5);
  EXPECT_EQ(tl.count(Phase::Forward, Granularity::Phase), 2);
  EXPECT_NO_THROW(parse_link(ok + "&step=4"));
}

TEST(Link, AnOversizedLinkIsRefusedBeforeItIsDecoded) {
  // Characters that are not base64url: decoding them would say so instead.
  const std::string text = "https://example.org/#lesson=" + std::string(kMaxLinkBytes, '*');
  EXPECT_EQ(link_error_of(text),
            "link: it is 65543 bytes long after its \"#\", more than the 65536 bytes a link may "
            "hold");
  EXPECT_EQ(link_error_of("lesson=" + std::string(kMaxLinkBytes, '*')),
            "link: it is 65543 bytes long, more than the 65536 bytes a link may hold");
  // Just at the limit: read, and wrong for another reason.
  EXPECT_EQ(link_error_of("#" + std::string(kMaxLinkBytes, 'x')),
            "link: \"" + std::string(kExcerptChars, 'x') + "…\" is not of the form key=value");
}

TEST(Link, ALessonJustUnderTheLimitWorksAndJustOverIsRefused) {
  // A lesson of 400 fractions, its title lengthened until the link reaches the limit.
  std::mt19937 rng(7);
  LinkView view;
  view.lesson.input = testing::random_tensor(rng, Shape{1, 1, 20, 20});
  for (double& v : view.lesson.input.values) v += 1.0 / 3;
  view.lesson.weight = testing::random_tensor(rng, Shape{1, 1, 3, 3});
  view.phase = Phase::DxGather;
  view.granularity = Granularity::Cell;
  view.step = 17;
  const auto fits = [&](std::size_t title) {
    view.lesson.title = std::string(title, 't');
    try {
      link_fragment(view);
      return true;
    } catch (const LessonError&) {
      return false;
    }
  };
  std::size_t lo = 0, hi = kMaxLinkBytes;  // fits(lo), !fits(hi)
  ASSERT_TRUE(fits(lo));
  ASSERT_FALSE(fits(hi));
  while (hi - lo > 1) {
    const std::size_t mid = (lo + hi) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  ASSERT_GT(lo, 10000u);  // the numbers took a good part of the link, the title the rest

  fits(lo);
  const std::string under = link_fragment(view);
  EXPECT_LE(under.size(), kMaxLinkBytes);
  EXPECT_GT(under.size(), kMaxLinkBytes - 4);
  EXPECT_EQ(parse_link(under), view);
  EXPECT_EQ(parse_link("#" + under), view);
  EXPECT_EQ(parse_link(link_url(view, "https://example.org/convstep/")), view);

  fits(hi);
  try {
    link_fragment(view);
    FAIL() << "a link over the limit was made";
  } catch (const LessonError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.starts_with("this lesson is too big for a link: its link would be "));
    EXPECT_TRUE(message.ends_with(
        " bytes long, and a link holds 65536 bytes at most; share the lesson file instead"))
        << message;
  }
}

TEST(Link, ALessonOfManyNumbersIsRefusedWithoutWritingIt) {
  std::mt19937 rng(3);
  LinkView view;
  view.lesson.input = testing::random_tensor(rng, Shape{1, 1, 1000, 1000});
  view.lesson.weight = testing::random_tensor(rng, Shape{1, 1, 3, 3});
  try {
    link_fragment(view);
    FAIL() << "a link of a million numbers was made";
  } catch (const LessonError& e) {
    EXPECT_TRUE(std::string(e.what()).find("would be more than 26") != std::string::npos)
        << e.what();
  }
}

TEST(Link, CutsAndFlipsOfALinkAreReportedNeverCrash) {
  const std::string url = link_url(sobel_view(), "https://example.org/convstep/");
  std::size_t refused = 0;
  for (std::size_t n = 0; n <= url.size(); ++n) {
    try {
      parse_link(url.substr(0, n));
    } catch (const LessonError& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with("link")) << e.what();
      ++refused;
    }
  }
  EXPECT_GT(refused, url.size() / 2);
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    std::string text = url;
    text[rng() % text.size()] = static_cast<char>(rng());
    try {
      parse_link(text);
    } catch (const LessonError& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with("link")) << e.what();
    }
  }
}

TEST(Link, LinksAreToldFromFileNames) {
  EXPECT_TRUE(looks_like_link("https://example.org/convstep/#lesson=abc&step=1"));
  EXPECT_TRUE(looks_like_link("#lesson=abc"));
  EXPECT_TRUE(looks_like_link("lesson=abc"));
  EXPECT_TRUE(looks_like_link("index.html#phase=dw&lesson=abc"));
  EXPECT_FALSE(looks_like_link("assets/lessons/sobel-6x5.json"));
  EXPECT_FALSE(looks_like_link("my#lessons/sobel.json"));
  EXPECT_FALSE(looks_like_link(""));
}

}  // namespace
}  // namespace convstep
