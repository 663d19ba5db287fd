#include "app/gl/scene_painter.h"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "app/gl/gl_api.h"
#include "app/gl/shader_program.h"
#include "app/resource_paths.h"
#include "core/colormap.h"
#include "core/stage.h"

namespace convstep {

// One grid's instanced draws, kept alive until ImGui renders the frame. Slots are reused from
// frame to frame, so a grid's lattice texture stays on the GPU while its shades do not change.
struct ScenePainter::GridDraw {
  ScenePainter* painter = nullptr;
  // Per instance: x, y, w, h, shade, style, uncovered, 0. Instances [first[v][k],
  // first[v][k + 1]) are drawn by program k of variant v: single cells (kCells) and rectangles
  // of lattice cells (kLattice), each sorted by style, then the uncovered ones for the mark pass.
  std::vector<float> instances;
  GLint first[kVariants][kPrograms + 1] = {};
  float bounds[4] = {};
  float rotation_deg = 0, opacity = 1;
  PaintTransform transform;
  float background[3] = {};
  bool dark = false;  // is_dark_background(background)

  // The lattice: `cols` × `rows` cells of cell_size; the texture holds one shade per cell.
  // Keyed by its contents: `shades` is what the texture holds once `upload` is done.
  int cols = 0, rows = 0;
  float cell_size = 0;
  std::vector<float> shades, next_shades;
  bool upload = false;
  int texture_cols = 0, texture_rows = 0;  // the texture's allocated size
  GLuint texture = 0;

  // Scratch, reused: instances per (variant, program), and the rectangles being merged.
  std::vector<float> buckets[kVariants][kPrograms];
  struct Block {
    int col0, col1, row0, row1, key;  // inclusive; key: style | uncovered << 3
  };
  std::vector<Block> blocks;
  std::vector<int> open, next_open;  // blocks that reach the previous / current row
};

namespace {

constexpr int kFloatsPerCell = 8;

ImU32 to_u32(Color c, float alpha_scale = 1.0f) {
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(c.r, c.g, c.b, std::clamp(c.a * alpha_scale, 0.0f, 1.0f)));
}

// Vertical offset, from a line's top to the middle of its capitals/digits, at `size` pixels.
float cap_middle(const ImFont* font, float size) {
  const ImFontGlyph* g = font->FindGlyphNoFallback(static_cast<ImWchar>('0'));
  if (!g) g = font->FindGlyphNoFallback(static_cast<ImWchar>('H'));
  const float scale = size / font->FontSize;
  return g ? 0.5f * (g->Y0 + g->Y1) * scale : 0.5f * size;
}

// Draws `text` with its vertical centre (of capitals) at y and horizontal anchor x per align.
void add_text(ImDrawList* dl, const FontSet::Pick& pick, float x, float y, Align align, ImU32 col,
              const std::string& text) {
  if (text.empty()) return;
  const char* begin = text.c_str();
  const char* end = begin + text.size();
  float left = x;
  if (align != Align::Left) {
    const float w = pick.font->CalcTextSizeA(pick.size, FLT_MAX, 0.0f, begin, end).x;
    left = align == Align::Center ? x - 0.5f * w : x - w;
  }
  const float top = y - cap_middle(pick.font, pick.size);
  dl->AddText(pick.font, pick.size, ImVec2(std::round(left), std::round(top)), col, begin, end);
}

// Underlines a text's marks, measured with the font the text is drawn with.
void underline_marks(ImDrawList* dl, const FontSet::Pick& pick, float x, float y,
                     const SceneText& text) {
  if (text.marks.empty() || text.align != Align::Left) return;
  const char* begin = text.text.c_str();
  const float under = y + 0.62f * pick.size, thickness = std::max(2.0f, 0.09f * pick.size);
  for (const auto& [from, to] : text.marks) {
    if (from >= to || to > text.text.size()) continue;
    const float x0 = x + pick.font->CalcTextSizeA(pick.size, FLT_MAX, 0.0f, begin, begin + from).x;
    const float x1 = x + pick.font->CalcTextSizeA(pick.size, FLT_MAX, 0.0f, begin, begin + to).x;
    dl->AddLine(ImVec2(std::round(x0), under), ImVec2(std::round(x1), under),
                to_u32(text.mark_color), thickness);
  }
}

void rotate_vertices(ImDrawList* dl, int begin, float degrees, ImVec2 centre) {
  const float th = degrees * 3.14159265358979f / 180.0f;
  const float c = std::cos(th), s = std::sin(th);
  for (int i = begin; i < dl->VtxBuffer.Size; ++i) {
    ImVec2& p = dl->VtxBuffer[i].pos;
    const float dx = p.x - centre.x, dy = p.y - centre.y;
    p = ImVec2(centre.x + c * dx - s * dy, centre.y + s * dx + c * dy);  // clockwise, y down
  }
}

// A dashed stroke along a→b with dashes centred on both ends (so rectangle corners get an L).
void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float width) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len <= 0) return;
  const float want = std::max(5.0f * width, 10.0f);  // one dash + one gap
  const int n = std::max(1, static_cast<int>(std::lround(len / want)));
  const float period = len / static_cast<float>(n), half = 0.3f * period;
  for (int k = 0; k <= n; ++k) {
    const float s0 = std::max(0.0f, static_cast<float>(k) * period - half);
    const float s1 = std::min(len, static_cast<float>(k) * period + half);
    if (s1 <= s0) continue;
    dl->AddLine(ImVec2(a.x + dx * s0 / len, a.y + dy * s0 / len),
                ImVec2(a.x + dx * s1 / len, a.y + dy * s1 / len), col, width);
  }
}

