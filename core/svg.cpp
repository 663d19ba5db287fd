#include "core/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/colormap.h"
#include "core/stage.h"

namespace convstep {

namespace {

// A scene's text size is ImGui's: ascent + descent. DejaVu's em is 2048 of its 2384 units of
// ascent + descent, so SVG's font-size (the em) is 0.86 of it, for the same glyphs as on screen.
constexpr float kEmPerSize = 2048.0f / 2384.0f;

std::string num(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string color(const Color& c) {
  char buf[16];
  auto byte = [](float v) {
    return static_cast<int>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255));
  };
  std::snprintf(buf, sizeof buf, "#%02X%02X%02X", byte(c.r), byte(c.g), byte(c.b));
  return buf;
}

std::string opacity(const char* attribute, float alpha) {
  return alpha >= 1 ? "" : std::string(" ") + attribute + "=\"" + num(alpha) + "\"";
}

std::string escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

const char* font_family(Font f) {
  return f == Font::Mono ? "DejaVu Sans Mono, monospace" : "DejaVu Sans, sans-serif";
}

void write_text(std::string& out, const SceneText& t) {
  const char* anchor = t.align == Align::Center  ? "middle"
                       : t.align == Align::Right ? "end"
                                                 : "start";
  out += "<text x=\"" + num(t.x) + "\" y=\"" + num(t.y) + "\" font-family=\"" +
         font_family(t.font) + "\" font-size=\"" + num(t.size * kEmPerSize) + "\"" +
         (t.font == Font::SansBold ? " font-weight=\"bold\"" : "") + " text-anchor=\"" + anchor +
         "\" dominant-baseline=\"central\" xml:space=\"preserve\" fill=\"" + color(t.color) + "\"" +
         opacity("fill-opacity", t.color.a) + ">";
  // Marks become underlined spans in the mark colour.
  std::size_t at = 0;
  for (const auto& [from, to] : t.marks) {
    if (from < at || from >= to || to > t.text.size()) continue;
    out += escape(t.text.substr(at, from - at)) + "<tspan text-decoration=\"underline\" fill=\"" +
           color(t.mark_color) + "\">" + escape(t.text.substr(from, to - from)) + "</tspan>";
    at = to;
  }
  out += escape(t.text.substr(at)) + "</text>\n";
}

void write_cell(std::string& out, const SceneCell& c, const Color& background) {
  const Rect& r = c.rect;
  if (r.w <= 0.01f || r.h <= 0.01f) return;
  const Color fill = cell_fill(c.shade, c.style, background);
  const std::string box = "x=\"" + num(r.x) + "\" y=\"" + num(r.y) + "\" width=\"" + num(r.w) +
                          "\" height=\"" + num(r.h) + "\"";
  std::string stroke = "stroke=\"#7F7F7F\" stroke-width=\"1\"";
  if (c.style == CellStyle::Padding)
    stroke = "stroke=\"#7F7F7F\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"";
  if (c.style == CellStyle::InsertedZero)
    stroke = "stroke=\"#7F7F7F\" stroke-width=\"1.5\" stroke-dasharray=\"1.5 3\"";
  if (c.style == CellStyle::Pending)
    stroke = "stroke=\"#7F7F7F\" stroke-opacity=\"0.4\" stroke-width=\"1\"";
  out += "<rect " + box + " fill=\"" + color(fill) + "\" " + stroke + "/>\n";
  if (c.style == CellStyle::Padding) out += "<rect " + box + " fill=\"url(#hatch)\"/>\n";
  if (c.style == CellStyle::Discarded) out += "<rect " + box + " fill=\"url(#cross)\"/>\n";
  if (c.uncovered) {
    const float s = r.w * 0.22f;
    out += "<line x1=\"" + num(r.x + r.w - s - 3) + "\" y1=\"" + num(r.y + s + 3) + "\" x2=\"" +
           num(r.x + r.w - 3) + "\" y2=\"" + num(r.y + 3) +
           "\" stroke=\"#7F7F7F\" stroke-width=\"2\"/>\n";
  }
  if (!c.text.empty()) {
    SceneText t;
    t.x = r.x + r.w / 2, t.y = r.y + r.h / 2, t.text = c.text,
    t.size = std::min(r.w, r.h) * kTextPerCell;
    t.color = c.text_color, t.font = Font::Mono, t.align = Align::Center;
    write_text(out, t);
  }
}

// A frame's outline (twice for a double frame, the second two stroke widths in, as the GL
// painter draws it) and its corner mark.
void write_frame(std::string& out, const SceneFrame& f) {
  auto rect = [&](const Rect& r, bool filled) {
    out += "<rect x=\"" + num(r.x) + "\" y=\"" + num(r.y) + "\" width=\"" + num(r.w) +
           "\" height=\"" + num(r.h) + "\" fill=\"" + (filled ? color(f.fill) : "none") + "\"" +
           (filled ? opacity("fill-opacity", f.fill.a) : "");
    if (f.stroke_width > 0)
      out += " stroke=\"" + color(f.stroke) + "\" stroke-width=\"" + num(f.stroke_width) + "\"" +
             (f.dashed ? " stroke-dasharray=\"6 4\"" : "");
    out += "/>\n";
  };
  rect(f.rect, f.fill.a > 0);
  const float in = 2 * f.stroke_width;
  if (f.double_line && f.rect.w > 2 * in && f.rect.h > 2 * in)
    rect({f.rect.x + in, f.rect.y + in, f.rect.w - 2 * in, f.rect.h - 2 * in}, false);
  if (f.corner_mark) {
    const float leg = 0.3f * std::min(f.rect.w, f.rect.h), x = f.rect.x, y = f.rect.y;
    out += "<polygon points=\"" + num(x) + "," + num(y) + " " + num(x + leg) + "," + num(y) + " " +
           num(x) + "," + num(y + leg) + "\" fill=\"" + color(f.stroke) + "\"/>\n";
  }
}

}  // namespace

