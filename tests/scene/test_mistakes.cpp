// The notebooks' mistakes inside the step view (issue 10, item 8): in a phase a mistake changes,
// a second result grid beside the right one, filled exactly as far, the cells where it differs
// framed, and a line naming the wrong term at the current step. On the scene, no GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <set>

#include "core/mistake.h"
#include "core/stage.h"
#include "tests/core/random_lessons.h"

namespace convstep {
namespace {

Timeline preset(const std::string& name) {
  return Timeline(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/" + name + ".json"));
}

std::vector<std::string> preset_names() {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons"))
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

Scene with_mistakes(const Timeline& tl, const Frame& f, std::vector<Pitfall> p) {
  StageOptions o;
  o.pitfalls = std::move(p);
  return build_stage(tl, f, f, 1, o);
}

// The right result on the stage: the phase's own dW, dXp or dX.
const SceneGrid* right_result(const Scene& s) {
  const SceneGrid* right = nullptr;
  for (const SceneGrid& g : s.grids)
    if (g.copy == GridCopy::Own &&
        (g.grid == Grid::dW || g.grid == Grid::dXp || g.grid == Grid::dX))
      right = &g;
  return right;
}

const SceneGrid* mistake_grid(const Scene& s) {
  for (const SceneGrid& g : s.grids)
    if (g.copy == GridCopy::Mistake) return &g;
  return nullptr;
}

// The cells of `g` framed as differing.
std::set<std::pair<int, int>> framed(const Scene& s, const SceneGrid& g) {
  std::set<std::pair<int, int>> out;
  for (const SceneFrame& fr : s.frames) {
    if (fr.role != FrameRole::Diff) continue;
    for (const SceneCell& c : g.cells)
      if (c.rect.contains(fr.rect.x + fr.rect.w / 2, fr.rect.y + fr.rect.h / 2))
        out.insert({c.row, c.col});
  }
  return out;
}

std::vector<std::string> mistake_texts(const Scene& s) {
  std::vector<std::string> out;
  for (const SceneText& t : s.texts)
    if (t.role == TextRole::Pitfall) out.push_back(t.text);
  return out;
}

// Every step of the dX gather phase of the hand-worked rotation example, at every granularity:
// the second grid holds the mistake's dXp where the right dXp is computed (its final values in
// finished cells, its own running sum in the cell being summed) and is blank where the right
// one is; the framed cells are exactly those shown whose numbers differ.
TEST(Mistakes, TheWrongResultFillsExactlyAsFarAsTheRightOneWithItsDifferencesFramed) {
  const Timeline tl = preset("rotation-2x2");
  const PitfallResult& r = tl.pitfall(Pitfall::NoRotation);
  for (Granularity gran : kAllGranularities) {
    int partial_differs = 0;
    for (long long k = 0; k < tl.count(Phase::DxGather, gran); ++k) {
      const Frame f = tl.frame(Phase::DxGather, gran, k);
      const Scene s = with_mistakes(tl, f, {Pitfall::NoRotation});
      const std::string where = std::string(granularity_name(gran)) + " step " + std::to_string(k);
      const SceneGrid* right = right_result(s);
      const SceneGrid* wrong = mistake_grid(s);
      ASSERT_NE(right, nullptr) << where;
      ASSERT_NE(wrong, nullptr) << where;
      EXPECT_EQ(wrong->grid, right->grid) << where;
      ASSERT_EQ(wrong->cells.size(), right->cells.size()) << where;
      const Tensor& final_values = wrong->grid == Grid::dX ? r.dX : r.dXp;
      std::set<std::pair<int, int>> differ;
      for (std::size_t i = 0; i < right->cells.size(); ++i) {
        const SceneCell &a = right->cells[i], &b = wrong->cells[i];
        ASSERT_EQ(a.row, b.row);
        ASSERT_EQ(a.col, b.col);
        const bool pending = a.style == CellStyle::Pending;
        EXPECT_EQ(b.style == CellStyle::Pending, pending) << where << " cell " << i;
        if (pending) {
          EXPECT_TRUE(b.text.empty()) << where;
          continue;
        }
        const bool summing =
            f.kind == StepKind::Term && f.target.grid == wrong->grid && f.target.h == b.row &&
            f.target.w == b.col &&
            f.result.progress(f.result.offset(0, 0, b.row, b.col)) == Progress::Partial;
        if (summing) {
          // The mistake's own sum so far: the right terms with W in place of Wr.
          EXPECT_EQ(b.value, mistake_sum(tl, Pitfall::NoRotation, f, f.term)) << where;
          partial_differs += b.value != a.value;
        } else {
          EXPECT_EQ(b.value, final_values(0, 0, b.row, b.col)) << where << " cell " << i;
        }
        if (b.value != a.value) differ.insert({b.row, b.col});
      }
      EXPECT_EQ(framed(s, *wrong), differ) << where;
      EXPECT_TRUE(framed(s, *right).empty()) << where << ": only the mistake's cells are framed";
    }
    if (gran == Granularity::Term) {
      EXPECT_GT(partial_differs, 0) << "a running sum that parts";
    }
  }
}

// Worked by hand on the rotation example (X 3×3... see assets/lessons/rotation-2x2.json): the
// right dX and the one gathered without rotating the kernel, at the end of the phase.
TEST(Mistakes, TheHandWorkedRotationCaseAtTheEndOfThePhase) {
  const Timeline tl = preset("rotation-2x2");
  const Frame f = tl.frame(Phase::DxGather, Granularity::Phase,
                           tl.count(Phase::DxGather, Granularity::Phase) - 1);
  ASSERT_EQ(f.stage, Stage::Crop);
  const Scene s = with_mistakes(tl, f, {Pitfall::NoRotation});
  const SceneGrid* wrong = mistake_grid(s);
  ASSERT_NE(wrong, nullptr);
  EXPECT_EQ(grid_id(*wrong), "dX_no_rotation");
  const double want_right[9] = {1, 4, 4, 6, 20, 16, 9, 24, 16};
  const double want_wrong[9] = {4, 11, 6, 14, 30, 14, 6, 11, 4};
  const SceneGrid* right = s.grid(Grid::dX);
  ASSERT_NE(right, nullptr);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(right->cells[i].value, want_right[i]);
    EXPECT_EQ(wrong->cells[i].value, want_wrong[i]);
  }
  EXPECT_EQ(framed(s, *wrong).size(), 9u);  // every cell differs
  EXPECT_NE(wrong->label.find("dX"), std::string::npos);
}

// The mistake's sum of a cell, its terms taken one by one with the mistake's operand, ends at
// the number compute_pitfall gives (checked against hand work and NumPy): the partial fill and
// the finished cells tell the same story. Every preset, every mistake, every cell of every phase
// it changes, and random lessons with stride, dilation, padding and groups.
void expect_sums_reach_the_results(const Timeline& tl, const std::string& name) {
  for (Pitfall p : kAllPitfalls)
    for (Phase phase : {Phase::Dw, Phase::DxGather}) {
      if (!pitfall_changes(p, phase) || p == Pitfall::NoGradientPadding) continue;
      const PitfallResult& r = tl.pitfall(p);
      if (!r.cannot_happen.empty()) continue;
      const long long cells = tl.count(phase, Granularity::Cell);
      for (long long k = 0; k < cells; ++k) {
        const Frame f = tl.frame(phase, Granularity::Cell, k);
        if (f.kind != StepKind::Cell) continue;
        const Tensor& want = phase == Phase::Dw ? r.dW : r.dXp;
        const double got = mistake_sum(tl, p, f, f.terms_per_cell);
        const double expected = want(f.target.n, f.target.c, f.target.h, f.target.w);
        ASSERT_NEAR(got, expected, 1e-9 * (1 + std::fabs(expected)))
            << name << " " << pitfall_name(p) << " " << phase_name(phase) << " "
            << tl.cell_name(f.target);
      }
    }
}

TEST(Mistakes, EachCellsSumOfWrongTermsReachesTheMistakesResult) {
  for (const std::string& name : preset_names()) expect_sums_reach_the_results(preset(name), name);
  std::mt19937 rng(8);
  for (int i = 0; i < 60; ++i) {
    const testing::RandomCase c = testing::random_case(rng);
    Lesson l;
    l.input = c.X, l.weight = c.W, l.bias = c.bias, l.spec = c.spec, l.upstream = c.G;
    if (rng() % 2) l.upstream = Tensor{};  // ones
    try {
      (void)l.geometry();
    } catch (const ConvError&) {
      continue;
    }
    expect_sums_reach_the_results(Timeline(l), "random lesson " + std::to_string(i));
  }
}

// The line of each mistake at a term step names the operand it uses instead, with the values.
TEST(Mistakes, TheWrongTermIsNamedWithItsNumbers) {
  const Timeline rot = preset("rotation-2x2");
  {
    // dXp[0,0] = Gp[0,0]·Wr[0,0] + …: the first term of the gathering.
    long long k = 0;
    Frame f = rot.frame(Phase::DxGather, Granularity::Term, k);
    while (f.kind != StepKind::Term) f = rot.frame(Phase::DxGather, Granularity::Term, ++k);
    // A term on a G cell: the last of dXp[0,0], Gp[1,1]·Wr[1,1].
    while (f.current_term->zero) f = rot.frame(Phase::DxGather, Granularity::Term, ++k);
    const Term& t = *f.current_term;
    const std::string wr = rot.cell_name(t.b);
    const std::string w = rot.cell_name({Grid::W, 0, 0, t.b.h, t.b.w});
    const double w_value = rot.tensor(Grid::W)(0, 0, t.b.h, t.b.w);
    for (Pitfall p : {Pitfall::NoRotation, Pitfall::ConvolutionConvention}) {
      const auto lines = mistake_texts(with_mistakes(rot, f, {p}));  // wrapped: joined below
      ASSERT_FALSE(lines.empty());
      std::string all;
      for (const std::string& l : lines) all += l + " ";
      EXPECT_NE(all.find(pitfall_title(p)), std::string::npos) << all;
      EXPECT_NE(all.find("uses " + w + " = " + number(w_value) + " in place of " + wr + " = " +
                         number(t.b_value)),
                std::string::npos)
          << all;
    }
    // Fed Z back: the Gp cell holds Z's value in the mistake.
    std::string all;
    for (const std::string& l : mistake_texts(with_mistakes(rot, f, {Pitfall::OutputAsGradient})))
      all += l + " ";
    const ConvAxis R = rot.geometry().rows(), C = rot.geometry().cols();
    const CellRef z{Grid::Z, 0, 0, R.gp_output(t.a.h), C.gp_output(t.a.w)};
    EXPECT_NE(
        all.find("uses " + rot.cell_name(z) + " = " + number(rot.tensor(Grid::Z)(0, 0, z.h, z.w)) +
                 " in place of " + rot.cell_name(t.a)),
        std::string::npos)
        << all;
  }
  {
    // dW: Z in place of G, and the true convolution's opposite tap.
    long long k = 0;
    Frame f = rot.frame(Phase::Dw, Granularity::Term, k);
    while (f.kind != StepKind::Term) f = rot.frame(Phase::Dw, Granularity::Term, ++k);
    const Term& t = *f.current_term;
    std::string all;
    for (const std::string& l : mistake_texts(with_mistakes(rot, f, {Pitfall::OutputAsGradient})))
      all += l + " ";
    EXPECT_NE(all.find("uses " + rot.cell_name({Grid::Z, 0, 0, t.b.h, t.b.w}) + " = " +
                       number(rot.tensor(Grid::Z)(0, 0, t.b.h, t.b.w)) + " in place of " +
                       rot.cell_name(t.b) + " = " + number(t.b_value)),
              std::string::npos)
        << all;
    all.clear();
    for (const std::string& l :
         mistake_texts(with_mistakes(rot, f, {Pitfall::ConvolutionConvention})))
      all += l + " ";
    EXPECT_NE(all.find("in place of " + rot.cell_name(t.a) + " = " + number(t.a_value)),
              std::string::npos)
        << all;
    // No dX mistake changes dW: a line says where each one shows instead of a grid.
    const Scene s = with_mistakes(rot, f, {Pitfall::NoRotation});
    EXPECT_EQ(mistake_grid(s), nullptr);
    all.clear();
    for (const std::string& l : mistake_texts(s)) all += l + " ";
    EXPECT_NE(all.find("draws the mistake in the dX gather phase"), std::string::npos) << all;
  }
  {
    // Fed dX back, where dX fits G (padding 1 on a 4×4 input): dX's cell in place of Gp's.
    const Timeline pad = preset("padding1-4x4");
    long long k = 0;
    Frame f = pad.frame(Phase::DxGather, Granularity::Term, k);
    while (f.kind != StepKind::Term || f.current_term->zero)
      f = pad.frame(Phase::DxGather, Granularity::Term, ++k);
    std::string all;
    for (const std::string& l :
         mistake_texts(with_mistakes(pad, f, {Pitfall::InputGradientAsGradient})))
      all += l + " ";
    EXPECT_NE(all.find("uses dX["), std::string::npos) << all;
    EXPECT_NE(all.find("in place of " + pad.cell_name(f.current_term->a)), std::string::npos)
        << all;
  }
}

// Without padding the gradient map: where the kernel hangs over Gd's edge the mistake computes
// no cell; where it lies wholly on Gd it sums the same term into its smaller dX. The sobel
// lesson's mistake is 2×1: its cells are dXp[2,2] and dXp[3,2], moved to the top-left.
TEST(Mistakes, WithoutPaddingTheGradientMapOnlyWholeWindowsAreComputed) {
  const Timeline tl = preset("sobel-6x5");
  const PitfallResult& r = tl.pitfall(Pitfall::NoGradientPadding);
  ASSERT_EQ(r.dX.shape.h, 2);
  ASSERT_EQ(r.dX.shape.w, 1);
  bool hangs = false, whole = false;
  for (long long k = 0; k < tl.count(Phase::DxGather, Granularity::Term); ++k) {
    const Frame f = tl.frame(Phase::DxGather, Granularity::Term, k);
    if (f.kind != StepKind::Term) continue;
    const Scene s = with_mistakes(tl, f, {Pitfall::NoGradientPadding});
    const SceneGrid* wrong = mistake_grid(s);
    ASSERT_NE(wrong, nullptr);
    EXPECT_EQ(wrong->grid, Grid::dX);
    std::string all;
    for (const std::string& l : mistake_texts(s)) all += l + " ";
    const bool on = f.target.h >= 2 && f.target.h < 4 && f.target.w == 2;
    if (on) {
      whole = true;
      EXPECT_NE(
          all.find("adds this same term, into its dX[" + std::to_string(f.target.h - 2) + ",0]"),
          std::string::npos)
          << all;
    } else {
      hangs = true;
      EXPECT_NE(all.find("hangs over the edge of Gd"), std::string::npos) << all;
    }
    // Its cells fill when the right dXp cells they equal are summed.
    for (const SceneCell& c : wrong->cells) {
      const Progress right = f.result.progress(f.result.offset(0, 0, c.row + 2, c.col + 2));
      EXPECT_EQ(c.style == CellStyle::Pending, right == Progress::Pending) << k;
      if (right == Progress::Done) {
        EXPECT_EQ(c.value, r.dX(0, 0, c.row, c.col));
      } else if (right == Progress::Partial) {
        EXPECT_EQ(c.value, f.running_sum);
      }
    }
  }
  EXPECT_TRUE(hangs && whole);
}

// An empty result, and a mistake that cannot happen, are said instead of drawn.
TEST(Mistakes, AnEmptyOrImpossibleMistakeIsSaidNotDrawn) {
  const Timeline tl(parse_lesson(R"({"input": [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]],
                                    "weight": [[1,0,-1],[2,0,-2],[1,0,-1]]})"));
  const Frame f = tl.frame(Phase::DxGather, Granularity::Term, 20);
  for (Pitfall p : {Pitfall::NoGradientPadding, Pitfall::InputGradientAsGradient}) {
    const Scene s = with_mistakes(tl, f, {p});
    EXPECT_EQ(mistake_grid(s), nullptr) << pitfall_name(p);
    std::string all;
    for (const std::string& l : mistake_texts(s)) all += l + " ";
    EXPECT_NE(all.find(p == Pitfall::NoGradientPadding ? "its result is empty (0×0)"
                                                       : "Cannot happen here"),
              std::string::npos)
        << all;
  }
}

// A mistake that gives the right answer on a lesson draws no grid labelled "wrong": Z fed back
// when L = ½ΣZ² (then G is Z), and a kernel left unrotated when turning it changes nothing.
TEST(Mistakes, AMistakeThatGivesTheRightAnswerHereIsSaidNotDrawn) {
  const std::pair<const char*, Pitfall> cases[] = {
      {R"({"input": [[1,2,3],[4,5,6],[7,8,9]], "weight": [[1,-2],[3,0]],
           "loss": "half_sum_squares"})",
       Pitfall::OutputAsGradient},
      {R"({"input": [[1,2,3],[4,5,6],[7,8,9]], "weight": [[1,0],[0,1]]})", Pitfall::NoRotation},
  };
  for (const auto& [lesson, p] : cases) {
    const Timeline tl(parse_lesson(lesson));
    for (long long k = 0; k < tl.count(Phase::DxGather, Granularity::Cell); ++k) {
      const Scene s = with_mistakes(tl, tl.frame(Phase::DxGather, Granularity::Cell, k), {p});
      EXPECT_EQ(mistake_grid(s), nullptr) << pitfall_name(p) << " step " << k;
      std::string all;
      for (const std::string& l : mistake_texts(s)) all += l + " ";
      EXPECT_NE(all.find("gives exactly the right dX"), std::string::npos) << all;
    }
  }
  // A mistake that does change the answer still draws its grid.
  const Timeline tl(
      parse_lesson(R"({"input": [[1,2,3],[4,5,6],[7,8,9]], "weight": [[1,-2],[3,0]]})"));
  const long long last = tl.count(Phase::DxGather, Granularity::Cell) - 1;
  EXPECT_NE(mistake_grid(with_mistakes(tl, tl.frame(Phase::DxGather, Granularity::Cell, last),
                                       {Pitfall::NoRotation})),
            nullptr);
}

// Several mistakes at once, at every granularity, in classroom mode: three get a grid each,
// labelled apart, with their numbers still shown (issue 10: "with three pitfalls on, the
// numbers disappear"); all five get a line each, wrapped (no line wider than the stage), and a
// grid each as far as the stage has room.
TEST(Mistakes, SeveralMistakesEachGetTheirGridAndLine) {
  const Timeline tl = preset("padding1-4x4");
  const std::vector<Pitfall> three = {Pitfall::NoRotation, Pitfall::OutputAsGradient,
                                      Pitfall::InputGradientAsGradient};
  const std::vector<Pitfall> all_five(std::begin(kAllPitfalls), std::end(kAllPitfalls));
  for (Granularity g : kAllGranularities)
    for (const std::vector<Pitfall>& on : {three, all_five}) {
      const long long count = tl.count(Phase::DxGather, g);
      const Frame f = tl.frame(Phase::DxGather, g, count / 2);
      StageOptions o = stage_view(1920, 1080 - 116, 2);
      o.pitfalls = on;
      const Scene s = build_stage(tl, f, f, 1, o);
      const std::string where =
          std::string(granularity_name(g)) + ", " + std::to_string(on.size()) + " mistakes";
      int grids = 0;
      for (const SceneGrid& sg : s.grids)
        if (sg.copy == GridCopy::Mistake) {
          ++grids;
          for (const SceneCell& c : sg.cells)
            EXPECT_TRUE(c.style == CellStyle::Pending || !c.text.empty())
                << where << ": a computed cell without its number";
        }
      if (on.size() == 3) {
        EXPECT_EQ(grids, 3) << where;
      } else {
        EXPECT_GE(grids, 3) << where;
      }
      for (int i = 1; i <= grids; ++i) {
        bool labelled = false;
        for (const SceneText& t : s.texts)
          labelled |= t.role == TextRole::Label &&
                      t.text.find(" wrong " + std::to_string(i)) != std::string::npos;
        EXPECT_TRUE(labelled) << where << ": wrong " << i;
      }
      std::string all;
      for (const SceneText& t : s.texts)
        if (t.role == TextRole::Pitfall) {
          all += t.text + " ";
          // DejaVu Sans averages under 0.56 of its size a character (the overlap test's box).
          std::size_t chars = 0;
          for (unsigned char ch : t.text) chars += (ch & 0xC0) != 0x80;
          EXPECT_LE(t.x + chars * t.size * 0.56f, s.width) << t.text;
        }
      for (Pitfall p : on)
        EXPECT_NE(all.find(pitfall_title(p)), std::string::npos) << where << pitfall_name(p);
    }
}

}  // namespace
}  // namespace convstep