// A rectangle's outline, solid or dashed.
void outline(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float width, bool dashed) {
  if (!dashed) {
    dl->AddRect(a, b, col, 0.0f, 0, width);
    return;
  }
  dashed_line(dl, a, ImVec2(b.x, a.y), col, width);
  dashed_line(dl, ImVec2(b.x, a.y), b, col, width);
  dashed_line(dl, b, ImVec2(a.x, b.y), col, width);
  dashed_line(dl, ImVec2(a.x, b.y), a, col, width);
}

}  // namespace

ScenePainter::ScenePainter(const FontSet& fonts) : ScenePainter(fonts, shader_dir()) {}

ScenePainter::ScenePainter(const FontSet& fonts, const std::string& dir) : fonts_(fonts) {
  // The colour constants of core/colormap.h, set once per program: GL and C++ share one table.
  GLint previous_program = 0, previous_vao = 0, previous_buffer = 0;
  glGetIntegerv(GL_CURRENT_PROGRAM, &previous_program);
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &previous_vao);
  glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &previous_buffer);
  float stops[kDivergingStops.size() * 3];
  for (std::size_t i = 0; i < kDivergingStops.size(); ++i) {
    const Color c = rgb(kDivergingStops[i]);
    stops[3 * i] = c.r, stops[3 * i + 1] = c.g, stops[3 * i + 2] = c.b;
  }
  for (int v = 0; v < kVariants; ++v)
    for (int k = 0; k < kPrograms; ++k) {
      std::string defines =
          k == kMarkPass ? "#define MARK_PASS\n" : "#define CELL_STYLE " + std::to_string(k) + "\n";
      if (v == kLattice) defines += "#define LATTICE\n";
      Program& pr = programs_[v][k];
      pr.shader = std::make_unique<ShaderProgram>(dir + "/grid.vert", dir + "/grid.frag", defines);
      const ShaderProgram& sp = *pr.shader;
      pr.bounds = sp.uniform("u_bounds");
      pr.rotation = sp.uniform("u_rotation_deg");
      pr.ndc_scale = sp.uniform("u_ndc_scale");
      pr.ndc_offset = sp.uniform("u_ndc_offset");
      pr.units_per_px = sp.uniform("u_units_per_px");
      pr.background = sp.uniform("u_background");
      pr.opacity = sp.uniform("u_opacity");
      pr.dark = sp.uniform("u_dark");
      pr.cell = sp.uniform("u_cell");
      pr.dims = sp.uniform("u_dims");
      glUseProgram(sp.id());
      glUniform3fv(sp.uniform("u_stops"), static_cast<GLsizei>(kDivergingStops.size()), stops);
      glUniform4f(sp.uniform("u_padding_dim"), kPaddingDimTo.r, kPaddingDimTo.g, kPaddingDimTo.b,
                  kPaddingDim);
      glUniform1f(sp.uniform("u_padding_dark_fade"), kPaddingDarkFade);
      glUniform1f(sp.uniform("u_inserted_lighten"), kInsertedZeroLighten);
      glUniform1f(sp.uniform("u_inserted_dark_fade"), kInsertedZeroDarkFade);
      glUniform1f(sp.uniform("u_discarded_fade"), kDiscardedFade);
      glUniform1i(sp.uniform("u_shades"), 0);  // texture unit 0
    }
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_texture_size_);

  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &instance_buffer_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, instance_buffer_);
  glEnableVertexAttribArray(0);
  glVertexAttribDivisor(0, 1);
  glEnableVertexAttribArray(1);
  glVertexAttribDivisor(1, 1);

  glBindVertexArray(static_cast<GLuint>(previous_vao));
  glBindBuffer(GL_ARRAY_BUFFER, static_cast<GLuint>(previous_buffer));
  glUseProgram(static_cast<GLuint>(previous_program));
}

