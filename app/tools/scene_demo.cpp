// convstep-scene-demo — renders a hand-made Scene with every cell style, headless, to a PNG.
//
//   convstep-scene-demo OUT.png [--size 1600x900] [--dark] [--rotation DEG]
//                       [--crop X,Y,W,H [--zoom N]]     write only a part, enlarged N× (pixels)
//                       [--frames N]                    time N more frames (render + read back)
//
// A developer's tool for looking at the painter's output: Xp with its padding ring under the
// window, a kernel turning, an output with pending cells, a stride-dilated gradient with inserted
// zeros, and a dXp with discarded and uncovered cells, plus frames, a link and an equation.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "core/colormap.h"
#include "gl/egl_context.h"
#include "gl/png.h"
#include "gl/scene_renderer.h"

using namespace convstep;

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::abs(v));
  return (v < 0 ? "\u2212" : "") + std::string(buf);
}

struct GridSpec {
  std::string name, label;
  float x, y, cell;
  std::vector<std::vector<double>> values;
  // style of (r, c); default Data
  CellStyle (*style)(int r, int c, int rows, int cols) = nullptr;
  bool (*uncovered)(int r, int c, int rows, int cols) = nullptr;
  float rotation = 0;
};

SceneGrid make_grid(const GridSpec& s, Color background) {
  SceneGrid g;
  g.name = s.name;
  g.label = s.label;
  g.rows = static_cast<int>(s.values.size());
  g.cols = static_cast<int>(s.values[0].size());
  g.cell_size = s.cell;
  g.bounds = {s.x, s.y, s.cell * static_cast<float>(g.cols), s.cell * static_cast<float>(g.rows)};
  g.rotation_deg = s.rotation;
  double max_abs = 0;
  for (const auto& row : s.values)
    for (double v : row) max_abs = std::max(max_abs, std::abs(v));
  for (int r = 0; r < g.rows; ++r)
    for (int c = 0; c < g.cols; ++c) {
      SceneCell cell;
      cell.rect = {s.x + s.cell * static_cast<float>(c), s.y + s.cell * static_cast<float>(r),
                   s.cell, s.cell};
      cell.value = s.values[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
      cell.shade = max_abs > 0 ? static_cast<float>(cell.value / max_abs) : 0.0f;
      cell.style = s.style ? s.style(r, c, g.rows, g.cols) : CellStyle::Data;
      cell.uncovered = s.uncovered && s.uncovered(r, c, g.rows, g.cols);
      cell.row = r;
      cell.col = c;
      if (cell.style != CellStyle::Pending) cell.text = number(cell.value);
      cell.text_color = text_color_on(cell_fill(cell.shade, cell.style, background));
      g.cells.push_back(cell);
    }
  return g;
}

SceneText text(float x, float y, std::string s, float size, Color color, Font font = Font::Sans,
               Align align = Align::Left, std::string role = "label") {
  SceneText t;
  t.x = x, t.y = y, t.text = std::move(s), t.size = size, t.color = color, t.font = font;
  t.align = align, t.role = std::move(role);
  return t;
}

Rect cells_rect(const SceneGrid& g, int r0, int c0, int rows, int cols) {
  return {g.bounds.x + g.cell_size * static_cast<float>(c0),
          g.bounds.y + g.cell_size * static_cast<float>(r0), g.cell_size * static_cast<float>(cols),
          g.cell_size * static_cast<float>(rows)};
}

Scene demo_scene(bool dark, float kernel_rotation) {
  Scene scene;
  scene.background = dark ? rgb(0x1E1E1E) : rgb(0xFFFFFF);
  const Color ink = dark ? rgb(0xF0F0F0) : rgb(0x1A1A1A);
  const Color muted = dark ? rgb(0xB0B0B0) : rgb(0x555555);

  // Xp: a 6×5 ramp with a padding ring of 1 → 8×7.
  GridSpec xp{"Xp", "Xp (8×7)", 40, 150, 52, {}, nullptr, nullptr, 0};
  for (int r = 0; r < 8; ++r) {
    std::vector<double> row;
    for (int c = 0; c < 7; ++c) {
      const bool pad = r == 0 || r == 7 || c == 0 || c == 6;
      row.push_back(pad ? 0 : static_cast<double>((c - 1) * 2 - (r - 1) - 2));
    }
    xp.values.push_back(row);
  }
  xp.style = [](int r, int c, int rows, int cols) {
    return r == 0 || c == 0 || r == rows - 1 || c == cols - 1 ? CellStyle::Padding
                                                              : CellStyle::Data;
  };
  const SceneGrid xp_grid = make_grid(xp, scene.background);

  GridSpec w{"W",     "W (3×3)",      490, 300, 52, {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}}, nullptr,
             nullptr, kernel_rotation};
  const SceneGrid w_grid = make_grid(w, scene.background);

  GridSpec z{"Z", "Z (6×5)", 740, 222, 52, {}, nullptr, nullptr, 0};
  const double zv[6][5] = {{8, 8, 8, 8, -12}, {8, 8, 8, 8, -16}, {8, 8, 8, 8, -16},
                           {8, 8, 8, 8, -16}, {8, 8, 8, 8, -16}, {6, 6, 6, 6, -12}};
  for (const auto& row : zv) z.values.emplace_back(row, row + 5);
  z.style = [](int r, int c, int, int cols) {
    return r * cols + c > 1 * cols + 2 ? CellStyle::Pending : CellStyle::Data;
  };
  const SceneGrid z_grid = make_grid(z, scene.background);

  // Gd: a 3×3 G dilated by stride 2 → 5×5, inserted zeros between.
  GridSpec gd{"Gd", "Gd (5×5)", 1100, 150, 44, {}, nullptr, nullptr, 0};
  const double gv[3][3] = {{1, -2, 0.5}, {3, 1, -1}, {-0.25, 2, 1}};
  for (int r = 0; r < 5; ++r) {
    std::vector<double> row;
    for (int c = 0; c < 5; ++c) row.push_back(r % 2 || c % 2 ? 0 : gv[r / 2][c / 2]);
    gd.values.push_back(row);
  }
  gd.style = [](int r, int c, int, int) {
    return r % 2 || c % 2 ? CellStyle::InsertedZero : CellStyle::Data;
  };
  const SceneGrid gd_grid = make_grid(gd, scene.background);

  // dXp: gradients on the padding ring are discarded; the last column is never covered.
  GridSpec dxp{"dXp", "dXp (6×6)", 1100, 480, 44, {}, nullptr, nullptr, 0};
  for (int r = 0; r < 6; ++r) {
    std::vector<double> row;
    for (int c = 0; c < 6; ++c)
      row.push_back(c == 5 ? 0 : std::round(std::sin(r * 1.3 + c) * 40) / 10);
    dxp.values.push_back(row);
  }
  dxp.style = [](int r, int c, int rows, int) {
    return r == 0 || c == 0 || r == rows - 1 ? CellStyle::Discarded : CellStyle::Data;
  };
  dxp.uncovered = [](int, int c, int, int cols) { return c == cols - 1; };
  const SceneGrid dxp_grid = make_grid(dxp, scene.background);

  scene.grids = {xp_grid, w_grid, z_grid, gd_grid, dxp_grid};

  // Labels above each grid, operators between.
  for (const SceneGrid& g : scene.grids)
    scene.texts.push_back(text(g.bounds.x + 0.5f * g.bounds.w, g.bounds.y - 26, g.label, 22, ink,
                               Font::SansBold, Align::Center));
  scene.texts.push_back(text(40, 44, "Forward: Z = Xp \u22C6 W + b", 30, ink, Font::SansBold));
  scene.texts.push_back(text(40, 84,
                             "Cells: data, padding (hatched), inserted zero (dotted), "
                             "pending (blank), discarded (cross-hatched), \u2300 no gradient",
                             18, muted));
  scene.texts.push_back(text(445, 378, "\u22C6", 44, ink, Font::Sans, Align::Center, "operator"));
  scene.texts.push_back(text(695, 378, "=", 44, ink, Font::Sans, Align::Center, "operator"));

  // The window on Xp rows 1..3, cols 2..4; the target Z[1,2]; the term pair and their link.
  SceneFrame window;
  window.rect = cells_rect(xp_grid, 1, 2, 3, 3);
  window.stroke = kRoleWindow;
  window.stroke_width = 5;
  window.fill = rgb(0xE69F00, 0.10f);
  window.role = "window";
  SceneFrame target;
  target.rect = cells_rect(z_grid, 1, 2, 1, 1);
  target.stroke = kRoleTarget;
  target.stroke_width = 5;
  target.role = "target";
  SceneFrame term_a;
  term_a.rect = cells_rect(xp_grid, 1, 2, 1, 1);
  term_a.stroke = kRoleTerm;
  term_a.stroke_width = 3;
  term_a.role = "term";
  SceneFrame term_b = term_a;
  term_b.rect = cells_rect(w_grid, 0, 0, 1, 1);
  SceneFrame hover;
  hover.rect = cells_rect(gd_grid, 2, 2, 1, 1);
  hover.stroke = kRoleSource;
  hover.stroke_width = 3;
  hover.dashed = true;
  hover.role = "source";
  scene.frames = {window, target, term_a, term_b, hover};

  SceneLine link;
  link.x0 = term_a.rect.x + term_a.rect.w;
  link.y0 = term_a.rect.y + 0.5f * term_a.rect.h;
  link.x1 = term_b.rect.x;
  link.y1 = term_b.rect.y + 0.5f * term_b.rect.h;
  link.color = kRoleTerm;
  link.width = 3;
  link.arrow = true;
  link.role = "link";
  scene.lines = {link};

  scene.texts.push_back(text(40, 640,
                             "Z[1,2] = Xp[1,2]\u00B7W[0,0] + Xp[1,3]\u00B7W[0,1] + "
                             "\u2026 = (\u22123)\u00B7(\u22121) + (\u22121)\u00B70 + \u2026 = 8",
                             24, ink, Font::Sans, Align::Left, "equation"));
  scene.texts.push_back(text(40, 690,
                             "\u2202L/\u2202W = \u2211 Xp \u00B7 G     "
                             "\u2207 \u2190 \u2192 \u00D7 90\u00B0 \u2713 \u25B6 \u25C0 "
                             "\u03B1\u03B2\u03B3 \u03A3",
                             24, muted, Font::Sans));
  scene.texts.push_back(
      text(1560, 860, "running sum: 8", 20, rgb(0x009E73), Font::Mono, Align::Right, "sum"));
  return scene;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  int width = 1600, height = 900;
  bool dark = false;
  float rotation = 90;
  int crop[4] = {0, 0, 0, 0};
  int zoom = 1;
  int frames = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--size" && i + 1 < argc) {
      if (std::sscanf(argv[++i], "%dx%d", &width, &height) != 2) {
        std::fprintf(stderr, "convstep-scene-demo: --size wants WxH, e.g. 1600x900\n");
        return 2;
      }
    } else if (a == "--crop" && i + 1 < argc) {
      if (std::sscanf(argv[++i], "%d,%d,%d,%d", &crop[0], &crop[1], &crop[2], &crop[3]) != 4) {
        std::fprintf(stderr, "convstep-scene-demo: --crop wants X,Y,W,H\n");
        return 2;
      }
    } else if (a == "--zoom" && i + 1 < argc) {
      zoom = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--frames" && i + 1 < argc) {
      frames = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--dark") {
      dark = true;
    } else if (a == "--rotation" && i + 1 < argc) {
      rotation = std::strtof(argv[++i], nullptr);
    } else if (!a.empty() && a[0] != '-' && out.empty()) {
      out = a;
    } else {
      std::fprintf(stderr,
                   "usage: convstep-scene-demo OUT.png [--size WxH] [--dark] [--rotation DEG]\n");
      return 2;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr,
                 "usage: convstep-scene-demo OUT.png [--size WxH] [--dark] [--rotation DEG]\n");
    return 2;
  }
  try {
    using clock = std::chrono::steady_clock;
    const auto ms = [](clock::duration d) {
      return std::chrono::duration<double, std::milli>(d).count();
    };
    const Scene scene = demo_scene(dark, rotation);
    const auto t0 = clock::now();
    EglContext gl;
    const auto t1 = clock::now();
    SceneRenderer renderer;
    const auto t2 = clock::now();
    std::vector<std::uint8_t> rgba = renderer.render(scene, width, height);
    const auto t3 = clock::now();
    for (int k = 0; k < frames; ++k) rgba = renderer.render(scene, width, height);
    const auto t4 = clock::now();
    int out_w = width, out_h = height;
    if (crop[2] > 0 && crop[3] > 0) {  // nearest-neighbour enlargement of a part, to inspect pixels
      std::vector<std::uint8_t> part;
      for (int y = 0; y < crop[3] * zoom; ++y)
        for (int x = 0; x < crop[2] * zoom; ++x) {
          const int sx = std::clamp(crop[0] + x / zoom, 0, width - 1);
          const int sy = std::clamp(crop[1] + y / zoom, 0, height - 1);
          const std::uint8_t* p = &rgba[(static_cast<std::size_t>(sy) * width + sx) * 4];
          part.insert(part.end(), p, p + 4);
        }
      rgba = std::move(part);
      out_w = crop[2] * zoom, out_h = crop[3] * zoom;
    }
    write_png(out, out_w, out_h, rgba);
    const auto t5 = clock::now();
    std::fprintf(stderr,
                 "%s: %s; context %.0f ms, renderer %.0f ms, first frame %.0f ms, "
                 "next frames %.1f ms each, PNG %.0f ms\n",
                 out.c_str(), gl.renderer().c_str(), ms(t1 - t0), ms(t2 - t1), ms(t3 - t2),
                 ms(t4 - t3) / frames, ms(t5 - t4));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convstep-scene-demo: %s\n", e.what());
    return 1;
  }
  return 0;
}
