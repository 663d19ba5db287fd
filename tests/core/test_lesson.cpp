// Lesson files: every preset loads and round-trips, saving is atomic, errors name the place.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <random>

#include "core/json.h"
#include "core/lesson.h"
#include "tests/core/random_lessons.h"
#include "tests/temp_dir.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

const fs::path kLessons = fs::path(CONVSTEP_SOURCE_DIR) / "assets" / "lessons";

std::string error_of(const std::string& text) {
  try {
    parse_lesson(text);
  } catch (const LessonError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Lesson, EveryPresetLoadsAndRoundTrips) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kLessons)) {
    SCOPED_TRACE(entry.path().string());
    const Lesson lesson = load_lesson(entry.path().string());
    EXPECT_FALSE(lesson.title.empty());
    EXPECT_EQ(parse_lesson(lesson_to_json(lesson)), lesson);
    ++count;
  }
  EXPECT_GE(count, 9);
}

TEST(Lesson, ShorthandMeansOneSampleOneChannel) {
  const Lesson l =
      parse_lesson(R"({"input": [[1,2,3],[4,5,6]], "weight": [[1]], "stride": [1, 2]})");
  EXPECT_EQ(l.input.shape, (Shape{1, 1, 2, 3}));
  EXPECT_EQ(l.input(0, 0, 1, 0), 4);
  EXPECT_EQ(l.spec.stride_w, 2);
  EXPECT_EQ(l.geometry().output_shape(), (Shape{1, 1, 2, 2}));
}

TEST(Lesson, NonIntegerValuesRoundTripExactly) {
  Lesson l = parse_lesson(R"({"input": [[0.1, -2.5e-7, 3]], "weight": [[1]], "bias": [0.3]})");
  l.input.values[2] = 1.0 / 3.0;
  EXPECT_EQ(parse_lesson(lesson_to_json(l)), l);
}

TEST(Lesson, LargeWholeNumbersRoundTripExactly) {
  // Found by the lesson fuzzer: whole numbers from 10^15 up were saved with 6 digits.
  const Lesson l = parse_lesson(
      R"({"input": [[4444444444444442, 1e15, -999999999999999, 9007199254740992]],
          "weight": [[1]]})");
  EXPECT_EQ(parse_lesson(lesson_to_json(l)), l) << lesson_to_json(l);
}

TEST(Lesson, PaddingFormsAreKeptOnSave) {
  for (const char* padding : {"\"same\"", "\"full\"", "\"valid\"", "[1, 2]", "[0, 1, 2, 1]", "2"}) {
    const Lesson l = parse_lesson(
        std::string(R"({"input": [[1,2,3],[4,5,6]], "weight": [[1,2],[3,4]], "padding": )") +
        padding + "}");
    EXPECT_NE(lesson_to_json(l).find(std::string("\"padding\": ") + padding), std::string::npos)
        << lesson_to_json(l);
  }
}

TEST(Lesson, SaveThenLoad) {
  TempDir dir;
  const Lesson l = load_lesson((kLessons / "channels.json").string());
  const std::string path = (dir.path / "copy.json").string();
  save_lesson(l, path);
  EXPECT_EQ(load_lesson(path), l);
}

TEST(Lesson, FailedSaveLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  const std::string path = (dir.path / "lesson.json").string();
  const Lesson small = parse_lesson(R"({"input": [[1]], "weight": [[1]]})");
  save_lesson(small, path);
  const std::string before = lesson_to_json(small);

  // A disk that fills up: the file size limit makes write() fail with EFBIG.
  Lesson big = small;
  big.input = Tensor(Shape{1, 1, 200, 200}, 1.5);
  ::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  rlimit tiny = old;
  tiny.rlim_cur = 4096;
  ::setrlimit(RLIMIT_FSIZE, &tiny);
  std::string message;
  try {
    save_lesson(big, path);
  } catch (const LessonError& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old);

  EXPECT_NE(message.find("cannot save " + path), std::string::npos) << message;
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), before);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++files;
  EXPECT_EQ(files, 1) << "a temporary file was left behind";
}

TEST(Lesson, SaveIntoAMissingFolderSaysSo) {
  const Lesson l = parse_lesson(R"({"input": [[1]], "weight": [[1]]})");
  try {
    save_lesson(l, "/nonexistent-folder/x.json");
    FAIL() << "no error";
  } catch (const LessonError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-folder"), std::string::npos) << e.what();
  }
}

