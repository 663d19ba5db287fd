// Plain words (issue 10): the text a student or teacher reads never speaks of "seeds" (our word
// for the notebooks, not theirs), never shows a code identifier such as no_rotation, and never
// says "1 zero rows". Collected as the app and its exports emit it, with no GPU: the stage of
// every phase and the mistakes inside the step view, the notes, equations and tooltips of the
// presets and 100 random lessons, the titles and explanations, the methods check, and the words of
// the panels (the string literals of the app's panel files).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/check.h"
#include "core/stage.h"
#include "tests/core/random_lessons.h"
#include "tests/scene/mistake_scenes.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

// Function names of PyTorch that a lesson quotes on purpose, as a student would type them.
const char* const kQuotedCode[] = {"conv_transpose2d", "output_padding"};

// A letter, digit or underscore (ASCII): what a code identifier is made of.
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// The identifier such as no_rotation that starts at text[at] (a lower-case letter, then lower-case
// letters and digits, then at least one underscore followed by some), or "". Plain string
// functions rather than std::regex, which is slow to compile.
std::string identifier_at(const std::string& text, std::size_t at) {
  if (at >= text.size() || text[at] < 'a' || text[at] > 'z') return "";
  std::size_t end = at + 1;
  while (end < text.size() && is_lower_or_digit(text[end])) ++end;
  bool underscored = false;
  while (end + 1 < text.size() && text[end] == '_' && is_lower_or_digit(text[end + 1])) {
    end += 2;
    while (end < text.size() && is_lower_or_digit(text[end])) ++end;
    underscored = true;
  }
  return underscored ? text.substr(at, end - at) : "";
}

// Whether "1 rows", "1 zero rows"… (a count of one with a plural noun) starts at text[at].
bool one_plural_at(const std::string& text, std::size_t at) {
  static const char* const kNouns[] = {"rows",    "columns", "cells",    "zeros",   "channels",
                                       "steps",   "terms",   "samples",  "windows", "inputs",
                                       "outputs", "kernels", "pictures", "values",  "groups"};
  auto noun_at = [](std::string_view s) {
    for (const std::string_view noun : kNouns)
      if (s.starts_with(noun) && (s.size() == noun.size() || !is_word_char(s[noun.size()])))
        return true;
    return false;
  };
  std::string_view rest = std::string_view(text).substr(at);
  if (!rest.starts_with("1 ")) return false;
  rest.remove_prefix(2);
  return (rest.starts_with("zero ") && noun_at(rest.substr(5))) || noun_at(rest);
}

struct Words {
  std::vector<std::string> found;  // each problem, with where it was
  long long texts = 0;

  void check(const std::string& text, const std::string& where) {
    ++texts;
    auto report = [&](const std::string& what) {
      if (found.size() < 40) found.push_back(what + " in " + where + ": \"" + text + "\"");
    };
    std::string lower = text;
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (lower.find("seed") != std::string::npos) report("\"seed\"");
    // An identifier starts the text or follows a character that is not a letter, digit or
    // underscore; the next one starts after it.
    for (std::size_t at = 0; at < text.size(); ++at) {
      if (at > 0 && is_word_char(text[at - 1])) continue;
      const std::string name = identifier_at(text, at);
      if (name.empty()) continue;
      if (std::find(std::begin(kQuotedCode), std::end(kQuotedCode), name) == std::end(kQuotedCode))
        report("the identifier " + name);
      at += name.size() - 1;
    }
    // "1 zero rows", "1 cells": a count of one with a plural noun (not 11, 2.1 or s−1).
    for (std::size_t at = 0; at < text.size(); ++at) {
      if (!one_plural_at(text, at)) continue;
      const std::string before = text.substr(0, at);
      const bool part_of_a_number =
          !before.empty() &&
          (std::isdigit(static_cast<unsigned char>(before.back())) ||
           std::string(".,-").find(before.back()) != std::string::npos || before.ends_with("−"));
      if (!part_of_a_number) {
        report("a plural after 1");
        break;
      }
    }
  }
};

void check_scene(const Scene& s, const std::string& where, Words& w) {
  for (const SceneText& t : s.texts) w.check(t.text, where + " " + text_role_name(t.role));
  for (const SceneGrid& g : s.grids) w.check(g.label, where + " label");
}

std::vector<long long> steps_to_check(long long count) {
  std::vector<long long> out;
  for (long long k = 0; k < count; ++k)
    if (count <= 24 || k < 6 || k >= count - 6 || k % (count / 8) == 0) out.push_back(k);
  return out;
}