std::string scene_to_svg(const Scene& scene) {
  std::string out;
  out.reserve(1 << 16);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(scene.width) + "\" height=\"" +
         num(scene.height) + "\" viewBox=\"0 0 " + num(scene.width) + " " + num(scene.height) +
         "\">\n";
  out +=
      "<defs>\n"
      "<pattern id=\"hatch\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\" "
      "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" "
      "stroke=\"#5A5A5A\" "
      "stroke-opacity=\"0.45\" stroke-width=\"2\"/></pattern>\n"
      "<pattern id=\"cross\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\"><path "
      "d=\"M0 0L8 8M8 0L0 8\" stroke=\"#5A5A5A\" stroke-opacity=\"0.5\" "
      "stroke-width=\"1.2\"/></pattern>\n"
      "</defs>\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"" + color(scene.background) + "\"/>\n";
  for (const SceneGrid& g : scene.grids) {
    const float cx = g.bounds.x + g.bounds.w / 2, cy = g.bounds.y + g.bounds.h / 2;
    out += "<g id=\"grid-" + escape(grid_id(g)) + "\"";
    if (g.rotation_deg != 0)
      out += " transform=\"rotate(" + num(g.rotation_deg) + " " + num(cx) + " " + num(cy) + ")\"";
    out += opacity("opacity", g.opacity) + ">\n";
    for (const SceneCell& c : g.cells) write_cell(out, c, scene.background);
    out += "</g>\n";
  }
  for (const SceneFrame& f : scene.frames) write_frame(out, f);
  for (const SceneLine& l : scene.lines)
    out += "<line x1=\"" + num(l.x0) + "\" y1=\"" + num(l.y0) + "\" x2=\"" + num(l.x1) +
           "\" y2=\"" + num(l.y1) + "\" stroke=\"" + color(l.color) + "\" stroke-width=\"" +
           num(l.width) + "\"/>\n";
  for (const SceneText& t : scene.texts) write_text(out, t);
  out += "</svg>\n";
  return out;
}

}  // namespace convstep