TEST(Lesson, MissingFileSaysSo) {
  try {
    load_lesson("/nonexistent/lesson.json");
    FAIL() << "no error";
  } catch (const LessonError& e) {
    EXPECT_STREQ(e.what(), "cannot open: No such file or directory");
  }
}

TEST(Lesson, ErrorsNameThePlace) {
  EXPECT_EQ(error_of(R"({"input": [[1,2,3],[4,5,6]], "weight": [[1,2,3],[1,2]]})"),
            "weight[1]: expected 3 numbers, got 2");
  EXPECT_EQ(error_of(R"({"input": [[1,2,3]], "weight": [[1]], "stride": 0})"),
            "stride must be at least 1, got 0");
  EXPECT_EQ(error_of(R"({"input": [[1,2,3]], "weight": [[1]], "strides": 2})"),
            "unknown key \"strides\"; did you mean \"stride\"?");
  EXPECT_EQ(error_of(R"({"input": [[1,2,3]], "weight": [[1]], "upstream": [[1,1],[1,1]]})"),
            "upstream must be shaped like the output [1][1][1][3], got [2][2]");
  EXPECT_EQ(error_of(R"({"input": [[1, 1e400]], "weight": [[1]]})"),
            "the number 1e400 at line 1, column 16 is too large: every value must be finite");
}

// ---- The loss (issue 11) ----

TEST(Lesson, EveryLossIsReadSavedAndReadBackTheSame) {
  const std::string base = R"({"input": [[1,2,0],[-1,3,1],[2,-2,1]], "weight": [[1,-1],[2,0]], )";
  for (const char* loss :
       {R"("loss": "sum")", R"("loss": "half_sum_squares")", R"("loss": {"relu_then_sum": true})",
        R"("loss": {"mse": [[1, 0.5], [2, -1]]})"}) {
    SCOPED_TRACE(loss);
    const Lesson l = parse_lesson(base + loss + "}");
    EXPECT_FALSE(l.gives_gradient());
    EXPECT_EQ(parse_lesson(lesson_to_json(l)), l) << lesson_to_json(l);
  }
  const Lesson mse = parse_lesson(base + R"("loss": {"mse": [[1, 0.5], [2, -1]]}})");
  EXPECT_EQ(mse.loss.kind, LossKind::Mse);
  EXPECT_EQ(mse.loss.target.values, (std::vector<double>{1, 0.5, 2, -1}));
  // L = ΣZ is the default, and is written as it always was.
  const Lesson plain = parse_lesson(base + R"("upstream": "ones"})");
  EXPECT_EQ(plain, parse_lesson(base + R"("loss": "sum"})"));
  EXPECT_NE(lesson_to_json(plain).find(R"("upstream": "ones")"), std::string::npos);
}

TEST(Lesson, GIsDerivedFromTheLoss) {
  const std::string base = R"({"input": [[1,2,0],[-1,3,1],[2,-2,1]], "weight": [[1,-1],[2,0]], )";
  // Z = [[−3, 8], [0, −2]].
  using V = std::vector<double>;
  EXPECT_EQ(parse_lesson(base + R"("loss": "sum"})").upstream_gradient().values, (V{1, 1, 1, 1}));
  EXPECT_EQ(parse_lesson(base + R"("loss": "half_sum_squares"})").upstream_gradient().values,
            (V{-3, 8, 0, -2}));
  // relu's gradient at exactly 0 is 0, as in PyTorch.
  EXPECT_EQ(parse_lesson(base + R"("loss": {"relu_then_sum": true}})").upstream_gradient().values,
            (V{0, 1, 0, 0}));
  // F.mse_loss's mean is over all 4 cells: G = 2(Z − T)/4.
  EXPECT_EQ(
      parse_lesson(base + R"("loss": {"mse": [[1, 0], [2, -1]]}})").upstream_gradient().values,
      (V{-2, 4, -1, -0.5}));
}

TEST(Lesson, ALossAndAGivenGAreNeverBoth) {
  EXPECT_EQ(error_of(R"({"input": [[1,2]], "weight": [[1]], "upstream": [[1,1]], "loss": "sum"})"),
            "give either \"upstream\" or \"loss\", not both: upstream is G itself, and a loss is "
            "what G is derived from");
  // The app sets one or the other: the new one replaces the old.
  const Lesson given = parse_lesson(R"({"input": [[1,2]], "weight": [[1]], "upstream": [[1,5]]})");
  const Lesson named = with_key(given, "loss", "half_sum_squares");
  EXPECT_FALSE(named.gives_gradient());
  EXPECT_EQ(named.loss.kind, LossKind::HalfSumSquares);
  const Lesson back = with_key(named, "upstream", nlohmann::json::array({{1, 5}}));
  EXPECT_EQ(back, given);
  // A new shape must fit the target, as it must fit a given G.
  const Lesson mse = with_key(given, "loss", {{"mse", {{1, 2}}}});
  EXPECT_THROW(with_key(mse, "stride", 2), LessonError);
}

