// What the phases say is true of the lesson they are said about (issue 11): the presets and
// hundreds of random lessons, each sentence checked against the geometry or the steps' own
// numbers, worked out here with plain loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "app/steps_output.h"
#include "core/format.h"
#include "tests/core/random_lessons.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Text patterns without std::regex, which is slow to compile: `pattern` is literal text where
// each '#' stands for one or more digits. The end of its match at `text[at]`, or npos; the
// digits of each '#' are appended to *numbers when it matches.
std::size_t match_at(const std::string& text, std::size_t at, std::string_view pattern,
                     std::vector<std::string>* numbers) {
  std::vector<std::string> found;
  for (char p : pattern) {
    if (p != '#') {
      if (at >= text.size() || text[at] != p) return std::string::npos;
      ++at;
      continue;
    }
    const std::size_t start = at;
    while (at < text.size() && is_digit(text[at])) ++at;
    if (at == start) return std::string::npos;
    found.push_back(text.substr(start, at - start));
  }
  numbers->insert(numbers->end(), found.begin(), found.end());
  return at;
}

// The end of `pattern`'s first match in `text`, as match_at, or npos.
std::size_t search(const std::string& text, std::string_view pattern,
                   std::vector<std::string>* numbers) {
  for (std::size_t at = 0; at < text.size(); ++at)
    if (const std::size_t end = match_at(text, at, pattern, numbers); end != std::string::npos)
      return end;
  return std::string::npos;
}

Lesson lesson_of(const testing::RandomCase& r) {
  Lesson l;
  l.input = r.X, l.weight = r.W, l.bias = r.bias, l.spec = r.spec, l.upstream = r.G;
  return l;
}

// 4×4 input, 3×3 kernel, stride 2, padding 1: every input is reached, only padding is not.
Lesson stride2_padding1() {
  return parse_lesson(R"({"version": 1, "input": [[1,2,3,4],[5,6,7,8],[9,1,2,3],[4,5,6,7]],
                          "weight": [[1,0,-1],[2,1,0],[0,1,1]], "stride": 2, "padding": 1})");
}