namespace convstep {
namespace {

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

// Classroom mode at 1920×1080 on the default lesson, a mistake on: the wrong grid's numbers are
// as large as the right one's, and every number is at least 28 px (the size of the equation).
TEST(Mistakes, InClassroomModeTheSecondGridIsAsLegibleAsTheFirst) {
  const Timeline tl = preset("sobel-6x5");
  StageOptions o = stage_view(1920, 1080 - 116, 2);
  for (Pitfall p : kAllPitfalls)
    for (Phase phase : {Phase::Dw, Phase::DxGather}) {
      if (!pitfall_changes(p, phase)) continue;
      o.pitfalls = {p};
      float right = 1e9, wrong = 1e9;
      for (Granularity g : kAllGranularities)
        for (long long k = 0; k < tl.count(phase, g); k += g == Granularity::Term ? 7 : 1) {
          const Frame f = tl.frame(phase, g, k);
          const Scene s = build_stage(tl, f, f, 1, o);
          for (const SceneGrid& sg : s.grids)
            for (const SceneCell& c : sg.cells) {
              if (c.text.empty()) continue;
              const float px = std::min(kTextPerCell * c.rect.h,
                                        0.88f * c.rect.w / (0.518f * code_points(c.text))) *
                               o.pixels_per_unit;
              (sg.copy == GridCopy::Mistake ? wrong : right) =
                  std::min(sg.copy == GridCopy::Mistake ? wrong : right, px);
            }
        }
      std::printf(
          "classroom 1920×1080, sobel-6x5, %s, %s: smallest digits %.1f px, %.1f px in "
          "the mistake's grid\n",
          phase_name(phase), pitfall_name(p), right, wrong);
      if (wrong < 1e8) {
        EXPECT_GE(wrong, std::min(right, 36.0f) * 0.999f) << pitfall_name(p);
      }
      EXPECT_GE(right, 28) << pitfall_name(p) << " " << phase_name(phase);
    }
}

}  // namespace
}  // namespace convstep