// ---- One key at a time (the app's parameter edits): the loader's rules and messages ----

namespace with_key_test {

// What the app did before with_key: the whole lesson written as JSON, one key replaced, the
// text parsed again.
std::string through_json(const Lesson& l, const std::string& key, const nlohmann::json& value) {
  nlohmann::json j = nlohmann::json::parse(lesson_to_json(l));
  if (key == "bias" && value.is_null())
    j.erase("bias");
  else
    j[key] = value;
  // G is given one way or the other: setting one replaces the other.
  if (key == "loss") j.erase("upstream");
  if (key == "upstream") j.erase("loss");
  try {
    return lesson_to_json(parse_lesson(j.dump()));
  } catch (const LessonError& e) {
    return std::string("error: ") + e.what();
  }
}

std::string directly(const Lesson& l, const std::string& key, const nlohmann::json& value) {
  try {
    return lesson_to_json(with_key(l, key, value));
  } catch (const LessonError& e) {
    return std::string("error: ") + e.what();
  }
}

}  // namespace with_key_test

TEST(Lesson, OneKeyIsReadAndCheckedAsTheLoaderReadsAFile) {
  using nlohmann::json;
  const std::vector<std::pair<std::string, json>> edits = {
      {"stride", 1},
      {"stride", 2},
      {"stride", {1, 3}},
      {"stride", 0},
      {"stride", 1.5},
      {"stride", "2"},
      {"stride", nullptr},
      {"stride", {1, 2, 3}},
      {"stride", 1e12},
      {"dilation", 2},
      {"dilation", {3, 1}},
      {"dilation", -1},
      {"padding", 0},
      {"padding", 2},
      {"padding", {1, 0}},
      {"padding", {0, 1, 2, 3}},
      {"padding", "same"},
      {"padding", "valid"},
      {"padding", "full"},
      {"padding", "wide"},
      {"padding", -1},
      {"padding", {1, 2, 3}},
      {"groups", 1},
      {"groups", 2},
      {"groups", 3},
      {"groups", 0},
      {"bias", nullptr},
      {"bias", {1}},
      {"bias", {1, 2}},
      {"bias", {1, 2, 3, 4}},
      {"bias", "ones"},
      {"bias", {{1}}},
      {"upstream", "ones"},
      {"upstream", {{1, 2}, {3, 4}}},
      {"upstream", nullptr},
      {"upstream", "twos"},
      {"loss", "sum"},
      {"loss", "half_sum_squares"},
      {"loss", {{"relu_then_sum", true}}},
      {"loss", {{"mse", {{1, 2}, {3, 4}}}}},
      {"loss", "hinge"},
      {"title", "a new title"},
      {"title", 3},
      {"version", 1},
      {"version", 2},
      {"input", {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}},
      {"input", json::array()},
      {"weight", {{1, -1}}},
      {"weight", {{{{1}}}}},
      {"strides", 2},
      {"Padding", 1},
  };
  std::mt19937 rng(20261129);
  int compared = 0, refused = 0;
  for (int i = 0; i < 60; ++i) {
    const testing::RandomCase c = testing::random_case(rng);
    Lesson l;
    l.input = c.X, l.weight = c.W, l.bias = c.bias, l.spec = c.spec;
    l.spec.bias = !c.bias.empty();
    if (i % 2) l.upstream = c.G;  // half with their own G, which a new shape must still fit
    // A quarter with a target, which a new shape must fit too.
    if (i % 4 == 2) l.loss = {LossKind::Mse, c.G};
    for (const auto& [key, value] : edits) {
      const std::string expected = with_key_test::through_json(l, key, value);
      EXPECT_EQ(with_key_test::directly(l, key, value), expected)
          << key << " = " << value.dump() << " on " << c.describe();
      ++compared;
      refused += expected.starts_with("error: ");
    }
  }
  // Both kinds were compared, many times each.
  EXPECT_GT(refused, compared / 4);
  EXPECT_GT(compared - refused, compared / 4);
}

}  // namespace
}  // namespace convstep
