// grid.frag — the look of one cell: value colour, border, and the marks of its CellStyle.
//
// Compiled once per style with "#define CELL_STYLE n" (n as in core/scene.h's CellStyle:
// 0 Data, 1 Padding, 2 InsertedZero, 3 Pending, 4 Discarded), and once with "#define MARK_PASS"
// for the "no gradient" mark drawn over uncovered cells. Separate programs rather than a branch
// on the style: llvmpipe evaluates every side of a branch, so one program holding all styles
// cost every cell the sum of all of them (measured: ~2.5× the per-pixel time).
//
// Each of those is compiled twice more: per cell (the cell's rect and shade come from its
// instance), and with "#define LATTICE" (an instance covers a rectangle of cells of one style;
// the fragment finds its cell from its position and reads the shade from u_shades). Both give
// the same pixels for a cell on the lattice.
//
// The colormap is core/colormap's: the same stops (kDivergingStops, passed as u_stops) and the
// same linear interpolation in sRGB components, so a Data cell's pixels equal
// diverging_color(shade) (tests/render checks it); so are the style fills (cell_fill()). Every
// width is in framebuffer pixels, measured with screen-space derivatives, so lines stay crisp
// at any scale and rotation.
// No #version line: the program puts the platform's first (app/platform.h): 330 core on
// the desktop, 300 es in the browser.

in vec2 v_grid;
flat in int v_style;
#ifdef LATTICE
flat in vec4 v_range;
uniform vec2 u_cell;              // a lattice cell's w, h (layout units)
uniform vec2 u_dims;              // the lattice's columns, rows
uniform sampler2D u_shades;       // R32F, one texel per cell: its shade
#else
in vec2 v_local;
flat in vec2 v_size;
flat in vec4 v_outer;
flat in float v_shade;
flat in vec3 v_mark;
#endif

uniform vec3 u_stops[9];          // ColorBrewer RdBu, shade −1 … +1 (core/colormap.h)
uniform vec3 u_background;        // the scene's background (Discarded fades toward it)
uniform float u_dark;             // 1 on a dark background (is_dark_background), else 0
uniform vec4 u_padding_dim;       // rgb: grey that Padding is dimmed toward; a: amount
uniform float u_padding_dark_fade;    // Padding on a dark background: amount toward it
uniform float u_inserted_lighten;     // InsertedZero: amount mixed toward white
uniform float u_inserted_dark_fade;   // InsertedZero on a dark background: amount toward it
uniform float u_discarded_fade;   // Discarded: amount mixed toward the background
uniform float u_opacity;

out vec4 frag_color;

const vec3 kInk = vec3(0.13);     // the marks' dark grey

// Lines and marks that stay visible on a fill: dark grey on light fills, light grey on dark.
vec3 ink_on(vec3 fill) {
  return dot(fill, vec3(0.2126, 0.7152, 0.0722)) > 0.4 ? kInk : vec3(0.88);
}

vec3 diverging(float shade) {
  shade = clamp(shade, -1.0, 1.0);
  float pos = (shade + 1.0) * 0.5 * 8.0;
  int i = min(int(pos), 7);
  return mix(u_stops[i], u_stops[i + 1], pos - float(i));
}

// core/colormap.h's cell_fill(): the fill under a style's pattern (Pending: transparent).
vec4 style_fill(int style, vec3 value) {
  if (style == 1) {
    vec3 dimmed = mix(value, u_padding_dim.rgb, u_padding_dim.a);
    return vec4(mix(dimmed, u_background, u_dark * u_padding_dark_fade), 1.0);
  }
  if (style == 2) {
    vec3 lighter = mix(value, vec3(1.0), u_inserted_lighten);
    return vec4(mix(lighter, u_background, u_dark * u_inserted_dark_fade), 1.0);
  }
  if (style == 3) return vec4(u_background, 0.0);
  if (style == 4) return vec4(mix(value, u_background, u_discarded_fade), 1.0);
  return vec4(value, 1.0);
}

// Coverage of a band of half-width hw (px) centred where d (px) is 0, antialiased over 1 px.
float band(float d, float hw) { return clamp(hw + 0.5 - abs(d), 0.0, 1.0); }

// Parallel lines at 45°, `period` px apart, through the grid's origin; `dir` ±1 picks / or \.
float hatch(vec2 g_px, float dir, float period, float hw) {
  float t = (g_px.x + dir * g_px.y) * 0.70710678;
  return band((fract(t / period + 0.5) - 0.5) * period, hw);
}