ScenePainter::~ScenePainter() {
  for (const auto& d : draws_)
    if (d->texture) glDeleteTextures(1, &d->texture);
  glDeleteBuffers(1, &instance_buffer_);
  glDeleteVertexArrays(1, &vao_);
}

PaintTransform ScenePainter::fit(const Scene& scene, Rect viewport) {
  PaintTransform t;
  const float sw = std::max(scene.width, 1e-3f), sh = std::max(scene.height, 1e-3f);
  t.scale = std::max(0.0f, std::min(viewport.w / sw, viewport.h / sh));
  t.offset_x = viewport.x + 0.5f * (viewport.w - sw * t.scale);
  t.offset_y = viewport.y + 0.5f * (viewport.h - sh * t.scale);
  return t;
}

PaintTransform ScenePainter::paint(const Scene& scene, Rect viewport, ImDrawList* dl) {
  const int frame = ImGui::GetFrameCount();
  if (frame != frame_) {
    frame_ = frame;
    used_ = 0;
  }
  const PaintTransform t = fit(scene, viewport);
  const ImVec2 vp_min(viewport.x, viewport.y),
      vp_max(viewport.x + viewport.w, viewport.y + viewport.h);
  dl->PushClipRect(vp_min, vp_max, true);
  if (fill_background) dl->AddRectFilled(vp_min, vp_max, to_u32(scene.background));

  for (const SceneGrid& grid : scene.grids) paint_grid(grid, t, scene.background, dl);

  for (const SceneFrame& f : scene.frames) {
    const ImVec2 a(t.x(f.rect.x), t.y(f.rect.y));
    const ImVec2 b(t.x(f.rect.x + f.rect.w), t.y(f.rect.y + f.rect.h));
    if (f.fill.a > 0) dl->AddRectFilled(a, b, to_u32(f.fill));
    if (f.stroke_width <= 0 || f.stroke.a <= 0) continue;
    const float w = std::max(1.0f, f.stroke_width * t.scale);
    const ImU32 col = to_u32(f.stroke);
    outline(dl, a, b, col, w, f.dashed);
    if (f.double_line) {
      const float in = 2 * w;
      if (b.x - a.x > 2 * in && b.y - a.y > 2 * in)
        outline(dl, ImVec2(a.x + in, a.y + in), ImVec2(b.x - in, b.y - in), col, w, f.dashed);
    }
    if (f.corner_mark) {
      const float leg = 0.3f * std::min(b.x - a.x, b.y - a.y);
      dl->AddTriangleFilled(a, ImVec2(a.x + leg, a.y), ImVec2(a.x, a.y + leg), col);
    }
  }

  for (const SceneLine& l : scene.lines) {
    ImVec2 p0(t.x(l.x0), t.y(l.y0));
    const ImVec2 p1(t.x(l.x1), t.y(l.y1));
    const float w = std::max(1.0f, l.width * t.scale);
    const ImU32 col = to_u32(l.color);
    const float dx = p1.x - p0.x, dy = p1.y - p0.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    if (len <= 0) continue;
    if (!l.arrow) {
      dl->AddLine(p0, p1, col, w);
      continue;
    }
    const float ux = dx / len, uy = dy / len;
    const float head = std::min(std::max(4.0f * w, 10.0f), 0.5f * len);
    const float half = 0.55f * head;
    const ImVec2 base(p1.x - ux * head, p1.y - uy * head);
    // The shaft stops inside the head, so that its square end does not poke out of the tip.
    dl->AddLine(p0, ImVec2(base.x + ux * 0.3f * head, base.y + uy * 0.3f * head), col, w);
    dl->AddTriangleFilled(p1, ImVec2(base.x - uy * half, base.y + ux * half),
                          ImVec2(base.x + uy * half, base.y - ux * half), col);
  }

  for (const SceneText& text : scene.texts) {
    FontSet::Pick pick = fonts_.nearest(text.font, text.size * t.scale);
    // Mono text is laid out in columns (an equation's marks sit under its terms): draw it at
    // exactly the size asked for, so that every column is where the scene computed it.
    if (text.font == Font::Mono) pick.size = text.size * t.scale;
    add_text(dl, pick, t.x(text.x), t.y(text.y), text.align, to_u32(text.color), text.text);
    underline_marks(dl, pick, t.x(text.x), t.y(text.y), text);
  }

  dl->PopClipRect();
  return t;
}

