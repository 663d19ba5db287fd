// grid.vert — the quads of a SceneGrid (app/gl/scene_painter.cpp).
//
// Positions are in layout units (y down). The grid turns by u_rotation_deg, clockwise on
// screen, about the centre of its bounds; the fragment shader works in the cell's own,
// unrotated coordinates, so hatching, borders and marks turn with it.
//
// Two kinds of instance, each its own program variant:
//   - default: one instance per cell, for cells away from the grid's lattice (cells that grow,
//     shrink or move in an animation). The instance carries the cell's rect and shade.
//   - "#define LATTICE": one instance per rectangle of lattice cells that share a style (and
//     "uncovered" flag). The fragment shader finds each fragment's cell on the lattice and reads
//     its shade from a texture, one texel per cell: a 128×128 grid is a handful of quads.
// Each is compiled with "#define CELL_STYLE n" (quads over whole cells) or "#define MARK_PASS"
// (the "no gradient" mark of uncovered cells, in their top-right corners).
// No #version line: the program puts the platform's first (app/platform.h): 330 core on
// the desktop, 300 es in the browser.

layout(location = 0) in vec4 a_rect;    // x, y, w, h (layout units, before rotation)
layout(location = 1) in vec4 a_params;  // shade −1..1, style (CellStyle), uncovered 0/1, unused

uniform vec4 u_bounds;          // the grid's bounds: x, y, w, h
uniform float u_rotation_deg;   // clockwise on screen, about the centre of u_bounds
uniform vec2 u_ndc_scale;       // layout → NDC: ndc = layout * u_ndc_scale + u_ndc_offset
uniform vec2 u_ndc_offset;
uniform float u_units_per_px;   // layout units per framebuffer pixel

out vec2 v_grid;                // position in the grid, layout units, from its top-left
flat out int v_style;
#ifdef LATTICE
uniform vec2 u_cell;            // a lattice cell's w, h (layout units)
flat out vec4 v_range;          // the instance's cells: first column, first row, last column, last row
#else
out vec2 v_local;               // position in the cell, layout units, from its top-left
flat out vec2 v_size;           // the cell's w, h
flat out vec4 v_outer;          // 1 where the cell's left, top, right, bottom edge is the grid's
flat out float v_shade;
flat out vec3 v_mark;           // the mark's centre (cell-local) and radius, layout units
#endif

void main() {
  // Triangle strip over the unit square: (0,0) (1,0) (0,1) (1,1).
  vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
  vec2 lo = a_rect.xy;
  vec2 blo = u_bounds.xy;
  v_style = int(a_params.y + 0.5);

#ifdef LATTICE
  vec2 first = floor((a_rect.xy - blo) / u_cell + 0.5);
  vec2 count = max(floor(a_rect.zw / u_cell + 0.5), vec2(1.0));
  v_range = vec4(first, first + count - 1.0);
#ifdef MARK_PASS
  vec2 local = a_rect.zw * corner;  // the fragment shader keeps each cell's corner
#else
  // Grown by 1.5 px for the antialiased outer edges of the grid; the fragment shader keeps only
  // fragments of the instance's own cells (and the margin outside the grid).
  float grow = 1.5 * u_units_per_px;
  vec2 local = mix(vec2(-grow), a_rect.zw + vec2(grow), corner);
#endif
#else
  float eps = 1e-3 * min(a_rect.z, a_rect.w);
  vec2 hi = a_rect.xy + a_rect.zw;
  vec2 bhi = u_bounds.xy + u_bounds.zw;
  v_outer = vec4(abs(lo.x - blo.x) < eps ? 1.0 : 0.0, abs(lo.y - blo.y) < eps ? 1.0 : 0.0,
                 abs(hi.x - bhi.x) < eps ? 1.0 : 0.0, abs(hi.y - bhi.y) < eps ? 1.0 : 0.0);

  // The "no gradient" mark: a ⌀ of radius r px, m px from the top and right edges.
  float cell_px = min(a_rect.z, a_rect.w) / u_units_per_px;
  float r = clamp(cell_px * 0.11, 3.5, 16.0);
  float m = max(2.5, cell_px * 0.07);
  v_mark = vec3(a_rect.z - (m + r) * u_units_per_px, (m + r) * u_units_per_px, r * u_units_per_px);

#ifdef MARK_PASS
  float extent = (2.0 * r + m + 3.0) * u_units_per_px;
  vec2 local = mix(vec2(max(0.0, a_rect.z - extent), 0.0), vec2(a_rect.z, min(a_rect.w, extent)),
                   corner);
#else
  // Grow every quad by 1.5 px so that the grid's outer edges can be antialiased; the fragment
  // shader cuts inner edges exactly, so neighbours never overlap.
  float grow = 1.5 * u_units_per_px;
  vec2 local = mix(vec2(-grow), a_rect.zw + vec2(grow), corner);
#endif
  v_local = local;
  v_size = a_rect.zw;
  v_shade = a_params.x;
#endif
  v_grid = lo + local - blo;

  float th = radians(u_rotation_deg);
  float c = cos(th), s = sin(th);
  vec2 centre = blo + 0.5 * u_bounds.zw;
  vec2 d = lo + local - centre;
  vec2 p = centre + vec2(c * d.x - s * d.y, s * d.x + c * d.y);
  gl_Position = vec4(p * u_ndc_scale + u_ndc_offset, 0.0, 1.0);
}
