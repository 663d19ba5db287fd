// scene_painter.h — draws a Scene (core/scene.h) into an ImGui draw list, with GL for the grids.
//
//   FontSet fonts(io.Fonts);                   // before the font atlas is built
//   ScenePainter painter(fonts);               // needs a current GL 3.3 core context
//   ... ImGui::NewFrame(); ImGui::Begin("Stage");
//   painter.paint(scene, {x, y, w, h}, ImGui::GetWindowDrawList());
//   ... ImGui::Render(); ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
//
// Fit rule: the scene's layout extent (scene.width × scene.height) is scaled uniformly to the
// largest size that fits the viewport, and centred; the rest of the viewport is filled with the
// scene's background. Everything — cell rects, stroke widths, font sizes — scales by the same
// factor, so the picture is the same at every window size. The viewport is in ImGui display
// coordinates (the draw list's), which are framebuffer pixels when FramebufferScale is 1.
//
// Each grid is drawn by shaders/grid.{vert,frag} from one ImDrawList::AddCallback (followed by
// ImDrawCallback_ResetRenderState, so it interleaves with ImGui's own drawing in order): one
// instanced draw per cell style present (each style is its own specialised program), then one
// for the "no gradient" marks of uncovered cells. Cells on the grid's lattice (row-major, at
// bounds + (col, row) × cell_size) are drawn as rectangles of cells that share a style: the
// fragment shader finds its cell and reads the cell's shade from a texture, one texel per cell,
// which is uploaded again only when the shades change. A 128×128 grid is then a few quads
// instead of 16K, which is what llvmpipe needs. Cells off the lattice (growing, shrinking or
// moving in an animation) get a quad each. Frames, lines and all text are ImDrawList
// primitives. Cell text uses DejaVu Sans Mono at the baked size nearest kTextPerCell (core/stage.h)
// × the cell's size in pixels (smaller if the number would not fit in 88% of the cell's width);
// SceneText sizes are scaled like everything else and snapped to a baked size. The text of a
// rotated grid turns with the grid.
//
// Several paint() calls per ImGui frame are fine; the per-frame data lives until the next frame's
// first paint(), so the ImGui frame must be rendered before the painter is destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/gl/font_set.h"
#include "core/scene.h"

struct ImDrawList;
struct ImDrawCmd;

namespace convstep {

class ShaderProgram;

// Layout units → display pixels: px = offset + layout × scale.
struct PaintTransform {
  float scale = 1;
  float offset_x = 0, offset_y = 0;
  float x(float layout_x) const { return offset_x + layout_x * scale; }
  float y(float layout_y) const { return offset_y + layout_y * scale; }
};

class ScenePainter {
 public:
  // Loads <shader_dir>/grid.vert and grid.frag. Throws ShaderError naming the file.
  explicit ScenePainter(const FontSet& fonts, const std::string& shader_dir);
  explicit ScenePainter(const FontSet& fonts);  // shader_dir() from resource_paths.h
  ~ScenePainter();
  ScenePainter(const ScenePainter&) = delete;
  ScenePainter& operator=(const ScenePainter&) = delete;

  // Draws `scene` fitted into `viewport` (clipped to it) and returns the transform used, e.g. to
  // map the mouse back to layout units for hovering.
  PaintTransform paint(const Scene& scene, Rect viewport, ImDrawList* draw_list);
  static PaintTransform fit(const Scene& scene, Rect viewport);

 private:
  struct GridDraw;
  void paint_grid(const SceneGrid& grid, const PaintTransform& t, Color background,
                  ImDrawList* draw_list);
  void draw_grid(GridDraw& draw, const ImDrawCmd& cmd);
  static void grid_callback(const ImDrawList* list, const ImDrawCmd* cmd);

  // One program per CellStyle (CELL_STYLE 0..4), then the mark pass (MARK_PASS); each for
  // quads of single cells (kCells) and for rectangles of lattice cells (kLattice, LATTICE).
  static constexpr int kPrograms = 6, kMarkPass = 5;
  static constexpr int kVariants = 2, kCells = 0, kLattice = 1;
  struct Program {
    std::unique_ptr<ShaderProgram> shader;
    int bounds, rotation, ndc_scale, ndc_offset, units_per_px, background, opacity, dark;
    int cell, dims;  // LATTICE only
  };

  const FontSet& fonts_;
  Program programs_[kVariants][kPrograms];
  int max_texture_size_ = 0;  // larger lattices are drawn cell by cell
  unsigned vao_ = 0, instance_buffer_ = 0;
  int frame_ = -1;  // the ImGui frame that the first used_ draws_ belong to
  std::vector<std::unique_ptr<GridDraw>> draws_;  // referenced by pending draw-list callbacks;
  std::size_t used_ = 0;                          // reused from frame to frame
};

}  // namespace convstep
