// Every character the program writes has a glyph in its fonts (app/gl/glyphs.h): a character
// outside the list is drawn as "?", as "dXp rows ? 7 and columns ? 7 = 0" once was. Collected
// from the scenes and frames themselves, with no GPU: the text of every phase, stage, pitfall
// and explanation, for the presets and 100 random lessons, and every non-ASCII character in the
// strings of core/ and app/ (the panels' words, which no scene holds).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "app/gl/glyphs.h"
#include "core/stage.h"
#include "tests/core/random_lessons.h"
#include "tests/scene/mistake_scenes.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

// The code points of UTF-8 text (the program writes valid UTF-8 only).
std::vector<char32_t> code_points(const std::string& s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    for (int k = 1; k <= extra && i + k < s.size(); ++k) cp = cp << 6 | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += 1 + extra;
  }
  return out;
}

std::string utf8(char32_t cp) {
  std::string s;
  if (cp < 0x80) return std::string(1, static_cast<char>(cp));
  if (cp < 0x800) {
    s += static_cast<char>(0xC0 | cp >> 6);
  } else {
    if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | cp >> 12);
    } else {
      s += static_cast<char>(0xF0 | cp >> 18);
      s += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    }
    s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
  }
  return s + static_cast<char>(0x80 | (cp & 0x3F));
}

// Characters without a glyph, each with the first text it was found in.
struct Missing {
  std::map<char32_t, std::string> found;
  long long texts = 0;
  void check(const std::string& text, const std::string& where) {
    ++texts;
    for (char32_t cp : code_points(text))
      if (!has_glyph(cp) && !found.count(cp)) found[cp] = where + ": \"" + text + "\"";
  }
  std::string report() const {
    std::ostringstream out;
    for (const auto& [cp, where] : found)
      out << "no glyph for " << utf8(cp) << " (U+" << std::hex << std::uppercase
          << static_cast<unsigned>(cp) << std::dec << "), written in " << where << "\n";
    return out.str();
  }
};

void check_scene(const Scene& s, const std::string& where, Missing& m) {
  for (const SceneText& t : s.texts) m.check(t.text, where + " " + text_role_name(t.role));
  for (const SceneGrid& g : s.grids) {
    m.check(g.label, where + " label");
    for (const SceneCell& c : g.cells) m.check(c.text, where + " cell of " + grid_id(g));
  }
}

// The steps of a phase to look at: all of them when they are few, else the first and last
// ones (the stages) and some between.
std::vector<long long> steps_to_check(long long count) {
  std::vector<long long> out;
  for (long long k = 0; k < count; ++k)
    if (count <= 24 || k < 6 || k >= count - 6 || k % (count / 8) == 0) out.push_back(k);
  return out;
}

void check_lesson(const Lesson& lesson, const std::string& name, Missing& m) {
  const Timeline tl(lesson);
  for (Phase p : kAllPhases)
    m.check(tl.explanation(p), name + " the explanation of " + phase_name(p));
  for (Phase p : kAllPhases)
    for (Granularity g : kAllGranularities)
      for (long long k : steps_to_check(tl.count(p, g))) {
        const std::string where =
            name + " " + phase_name(p) + " " + granularity_name(g) + " step " + std::to_string(k);
        const Frame f = tl.frame(p, g, k);
        m.check(f.equation.text(), where + " equation");
        m.check(f.note, where + " note");
        check_scene(build_stage(tl, f, f, 1, {}), where, m);
      }
  // The mistakes inside the step view, and the hover tooltips' equations.
  for_each_mistake_scene(
      tl, name, [&](const Scene& s, const std::string& where) { check_scene(s, where, m); });
  for (int g = 0; g < static_cast<int>(Grid::None); ++g) {
    const CellRef cell{static_cast<Grid>(g), 0, 0, 0, 0};
    if (tl.tensor(cell.grid).shape.count() == 0) continue;
    m.check(tl.cell_name(cell), name + " cell name");
    m.check(tl.equation_of(cell), name + " tooltip of " + tl.cell_name(cell));
  }
}