namespace {

// How many of a grid's cells, a side, each of its scene cells stands for: 1 for a grid shown
// cell by cell, more for an overview (core/stage.cpp) of a large one.
int lattice_step(const SceneGrid& grid) {
  if (grid.cells.empty() || grid.cell_size <= 0 ||
      grid.cells.size() == static_cast<std::size_t>(std::max(grid.rows, 0)) *
                               static_cast<std::size_t>(std::max(grid.cols, 0)))
    return 1;
  const float step = grid.cells[0].rect.w / grid.cell_size;
  return std::isfinite(step) ? std::clamp(static_cast<int>(std::lround(step)), 1, 1 << 20) : 1;
}

}  // namespace

void ScenePainter::paint_grid(const SceneGrid& grid, const PaintTransform& t, Color background,
                              ImDrawList* dl) {
  if (grid.cells.empty() || grid.opacity <= 0) return;
  if (used_ == draws_.size()) draws_.push_back(std::make_unique<GridDraw>());
  GridDraw& d = *draws_[used_++];
  d.painter = this;
  for (auto& variant : d.buckets)
    for (std::vector<float>& bucket : variant) bucket.clear();
  auto add = [&](int variant, int program, Rect r, float shade, CellStyle style, bool uncovered) {
    const float v[kFloatsPerCell] = {
        r.x, r.y, r.w, r.h, shade, static_cast<float>(style), uncovered ? 1.0f : 0.0f, 0};
    d.buckets[variant][program].insert(d.buckets[variant][program].end(), v, v + kFloatsPerCell);
  };
  auto add_cell = [&](const SceneCell& c) {
    const int style = std::clamp(static_cast<int>(c.style), 0, kMarkPass - 1);
    add(kCells, style, c.rect, c.shade, c.style, c.uncovered);
    if (c.uncovered && c.style != CellStyle::Pending)
      add(kCells, kMarkPass, c.rect, c.shade, c.style, c.uncovered);
  };

  // The lattice, when the cells are row-major on it and it fits in a texture. An overview's
  // cell stands for `step` × `step` cells of its grid: its lattice is of those (a short last
  // row or column is off it, drawn as quads of their own). Drawn as quads, its 4096 cells of a
  // few pixels each cost llvmpipe a quarter of a 1600×900 frame.
  const int step = lattice_step(grid);
  const int lcols = (std::max(grid.cols, 0) + step - 1) / step;
  const int lrows = (std::max(grid.rows, 0) + step - 1) / step;
  const std::size_t count = static_cast<std::size_t>(lrows) * static_cast<std::size_t>(lcols);
  const float cs = grid.cell_size * static_cast<float>(step), eps = 1e-3f * grid.cell_size;
  const bool lattice =
      count > 0 && count == grid.cells.size() && cs > 0 && lrows <= max_texture_size_ &&
      lcols <= max_texture_size_ &&
      std::fabs(grid.bounds.w - static_cast<float>(grid.cols) * grid.cell_size) <=
          eps * grid.cols &&
      std::fabs(grid.bounds.h - static_cast<float>(grid.rows) * grid.cell_size) <= eps * grid.rows;
  if (!lattice) {
    d.cols = d.rows = 0;
    for (const SceneCell& c : grid.cells) add_cell(c);
  } else {
    d.cols = lcols, d.rows = lrows, d.cell_size = cs;
    d.next_shades.resize(count);
    d.blocks.clear();
    d.open.clear();
    auto on_lattice = [&](const SceneCell& c, int row, int col) {
      return c.row == row * step && c.col == col * step &&
             std::fabs(c.rect.x - (grid.bounds.x + static_cast<float>(col) * cs)) <= eps &&
             std::fabs(c.rect.y - (grid.bounds.y + static_cast<float>(row) * cs)) <= eps &&
             std::fabs(c.rect.w - cs) <= eps && std::fabs(c.rect.h - cs) <= eps;
    };
    auto key_of = [](const SceneCell& c) {
      return std::clamp(static_cast<int>(c.style), 0, kMarkPass - 1) | (c.uncovered ? 8 : 0);
    };
    for (int row = 0; row < lrows; ++row) {
      d.next_open.clear();
      std::size_t prev = 0;  // the next of d.open to compare with
      const SceneCell* cells = &grid.cells[static_cast<std::size_t>(row) * lcols];
      float* shades = &d.next_shades[static_cast<std::size_t>(row) * lcols];
      for (int col = 0; col < lcols;) {
        const SceneCell& c = cells[col];
        shades[col] = c.shade;
        if (!on_lattice(c, row, col)) {
          add_cell(c);  // off the lattice: a quad of its own
          ++col;
          continue;
        }
        // A run of lattice cells of one style along the row...
        const int key = key_of(c), col0 = col;
        while (++col < lcols && on_lattice(cells[col], row, col) && key_of(cells[col]) == key)
          shades[col] = cells[col].shade;
        // ...extends the same run of the row above into a rectangle, or starts one.
        while (prev < d.open.size() && d.blocks[d.open[prev]].col0 < col0) ++prev;
        if (prev < d.open.size()) {
          GridDraw::Block& b = d.blocks[d.open[prev]];
          if (b.col0 == col0 && b.col1 == col - 1 && b.key == key) {
            b.row1 = row;
            d.next_open.push_back(d.open[prev]);
            continue;
          }
        }
        d.next_open.push_back(static_cast<int>(d.blocks.size()));
        d.blocks.push_back({col0, col - 1, row, row, key});
      }
      std::swap(d.open, d.next_open);
    }
    for (const GridDraw::Block& b : d.blocks) {
      const Rect r{grid.bounds.x + static_cast<float>(b.col0) * cs,
                   grid.bounds.y + static_cast<float>(b.row0) * cs,
                   static_cast<float>(b.col1 - b.col0 + 1) * cs,
                   static_cast<float>(b.row1 - b.row0 + 1) * cs};
      const auto style = static_cast<CellStyle>(b.key & 7);
      const bool uncovered = (b.key & 8) != 0;
      add(kLattice, b.key & 7, r, 0, style, uncovered);
      if (uncovered && style != CellStyle::Pending) add(kLattice, kMarkPass, r, 0, style, true);
    }
    // The texture is keyed by its contents: uploaded again only when a shade changed.
    if (d.shades.size() != d.next_shades.size() ||
        std::memcmp(d.shades.data(), d.next_shades.data(), count * sizeof(float)) != 0) {
      std::swap(d.shades, d.next_shades);
      d.upload = true;
    }
  }
  d.instances.clear();
  for (int v = 0; v < kVariants; ++v)
    for (int k = 0; k < kPrograms; ++k) {
      d.first[v][k] = static_cast<GLint>(d.instances.size() / kFloatsPerCell);
      d.instances.insert(d.instances.end(), d.buckets[v][k].begin(), d.buckets[v][k].end());
      d.first[v][k + 1] = static_cast<GLint>(d.instances.size() / kFloatsPerCell);
    }
  d.bounds[0] = grid.bounds.x, d.bounds[1] = grid.bounds.y;
  d.bounds[2] = grid.bounds.w, d.bounds[3] = grid.bounds.h;
  d.rotation_deg = grid.rotation_deg;
  d.opacity = std::clamp(grid.opacity, 0.0f, 1.0f);
  d.transform = t;
  d.background[0] = background.r, d.background[1] = background.g, d.background[2] = background.b;
  d.dark = is_dark_background(background);
  dl->AddCallback(&ScenePainter::grid_callback, &d);
  dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);

  // The numbers, centred in their cells, then turned with the grid about its centre.
  const int first_vertex = dl->VtxBuffer.Size;
  for (const SceneCell& c : grid.cells) {
    if (c.text.empty()) continue;
    const float cell_px = std::min(c.rect.w, c.rect.h) * t.scale;
    FontSet::Pick pick = fonts_.nearest(Font::Mono, kTextPerCell * cell_px);
    const char* begin = c.text.c_str();
    const char* end = begin + c.text.size();
    const float width = pick.font->CalcTextSizeA(pick.size, FLT_MAX, 0.0f, begin, end).x;
    const float room = 0.88f * c.rect.w * t.scale;
    if (width > room) {
      const float fits = pick.size * room / width;
      pick = fonts_.at_most(Font::Mono, fits);
      if (pick.size > fits) pick.size = fits;  // below the smallest baked size: scale it down
    }
    add_text(dl, pick, t.x(c.rect.x + 0.5f * c.rect.w), t.y(c.rect.y + 0.5f * c.rect.h),
             Align::Center, to_u32(c.text_color, d.opacity), c.text);
  }
  if (grid.rotation_deg != 0.0f) {
    // A centre on the half-pixel lattice keeps pixel-snapped glyphs on pixels at 90° and 180°.
    const float cx = std::round(2.0f * t.x(grid.bounds.x + 0.5f * grid.bounds.w)) * 0.5f;
    const float cy = std::round(2.0f * t.y(grid.bounds.y + 0.5f * grid.bounds.h)) * 0.5f;
    rotate_vertices(dl, first_vertex, grid.rotation_deg, ImVec2(cx, cy));
  }
}