void check_lesson(const Lesson& lesson, const std::string& name, Words& w) {
  const Timeline tl(lesson);
  w.check(lesson.title, name + " title");
  for (Phase p : kAllPhases)
    for (Granularity g : kAllGranularities)
      for (long long k : steps_to_check(tl.count(p, g))) {
        const std::string where =
            name + " " + phase_name(p) + " " + granularity_name(g) + " step " + std::to_string(k);
        const Frame f = tl.frame(p, g, k);
        w.check(f.equation.text(), where + " equation");
        w.check(f.note, where + " note");
        check_scene(build_stage(tl, f, f, 1, {}), where, w);
      }
  for_each_mistake_scene(
      tl, name, [&](const Scene& s, const std::string& where) { check_scene(s, where, w); });
  for (Pitfall p : kAllPitfalls)
    w.check(tl.pitfall_explanation(p), name + " explanation of " + pitfall_name(p));
  for (int g = 0; g < static_cast<int>(Grid::None); ++g) {
    const CellRef cell{static_cast<Grid>(g), 0, 0, 0, 0};
    if (tl.tensor(cell.grid).shape.count() == 0) continue;
    w.check(tl.cell_name(cell), name + " cell name");
    w.check(tl.equation_of(cell), name + " tooltip of " + tl.cell_name(cell));
  }
  const MethodCheck m = check_methods(lesson);
  for (const std::string& line : check_lines(m, max_abs(tl.results().dX)))
    w.check(line, name + " methods check");
}

TEST(PlainWords, ThePresetsAndTheirPitfalls) {
  Words w;
  for (Phase p : kAllPhases) {
    w.check(phase_title(p), "the title of a phase");
    w.check(phase_explanation(p), "the explanation of a phase");
  }
  for (Pitfall p : kAllPitfalls) w.check(pitfall_title(p), "a pitfall's title");
  for (int g = 0; g <= static_cast<int>(Grid::None); ++g)
    w.check(grid_gloss(static_cast<Grid>(g)), "a grid's gloss");
  int presets = 0;
  for (const auto& entry :
       fs::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons")) {
    if (entry.path().extension() != ".json") continue;
    check_lesson(load_lesson(entry.path().string()), entry.path().stem().string(), w);
    ++presets;
  }
  EXPECT_GE(presets, 10);
  EXPECT_GT(w.texts, 5000);
  for (const std::string& f : w.found) ADD_FAILURE() << f;
}

TEST(PlainWords, RandomLessons) {
  Words w;
  std::mt19937 rng(20261129);
  for (int i = 0; i < 100; ++i) {
    const testing::RandomCase r = testing::random_case(rng);
    Lesson l;
    l.input = r.X, l.weight = r.W, l.bias = r.bias, l.spec = r.spec, l.upstream = r.G;
    testing::name_a_loss(l, i);
    check_lesson(l, "random lesson " + std::to_string(i) + " (" + r.describe() + ")", w);
  }
  for (const std::string& f : w.found) ADD_FAILURE() << f;
}

// The string literals of a C++ source that a panel may show: comments skipped, and ImGui's
// hidden ids ("##granularity", the part after "##") and include paths left out.
std::vector<std::string> shown_literals(const std::string& src) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (src.compare(i, 2, "//") == 0) {
      i = src.find('\n', i);
      if (i == std::string::npos) break;
    } else if (src.compare(i, 2, "/*") == 0) {
      i = src.find("*/", i);
      if (i == std::string::npos) break;
      ++i;
    } else if (src[i] == '\'') {
      while (++i < src.size() && src[i] != '\'') i += src[i] == '\\';
    } else if (src[i] == '"') {
      std::string s;
      while (++i < src.size() && src[i] != '"') {
        if (src[i] == '\\' && i + 1 < src.size()) ++i;
        s += src[i];
      }
      const std::size_t hidden = s.find("##");
      if (hidden != std::string::npos) s.resize(hidden);
      const bool include = src.rfind("#include", i) != std::string::npos &&
                           src.find('\n', src.rfind("#include", i)) > i;
      if (!include) out.push_back(s);
    }
  }
  return out;
}

// The panels, menus and dialogs. Their literals also hold keys of the settings and lesson
// files (set_param("padding", ...)): those are single lowercase words, which pass.
TEST(PlainWords, ThePanels) {
  Words w;
  for (const char* file : {"app/ui.cpp", "app/ui_files.cpp", "app/export_dialog.cpp",
                           "app/file_browser.cpp", "app/quiz_panel.cpp"}) {
    std::ifstream in(std::string(CONVSTEP_SOURCE_DIR) + "/" + file);
    ASSERT_TRUE(in) << file;
    std::stringstream src;
    src << in.rdbuf();
    for (const std::string& s : shown_literals(src.str())) w.check(s, file);
  }
  EXPECT_GT(w.texts, 100);
  for (const std::string& f : w.found) ADD_FAILURE() << f;
}

TEST(PlainWords, TheTestFindsWhatItLooksFor) {
  Words w;
  w.check("Pitfalls: the seeds' mistakes", "a header");
  w.check("dX no_rotation (3×3)", "a label");
  w.check("G with 1 zero rows and 1 zero columns between cells", "an equation");
  w.check(
      "1 cell, 11 cells, 2 rows, s−1 zeros, 2.1 steps, X_grad, scipy.signal.convolve2d, "
      "conv_transpose2d",
      "fine");
  EXPECT_EQ(w.found.size(), 3u);
  EXPECT_EQ(shown_literals("#include \"core/a_b.h\"\nx(\"##a_b\"); y(\"Pad##pad_mode\");"),
            (std::vector<std::string>{"", "Pad"}));
}

}  // namespace
}  // namespace convstep
