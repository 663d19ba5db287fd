// What the stage draws, checked on the scene description: no GPU needed. Each test states
// what a student would see if it broke.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/colormap.h"
#include "core/stage.h"
#include "core/svg.h"

namespace convstep {
namespace {

Timeline sobel() {
  return Timeline(load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json"));
}

Scene still(const Timeline& tl, Phase p, Granularity g, long long k, StageOptions o = {}) {
  const Frame f = tl.frame(p, g, k);
  return build_stage(tl, f, f, 1, o);
}

const SceneFrame* frame_with_role(const Scene& s, FrameRole role) {
  for (const SceneFrame& f : s.frames)
    if (f.role == role) return &f;
  return nullptr;
}

const SceneText* text_with_role(const Scene& s, TextRole role) {
  for (const SceneText& t : s.texts)
    if (t.role == role) return &t;
  return nullptr;
}

// The cells of `grid` whose centre lies inside `r`.
std::vector<std::pair<int, int>> cells_inside(const SceneGrid& grid, const Rect& r) {
  std::vector<std::pair<int, int>> out;
  for (const SceneCell& c : grid.cells)
    if (r.contains(c.rect.x + c.rect.w / 2, c.rect.y + c.rect.h / 2)) out.push_back({c.row, c.col});
  return out;
}

TEST(Stage, ForwardWindowFramesTheCellsOfTheCurrentOutput) {
  const Timeline tl = sobel();
  // Term granularity: step 0 pads; Z[1,2] is cell 1·3 + 2 = 5, its 9 terms start at 1 + 5·9.
  const Scene s = still(tl, Phase::Forward, Granularity::Term, 1 + 5 * 9 + 4);
  const SceneFrame* window = frame_with_role(s, FrameRole::Window);
  ASSERT_NE(window, nullptr);
  EXPECT_EQ(window->stroke, kRoleWindow);
  std::vector<std::pair<int, int>> want;
  for (int y = 1; y <= 3; ++y)
    for (int x = 2; x <= 4; ++x) want.push_back({y, x});
  EXPECT_EQ(cells_inside(*s.grid(Grid::Xp), window->rect), want);
  // The current term (the 5th) pairs Xp[2,3] with W[1,1], and a line links them.
  int term_frames = 0;
  for (const SceneFrame& f : s.frames) term_frames += f.role == FrameRole::Term;
  EXPECT_EQ(term_frames, 2);
  int links = 0;
  for (const SceneLine& l : s.lines) links += l.role == LineRole::Link && l.color == kRoleTerm;
  EXPECT_EQ(links, 1);
}

TEST(Stage, TargetCellShowsItsRunningSum) {
  const Timeline tl = sobel();
  // Gathering dX[2,3] (cell 13): after 7 of its 9 terms the running sum is −4 (by hand:
  // −1 + 0 + 0 − 2 + 0 + 0 − 1).
  const Scene s = still(tl, Phase::DxGather, Granularity::Term, 4 + 13 * 9 + 6);
  const SceneGrid* dxp = s.grid(Grid::dXp);
  ASSERT_NE(dxp, nullptr);
  const SceneCell& target = dxp->cells[2 * dxp->cols + 3];
  EXPECT_EQ(target.text, "\u22124");  // "−4"
  EXPECT_NE(target.style, CellStyle::Pending);
  const SceneFrame* frame = frame_with_role(s, FrameRole::Target);
  ASSERT_NE(frame, nullptr);
  EXPECT_EQ(frame->rect, target.rect);
  // Cells not reached yet are blank.
  EXPECT_EQ(dxp->cells[5 * dxp->cols + 4].style, CellStyle::Pending);
  EXPECT_TRUE(dxp->cells[5 * dxp->cols + 4].text.empty());
  // The current term (the 7th: Gp[4,3]·Wr[2,0] = 1·(−1)) is marked in the equation, in its
  // symbols and in its values.
  std::vector<std::string> marked;
  for (const SceneText& t : s.texts)
    for (const auto& [from, to] : t.marks) {
      marked.push_back(t.text.substr(from, to - from));
      EXPECT_EQ(t.mark_color, kRoleTerm);
    }
  EXPECT_EQ(marked, (std::vector<std::string>{"Gp[4,3]·Wr[2,0]", "1·(−1)"}));
  const SceneText* running = text_with_role(s, TextRole::RunningSum);
  ASSERT_NE(running, nullptr);
  EXPECT_EQ(running->text, "running sum dXp[2,3] = \u22124");
}

// The kernel turning: W stays put above, and a copy of it turns (the last W on the stage).
const SceneGrid* turning_kernel(const Scene& s) {
  const SceneGrid* last = nullptr;
  for (const SceneGrid& g : s.grids)
    if (g.grid == Grid::W) last = &g;
  return last;
}

TEST(Stage, TheKernelTurnsThroughHalfATurnAndEndsAsWrUpright) {
  const Timeline tl = sobel();
  const Frame before = tl.frame(Phase::DxGather, Granularity::Phase, 2);
  const Frame rotate = tl.frame(Phase::DxGather, Granularity::Phase, 3);
  ASSERT_EQ(rotate.stage, Stage::RotateKernel);
  const Scene half = build_stage(tl, before, rotate, 0.5f, {});
  ASSERT_NE(turning_kernel(half), nullptr);
  EXPECT_FLOAT_EQ(turning_kernel(half)->rotation_deg, 90);
  // At 180° the slot shows Wr, upright, whose cells are W's read backwards.
  const Scene done = build_stage(tl, before, rotate, 1, {});
  const SceneGrid* wr = done.grid(Grid::Wr);
  ASSERT_NE(wr, nullptr);
  EXPECT_EQ(wr->rotation_deg, 0);
  const Tensor& W = tl.tensor(Grid::W);
  for (const SceneCell& c : wr->cells)
    EXPECT_EQ(c.value, W(0, 0, 2 - c.row, 2 - c.col)) << c.row << "," << c.col;
}

TEST(Stage, SteppingBackTurnsTheKernelBack) {
  const Timeline tl = sobel();
  const Frame padded = tl.frame(Phase::DxGather, Granularity::Phase, 2);
  const Frame rotated = tl.frame(Phase::DxGather, Granularity::Phase, 3);
  // A quarter of the way back from the turn, the kernel is three quarters turned.
  const Scene back = build_stage(tl, rotated, padded, 0.25f, {});
  ASSERT_NE(turning_kernel(back), nullptr);
  EXPECT_NEAR(turning_kernel(back)->rotation_deg, 180 * ease(0.75f), 1e-3);
  // Arrived: W upright again, as before the turn.
  const Scene arrived = build_stage(tl, rotated, padded, 1, {});
  ASSERT_NE(arrived.grid(Grid::W), nullptr);
  EXPECT_EQ(arrived.grid(Grid::W)->rotation_deg, 0);
  EXPECT_EQ(arrived.grid(Grid::Wr), nullptr);
}

TEST(Stage, PaddedGradientMapIsDrawnAsPaddingAroundG) {
  const Timeline tl = sobel();
  const Scene s = still(tl, Phase::DxGather, Granularity::Phase, 2);
  const SceneGrid* gp = s.grid(Grid::Gp);
  ASSERT_NE(gp, nullptr);
  EXPECT_EQ(gp->rows, 8);
  EXPECT_EQ(gp->cols, 7);
  for (const SceneCell& c : gp->cells) {
    const bool inside = c.row >= 2 && c.row <= 5 && c.col >= 2 && c.col <= 4;
    EXPECT_EQ(c.style, inside ? CellStyle::Data : CellStyle::Padding) << c.row << "," << c.col;
  }
}

TEST(Stage, StrideZerosAreDrawnAsInsertedZeros) {
  const Timeline tl(load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/stride2.json"));
  const Scene s = still(tl, Phase::DxGather, Granularity::Phase, 1);  // Gd
  const SceneGrid* gd = s.grid(Grid::Gd);
  ASSERT_NE(gd, nullptr);
  for (const SceneCell& c : gd->cells)
    EXPECT_EQ(c.style, c.row % 2 || c.col % 2 ? CellStyle::InsertedZero : CellStyle::Data);
}

TEST(Stage, LevelOfDetailHidesNumbersTooSmallToRead) {
  Lesson big;
  big.input = Tensor(Shape{1, 1, 128, 128}, 2.0);
  big.weight = Tensor(Shape{1, 1, 3, 3}, 1.0);
  const Timeline tl(big);
  StageOptions whole;
  whole.focus_view = false;  // the grids whole, not the focus view of the part around the step
  const Scene s = still(tl, Phase::Forward, Granularity::Cell, 5, whole);
  const SceneGrid* xp = s.grid(Grid::Xp);
  ASSERT_NE(xp, nullptr);
  EXPECT_LT(xp->cell_size * kTextPerCell, kMinReadablePixels);
  for (const SceneCell& c : xp->cells) ASSERT_TRUE(c.text.empty());
  // The seed lesson's numbers are readable at 1×, and at 3× on a large screen...
  const Timeline small = sobel();
  for (float ppu : {1.0f, 3.0f}) {
    StageOptions o;
    o.pixels_per_unit = ppu;
    const Scene scene = still(small, Phase::Forward, Granularity::Cell, 3, o);
    const SceneGrid* grid = scene.grid(Grid::Xp);
    EXPECT_GE(grid->cell_size, 48);  // DESIGN: cells of grids up to 8×8 are at least 48 px
    EXPECT_FALSE(grid->cells[0].text.empty());
  }
  // ...but not on a thumbnail a tenth of the size.
  StageOptions thumb;
  thumb.pixels_per_unit = 0.1f;
  EXPECT_TRUE(still(small, Phase::Forward, Granularity::Cell, 3, thumb)
                  .grid(Grid::Xp)
                  ->cells[0]
                  .text.empty());
}

TEST(Stage, VeryLargeGridsAreDrawnInBlocksButStayExact) {
  Lesson big;
  big.input = Tensor(Shape{1, 1, 1000, 1000}, 1.0);
  big.input(0, 0, 0, 0) = -5;
  big.weight = Tensor(Shape{1, 1, 3, 3}, 1.0);
  const Timeline tl(big);
  const Scene s = still(tl, Phase::Forward, Granularity::Cell, 2);
  const SceneGrid* xp = s.grid(Grid::Xp);
  ASSERT_NE(xp, nullptr);
  EXPECT_EQ(xp->rows, 1000);                 // the true grid...
  EXPECT_LE(xp->cells.size(), 160u * 160u);  // ...drawn as at most 160×160 blocks
  EXPECT_EQ(xp->cells[0].value, -5);         // each block shows its top-left cell
  EXPECT_LT(xp->cells[0].shade, 0);
  // The window is still where it is: Z[0,1] reads Xp columns 1–3.
  const SceneFrame* window = frame_with_role(s, FrameRole::Window);
  ASSERT_NE(window, nullptr);
  EXPECT_NEAR(window->rect.x, xp->bounds.x + 1 * xp->cell_size, 1e-3);
}

TEST(Stage, NumbersContrastWithTheirCells) {
  const Timeline tl = sobel();
  for (Theme theme : {Theme::Dark, Theme::Light, Theme::HighContrast}) {
    StageOptions o;
    o.theme = theme;
    const Scene s = still(tl, Phase::DxGather, Granularity::Phase, 5, o);
    for (const SceneGrid& g : s.grids)
      for (const SceneCell& c : g.cells) {
        if (c.text.empty()) continue;
        EXPECT_GE(contrast_ratio(c.text_color, cell_fill(c.shade, c.style, s.background)), 4.5)
            << grid_id(g) << " " << c.row << "," << c.col;
      }
  }
}

TEST(Stage, WindowGlidesBetweenSteps) {
  const Timeline tl = sobel();
  const Frame a = tl.frame(Phase::Forward, Granularity::Cell, 1);  // Z[0,0]
  const Frame b = tl.frame(Phase::Forward, Granularity::Cell, 2);  // Z[0,1]
  const float x0 = frame_with_role(build_stage(tl, a, a, 1, {}), FrameRole::Window)->rect.x;
  const float x1 = frame_with_role(build_stage(tl, b, b, 1, {}), FrameRole::Window)->rect.x;
  const float mid = frame_with_role(build_stage(tl, a, b, 0.5f, {}), FrameRole::Window)->rect.x;
  EXPECT_GT(x1, x0);
  EXPECT_NEAR(mid, (x0 + x1) / 2, 0.01f);  // the ease is symmetric
}

TEST(Stage, HoverHighlightsCorrespondingCells) {
  const Timeline tl = sobel();
  StageOptions o;
  o.hover = CellRef{Grid::Z, 0, 0, 1, 2};
  const Scene s = still(tl, Phase::Forward, Granularity::Phase, 1, o);
  int hovered_in_xp = 0;
  const SceneGrid* xp = s.grid(Grid::Xp);
  for (const SceneFrame& f : s.frames)
    if (f.role == FrameRole::Hover)
      hovered_in_xp += static_cast<int>(cells_inside(*xp, f.rect).size());
  EXPECT_EQ(hovered_in_xp, 9);  // Z[1,2]'s 3×3 window
  EXPECT_EQ(cell_at(s, tl, xp->cells[8].rect.x + 1, xp->cells[8].rect.y + 1),
            (CellRef{Grid::Xp, 0, 0, 1, 3}));
}

// A plain lesson of an h×w input and a 3×3 kernel, all ones.
Timeline plain(int h, int w, int stride = 1) {
  Lesson l;
  l.input = Tensor(Shape{1, 1, h, w}, 1.0);
  l.weight = Tensor(Shape{1, 1, 3, 3}, 1.0);
  l.spec.stride_h = l.spec.stride_w = stride;
  return Timeline(l);
}

int frames_with_role(const Scene& s, FrameRole role) {
  int n = 0;
  for (const SceneFrame& f : s.frames) n += f.role == role;
  return n;
}

// Whether the centre of cell (row, col) of `grid` lies inside a frame of `role`.
bool framed(const Scene& s, Grid grid, int row, int col, FrameRole role) {
  const SceneGrid* g = s.grid(grid);
  const float x = g->bounds.x + (col + 0.5f) * g->cell_size,
              y = g->bounds.y + (row + 0.5f) * g->cell_size;
  for (const SceneFrame& f : s.frames)
    if (f.role == role && f.rect.contains(x, y)) return true;
  return false;
}

// Hovering a kernel entry of a 1024×1024 input highlights two million cells: a few frames
// cover them all (one frame per cell made millions, and the app ran out of memory).
TEST(Stage, HoverOnALargeLessonIsAFewFramesCoveringEveryRelatedCell) {
  const Timeline tl = plain(1024, 1024);
  StageOptions o;
  o.focus_view = false;  // the grids whole
  o.hover = CellRef{Grid::W, 0, 0, 0, 0};
  const long long last = tl.count(Phase::Forward, Granularity::Phase) - 1;
  const Scene s = still(tl, Phase::Forward, Granularity::Phase, last, o);
  EXPECT_LE(frames_with_role(s, FrameRole::Hover), 20);
  // W[0,0] multiplies Xp rows and columns 0–1021, for every Z cell.
  for (int at : {0, 500, 1021}) {
    EXPECT_TRUE(framed(s, Grid::Xp, at, 1021 - at, FrameRole::Hover)) << at;
    EXPECT_TRUE(framed(s, Grid::Z, at, at, FrameRole::Hover)) << at;
  }
  EXPECT_FALSE(framed(s, Grid::Xp, 1023, 1023, FrameRole::Hover));
  EXPECT_FALSE(framed(s, Grid::Xp, 0, 1022, FrameRole::Hover));
}

// The tooltip says how many related cells are highlighted: the cells the frames cover.
TEST(Stage, HighlightCountsTheRelatedCellsOnTheStage) {
  const Timeline tl = plain(1024, 1024);
  const long long last = tl.count(Phase::Forward, Granularity::Phase) - 1;
  StageOptions whole;
  whole.focus_view = false;
  Scene s = still(tl, Phase::Forward, Granularity::Phase, last, whole);
  EXPECT_EQ(highlight_related(s, tl, {Grid::W, 0, 0, 0, 0}, Theme::Dark), 2LL * 1022 * 1022);
  const Timeline small = sobel();
  Scene z = still(small, Phase::Forward, Granularity::Phase, 1);
  EXPECT_EQ(highlight_related(z, small, {Grid::Z, 0, 0, 1, 2}, Theme::Dark), 9 + 9);  // Xp, W
}

// dW's window is G laid over Xp at the stride: 255×255 cells with holes on a 512×512 input.
// Each cell's outline would be 65,025 frames; the window is drawn with a bounded number.
TEST(Stage, AStridedWindowOfManyCellsIsABoundedNumberOfFrames) {
  const Timeline tl = plain(512, 512, 2);
  long long k = 0;
  while (tl.frame(Phase::Dw, Granularity::Cell, k, false, false).kind == StepKind::Stage) ++k;
  StageOptions whole;
  whole.focus_view = false;
  const Scene s = still(tl, Phase::Dw, Granularity::Cell, k, whole);
  EXPECT_NE(frame_with_role(s, FrameRole::Window), nullptr);
  EXPECT_LE(frames_with_role(s, FrameRole::WindowCell), 256);
  EXPECT_TRUE(framed(s, Grid::Xp, 508, 508, FrameRole::WindowCell));
}

TEST(Stage, AChosenSliceIsShownAndOtherwiseTheStepsSlice) {
  const Timeline tl(load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/groups.json"));
  // groups = 2: output channel 1 reads input channels 2 and 3.
  const Frame f = tl.frame(Phase::Forward, Granularity::Cell, 1);  // Z[0,0,0,0]
  const Scene follow = build_stage(tl, f, f, 1, {});
  EXPECT_EQ(follow.grid(Grid::Z)->slice_c, 0);
  StageOptions o;
  o.slice = std::array<int, 3>{0, 3, 1};
  const Scene chosen = build_stage(tl, f, f, 1, o);
  EXPECT_EQ(chosen.grid(Grid::Z)->slice_c, 1);
  int xp_channels = 0;
  for (const SceneGrid& g : chosen.grids)
    if (g.grid == Grid::Xp && g.copy == GridCopy::Own) {
      EXPECT_TRUE(g.slice_c == 2 || g.slice_c == 3) << g.slice_c;
      ++xp_channels;
    }
  EXPECT_EQ(xp_channels, 2);  // one row per input channel of the group
}

// The differing cells framed inside a grid of the scene.
int diffs_in(const Scene& s, const SceneGrid& g) {
  int n = 0;
  for (const SceneFrame& fr : s.frames)
    n += fr.role == FrameRole::Diff && fr.rect.x >= g.bounds.x &&
         fr.rect.x < g.bounds.x + g.bounds.w && fr.rect.y >= g.bounds.y &&
         fr.rect.y < g.bounds.y + g.bounds.h;
  return n;
}

bool has_text(const Scene& s, const std::string& part) {
  for (const SceneText& t : s.texts)
    if (t.text.find(part) != std::string::npos) return true;
  return false;
}

// A frame of the dX gather phase's accumulation, halfway through.
Frame gathering(const Timeline& tl) {
  return tl.frame(Phase::DxGather, Granularity::Cell,
                  tl.count(Phase::DxGather, Granularity::Cell) / 2);
}

// Issue 11, statement 7: the convolution convention changes dW as well as dX: its wrong dW
// stands beside the right one in the dW phase, its wrong dXp in the dX gather phase; in the
// hand-worked case all 9 cells of its dX differ.
TEST(Stage, ConventionPitfallShowsDXAsWellAsDW) {
  const Timeline tl(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/rotation-2x2.json"));
  StageOptions o;
  o.pitfalls = {Pitfall::ConvolutionConvention};
  const Frame dw =
      tl.frame(Phase::Dw, Granularity::Phase, tl.count(Phase::Dw, Granularity::Phase) - 1);
  const Scene s = build_stage(tl, dw, dw, 1, o);
  ASSERT_NE(s.grid(Grid::dW, GridCopy::Mistake), nullptr);
  EXPECT_EQ(grid_id(*s.grid(Grid::dW, GridCopy::Mistake)), "dW_convolution_convention");
  const Frame crop = tl.frame(Phase::DxGather, Granularity::Phase,
                              tl.count(Phase::DxGather, Granularity::Phase) - 1);
  const Scene t = build_stage(tl, crop, crop, 1, o);
  ASSERT_NE(t.grid(Grid::dX, GridCopy::Mistake), nullptr);
  EXPECT_EQ(diffs_in(t, *t.grid(Grid::dX, GridCopy::Mistake)), 9);
  EXPECT_TRUE(has_text(t, pitfall_title(Pitfall::ConvolutionConvention)));
  EXPECT_FALSE(has_text(t, "convolution_convention"));  // the command line's name, not a title
}

// Without padding the gradient map, a 1×1 kernel with padding 1 gathers a 6×6 dX against the
// right 4×4 one: the wrong grid is coloured by its own range (it read the right one's cells past
// their end, which the sanitizer build catches), and the words say what the sizes are.
TEST(Stage, ALargerWrongResultIsDrawnWithinItsOwnCells) {
  const Timeline tl(parse_lesson(R"({"input": [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]],
                                    "weight": [[2]], "padding": 1})"));
  StageOptions o;
  o.pitfalls = {Pitfall::NoGradientPadding};
  const Frame f = gathering(tl);
  const Scene s = build_stage(tl, f, f, 1, o);
  const SceneGrid* wrong = s.grid(Grid::dX, GridCopy::Mistake);
  ASSERT_NE(wrong, nullptr);
  EXPECT_EQ(wrong->rows, 6);
  for (const SceneCell& c : wrong->cells) EXPECT_LE(std::fabs(c.shade), 1.0f);
  const std::string words = tl.pitfall_explanation(Pitfall::NoGradientPadding);
  EXPECT_NE(words.find("the result is 6×6 where X is 4×4"), std::string::npos) << words;
  EXPECT_EQ(words.find("smaller than X"), std::string::npos) << words;
}

// The mistake gives the right dX by chance when X's padding is exactly (k−1)·dil on every side,
// and says so instead of claiming inputs get no gradient.
TEST(Stage, TheNoPaddingMistakeSaysWhenItHappensToBeRight) {
  const Timeline tl(parse_lesson(R"({"input": [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]],
                                    "weight": [[1,0,-1],[2,0,-2],[1,0,-1]], "padding": 2})"));
  ASSERT_EQ(max_abs_diff(tl.pitfall(Pitfall::NoGradientPadding).dX, tl.results().dX), 0);
  const std::string words = tl.pitfall_explanation(Pitfall::NoGradientPadding);
  EXPECT_NE(words.find("happens to be the right dX: the positions it leaves out are exactly X's "
                       "padding"),
            std::string::npos)
      << words;
}

// Issue 11, item 5: x.grad fed back as the upstream gradient. Where dX has G's shape the wrong
// dXp fills beside the right one with the differing cells framed; where it has not (the
// notebook's 4×4 input and 3×3 kernel), the stage says why there is no wrong one.
TEST(Stage, InputGradientFedBackIsDrawnOrSaidImpossible) {
  StageOptions o;
  o.pitfalls = {Pitfall::InputGradientAsGradient};
  const Timeline fits(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/padding1-4x4.json"));
  const Frame f = gathering(fits);
  const Scene s = build_stage(fits, f, f, 1, o);
  ASSERT_NE(s.grid(Grid::dXp), nullptr);
  const SceneGrid* wrong = s.grid(Grid::dXp, GridCopy::Mistake);
  ASSERT_NE(wrong, nullptr);
  EXPECT_EQ(grid_id(*wrong), "dXp_dx_as_gradient");
  EXPECT_GT(diffs_in(s, *wrong), 0);
  EXPECT_TRUE(has_text(s, "Fed dX back instead of ∂L/∂Z"));

  const Timeline cannot(parse_lesson(R"({"input": [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]],
                                        "weight": [[1,0,-1],[2,0,-2],[1,0,-1]]})"));
  const Frame g = gathering(cannot);
  const Scene t = build_stage(cannot, g, g, 1, o);
  EXPECT_NE(t.grid(Grid::dXp), nullptr);
  EXPECT_EQ(t.grid(Grid::dX, GridCopy::Mistake), nullptr);
  EXPECT_EQ(t.grid(Grid::dXp, GridCopy::Mistake), nullptr);
  EXPECT_TRUE(has_text(t, "Cannot happen here"));  // wrapped: the sizes may be on the next line
  EXPECT_FALSE(has_text(t, "(0×0)"));
}

// The matrix view on the 6×5 Sobel: T(W) is 12×30, and each of the 12 windows puts its 9 taps
// on 9 inputs: 108 entries make the band, the other 252 are drawn as structural zeros. At a
// term step of dX = T(W)ᵀ·g, T(W)ᵀ's row of the target is framed, and the term's entry and its
// G value are marked.
TEST(Stage, MatrixViewDrawsTheBandAndTracesADXCellThroughTheTranspose) {
  const Timeline tl = sobel();
  const Scene toeplitz = still(tl, Phase::Matrix, Granularity::Phase, 3);
  const SceneGrid* T = toeplitz.grid(Grid::TW);
  ASSERT_NE(T, nullptr);
  EXPECT_EQ(T->rows, 12);
  EXPECT_EQ(T->cols, 30);
  // Shown magnified in part (its first 8×8), the whole of it small beside.
  EXPECT_EQ(T->cells.size(), 64u);
  for (const SceneCell& c : T->cells) {
    const int i = c.row / 3, j = c.row % 3, y = c.col / 5, x = c.col % 5;  // window, input
    const bool on_band = y >= i && y < i + 3 && x >= j && x < j + 3;
    EXPECT_EQ(c.style == CellStyle::Padding, !on_band) << c.row << "," << c.col;
  }
  bool overview = false;
  for (const SceneGrid& g : toeplitz.grids) overview |= g.copy == GridCopy::Overview;
  EXPECT_TRUE(overview);
  // dX[1,2] is cell 1·5 + 2 = 7 of the block, after 4 stages: its 12 terms, the 5th being
  // T(W)[4,7]·G[1,1].
  const Scene s = still(tl, Phase::Matrix, Granularity::Term, 4 + 7 * 12 + 4);
  const SceneFrame* row = frame_with_role(s, FrameRole::Window);
  ASSERT_NE(row, nullptr);
  int term_frames = 0;
  for (const SceneFrame& f : s.frames) term_frames += f.role == FrameRole::Term;
  EXPECT_EQ(term_frames, 2);
  const SceneFrame* target = frame_with_role(s, FrameRole::Target);
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(cells_inside(*s.grid(Grid::dX), target->rect),
            (std::vector<std::pair<int, int>>{{1, 2}}));
  const Frame f = tl.frame(Phase::Matrix, Granularity::Term, 4 + 7 * 12 + 4);
  ASSERT_TRUE(f.current_term);
  EXPECT_EQ(f.current_term->a, (CellRef{Grid::TW, 0, 0, 4, 7}));
  EXPECT_EQ(f.current_term->b, (CellRef{Grid::G, 0, 0, 1, 1}));
}

// The matrix view shows T(W)ᵀ and g in part, magnified (issue 11, legible from the back row):
// at every cell and term step of every preset it accepts, the part holds T(W)ᵀ's row of the
// current dX cell and the current term's entries of T(W)ᵀ and g, framed.
TEST(Stage, MatrixViewsPartHoldsTheCurrentRowAndTerm) {
  namespace fs = std::filesystem;
  int checked = 0;
  for (const auto& e :
       fs::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons")) {
    const Timeline tl(load_lesson(e.path().string()));
    const Geometry& g = tl.geometry();
    if (!matrix_view_refusal(g).empty()) continue;
    for (Granularity gr : {Granularity::Cell, Granularity::Term})
      for (long long k = 0; k < tl.count(Phase::Matrix, gr); ++k) {
        const Frame f = tl.frame(Phase::Matrix, gr, k);
        if (f.kind == StepKind::Stage) continue;
        const Scene s = build_stage(tl, f, f, 1, stage_view(1920, 964, 2));
        const SceneGrid *tt = nullptr, *gv = nullptr;
        for (const SceneGrid& sg : s.grids)
          if (sg.grid == Grid::None && sg.copy == GridCopy::Own)
            (sg.label.rfind("T(W)", 0) == 0 ? tt : gv) = &sg;
        ASSERT_TRUE(tt && gv) << e.path() << " step " << k;
        const std::string where = e.path().filename().string() + " step " + std::to_string(k);
        const int row = (f.target.c * g.h + f.target.h) * g.w + f.target.w;
        EXPECT_GE(row, tt->first_row) << where;
        EXPECT_LT(row, tt->first_row + tt->visible_rows()) << where;
        EXPECT_LT(tt->visible_rows(), tt->rows) << where;  // a part, magnified
        if (!f.current_term) continue;
        const CellRef& b = f.current_term->b;
        const int col = (b.c * g.oh + b.h) * g.ow + b.w;
        EXPECT_GE(col, tt->first_col) << where;
        EXPECT_LT(col, tt->first_col + tt->visible_cols()) << where;
        EXPECT_GE(col, gv->first_row) << where;
        EXPECT_LT(col, gv->first_row + gv->visible_rows()) << where;
        int terms = 0;
        for (const SceneFrame& fr : s.frames)
          terms += fr.role == FrameRole::Term && (cells_inside(*tt, fr.rect).size() == 1 ||
                                                  cells_inside(*gv, fr.rect).size() == 1);
        EXPECT_EQ(terms, 2) << where;
        ++checked;
      }
  }
  EXPECT_GT(checked, 100);
}

TEST(Svg, HasEveryGridAndTheEquation) {
  const Timeline tl = sobel();
  const Scene s = still(tl, Phase::DxGather, Granularity::Term, 4 + 13 * 9 + 6);
  const std::string svg = scene_to_svg(s);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  for (const char* id : {"grid-Gp", "grid-Wr", "grid-dXp"})
    EXPECT_NE(svg.find(id), std::string::npos) << id;
  EXPECT_NE(svg.find("dXp[2,3] = Gp[2,3]·Wr[0,0]"), std::string::npos);
  EXPECT_NE(svg.find("url(#hatch)"), std::string::npos);  // the padding ring
}

}  // namespace
}  // namespace convstep