void main() {
  // Layout units per pixel, from derivatives: invariant under rotation, exact under zoom.
  float upp = max(length(vec2(dFdx(v_grid.x), dFdy(v_grid.x))), 1e-6);

#ifdef LATTICE
  // The fragment's cell on the lattice (the margin outside the grid belongs to its border
  // cells); fragments of cells outside this instance belong to another instance.
  vec2 index = clamp(floor(v_grid / u_cell), vec2(0.0), u_dims - 1.0);
  if (any(lessThan(index, v_range.xy)) || any(greaterThan(index, v_range.zw))) discard;
  vec2 local = v_grid - index * u_cell;
  vec2 cell_size = u_cell;
  vec4 outer = vec4(equal(index, vec2(0.0)), equal(index, u_dims - 1.0));
  float shade = texelFetch(u_shades, ivec2(index), 0).r;
#ifdef MARK_PASS
  // As grid.vert's per-cell mark quads: only the cell's top-right corner.
  float mark_cell_px = min(u_cell.x, u_cell.y) / upp;
  float mark_r = clamp(mark_cell_px * 0.11, 3.5, 16.0);
  float mark_m = max(2.5, mark_cell_px * 0.07);
  vec3 mark_at = vec3(u_cell.x - (mark_m + mark_r) * upp, (mark_m + mark_r) * upp, mark_r * upp);
  float extent = (2.0 * mark_r + mark_m + 3.0) * upp;
  if (local.x < u_cell.x - extent || local.y > min(u_cell.y, extent)) discard;
#endif
#else
  vec2 local = v_local;
  vec2 cell_size = v_size;
  vec4 outer = v_outer;
  float shade = v_shade;
#ifdef MARK_PASS
  vec3 mark_at = v_mark;
#endif
#endif

  vec2 p = local / upp;              // px from the cell's top-left
  vec2 size = cell_size / upp;       // the cell in px
  float cell_px = min(size.x, size.y);

  // Signed distances (px) to the left, top, right, bottom edges; positive inside. Inner edges
  // are cut exactly (the neighbour continues there); the grid's outer edges are antialiased.
  vec4 e = vec4(p.x, p.y, size.x - p.x, size.y - p.y);
  if (any(lessThan(e + outer * 1e6, vec4(-1e-3)))) discard;
  vec4 cover = mix(vec4(1.0), clamp(e + 0.5, 0.0, 1.0), outer);
  float coverage = cover.x * cover.y * cover.z * cover.w;
  float edge = min(min(e.x, e.y), min(e.z, e.w));  // px to the nearest edge
  float border_hw = clamp(cell_px * 0.007, 0.3, 1.0);  // each cell draws half the shared line
  float border = band(edge - border_hw, border_hw);

  vec3 value = diverging(shade);
  vec3 col;
  float alpha = 1.0;

#if defined(MARK_PASS)
  // "No gradient": a small ⌀ in the top-right corner, on a patch of the plain fill (clear of
  // hatching), dark on light fills and light on dark ones.
  vec4 base = style_fill(v_style, value);
  vec2 d = (local - mark_at.xy) / upp;
  float r = mark_at.z / upp;
  float hw = max(0.6, r * 0.13);
  float ring = band(length(d) - r, hw);
  float slash = band(dot(d, vec2(0.70710678)), hw) * step(length(d), r * 1.3);
  float mark = 0.9 * max(ring, slash);
  col = mix(base.rgb, ink_on(base.rgb), mark);
  alpha = base.a * clamp(r + 2.0 * hw + 1.5 - length(d), 0.0, 1.0);
  alpha = max(alpha, mark);
#elif CELL_STYLE == 1  // Padding: dimmed, hatched, dashed border
  col = style_fill(1, value).rgb;
  vec3 ink = ink_on(col);
  float period = max(7.0, cell_px / 5.5);
  col = mix(col, ink, 0.3 * hatch(v_grid / upp, 1.0, period, max(0.5, cell_px / 110.0)));
  // Dashes centred on each edge's stretches, 2–5 per edge.
  bool vertical = min(e.x, e.z) < min(e.y, e.w);
  float along = vertical ? p.y : p.x;
  float len = vertical ? size.y : size.x;
  float n = clamp(floor(len / 12.0 + 0.5), 2.0, 5.0);
  float on = abs(fract(along * n / len) - 0.5) < 0.3 ? 1.0 : 0.0;
  float dash_hw = clamp(cell_px * 0.012, 0.6, 1.6);
  col = mix(col, ink, 0.75 * on * band(edge - dash_hw, dash_hw));
#elif CELL_STYLE == 2  // InsertedZero: lighter, dotted outline inset from the edges
  col = style_fill(2, value).rgb;
  vec3 ink = ink_on(col);
  col = mix(col, ink, 0.15 * border);
  float inset = max(3.0, cell_px * 0.12);
  vec2 hs = 0.5 * size - vec2(inset);
  vec2 q = p - 0.5 * size;
  vec2 aq = abs(q) - hs;
  bool vertical = aq.x > aq.y;
  float perp = vertical ? aq.x : aq.y;
  float along = vertical ? q.y + hs.y : q.x + hs.x;
  float len = 2.0 * (vertical ? hs.y : hs.x);
  float n = max(1.0, floor(len / max(6.0, cell_px / 7.0) + 0.5));
  float step_px = len / n;
  float a = along - clamp(floor(along / step_px + 0.5), 0.0, n) * step_px;
  float r = max(1.1, cell_px / 40.0);
  col = mix(col, ink, 0.7 * clamp(r + 0.5 - length(vec2(a, perp)), 0.0, 1.0));
#elif CELL_STYLE == 3  // Pending: blank, a faint outline
  col = vec3(0.5);
  alpha = 0.35 * border;
#elif CELL_STYLE == 4  // Discarded: faded toward the background, cross-hatched
  col = style_fill(4, value).rgb;
  float period = max(9.0, cell_px / 4.5);
  float hw = max(0.45, cell_px / 140.0);
  vec2 g = v_grid / upp;
  col = mix(col, ink_on(col), 0.25 * max(hatch(g, 1.0, period, hw), hatch(g, -1.0, period, hw)));
  col = mix(col, kInk, 0.35 * border);
#else  // Data
  col = mix(value, kInk, 0.35 * border);
#endif

  frag_color = vec4(col, alpha * coverage * u_opacity);
}