void ScenePainter::grid_callback(const ImDrawList*, const ImDrawCmd* cmd) {
  auto* d = static_cast<GridDraw*>(cmd->UserCallbackData);
  d->painter->draw_grid(*d, *cmd);
}

void ScenePainter::draw_grid(GridDraw& d, const ImDrawCmd& cmd) {
  const ImDrawData* dd = ImGui::GetDrawData();
  const ImVec2 pos = dd ? dd->DisplayPos : ImVec2(0, 0);
  const ImVec2 size = dd ? dd->DisplaySize : ImGui::GetIO().DisplaySize;
  const ImVec2 fb_scale = dd ? dd->FramebufferScale : ImVec2(1, 1);
  const int fb_w = static_cast<int>(size.x * fb_scale.x),
            fb_h = static_cast<int>(size.y * fb_scale.y);
  if (fb_w <= 0 || fb_h <= 0 || d.instances.empty()) return;

  glViewport(0, 0, fb_w, fb_h);
  glEnable(GL_SCISSOR_TEST);
  const float cx0 = (cmd.ClipRect.x - pos.x) * fb_scale.x,
              cy0 = (cmd.ClipRect.y - pos.y) * fb_scale.y;
  const float cx1 = (cmd.ClipRect.z - pos.x) * fb_scale.x,
              cy1 = (cmd.ClipRect.w - pos.y) * fb_scale.y;
  if (cx1 <= cx0 || cy1 <= cy0) return;
  glScissor(static_cast<GLint>(cx0), static_cast<GLint>(static_cast<float>(fb_h) - cy1),
            static_cast<GLsizei>(cx1 - cx0), static_cast<GLsizei>(cy1 - cy0));
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_STENCIL_TEST);

  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, instance_buffer_);
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(d.instances.size() * sizeof(float)),
               d.instances.data(), GL_STREAM_DRAW);

  const bool lattice = d.first[kLattice][kPrograms] > d.first[kLattice][0];
  if (lattice) {
    glActiveTexture(GL_TEXTURE0);
    if (d.texture == 0) glGenTextures(1, &d.texture);
    glBindTexture(GL_TEXTURE_2D, d.texture);
    if (d.upload || d.texture_cols != d.cols || d.texture_rows != d.rows) {
      GLint alignment = 4, row_length = 0;
      glGetIntegerv(GL_UNPACK_ALIGNMENT, &alignment);
      glGetIntegerv(GL_UNPACK_ROW_LENGTH, &row_length);
      glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
      glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
      if (d.texture_cols != d.cols || d.texture_rows != d.rows) {
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, d.cols, d.rows, 0, GL_RED, GL_FLOAT,
                     d.shades.data());
        d.texture_cols = d.cols, d.texture_rows = d.rows;
      } else {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, d.cols, d.rows, GL_RED, GL_FLOAT, d.shades.data());
      }
      glPixelStorei(GL_UNPACK_ALIGNMENT, alignment);
      glPixelStorei(GL_UNPACK_ROW_LENGTH, row_length);
      d.upload = false;
    }
  }

  const PaintTransform& t = d.transform;
  // Style by style, the lattice's rectangles and then the single cells; the marks last.
  for (int k = 0; k < kPrograms; ++k)
    for (int v : {kLattice, kCells}) {
      const GLsizei count = d.first[v][k + 1] - d.first[v][k];
      if (count == 0) continue;
      const Program& pr = programs_[v][k];
      glUseProgram(pr.shader->id());
      // layout → display px → NDC (y up).
      glUniform2f(pr.ndc_scale, 2.0f * t.scale / size.x, -2.0f * t.scale / size.y);
      glUniform2f(pr.ndc_offset, 2.0f * (t.offset_x - pos.x) / size.x - 1.0f,
                  1.0f - 2.0f * (t.offset_y - pos.y) / size.y);
      glUniform1f(pr.units_per_px, 1.0f / std::max(t.scale * fb_scale.x, 1e-6f));
      glUniform4fv(pr.bounds, 1, d.bounds);
      glUniform1f(pr.rotation, d.rotation_deg);
      glUniform1f(pr.opacity, d.opacity);
      glUniform3fv(pr.background, 1, d.background);
      glUniform1f(pr.dark, d.dark ? 1.0f : 0.0f);
      if (v == kLattice) {
        glUniform2f(pr.cell, d.cell_size, d.cell_size);
        glUniform2f(pr.dims, static_cast<float>(d.cols), static_cast<float>(d.rows));
      }
      // GL 3.3 has no base instance: point the attributes at this draw's first instance.
      const std::size_t offset =
          static_cast<std::size_t>(d.first[v][k]) * kFloatsPerCell * sizeof(float);
      const GLsizei stride = kFloatsPerCell * sizeof(float);
      glVertexAttribPointer(0, 4, GL_FLOAT, GL_FALSE, stride,
                            reinterpret_cast<const void*>(offset));
      glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, stride,
                            reinterpret_cast<const void*>(offset + 4 * sizeof(float)));
      glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, count);
    }
}

}  // namespace convstep