TEST(Glyphs, EveryTextOfThePresetsHasItsGlyphs) {
  Missing m;
  for (Phase p : kAllPhases) {
    m.check(phase_title(p), "the title of " + std::string(phase_name(p)));
    m.check(phase_explanation(p), "the explanation of " + std::string(phase_name(p)));
  }
  for (Pitfall p : kAllPitfalls) {
    m.check(pitfall_title(p), "a pitfall's title");
    for (LossKind k :
         {LossKind::Sum, LossKind::HalfSumSquares, LossKind::Mse, LossKind::ReluThenSum}) {
      const Loss loss{k, {}};
      m.check(pitfall_explanation(p, Geometry{}, &loss),
              "the explanation of " + std::string(pitfall_name(p)));
    }
  }
  int presets = 0;
  for (const auto& entry :
       fs::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons")) {
    if (entry.path().extension() != ".json") continue;
    const Lesson lesson = load_lesson(entry.path().string());
    m.check(lesson.title, entry.path().filename().string() + " title");
    check_lesson(lesson, entry.path().stem().string(), m);
    ++presets;
  }
  EXPECT_GE(presets, 10);
  EXPECT_GT(m.texts, 10000);
  EXPECT_TRUE(m.found.empty()) << m.report();
}

TEST(Glyphs, EveryTextOfRandomLessonsHasItsGlyphs) {
  Missing m;
  std::mt19937 rng(20261129);
  for (int i = 0; i < 100; ++i) {
    const testing::RandomCase r = testing::random_case(rng);
    Lesson l;
    l.input = r.X, l.weight = r.W, l.bias = r.bias, l.spec = r.spec, l.upstream = r.G;
    testing::name_a_loss(l, i);
    check_lesson(l, "random lesson " + std::to_string(i) + " (" + r.describe() + ")", m);
  }
  EXPECT_TRUE(m.found.empty()) << m.report();
}

// The string literals of a C++ source, with \u and \U escapes decoded; comments skipped.
std::vector<std::string> string_literals(const std::string& src) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (src.compare(i, 2, "//") == 0) {
      i = src.find('\n', i);
      if (i == std::string::npos) break;
    } else if (src.compare(i, 2, "/*") == 0) {
      i = src.find("*/", i);
      if (i == std::string::npos) break;
      ++i;
    } else if (src[i] == '\'') {  // '"' is a character, not the start of a string
      while (++i < src.size() && src[i] != '\'') i += src[i] == '\\';
    } else if (src[i] == '"') {
      std::string s;
      while (++i < src.size() && src[i] != '"') {
        if (src[i] == '\\' && i + 1 < src.size()) {
          const char e = src[++i];
          if (e == 'u' || e == 'U') {
            const int digits = e == 'u' ? 4 : 8;
            s += utf8(static_cast<char32_t>(std::stoul(src.substr(i + 1, digits), nullptr, 16)));
            i += digits;
          }
          continue;
        }
        s += src[i];
      }
      out.push_back(s);
    }
  }
  return out;
}

TEST(Glyphs, EveryCharacterInTheProgramsStringsHasItsGlyph) {
  Missing m;
  int files = 0;
  for (const char* folder : {"core", "app"})
    for (const auto& entry :
         fs::recursive_directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/" + folder)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".cpp" && ext != ".h") continue;
      std::ifstream in(entry.path());
      std::stringstream src;
      src << in.rdbuf();
      for (const std::string& s : string_literals(src.str()))
        m.check(s, fs::relative(entry.path(), CONVSTEP_SOURCE_DIR).string());
      ++files;
    }
  EXPECT_GE(files, 40);
  EXPECT_TRUE(m.found.empty()) << m.report();
}

TEST(Glyphs, TheTestFindsAMissingGlyph) {
  Missing m;
  m.check("dXp rows ≥ 7", "an equation");
  m.check("★", "a star");
  EXPECT_EQ(m.found.size(), 1u);
  EXPECT_TRUE(m.found.count(U'★'));
  EXPECT_EQ(string_literals("x = \"a\\u2212b\"; // \"≠\"\n'\"'; \"≥\""),
            (std::vector<std::string>{"a−b", "≥"}));
}

}  // namespace
}  // namespace convstep