// The presets, the lesson above, and `random` random lessons of at most `max_adds`
// multiply-adds, with a name for each.
std::vector<std::pair<std::string, Lesson>> lessons(int random, long long max_adds,
                                                    unsigned seed = 11) {
  std::vector<std::pair<std::string, Lesson>> out;
  for (const auto& entry :
       fs::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons"))
    out.emplace_back(entry.path().filename().string(), load_lesson(entry.path().string()));
  out.emplace_back("4×4, stride 2, padding 1", stride2_padding1());
  std::mt19937 rng(seed);
  while (random > 0) {
    const auto r = testing::random_case(rng);
    if (r.geo.multiply_adds() > max_adds) continue;
    out.emplace_back(r.describe(), lesson_of(r));
    --random;
  }
  return out;
}

// ---- Which inputs no window reaches, and why, by plain loops ----

enum class Why { Reached, PastLastWindow, BetweenTaps, BetweenWindows };

// Per index of the padded axis.
std::vector<Why> why_of_axis(int padded, int k, int s, int dil, int out) {
  std::vector<Why> why(padded, Why::BetweenWindows);
  const int span = (k - 1) * dil + 1;
  for (int i = 0; i < out; ++i)
    for (int y = i * s; y < i * s + span; ++y)
      if (why[y] != Why::Reached) why[y] = Why::BetweenTaps;
  for (int i = 0; i < out; ++i)
    for (int u = 0; u < k; ++u) why[i * s + u * dil] = Why::Reached;
  for (int y = (out - 1) * s + span; y < padded; ++y) why[y] = Why::PastLastWindow;
  return why;
}

struct Unreached {
  std::vector<int> rows, cols;  // Xp indices of X's rows and columns that no window reaches
  bool dilation = false;        // some fall between a window's taps
  bool stride = false;          // some lie past the last window or between windows
};

Unreached unreached(const Geometry& g) {
  Unreached u;
  const std::vector<Why> rows = why_of_axis(g.hp(), g.kh, g.stride_h, g.dil_h, g.oh);
  const std::vector<Why> cols = why_of_axis(g.wp(), g.kw, g.stride_w, g.dil_w, g.ow);
  auto collect = [&](const std::vector<Why>& why, int first, int count, std::vector<int>& list) {
    for (int y = first; y < first + count; ++y) {
      if (why[y] == Why::Reached) continue;
      list.push_back(y);
      (why[y] == Why::BetweenTaps ? u.dilation : u.stride) = true;
    }
  };
  collect(rows, g.pad_top, g.h, u.rows);
  collect(cols, g.pad_left, g.w, u.cols);
  return u;
}

// The frames of a phase at phase granularity: one per stage, and the block's.
std::vector<Frame> phase_frames(const Timeline& tl, Phase p) {
  std::vector<Frame> out;
  for (long long k = 0; k < tl.count(p, Granularity::Phase); ++k)
    out.push_back(tl.frame(p, Granularity::Phase, k, false, false));
  return out;
}

// The numbers of "rows 1, 3, 5" or "rows 1, 3, 5, …, 99 (50 rows)" (the elided middle left
// out); `noun` "row" or "column". Fails the test on anything else.
std::vector<int> listed(const std::string& part, const std::string& noun, bool* elided) {
  std::string s = part;
  *elided = false;
  if (const auto paren = s.find(" ("); paren != std::string::npos) s.erase(paren);
  std::vector<int> out;
  std::istringstream in(s);
  std::string word;
  in >> word;
  EXPECT_TRUE(word == noun || word == noun + "s") << part;
  while (in >> word) {
    if (word.rfind("…", 0) == 0) {
      *elided = true;
      continue;
    }
    if (!word.empty() && word.back() == ',') word.pop_back();
    EXPECT_TRUE(!word.empty() && std::all_of(word.begin(), word.end(), is_digit)) << part;
    out.push_back(std::stoi(word));
  }
  return out;
}

// Statements 1, 2 and 10: the step that zeroes unreached inputs appears exactly when real
// inputs are unreached, names only those rows and columns ("or" between them), and names
// the dilation or the stride as the cause, as the case is.
TEST(Statements, UnreachedInputsAreNamedWithTheirCause) {
  int with_step = 0, by_dilation = 0, by_stride = 0, padding_only = 0;
  for (const auto& [name, lesson] : lessons(400, 20000)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    const Geometry& g = tl.geometry();
    const Unreached u = unreached(g);
    const bool expected = !u.rows.empty() || !u.cols.empty();
    const ConvAxis R = g.rows(), C = g.cols();
    if (!expected && (R.gather_extent() < g.hp() || C.gather_extent() < g.wp())) ++padding_only;
    const Frame* step = nullptr;
    const std::vector<Frame> frames = phase_frames(tl, Phase::DxGather);
    for (const Frame& f : frames)
      if (f.kind == StepKind::Stage && f.stage == Stage::ZeroUncovered) step = &f;
    ASSERT_EQ(step != nullptr, expected) << (step ? step->equation.text() : "no step");
    if (!step) continue;
    ++with_step;
    // "dXp rows 1, 3, 5 or columns 1, 3, 5 = 0"
    const std::string target = step->equation.target;
    ASSERT_EQ(target.rfind("dXp ", 0), 0u) << target;
    EXPECT_EQ(step->equation.result, "0");
    std::vector<std::string> parts;
    for (std::size_t at = 4;;) {
      const std::size_t end = target.find(" or ", at);
      parts.push_back(target.substr(at, end == std::string::npos ? end : end - at));
      if (end == std::string::npos) break;
      at = end + 4;
    }
    ASSERT_EQ(parts.size(), (u.rows.empty() ? 0u : 1u) + (u.cols.empty() ? 0u : 1u)) << target;
    std::size_t next = 0;
    for (const auto* list : {&u.rows, &u.cols}) {
      if (list->empty()) continue;
      bool elided = false;
      const std::vector<int> shown =
          listed(parts[next++], list == &u.rows ? "row" : "column", &elided);
      if (!elided) {
        EXPECT_EQ(shown, *list) << target;
      } else {
        ASSERT_EQ(shown.size(), 4u) << target;
        EXPECT_EQ(std::vector<int>(shown.begin(), shown.begin() + 3),
                  std::vector<int>(list->begin(), list->begin() + 3));
        EXPECT_EQ(shown.back(), list->back());
      }
    }
    const std::string& note = step->note;
    EXPECT_EQ(note.find("dilation") != std::string::npos, u.dilation) << note;
    EXPECT_EQ(note.find("stride") != std::string::npos, u.stride) << note;
    by_dilation += u.dilation, by_stride += u.stride;
  }
  // The lessons covered every case.
  EXPECT_GT(with_step, 20);
  EXPECT_GT(by_dilation, 5);
  EXPECT_GT(by_stride, 5);
  EXPECT_GT(padding_only, 3);
}

// Statement 10 on its preset: rows and columns 1 and 3 fall between the dilated kernel's
// taps, 5 past the last window.
TEST(Statements, TheDilationPresetExplainsItsInteriorHoles) {
  const Timeline tl(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/dilation2.json"));
  for (const Frame& f : phase_frames(tl, Phase::DxGather)) {
    if (f.stage != Stage::ZeroUncovered) continue;
    EXPECT_EQ(f.equation.text(), "dXp rows 1, 3, 5 or columns 1, 3, 5 = 0");
    EXPECT_NE(f.note.find("Rows 1, 3 and columns 1, 3 fall between the kernel's taps, which "
                          "the dilation spreads apart"),
              std::string::npos)
        << f.note;
    EXPECT_NE(f.note.find("Row 5 and column 5 lie past the last window"), std::string::npos)
        << f.note;
    return;
  }
  ADD_FAILURE() << "no step for the unreached inputs";
}

// Statement 3: no padding ring without padding; and the other stages' words fit the lesson.
TEST(Statements, StageWordsFitTheLesson) {
  for (const auto& [name, lesson] : lessons(300, 20000)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    const Geometry& g = tl.geometry();
    const bool padded = g.pad_top + g.pad_bottom + g.pad_left + g.pad_right > 0;
    for (Phase p : {Phase::Forward, Phase::Dw})
      for (const Frame& f : phase_frames(tl, p))
        if (f.stage == Stage::PadInput) {  // a ring only when every side is padded
          EXPECT_EQ(f.note.find("padding ring") != std::string::npos,
                    g.pad_top > 0 && g.pad_bottom > 0 && g.pad_left > 0 && g.pad_right > 0)
              << f.note;
          EXPECT_EQ(f.note.find("no padding") != std::string::npos, !padded) << f.note;
        }
    for (Phase p : {Phase::DxGather, Phase::DxScatter})
      for (const Frame& f : phase_frames(tl, p)) {
        const std::string text = f.equation.text();
        if (f.stage == Stage::Crop) {
          EXPECT_EQ(text.find("padding border") != std::string::npos, padded) << text;
        }
        if (f.stage == Stage::DilateGradient) {
          EXPECT_EQ(f.note.find("gaps are filled") != std::string::npos,
                    g.stride_h > 1 || g.stride_w > 1)
              << f.note;
        }
        EXPECT_EQ(text.find(" 1 rows"), std::string::npos) << text;
        EXPECT_EQ(text.find(" 1 columns"), std::string::npos) << text;
      }
  }
}

// Statement 4: the explanation of the rotation says what is true, and it is true in the
// steps: where a window starts at input x, the gathering window's bottom-right term pairs the
// G cell of that window with Wr[k−1,k−1], which is W[0,0].
TEST(Statements, TheRotationIsExplainedAsTheStepsDoIt) {
  const std::string words = phase_explanation(Phase::DxGather);
  EXPECT_NE(words.find("W[0,0] of window (i, j) touches that window's own top-left input"),
            std::string::npos)
      << words;
  EXPECT_NE(words.find("sits at the bottom-right of the gathering window over Gp"),
            std::string::npos);
  EXPECT_NE(words.find("Wr[k−1,k−1] = W[0,0]"), std::string::npos);
  int checked = 0;
  for (const auto& [name, lesson] : lessons(120, 4000)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    const Geometry& g = tl.geometry();
    const int reach_h = g.rows().gather_extent(), reach_w = g.cols().gather_extent();
    const Tensor &G = tl.tensor(Grid::G), &W = tl.tensor(Grid::W);
    for (int c = 0; c < g.c; ++c)
      for (int i = 0; i < g.oh; ++i)
        for (int j = 0; j < g.ow; ++j) {
          const int y = i * g.stride_h, x = j * g.stride_w;  // window (i, j) starts at (y, x)
          const long long cell = ((0LL * g.c + c) * reach_h + y) * reach_w + x;
          int found = 0;
          tl.for_each_term(Phase::DxGather, cell, false, [&](const Term& t) {
            if (t.b.h != g.kh - 1 || t.b.w != g.kw - 1) return;
            const int o = t.a.c;  // an output channel of c's group
            EXPECT_EQ(t.a.h, y + (g.kh - 1) * g.dil_h);
            EXPECT_EQ(t.a.w, x + (g.kw - 1) * g.dil_w);
            EXPECT_EQ(t.a_value, G(0, o, i, j));
            EXPECT_EQ(t.b_value, W(o, c % g.c_per_group(), 0, 0));
            ++found;
          });
          EXPECT_EQ(found, g.cout_per_group());
          ++checked;
        }
  }
  EXPECT_GT(checked, 1000);
}

// The first number pair that `pattern` (with two '#') finds in `text`, or {-1, -1}.
std::pair<int, int> numbers(const std::string& text, std::string_view pattern) {
  std::vector<std::string> m;
  if (search(text, pattern, &m) == std::string::npos) return {-1, -1};
  return {std::stoi(m[0]), std::stoi(m[1])};
}

// Statement 5: with groups, each phase says how the channels are split and that W's channel
// index counts within the group, with an example that the steps bear out. Read from the
// worksheet, where a teacher sees it (the Why panel shows the same words).
TEST(Statements, GroupsAreExplainedWhereThereAreGroups) {
  int grouped = 0;
  for (const auto& [name, lesson] : lessons(200, 6000, 5)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    const Geometry& g = tl.geometry();
    std::ostringstream md;
    StepsRequest req;
    req.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
    req.granularity = Granularity::Phase;
    req.format = StepsFormat::Markdown;
    ASSERT_TRUE(write_steps(md, tl, req));
    const std::string text = md.str();
    const bool says =
        text.find(std::to_string(g.groups) + " groups: input channel") != std::string::npos;
    EXPECT_EQ(says, g.groups > 1);
    if (g.groups == 1) continue;
    ++grouped;
    EXPECT_NE(text.find("W's channel index counts within the group"), std::string::npos);
    // Forward: "W[o,0] meets Xp channel c"; dX scatter: "W[o,0] lands on dXp channel c".
    const auto [o, c] = numbers(text, "W[#,0] meets Xp channel #");
    ASSERT_GE(o, 0) << text;
    EXPECT_EQ(numbers(text, "W[#,0] lands on dXp channel #"), std::make_pair(o, c));
    EXPECT_EQ(numbers(text, "dW[#,0] comes from Xp channel #"), std::make_pair(o, c));
    EXPECT_EQ(numbers(text, "Wr[#,0] pairs with Gp channel #"), std::make_pair(c, o));
    // The steps: Z[0,o,0,0]'s terms with W[o,0,·,·] read Xp channel c; dX channel c's terms
    // with Wr[c,0,·,·] read Gp channel o.
    const long long z_cell = 1LL * o * g.oh * g.ow;
    tl.for_each_term(Phase::Forward, z_cell, false, [&](const Term& t) {
      if (t.b.c == 0) {
        EXPECT_EQ(t.a.c, c);
      }
      EXPECT_EQ(t.a.c / g.c_per_group(), o / g.cout_per_group());  // its own group only
    });
    const long long dx_cell = 1LL * c * g.rows().gather_extent() * g.cols().gather_extent();
    tl.for_each_term(Phase::DxGather, dx_cell, false, [&](const Term& t) {
      if (t.b.c == 0) {
        EXPECT_EQ(t.a.c, o);
      }
    });
  }
  EXPECT_GT(grouped, 20);
}

// Statement 6: a scatter's stamp names the filter of its output channel, W[o].
TEST(Statements, TheScatterNamesTheFilterOfItsOutputChannel) {
  int named = 0;
  for (const auto& [name, lesson] : lessons(60, 4000)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    const Geometry& g = tl.geometry();
    const bool one_filter = g.n == 1 && g.c == 1 && g.cout == 1;
    for (long long k = 0; k < tl.count(Phase::DxScatter, Granularity::Cell); ++k) {
      const Frame f = tl.frame(Phase::DxScatter, Granularity::Cell, k, false, false);
      if (f.kind != StepKind::Cell) continue;
      const std::string filter = one_filter ? "W" : "W[" + std::to_string(f.source.c) + "]";
      ASSERT_EQ(f.equation.terms.size(), 1u);
      const std::string& symbols = f.equation.terms[0].symbols;
      EXPECT_EQ(symbols.substr(symbols.size() - filter.size() - 2), "·" + filter) << symbols;
      named += !one_filter;
    }
  }
  EXPECT_GT(named, 100);
}

// Statement 11: a Cell step ends where the Term steps of its cell end: the same target, with
// the same running sum; a Phase step too. So the last one holds a value of the result, and
// for the scatter that is a dXp cell with its final value, in the jsonl as on the stage.
TEST(Statements, CellAndPhaseStepsEndWhereTheirTermsEnd) {
  for (const auto& [name, lesson] : lessons(40, 1500)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    for (Phase p : kAllPhases) {
      SCOPED_TRACE(phase_name(p));
      std::map<long long, std::pair<CellRef, double>> end;  // per cell: its last term step
      for (long long k = 0; k < tl.count(p, Granularity::Term); ++k) {
        const Frame f = tl.frame(p, Granularity::Term, k, false, false);
        if (f.kind == StepKind::Term || f.kind == StepKind::Sum)
          end[f.cell] = {f.target, f.running_sum};
      }
      for (Granularity gr : {Granularity::Cell, Granularity::Phase})
        for (long long k = 0; k < tl.count(p, gr); ++k) {
          const Frame f = tl.frame(p, gr, k, false, false);
          if (f.kind == StepKind::Stage) continue;
          ASSERT_TRUE(end.count(f.cell));
          EXPECT_EQ(f.target, end[f.cell].first) << granularity_name(gr) << " step " << k;
          EXPECT_NEAR(f.running_sum, end[f.cell].second, 1e-9)
              << granularity_name(gr) << " step " << k;
        }
    }
    // The scatter's last stamp, as jsonl writes it: a dXp cell at its final value.
    std::ostringstream jsonl;
    StepsRequest req;
    req.phases = {Phase::DxScatter};
    req.granularity = Granularity::Cell;
    req.format = StepsFormat::Jsonl;
    ASSERT_TRUE(write_steps(jsonl, tl, req));
    std::string line, last;
    std::istringstream in(jsonl.str());
    while (std::getline(in, line))
      if (line.find("\"running_sum\"") != std::string::npos) last = line;
    // Read with string functions, as the line is written (keys in order; std::regex would
    // recurse once per character and overflow the stack on a long line under the sanitizers).
    const std::string target = R"("target":{"grid":"dXp","index":[)";
    const std::size_t at = last.find(target), sum = last.find(R"("running_sum":)");
    ASSERT_NE(at, std::string::npos) << last;
    ASSERT_NE(sum, std::string::npos) << last;
    int n = -1, c = -1, h = -1, w = -1;
    ASSERT_EQ(std::sscanf(last.c_str() + at + target.size(), "%d,%d,%d,%d]", &n, &c, &h, &w), 4)
        << last;
    const double running_sum =
        std::strtod(last.c_str() + sum + std::string(R"("running_sum":)").size(), nullptr);
    EXPECT_NEAR(running_sum, tl.tensor(Grid::dXp)(n, c, h, w), 1e-9) << last;
  }
}

// ---- The equivalences stated in the phases (issue 11, "What to build" item 4) ----

// The phase's words as the worksheet prints them: its title, explanation and steps.
std::string worksheet(const Timeline& tl, Phase p) {
  std::ostringstream md;
  StepsRequest req;
  req.phases = {p};
  req.granularity = Granularity::Phase;
  req.format = StepsFormat::Markdown;
  EXPECT_TRUE(write_steps(md, tl, req));
  return md.str();
}

// dX gather: "Gp ⋆ Wr is the full true convolution Gd ∗ W", checked with loops: a true
// convolution of Gd with W (its taps dil apart), summed over the output channels of the
// group, is dXp wherever Gp ⋆ Wr reaches. With stride 1 and no dilation the words tie it to
// SciPy's convolve2d(G, W, 'full').
TEST(Equivalences, GatheringIsTheFullConvolutionOfGdWithW) {
  int scipy = 0;
  for (const auto& [name, lesson] : lessons(150, 6000, 7)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    const Geometry& g = tl.geometry();
    const std::string words = worksheet(tl, Phase::DxGather);
    EXPECT_NE(words.find("Gp ⋆ Wr is the full true convolution Gd ∗ W"), std::string::npos);
    const bool plain = g.stride_h == 1 && g.stride_w == 1 && g.dil_h == 1 && g.dil_w == 1;
    EXPECT_EQ(words.find("convolve2d(G, W, 'full') computes it as it is") != std::string::npos,
              plain);
    scipy += plain;
    const Tensor &Gd = tl.tensor(Grid::Gd), &W = tl.tensor(Grid::W), &dXp = tl.tensor(Grid::dXp);
    const int reach_h = g.rows().gather_extent(), reach_w = g.cols().gather_extent();
    const int cg = g.c_per_group(), og = g.cout_per_group();
    for (int n = 0; n < g.n; ++n)
      for (int c = 0; c < g.c; ++c)
        for (int y = 0; y < reach_h; ++y)
          for (int x = 0; x < reach_w; ++x) {
            double full = 0;  // Σ_o Σ_{u,v} Gd[y − u·dil, x − v·dil]·W[u,v]
            for (int o = c / cg * og; o < (c / cg + 1) * og; ++o)
              for (int u = 0; u < g.kh; ++u)
                for (int v = 0; v < g.kw; ++v) {
                  const int i = y - u * g.dil_h, j = x - v * g.dil_w;
                  if (i >= 0 && j >= 0 && i < g.gd_h() && j < g.gd_w())
                    full += Gd(n, o, i, j) * W(o, c % cg, u, v);
                }
            ASSERT_NEAR(dXp(n, c, y, x), full, 1e-9) << "dXp[" << y << "," << x << "]";
          }
  }
  EXPECT_GT(scipy, 10);
}

// dW: "dW is the top-left kH×kW part of Xp ⋆ G, with G as the kernel: the stride becomes G's
// dilation, and the kernel's dilation becomes the stride", checked with a plain correlation
// that takes those two (a correlation may have more rows than kH when the stride leaves
// inputs over: dW is its first kH×kW cells).
TEST(Equivalences, DwIsXpCorrelatedWithGWithStrideAndDilationSwapped) {
  for (const auto& [name, lesson] : lessons(150, 6000, 8)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    const Geometry& g = tl.geometry();
    const std::string words = worksheet(tl, Phase::Dw);
    EXPECT_NE(words.find("part of Xp ⋆ G, with G as the kernel: the stride becomes G's dilation"),
              std::string::npos);
    const std::string here = "Here G's dilation is (" + std::to_string(g.stride_h) + ", " +
                             std::to_string(g.stride_w) + ") and its stride over Xp is (" +
                             std::to_string(g.dil_h) + ", " + std::to_string(g.dil_w) + ")";
    EXPECT_NE(words.find(here), std::string::npos) << here;
    // A correlation of `in` with `kernel` (kh × kw taps `dilation` apart), moved by `stride`.
    auto correlate = [](const Tensor& in, int n, int c, const Tensor& kernel, int kn, int kc,
                        int stride_h, int stride_w, int dil_h, int dil_w, int u, int v) {
      double sum = 0;
      for (int i = 0; i < kernel.shape.h; ++i)
        for (int j = 0; j < kernel.shape.w; ++j)
          sum +=
              in(n, c, u * stride_h + i * dil_h, v * stride_w + j * dil_w) * kernel(kn, kc, i, j);
      return sum;
    };
    const Tensor &Xp = tl.tensor(Grid::Xp), &G = tl.tensor(Grid::G), &dW = tl.tensor(Grid::dW);
    const int cg = g.c_per_group(), og = g.cout_per_group();
    for (int o = 0; o < g.cout; ++o)
      for (int cq = 0; cq < cg; ++cq)
        for (int u = 0; u < g.kh; ++u)
          for (int v = 0; v < g.kw; ++v) {
            double sum = 0;  // over the batch
            for (int n = 0; n < g.n; ++n)
              sum += correlate(Xp, n, o / og * cg + cq, G, n, o, g.dil_h, g.dil_w, g.stride_h,
                               g.stride_w, u, v);
            ASSERT_NEAR(dW(o, cq, u, v), sum, 1e-9);
          }
  }
}

// dX scatter: the PyTorch call it prints has this lesson's arguments, and the output size
// that conv_transpose2d computes from them, output_padding included, is dX's (or dXp's,
// cropped by the slice). tests/parity runs the call itself in PyTorch.
TEST(Equivalences, TheScatterPrintsItsConvTranspose2dCall) {
  int padded_out = 0;
  for (const auto& [name, lesson] : lessons(300, 20000, 9)) {
    SCOPED_TRACE(name);
    const Timeline tl(lesson);
    const Geometry& g = tl.geometry();
    const std::string words = worksheet(tl, Phase::DxScatter);
    // m[1] to m[9]: the call's numbers; m[11] to m[14]: the slice's, if it has one.
    std::vector<std::string> m;
    const std::size_t call_end = search(
        words,
        "dX = F.conv_transpose2d(G, W, stride=(#, #), padding=(#, #), output_padding=(#, #), "
        "groups=#, dilation=(#, #))",
        &m);
    ASSERT_NE(call_end, std::string::npos) << words;
    m.insert(m.begin(), "");
    m.push_back("");
    const bool sliced = match_at(words, call_end, "[:, :, #:#, #:#]", &m) != std::string::npos;
    auto at = [&](int k) { return std::stoi(m[k]); };
    EXPECT_EQ(at(1), g.stride_h);
    EXPECT_EQ(at(2), g.stride_w);
    EXPECT_EQ(at(7), g.groups);
    EXPECT_EQ(at(8), g.dil_h);
    EXPECT_EQ(at(9), g.dil_w);
    EXPECT_EQ(sliced, g.pad_top != g.pad_bottom || g.pad_left != g.pad_right);
    // PyTorch's size: (in − 1)·s − 2·p + dil·(k − 1) + output_padding + 1.
    const int out_h = (g.oh - 1) * at(1) - 2 * at(3) + at(8) * (g.kh - 1) + at(5) + 1;
    const int out_w = (g.ow - 1) * at(2) - 2 * at(4) + at(9) * (g.kw - 1) + at(6) + 1;
    EXPECT_EQ(out_h, sliced ? g.hp() : g.h);
    EXPECT_EQ(out_w, sliced ? g.wp() : g.w);
    if (sliced) {
      EXPECT_EQ(std::make_pair(at(11), at(12)), std::make_pair(g.pad_top, g.pad_top + g.h));
      EXPECT_EQ(std::make_pair(at(13), at(14)), std::make_pair(g.pad_left, g.pad_left + g.w));
    }
    // PyTorch's rule for output_padding: at least 0, and below the stride or the dilation.
    EXPECT_GE(at(5), 0);
    EXPECT_LT(at(5), std::max(at(1), at(8)));
    EXPECT_GE(at(6), 0);
    EXPECT_LT(at(6), std::max(at(2), at(9)));
    // Why it is needed, when it is: the sizes with and without it.
    const bool needed = at(5) > 0 || at(6) > 0;
    EXPECT_EQ(words.find("without it the result is " + dims(out_h - at(5), out_w - at(6)) +
                         ", with it " + dims(out_h, out_w)) != std::string::npos,
              needed);
    padded_out += needed;
  }
  EXPECT_GT(padded_out, 20);
  // The stride-2 preset, as the issue puts it.
  const Timeline tl(load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/stride2.json"));
  const std::string words = worksheet(tl, Phase::DxScatter);
  EXPECT_NE(words.find("output_padding=(1, 0)"), std::string::npos) << words;
  EXPECT_NE(words.find("without it the result is 7×7, with it 8×7"), std::string::npos);
}

}  // namespace
}  // namespace convstep
