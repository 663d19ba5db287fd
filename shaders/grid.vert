// grid.vert — one instance per cell of a SceneGrid (app/gl/scene_painter.cpp).
//
// Positions are in layout units (y down). The grid turns by u_rotation_deg, clockwise on
// screen, about the centre of its bounds; the fragment shader works in the cell's own,
// unrotated coordinates, so hatching, borders and marks turn with it.
//
// Compiled with "#define CELL_STYLE n" (a quad over the whole cell) or "#define MARK_PASS" (a
// quad over the cell's top-right corner only, where the "no gradient" mark goes).
#version 330 core

layout(location = 0) in vec4 a_rect;    // cell x, y, w, h (layout units, before rotation)
layout(location = 1) in vec4 a_params;  // shade −1..1, style (CellStyle), uncovered 0/1, unused

uniform vec4 u_bounds;          // the grid's bounds: x, y, w, h
uniform float u_rotation_deg;   // clockwise on screen, about the centre of u_bounds
uniform vec2 u_ndc_scale;       // layout → NDC: ndc = layout * u_ndc_scale + u_ndc_offset
uniform vec2 u_ndc_offset;
uniform float u_units_per_px;   // layout units per framebuffer pixel

out vec2 v_local;               // position in the cell, layout units, from its top-left
out vec2 v_grid;                // position in the grid, layout units, from its top-left
flat out vec2 v_size;           // the cell's w, h
flat out vec4 v_outer;          // 1 where the cell's left, top, right, bottom edge is the grid's
flat out float v_shade;
flat out int v_style;
flat out vec3 v_mark;           // the mark's centre (cell-local) and radius, layout units

void main() {
  // Triangle strip over the unit square: (0,0) (1,0) (0,1) (1,1).
  vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
  float eps = 1e-3 * min(a_rect.z, a_rect.w);
  vec2 lo = a_rect.xy, hi = a_rect.xy + a_rect.zw;
  vec2 blo = u_bounds.xy, bhi = u_bounds.xy + u_bounds.zw;
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
  v_grid = lo + local - blo;
  v_size = a_rect.zw;
  v_shade = a_params.x;
  v_style = int(a_params.y + 0.5);

  float th = radians(u_rotation_deg);
  float c = cos(th), s = sin(th);
  vec2 centre = blo + 0.5 * u_bounds.zw;
  vec2 d = lo + local - centre;
  vec2 p = centre + vec2(c * d.x - s * d.y, s * d.x + c * d.y);
  gl_Position = vec4(p * u_ndc_scale + u_ndc_offset, 0.0, 1.0);
}
