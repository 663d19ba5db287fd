// Roles that survive colour blindness, and text that every theme lets a student read: checked
// on the scene (no GPU), in every theme, under simulated deuteranopia, protanopia and tritanopia.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/colormap.h"
#include "core/conv.h"
#include "core/stage.h"

namespace convstep {
namespace {

// ---- Colour-vision deficiency, simulated ----
// Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
// Vision Deficiency", severity 1.0: a 3×3 matrix applied to linear RGB.
using Matrix = std::array<std::array<double, 3>, 3>;
struct Deficiency {
  const char* name;
  Matrix m;
};
const Deficiency kDeficiencies[] = {
    {"deuteranopia",
     {{{0.367322, 0.860646, -0.227968},
       {0.280085, 0.672501, 0.047413},
       {-0.011820, 0.042940, 0.968881}}}},
    {"protanopia",
     {{{0.152286, 1.052583, -0.204868},
       {0.114503, 0.786281, 0.099216},
       {-0.003882, -0.048116, 1.051998}}}},
    {"tritanopia",
     {{{1.255528, -0.076749, -0.178779},
       {-0.078411, 0.930809, 0.147602},
       {0.004733, 0.691367, 0.303900}}}},
};

double to_linear(double v) {
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

// CIELAB (D65) of a colour as someone with `d` sees it.
std::array<double, 3> lab_seen(Color c, const Deficiency& d) {
  const double in[3] = {to_linear(c.r), to_linear(c.g), to_linear(c.b)};
  double rgb[3];
  for (int i = 0; i < 3; ++i)
    rgb[i] = std::clamp(d.m[i][0] * in[0] + d.m[i][1] * in[1] + d.m[i][2] * in[2], 0.0, 1.0);
  const double x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047;
  const double y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  const double z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883;
  auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116; };
  return {116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
}

// CIE76 colour difference as seen with `d`: about 2.3 is just noticeable; two roles of nearly
// the same hue and lightness (the term and the target under deuteranopia) are near 18.
double delta_e(Color a, Color b, const Deficiency& d) {
  const auto p = lab_seen(a, d), q = lab_seen(b, d);
  return std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

// Colours this far apart under every deficiency tell roles apart on their own.
constexpr double kDistinctColours = 40;

// What a frame looks like in a grey-scale screenshot.
struct FrameShape {
  bool dashed, double_line, corner_mark, filled;
  auto operator<=>(const FrameShape&) const = default;
};
FrameShape shape_of(const SceneFrame& f) {
  return {f.dashed, f.double_line, f.corner_mark, f.fill.a > 0};
}

// The roles a student must tell apart on one stage.
constexpr FrameRole kRoles[] = {FrameRole::Window, FrameRole::Target,   FrameRole::Term,
                                FrameRole::Source, FrameRole::Subtotal, FrameRole::Diff};

std::vector<std::string> preset_paths() {
  std::vector<std::string> out;
  for (const auto& e :
       std::filesystem::directory_iterator(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons"))
    if (e.path().extension() == ".json") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// The stages a lecture shows: per phase, the first few term steps, a whole cell and a stage.
template <typename F>
void for_each_stage(const Timeline& tl, Theme theme, F&& check) {
  StageOptions o;
  o.theme = theme;
  for (Phase p : kAllPhases)
    for (Granularity g : {Granularity::Term, Granularity::Cell}) {
      const long long count = tl.count(p, g);
      for (long long k : {0LL, 1LL, 2LL, 7LL, count / 2, count - 1}) {
        if (k < 0 || k >= count) continue;
        const Frame f = tl.frame(p, g, k);
        check(build_stage(tl, f, f, 1, o), std::string(phase_name(p)) + " " + granularity_name(g) +
                                               " step " + std::to_string(k));
      }
    }
  // The mistakes inside the step view: their differing cells framed beside the term's pair,
  // the target and the window.
  o.pitfalls.assign(std::begin(kAllPitfalls), std::end(kAllPitfalls));
  for (Phase p : {Phase::Dw, Phase::DxGather}) {
    const long long count = tl.count(p, Granularity::Term);
    for (long long k : {count / 2, count * 3 / 4, count - 1}) {
      const Frame f = tl.frame(p, Granularity::Term, k);
      check(build_stage(tl, f, f, 1, o),
            std::string("pitfalls ") + phase_name(p) + " term step " + std::to_string(k));
    }
  }
}

TEST(Roles, EveryTwoRolesOnAStageDifferInShapeOrInColourUnderEveryDeficiency) {
  for (const std::string& path : preset_paths()) {
    const Timeline tl(load_lesson(path));
    for (Theme theme : kAllThemes)
      for_each_stage(tl, theme, [&](const Scene& s, const std::string& where) {
        std::map<FrameRole, const SceneFrame*> seen;
        for (const SceneFrame& f : s.frames)
          if (std::find(std::begin(kRoles), std::end(kRoles), f.role) != std::end(kRoles))
            seen.emplace(f.role, &f);
        for (auto a = seen.begin(); a != seen.end(); ++a)
          for (auto b = std::next(a); b != seen.end(); ++b) {
            if (shape_of(*a->second) != shape_of(*b->second)) continue;
            for (const Deficiency& d : kDeficiencies)
              EXPECT_GE(delta_e(a->second->stroke, b->second->stroke, d), kDistinctColours)
                  << frame_role_name(a->first) << " and " << frame_role_name(b->first)
                  << " have the same shape and, under " << d.name
                  << ", nearly the same colour: " << path << " " << theme_name(theme) << " "
                  << where;
          }
      });
  }
}

TEST(Roles, TheTermIsADashedDoubleFrameAndTheTargetASolidFrameWithACornerMark) {
  const Timeline tl(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json"));
  const Frame f = tl.frame(Phase::DxGather, Granularity::Term, 20);
  const Scene s = build_stage(tl, f, f, 1, {});
  int terms = 0, targets = 0;
  for (const SceneFrame& fr : s.frames) {
    if (fr.role == FrameRole::Term) {
      ++terms;
      EXPECT_TRUE(fr.dashed && fr.double_line && !fr.corner_mark);
    }
    if (fr.role == FrameRole::Target) {
      ++targets;
      EXPECT_TRUE(!fr.dashed && !fr.double_line && fr.corner_mark);
    }
  }
  EXPECT_EQ(terms, 2);
  EXPECT_EQ(targets, 1);
}

// What a piece of text sits on: the fill of the cell under its anchor, else the background.
Color ground_of(const Scene& s, float x, float y) {
  for (const SceneGrid& g : s.grids)
    if (g.rotation_deg == 0 && g.bounds.contains(x, y))
      for (const SceneCell& c : g.cells)
        if (c.rect.contains(x, y)) return cell_fill(c.shade, c.style, s.background);
  return s.background;
}

TEST(Roles, AllTextReachesWcagContrastOnWhatItSitsOnInEveryTheme) {
  for (const std::string& path : preset_paths()) {
    const Timeline tl(load_lesson(path));
    for (Theme theme : kAllThemes)
      for_each_stage(tl, theme, [&](const Scene& s, const std::string& where) {
        for (const SceneText& t : s.texts)
          EXPECT_GE(contrast_ratio(t.color, ground_of(s, t.x, t.y)), 4.5)
              << text_role_name(t.role) << " \"" << t.text << "\": " << path << " "
              << theme_name(theme) << " " << where;
        for (const SceneGrid& g : s.grids)
          for (const SceneCell& c : g.cells) {
            if (c.text.empty()) continue;
            EXPECT_GE(contrast_ratio(c.text_color, cell_fill(c.shade, c.style, s.background)), 4.5)
                << grid_id(g) << "[" << c.row << "," << c.col << "]: " << path << " "
                << theme_name(theme) << " " << where;
          }
      });
  }
}

}  // namespace
}  // namespace convstep