namespace convstep {
namespace {

// The desk, with the side panels open: the second grid is there too, on the stages of the
// 1600×900 and 1024×640 windows (their panels leave 960 and 952 units), at every step.
TEST(Mistakes, TheSecondGridIsShownBesideThePanels) {
  const Timeline tl = preset("sobel-6x5");
  for (const auto& [w, h] :
       {std::pair{1600.0f - 640, 900.0f - 110}, {1024.0f - 72, 640.0f - 124}}) {
    StageOptions o = stage_view(w, h, 1);
    o.pitfalls = {Pitfall::NoRotation};
    for (long long k = 0; k < tl.count(Phase::DxGather, Granularity::Cell); ++k) {
      const Frame f = tl.frame(Phase::DxGather, Granularity::Cell, k);
      EXPECT_NE(mistake_grid(build_stage(tl, f, f, 1, o)), nullptr)
          << w << "×" << h << " step " << k;
    }
  }
}

// A gradient fed back in place of G changes db too, though the view draws it elsewhere.
TEST(Mistakes, AWrongGradientFedBackIsSaidToChangeDbToo) {
  for (Pitfall p : kAllPitfalls) {
    const bool feeds_g = p == Pitfall::OutputAsGradient || p == Pitfall::InputGradientAsGradient;
    EXPECT_EQ(mistake_elsewhere(p).find("would change db too") != std::string::npos, feeds_g)
        << pitfall_name(p);
  }
}

}  // namespace
}  // namespace convstep
