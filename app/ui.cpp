#include "app/ui.h"

#include <GLFW/glfw3.h>  // key codes only: io.KeysDown is indexed by GLFW keys
#include <imgui.h>
#include <imgui_internal.h>  // ImHashStr and ActivateItem: pressing a widget by its path

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>

#include "app/gl/scene_painter.h"
#include "app/quiz_panel.h"
#include "app/resource_paths.h"
#include "app/ui_files.h"
#include "core/colormap.h"
#include "core/format.h"
#include "core/user_text.h"

namespace convstep {

namespace fs = std::filesystem;

namespace {

// Panels draw from a const App and return the user's intents, which draw_ui applies once the
// whole frame is drawn. An edit replaces the lesson, the timeline and the frame: a panel that
// edited while drawing would go on reading what the edit freed (a reference taken at its top,
// the next value of a loop). Widgets therefore edit copies, and every change is an intent
// (Intent and Intents: app/ui_files.h).

// A setting changed by a widget, applied with the other intents.
template <class T>
void set_later(Intents& out, T Settings::*field, T value) {
  out.push_back([field, value](App& app, UiState&) { app.settings.*field = value; });
}

ImU32 im_color(Color c) {
  return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, c.a));
}

bool key_pressed(int glfw_key) {
  return ImGui::IsKeyPressed(glfw_key, true);
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(assets_dir() + "/lessons", ec))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Intent toggle_classroom() {
  return [](App& app, UiState&) { app.set_classroom(!app.settings.classroom); };
}

// ---- Keys ----

void shortcuts(const App& app, UiState& ui, Intents& out) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  auto step = [&](long long delta) {
    out.push_back([delta](App& a, UiState&) { a.step_by(delta); });
  };
  // A presentation clicker sends Right/PageDown and Left/PageUp.
  if (key_pressed(GLFW_KEY_RIGHT) || key_pressed(GLFW_KEY_PAGE_DOWN)) step(io.KeyShift ? 10 : 1);
  if (key_pressed(GLFW_KEY_LEFT) || key_pressed(GLFW_KEY_PAGE_UP)) step(io.KeyShift ? -10 : -1);
  if (key_pressed(GLFW_KEY_HOME)) out.push_back([](App& a, UiState&) { a.go_start(); });
  if (key_pressed(GLFW_KEY_END)) out.push_back([](App& a, UiState&) { a.go_end(); });
  // + and − (with or without Ctrl, on the main keys or the keypad) size the stage in every
  // mode, classroom mode included, where there is no menu.
  const float scale_by = key_pressed(GLFW_KEY_EQUAL) || key_pressed(GLFW_KEY_KP_ADD)        ? 1
                         : key_pressed(GLFW_KEY_MINUS) || key_pressed(GLFW_KEY_KP_SUBTRACT) ? -1
                                                                                            : 0;
  // From the scale the stage uses: when the grids have no room for more, − shrinks at once.
  if (scale_by != 0)
    out.push_back([scale_by](App& a, UiState& u) {
      const float asked = a.settings.scale();
      const bool full = u.stage_scale_used > 0 && u.stage_scale_used < asked - 1e-3f;
      a.settings.set_scale((full ? u.stage_scale_used : asked) + scale_by * Settings::kScaleStep);
      if (scale_by > 0 && full)
        notify(u, "The grids fill the stage: text and grids are as large as they fit");
    });
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false))
    out.push_back([](App& a, UiState&) { a.set_playing(!a.playing()); });
  if (ImGui::IsKeyPressed(GLFW_KEY_F11, false) ||
      (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false) && app.settings.classroom))
    out.push_back(toggle_classroom());
  // 1, 2, ...: the phases in lecture order (as many as there are digits).
  for (int i = 0; i < std::min(static_cast<int>(std::size(kAllPhases)), 9); ++i)
    if (ImGui::IsKeyPressed(GLFW_KEY_1 + i, false))
      out.push_back([p = kAllPhases[i]](App& a, UiState&) { a.enter_phase(p); });
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_E, false)) ui.show_export = 2;
  if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) ui.show_help = true;
  // The classic mistakes one after the other, where the why panel is hidden (classroom mode).
  if (!io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_M, false))
    out.push_back([](App& a, UiState&) { a.next_pitfall(); });
  quiz_shortcuts(app, out);  // Q, R
}

// ---- Menus ----

// A menu item that switches a setting on and off.
void menu_switch(const App& app, Intents& out, const char* label, bool Settings::*field) {
  bool on = app.settings.*field;
  if (ImGui::MenuItem(label, nullptr, &on)) set_later(out, field, on);
}

// The classic mistakes, each on or off, and none: in the View menu and, for classroom mode where
// the menu bar and the why panel are hidden, behind the timeline bar's "mistakes…" button.
void mistakes_menu(const App& app, Intents& out) {
  for (std::size_t i = 0; i < std::size(kAllPitfalls); ++i)
    if (ImGui::MenuItem(pitfall_title(kAllPitfalls[i]), nullptr, app.pitfalls[i]))
      out.push_back([i](App& a, UiState&) { a.pitfalls[i] = !a.pitfalls[i]; });
  ImGui::Separator();
  const bool any = std::find(app.pitfalls.begin(), app.pitfalls.end(), true) != app.pitfalls.end();
  if (ImGui::MenuItem("No mistake", "M", !any))
    out.push_back([](App& a, UiState&) { a.pitfalls.fill(false); });
}

void menu_bar(const App& app, UiState& ui, Intents& out) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    file_menu(app, out);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Edit")) {
    edit_menu(app, out);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    if (ImGui::MenuItem("Classroom mode", "F11", app.settings.classroom))
      out.push_back(toggle_classroom());
    menu_switch(app, out, "Lesson panel", &Settings::show_lesson_panel);
    menu_switch(app, out, "Why panel", &Settings::show_why_panel);
    ImGui::Separator();
    quiz_menu_items(app, out);
    ImGui::Separator();
    for (Theme t : kAllThemes)
      if (ImGui::MenuItem(t == Theme::Dark    ? "Dark theme"
                          : t == Theme::Light ? "Light theme"
                                              : "High-contrast theme",
                          nullptr, app.settings.theme == t))
        set_later(out, &Settings::theme, t);
    float scale = app.settings.scale();
    if (ImGui::SliderFloat("Size (+/−)", &scale, Settings::kMinScale, Settings::kMaxScale, "%.2f×"))
      out.push_back([scale](App& a, UiState&) { a.settings.set_scale(scale); });
    if (ImGui::BeginMenu("Classic mistakes")) {
      mistakes_menu(app, out);
      ImGui::EndMenu();
    }
    menu_switch(app, out, "Stop at the end of each phase", &Settings::stop_at_phase_end);
    menu_switch(app, out, "Reduce motion", &Settings::reduce_motion);
    bool skip = app.settings.skip_zero_terms;
    if (ImGui::MenuItem("Skip zero terms", nullptr, &skip))
      out.push_back([skip](App& a, UiState&) {
        a.settings.skip_zero_terms = skip;
        a.seek(0);
      });
    ImGui::EndMenu();
  }
  if (ui.presets.empty()) ui.presets = preset_names();  // listed once, not every frame
  if (ImGui::BeginMenu("Lesson")) {
    for (const std::string& name : ui.presets)
      if (ImGui::MenuItem(name.c_str()))
        out.push_back(open_lesson(assets_dir() + "/lessons/" + name + ".json"));
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keys and names", "F1")) ui.show_help = true;
    ImGui::EndMenu();
  }
  if (app.dirty()) ImGui::TextDisabled("  unsaved edits");
  ImGui::EndMainMenuBar();
}

// ---- The lesson panel ----

bool input_int(const char* label, int* v, int lo, int hi) {
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  const bool changed = ImGui::InputInt(label, v, 1, 1);
  *v = std::clamp(*v, lo, hi);
  return changed;
}

// `value` written as JSON, as App::set_param_json reads it.
Intent set_param(std::string key, std::string value) {
  return [key, value](App& app, UiState&) { app.set_param_json(key, value); };
}

// "[2,1]": a list of integers as JSON.
std::string json_list(const std::vector<int>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "]";
}

Intent edit_value(std::string tensor, std::vector<int> index, double value) {
  return [tensor, index, value](App& app, UiState&) { app.edit_value(tensor, index, value); };
}

void tensor_editor(const char* name, const Tensor& t, int n, int c, Intents& out) {
  if (t.shape.h * t.shape.w > 144) {
    ImGui::TextDisabled("%s is %d×%d: edit it in the lesson file", name, t.shape.h, t.shape.w);
    return;
  }
  ImGui::PushID(name);
  const float width = ImGui::GetFontSize() * 2.8f;
  for (int y = 0; y < t.shape.h; ++y) {
    for (int x = 0; x < t.shape.w; ++x) {
      if (x) ImGui::SameLine(0, 2);
      ImGui::PushID(y * 4096 + x);
      double v = t(n, c, y, x);
      ImGui::SetNextItemWidth(width);
      if (ImGui::InputDouble("##v", &v, 0, 0, "%g", ImGuiInputTextFlags_EnterReturnsTrue))
        out.push_back(edit_value(name,
                                 t.shape.n == 1 && t.shape.c == 1 ? std::vector<int>{y, x}
                                                                  : std::vector<int>{n, c, y, x},
                                 v));
      ImGui::PopID();
    }
  }
  ImGui::PopID();
}

void lesson_panel(const App& app, UiState& ui, Intents& out) {
  const Lesson& l = app.lesson();      // safe: nothing changes the app until the frame is drawn
  const Geometry& g = app.geometry();  // the lesson's, which may be ahead of the screen
  ImGui::TextWrapped("%s", l.title.empty() ? "(untitled lesson)" : l.title.c_str());
  if (!app.lesson_path().empty()) {
    ImGui::PushTextWrapPos(0);  // the panel's edge
    ImGui::TextDisabled("%s%s", fs::path(app.lesson_path()).filename().c_str(),
                        app.read_only() ? " (a preset: read-only)" : "");
    ImGui::PopTextWrapPos();
  }

  if (ImGui::BeginCombo("Preset", "choose…")) {
    for (const std::string& name : ui.presets)
      if (ImGui::Selectable(name.c_str()))
        out.push_back(open_lesson(assets_dir() + "/lessons/" + name + ".json"));
    ImGui::EndCombo();
  }

  if (ImGui::CollapsingHeader("Shapes", ImGuiTreeNodeFlags_DefaultOpen)) {
    std::array<int, 7> s = {g.n, g.c, g.h, g.w, g.cout, g.kh, g.kw};
    const char* labels[7] = {"N (batch)", "C (in)", "H", "W (width)", "Cout", "kH", "kW"};
    bool changed = false;
    for (int i = 0; i < 7; ++i)
      changed |= input_int(labels[i], &s[i], 1, i < 2 || i == 4 ? 16 : 4096);
    if (changed)
      out.push_back([s](App& a, UiState&) { a.reshape(s[0], s[1], s[2], s[3], s[4], s[5], s[6]); });
    const char* fills[] = {"random integers", "zeros", "ones"};
    int fill = static_cast<int>(app.settings.grow_fill);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::Combo("new cells", &fill, fills, 3))
      set_later(out, &Settings::grow_fill, static_cast<GrowFill>(fill));
  }
  if (ImGui::CollapsingHeader("Parameters", ImGuiTreeNodeFlags_DefaultOpen)) {
    int stride[2] = {l.spec.stride_h, l.spec.stride_w};
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    if (ImGui::InputInt2("stride (sH, sW)", stride))
      out.push_back(set_param("stride", json_list({stride[0], stride[1]})));
    int dil[2] = {l.spec.dil_h, l.spec.dil_w};
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    if (ImGui::InputInt2("dilation", dil))
      out.push_back(set_param("dilation", json_list({dil[0], dil[1]})));
    // What the lesson file says, and what the panel shows for it, in the order of PaddingMode.
    const char* modes[] = {"explicit", "valid", "same", "full"};
    const char* mode_words[] = {"as many zeros as I say", "none (valid)",
                                "output as large as the input (same)",
                                "(k−1)·dil on every side (full)"};
    int mode = static_cast<int>(l.spec.padding.mode);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    if (ImGui::Combo("padding", &mode, mode_words, 4))
      out.push_back(set_param("padding", mode == 0 ? "0" : "\"" + std::string(modes[mode]) + "\""));
    if (l.spec.padding.mode == PaddingMode::Explicit) {
      int p[4] = {l.spec.padding.top, l.spec.padding.bottom, l.spec.padding.left,
                  l.spec.padding.right};
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
      if (ImGui::InputInt4("top bottom left right", p))
        out.push_back(set_param("padding", json_list({p[0], p[1], p[2], p[3]})));
    } else {
      ImGui::TextDisabled("= top %d, bottom %d, left %d, right %d", g.pad_top, g.pad_bottom,
                          g.pad_left, g.pad_right);
    }
    int groups = l.spec.groups;
    if (input_int("groups", &groups, 1, 64))
      out.push_back(set_param("groups", std::to_string(groups)));
    bool bias = !l.bias.empty();
    if (ImGui::Checkbox("bias", &bias))
      out.push_back(set_param("bias", bias ? json_list(std::vector<int>(g.cout, 1)) : "null"));
    ImGui::Text("→ Z %s, %lld multiply–adds", g.output_shape().str().c_str(), g.multiply_adds());
  }
  if (ImGui::CollapsingHeader("Loss L and its gradient G = ∂L/∂Z")) {
    // G is derived from a loss, or given: one choice among them.
    const bool given = l.gives_gradient();
    for (LossKind kind :
         {LossKind::Sum, LossKind::HalfSumSquares, LossKind::Mse, LossKind::ReluThenSum}) {
      const std::string label = "L = " + loss_formula(kind);
      if (ImGui::RadioButton(label.c_str(), !given && l.loss.kind == kind))
        out.push_back([kind, seed = static_cast<unsigned>(app.revision())](App& a, UiState&) {
          a.set_loss(kind, seed);
        });
      if (kind == LossKind::Sum) ImGui::SameLine();
    }
    if (ImGui::RadioButton("G given: random integers", given))
      out.push_back([seed = static_cast<unsigned>(app.revision())](App& a, UiState&) {
        a.set_upstream_random(seed);
      });
  }
  if (ImGui::CollapsingHeader("Values")) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    ImGui::SliderInt("n", &ui.slice_n, 0, g.n - 1);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
    ImGui::SliderInt("c / o", &ui.slice_c, 0, std::max(g.c, g.cout) - 1);
    ui.slice_n = std::clamp(ui.slice_n, 0, g.n - 1);
    ImGui::TextDisabled("Enter commits a value");
    ImGui::Text("X");
    tensor_editor("X", l.input, ui.slice_n, std::min(ui.slice_c, g.c - 1), out);
    ImGui::Text("W");
    tensor_editor("W", l.weight, std::min(ui.slice_c, g.cout - 1), 0, out);
    if (!l.bias.empty()) {
      ImGui::Text("b");
      for (int o = 0; o < g.cout; ++o) {
        ImGui::PushID(o);
        double v = l.bias[o];
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 2.8f);
        if (ImGui::InputDouble("##b", &v, 0, 0, "%g", ImGuiInputTextFlags_EnterReturnsTrue))
          out.push_back(edit_value("b", {o}, v));
        ImGui::PopID();
        ImGui::SameLine(0, 2);
      }
      ImGui::NewLine();
    }
    if (l.upstream.shape.count() > 0) {
      ImGui::Text("G");
      tensor_editor("G", l.upstream, ui.slice_n, std::min(ui.slice_c, g.cout - 1), out);
    }
    if (l.loss.kind == LossKind::Mse && !l.gives_gradient()) {
      ImGui::Text("T (the target)");
      tensor_editor("T", l.loss.target, ui.slice_n, std::min(ui.slice_c, g.cout - 1), out);
    }
    if (ImGui::Button("Randomize with integers"))
      out.push_back([seed = static_cast<unsigned>(app.revision() * 7919 + 1)](App& a, UiState&) {
        a.randomize_integers(seed);
      });
  }
  if (!app.last_error().empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.95f, 0.45f, 0.2f, 1));
    ImGui::TextWrapped("Not applied: %s", app.last_error().c_str());
    ImGui::PopStyleColor();
    if (ImGui::SmallButton("OK")) out.push_back([](App& a, UiState&) { a.clear_error(); });
  }
}

// ---- The why panel ----

void why_panel(const App& app, UiState& ui, Intents& out) {
  const Frame& f = app.frame();  // safe: nothing changes the app until the frame is drawn
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(phase_title(f.phase));
  ImGui::Separator();
  ImGui::TextUnformatted(app.timeline().explanation(f.phase).c_str());
  // A derived cell's note says its value: it waits while the quiz asks that cell.
  if (!f.note.empty() && !note_withheld(f, app.quiz().hidden())) {
    ImGui::Spacing();
    ImGui::TextColored(ImVec4(0.55f, 0.8f, 1, 1), "%s", f.note.c_str());
  }
  ImGui::Spacing();
  // The names this phase and step use, each with its plain gloss ("Gd: G spread out by the
  // stride"), then the notebooks' names for the gradients.
  for (Grid g : grids_named_in(std::string(phase_title(f.phase)) + " " + f.equation.text()))
    ImGui::TextDisabled("%s", grid_gloss(g));
  ImGui::TextDisabled("dX = X_grad = ∂L/∂X, dW = W_grad = ∂L/∂W, G = Z_grad = ∂L/∂Z");

  // The check of every method runs off the frame path, once per timeline shown, on its own
  // copy of the lesson: an edit cannot pull it away, and calls off a check made stale. It
  // starts once the timeline is rebuilt, so that the two never share the cores.
  if (ui.checked_revision != app.shown_revision()) {
    ui.checked_revision = app.shown_revision();
    ui.check_ready = false;
    ui.check.start([lesson = app.shown_lesson()](const CancelFlag& cancel) {
      return check_methods(*lesson, &cancel);
    });
  }
  if (std::optional<MethodCheck> done = ui.check.take()) {
    ui.check_result = *done;
    ui.check_ready = true;
  }
  if (ImGui::CollapsingHeader("Do all the ways agree?", ImGuiTreeNodeFlags_DefaultOpen)) {
    if (!ui.check_ready) {
      ImGui::TextDisabled("checking…");
    } else {
      const double magnitude = max_abs(app.timeline().results().dX);
      const bool ok = ui.check_result.agree(magnitude);
      for (const std::string& line : check_lines(ui.check_result, magnitude))
        ImGui::TextColored(ok ? ImVec4(0.3f, 0.8f, 0.5f, 1) : ImVec4(1, 0.4f, 0.2f, 1), "%s%s",
                           ok ? "✓ " : "", line.c_str());
    }
  }
  if (ImGui::CollapsingHeader("Classic mistakes from the notebooks")) {
    for (std::size_t i = 0; i < std::size(kAllPitfalls); ++i) {
      const Pitfall p = kAllPitfalls[i];
      bool on = app.pitfalls[i];
      if (ImGui::Checkbox(pitfall_title(p), &on))
        out.push_back([i, on](App& a, UiState&) { a.pitfalls[i] = on; });
      if (!on) continue;
      ImGui::Indent();
      // A mistake's explanation may name the right value of a cell the open question asks.
      ImGui::TextUnformatted(app.timeline().pitfall_explanation(p, !app.quiz().question()).c_str());
      const PitfallResult& r = app.timeline().pitfall(p);
      const Results& right = app.timeline().results();
      auto compare = [&](const char* name, const Tensor& wrong, const Tensor& good) {
        if (wrong.shape.count() == 0) return;
        if (wrong.shape != good.shape) {
          ImGui::TextColored(ImVec4(0.84f, 0.37f, 0, 1), "%s: %s instead of %s", name,
                             wrong.shape.str().c_str(), good.shape.str().c_str());
          return;
        }
        int differ = 0;
        for (std::size_t k = 0; k < wrong.values.size(); ++k)
          differ += std::fabs(wrong.values[k] - good.values[k]) > 1e-9;
        ImGui::TextColored(differ ? ImVec4(0.84f, 0.37f, 0, 1) : ImVec4(0.3f, 0.8f, 0.5f, 1),
                           "%s: %d of %zu cells differ", name, differ, good.values.size());
      };
      compare("dX", r.dX, right.dX);
      compare("dW", r.dW, right.dW);
      ImGui::Unindent();
    }
  }
  ImGui::PopTextWrapPos();
}

// ---- The timeline bar ----

// The width of a button labelled `label`.
float button_width(const char* label) {
  return ImGui::CalcTextSize(label).x + 2 * ImGui::GetStyle().FramePadding.x;
}

// One chip per phase, wrapping onto a new line where the bar is narrower than them (a phone).
void phase_chips(const App& app, Intents& out) {
  for (Phase p : kAllPhases) {
    if (p != kAllPhases[0]) {
      ImGui::SameLine();
      if (ImGui::GetContentRegionAvail().x < button_width(phase_label(p))) ImGui::NewLine();
    }
    const bool active = app.phase() == p;
    if (active)
      ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(phase_label(p))) out.push_back([p](App& a, UiState&) { a.enter_phase(p); });
    if (active) ImGui::PopStyleColor();
  }
}

// A scrubber with a tick per target cell (sparser when there are many).
void scrubber(const App& app, float width, Intents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float h = ImGui::GetFrameHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("scrubber", ImVec2(std::max(width, 10.0f), h));
  const long long count = app.step_count();
  if (ImGui::IsItemActive() && count > 1 && width > 0) {
    const float u = std::clamp((ImGui::GetIO().MousePos.x - p.x) / width, 0.0f, 1.0f);
    const long long k = std::llround(u * (count - 1));
    if (k != app.step()) out.push_back([k](App& a, UiState&) { a.seek(k); });
  }
  const ImU32 track = ImGui::GetColorU32(ImGuiCol_FrameBg),
              tick = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl->AddRectFilled(ImVec2(p.x, p.y + h * 0.35f), ImVec2(p.x + width, p.y + h * 0.65f), track,
                    h * 0.15f);
  const long long cells = app.frame().cells;
  if (cells > 0 && cells <= 400 && app.settings.granularity != Granularity::Phase) {
    const long long per = std::max(1LL, (count - 1) / cells);
    for (long long c = 0; c <= cells; ++c) {
      const float x =
          p.x + width * std::min(1.0f, static_cast<float>(c * per) / std::max(1LL, count - 1));
      dl->AddLine(ImVec2(x, p.y + h * 0.25f), ImVec2(x, p.y + h * 0.75f), tick);
    }
  }
  const float u = count > 1 ? static_cast<float>(app.step()) / (count - 1) : 0;
  dl->AddCircleFilled(ImVec2(p.x + u * width, p.y + h / 2), h * 0.32f, im_color(kRoleWindow));
}

// The width of a checkbox or of a labelled item `item` wide.
float labelled_width(float item, const char* label) {
  return item + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
}

std::string step_counter(const App& app) {
  return std::string(granularity_name(app.settings.granularity)) + " " +
         std::to_string(app.step() + 1) + " / " + std::to_string(app.step_count());
}

// The timeline bar's controls after the phase chips, in order: each group's width and the
// space before it. In a small window they go on as many rows as they need rather than be cut
// off; the bar's height is known before it is drawn (bar_rows), so it is right in every frame.
std::vector<std::pair<float, float>> bar_groups(const App& app) {
  const ImGuiStyle& st = ImGui::GetStyle();
  const float em = ImGui::GetFontSize(), wide = em * 1.5f, near = st.ItemSpacing.x;
  std::vector<std::pair<float, float>> g = {
      {button_width("|◀◀▶ play▶▶|") + 4 * (near + 2 * st.FramePadding.x), wide},
      {ImGui::CalcTextSize(step_counter(app).c_str()).x, wide},
      {em * 5, wide},
      {labelled_width(em * 6, "speed"), near},
      {labelled_width(ImGui::GetFrameHeight(), "loop"), near},
      {button_width("mistakes…"), wide}};
  const Geometry& geo = app.timeline().geometry();
  if (geo.n > 1 || geo.c > 1 || geo.cout > 1) {
    g.push_back({labelled_width(ImGui::GetFrameHeight(), "follow slice"), wide});
    if (app.slice)
      for (const char* name : {"n", "c", "o"}) g.push_back({labelled_width(em * 3.5f, name), near});
  }
  return g;
}

// How many rows the bar's controls take in `width`, laid out as phase_chips and next_group do.
int bar_rows(const App& app, float width) {
  int rows = 1;
  float x = 0;
  for (Phase p : kAllPhases) {
    const float w = button_width(phase_label(p)), space = ImGui::GetStyle().ItemSpacing.x;
    if (x > 0 && x + space + w > width)
      ++rows, x = w;
    else
      x += (x > 0 ? space : 0) + w;
  }
  for (const auto& [w, space] : bar_groups(app))
    if (x + space + w > width)
      ++rows, x = w;
    else
      x += space + w;
  return rows;
}

// The next group of controls on this line if it fits, else on the next one (as bar_rows counts).
void next_group(const std::pair<float, float>& group) {
  ImGui::SameLine(0, group.second);
  if (ImGui::GetContentRegionAvail().x < group.first) ImGui::NewLine();
}

void timeline_bar(const App& app, Intents& out) {
  const std::vector<std::pair<float, float>> groups = bar_groups(app);
  std::size_t next = 0;
  phase_chips(app, out);
  next_group(groups[next++]);
  auto act = [&](void (*f)(App&)) { out.push_back([f](App& a, UiState&) { f(a); }); };
  // Transport: |◀  ◀  ▶ play  ▶  ▶|  (DejaVu has ◀ ▶ but no ⏮ ⏭ ⏸)
  if (ImGui::Button("|◀")) act([](App& a) { a.go_start(); });
  ImGui::SameLine();
  if (ImGui::Button("◀")) act([](App& a) { a.step_by(-1); });
  ImGui::SameLine();
  if (ImGui::Button(app.playing() ? "|| pause" : "▶ play"))
    act([](App& a) { a.set_playing(!a.playing()); });
  ImGui::SameLine();
  if (ImGui::Button("▶")) act([](App& a) { a.step_by(+1); });
  ImGui::SameLine();
  if (ImGui::Button("▶|")) act([](App& a) { a.go_end(); });
  next_group(groups[next++]);
  ImGui::TextUnformatted(step_counter(app).c_str());
  next_group(groups[next++]);
  constexpr int kGranularities = static_cast<int>(std::size(kAllGranularities));
  const char* grans[kGranularities];
  int gran = 0;
  for (int i = 0; i < kGranularities; ++i) {
    grans[i] = granularity_name(kAllGranularities[i]);
    if (kAllGranularities[i] == app.settings.granularity) gran = i;
  }
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
  if (ImGui::Combo("##granularity", &gran, grans, kGranularities))
    out.push_back([g = kAllGranularities[gran]](App& a, UiState&) { a.set_granularity(g); });
  next_group(groups[next++]);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
  float speed = app.settings.speed;
  if (ImGui::SliderFloat("speed", &speed, 0.25f, 8, "%.2f×", ImGuiSliderFlags_Logarithmic))
    set_later(out, &Settings::speed, std::clamp(speed, 0.25f, 8.0f));
  next_group(groups[next++]);
  bool loop = app.settings.loop;
  if (ImGui::Checkbox("loop", &loop)) set_later(out, &Settings::loop, loop);
  next_group(groups[next++]);
  if (ImGui::Button("mistakes…")) ImGui::OpenPopup("mistakes");
  if (ImGui::BeginPopup("mistakes")) {
    mistakes_menu(app, out);
    ImGui::EndPopup();
  }
  // Which (n, c, o) slice the stage shows, for lessons with a batch or channels.
  const Geometry& g = app.timeline().geometry();
  if (g.n > 1 || g.c > 1 || g.cout > 1) {
    next_group(groups[next++]);
    bool follow = !app.slice;
    if (ImGui::Checkbox("channels of the current step", &follow)) {
      std::optional<std::array<int, 3>> slice;
      if (!follow) slice = std::array<int, 3>{std::max(app.frame().target.n, 0), 0, 0};
      out.push_back([slice](App& a, UiState&) { a.slice = slice; });
    }
    if (app.slice) {
      std::array<int, 3> slice = *app.slice;
      const int limits[3] = {g.n - 1, g.c - 1, g.cout - 1};
      const char* names[3] = {"n", "c", "o"};
      bool changed = false;
      for (int i = 0; i < 3; ++i) {
        next_group(groups[next++]);
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3.5f);
        changed |= ImGui::SliderInt(names[i], &slice[i], 0, limits[i]);
      }
      if (changed) out.push_back([slice](App& a, UiState&) { a.slice = slice; });
    }
  }
  // The scrubber has a row of its own: full width, easy to hit on a projector.
  scrubber(app, ImGui::GetContentRegionAvail().x, out);
}

// ---- The stage ----

// `related`: how many related cells the stage highlights for it; unset when another cell is
// pinned, so that its own are not highlighted.
std::string cell_tooltip(const App& app, UiState& ui, const CellRef& cell,
                         std::optional<long long> related) {
  const Timeline& tl = app.timeline();
  // The quiz asks for it, now or at a later step: its value and equation wait until then.
  if (app.quiz().conceals(tl, app.frame(), cell))
    return tl.cell_name(cell) + " = ?\n" + grid_gloss(cell.grid) +
           "\nThe quiz asks for this value: it is shown once answered.";
  const Tensor& t = tl.tensor(cell.grid);
  std::string s = tl.cell_name(cell) + " = " +
                  format_number(t(cell.n, cell.c, cell.h, cell.w), kUnicode) + "\n" +
                  grid_gloss(cell.grid);
  if ((cell.grid == Grid::Xp && tl.is_padding(Grid::Xp, cell.h, cell.w)) ||
      (cell.grid == Grid::Gp && tl.is_padding(Grid::Gp, cell.h, cell.w)))
    s += "\na zero of the padding or the stride";
  if (cell.grid == Grid::dX && tl.is_uncovered(cell.h, cell.w))
    s += "\nno window reaches this input: no gradient";
  if (ui.equation_revision != app.shown_revision() || !(ui.equation_cell == cell)) {
    ui.equation = tl.equation_of(cell);
    ui.equation_revision = app.shown_revision(), ui.equation_cell = cell;
  }
  if (!ui.equation.empty()) s += "\n" + ui.equation;
  if (!related)
    s += "\nclick to pin it instead, with its related cells";
  else
    s += "\n" + std::to_string(*related) + " related cells highlighted; click to " +
         (app.pinned == cell ? "unpin" : "pin");
  return s;
}

// The mouse wheel zooms about the pointer, dragging pans, 0 resets (app/stage_zoom.h).
void zoom_and_pan(UiState& ui, bool hovered, bool held, ImVec2 size) {
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.WantTextInput && ImGui::IsKeyPressed(GLFW_KEY_0, false)) ui.zoom.reset();
  const ImVec2 origin = ImGui::GetItemRectMin();
  if (hovered && io.MouseWheel != 0)
    ui.zoom.wheel(io.MousePos.x - origin.x, io.MousePos.y - origin.y, io.MouseWheel, size.x,
                  size.y);
  if (held && ImGui::IsMouseDragging(0))
    ui.zoom.pan(io.MouseDelta.x, io.MouseDelta.y, size.x, size.y);
  ui.zoom.clamp(size.x, size.y);
}

// The lesson was edited and its new timeline is being computed: the old frame stays, marked.
void computing_mark(ImVec2 pos, ImVec2 size) {
  const char* text = "computing…";
  const ImVec2 pad(ImGui::GetFontSize() * 0.5f, ImGui::GetFontSize() * 0.25f);
  const ImVec2 t = ImGui::CalcTextSize(text);
  // The bottom right corner: the step counter is at the top right, the equation bottom left.
  const ImVec2 at(pos.x + size.x - t.x - pad.x * 3, pos.y + size.y - t.y - pad.y * 3);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(at.x - pad.x, at.y - pad.y),
                    ImVec2(at.x + t.x + pad.x, at.y + t.y + pad.y),
                    ImGui::GetColorU32(ImGuiCol_PopupBg), pad.y * 2);
  dl->AddText(at, ImGui::GetColorU32(ImGuiCol_Text), text);
}

void stage(const App& app, UiState& ui, ScenePainter& painter, Intents& out) {
  const ImVec2 pos = ImGui::GetCursorScreenPos(), size = ImGui::GetContentRegionAvail();
  if (size.x < 8 || size.y < 8) {  // nothing to draw on (a minimized or tiny window)
    out.push_back([](App& a, UiState&) { a.hover.reset(); });
    return;
  }
  // A click (pressed and let go without dragging) pins a cell; a drag pans the zoomed stage.
  const bool released = ImGui::InvisibleButton("stage", size);
  const bool hovered = ImGui::IsItemHovered();
  const ImGuiIO& io = ImGui::GetIO();
  const float drag = io.MouseDragThreshold;
  const bool clicked = released && io.MouseDragMaxDistanceSqr[0] < drag * drag;
  zoom_and_pan(ui, hovered, ImGui::IsItemActive(), size);
  // One layout unit is one pixel (on all but the narrowest stages); the scale of the current
  // mode enlarges text and grids together, as far as the grids have room. Zoomed in, the
  // grids are shown whole (numbers appear as they grow large enough); at zoom 1, the focus view
  // magnifies the part around the step of grids too large to read.
  const float d = ui.display_scale;
  StageOptions view = stage_view(size.x / d, size.y / d, app.settings.scale());
  view.pixels_per_unit *= d * ui.zoom.factor;
  view.focus_view = !ui.zoom.zoomed();
  Scene scene = app.scene(view);
  ui.stage_scale_used = scene.scale;
  const Rect viewport{pos.x + ui.zoom.x, pos.y + ui.zoom.y, size.x * ui.zoom.factor,
                      size.y * ui.zoom.factor};
  // The cell under the mouse, in this frame's layout: it is highlighted in this very frame.
  const PaintTransform t = ScenePainter::fit(scene, viewport);
  const ImVec2 m = ImGui::GetIO().MousePos;
  const std::optional<CellRef> cell =
      hovered && t.scale > 0 ? cell_at(scene, app.timeline(), (m.x - t.offset_x) / t.scale,
                                       (m.y - t.offset_y) / t.scale)
                             : std::nullopt;
  // A pinned cell wins; without the mouse on the stage, a hover set by a script shows.
  const std::optional<CellRef> shown = app.pinned ? app.pinned : hovered ? cell : app.hover;
  const long long related =
      shown ? highlight_related(scene, app.timeline(), *shown, app.settings.theme) : 0;
  painter.paint(scene, viewport, ImGui::GetWindowDrawList());
  // Shown after a moment: a rebuild that lands within a few frames would only flash it.
  if (app.computing_seconds() > 0.1) computing_mark(pos, size);
  out.push_back([cell, clicked](App& a, UiState&) {
    a.hover = cell;
    if (clicked) a.pinned = cell && a.pinned != cell ? cell : std::nullopt;
  });
  if (cell) {
    // Wrapped within half the window, so that a long equation stays on screen whole.
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(
        std::min(ImGui::GetIO().DisplaySize.x * 0.5f, ImGui::GetFontSize() * 45.0f));
    ImGui::TextUnformatted(
        cell_tooltip(app, ui, *cell, shown == cell ? std::optional(related) : std::nullopt)
            .c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

// ---- Popups ----

// The Keys window's text; the number keys follow the list of phases.
std::string keys_help() {
  std::string phases = "1 … " + std::to_string(std::min<std::size_t>(std::size(kAllPhases), 9));
  phases += std::string(20 - (phases.size() - 2), ' ');  // "…" is 3 bytes, 1 column
  for (Phase p : kAllPhases) phases += std::string(p == kAllPhases[0] ? "" : ", ") + phase_label(p);
  return "Right / PageDown    next step (Shift: 10), on into the next phase\n"
         "Left / PageUp       previous step, back into the previous phase\n"
         "Home / End          start / end of the phase\n"
         "Space               play / pause\n" +
         phases +
         "\n"
         "F11                 classroom mode (Esc leaves it)\n"
         "+ / −               larger / smaller text and grids\n"
         "M                   the classic mistakes one after the other, then none; each shows\n"
         "                    its wrong result beside the right one in the phases it changes\n"
         "                    (also: the mistakes… button of the timeline bar)\n"
         "Q                   quiz: type the value of each cell before it is shown\n"
         "R                   quiz: reveal the answer (not scored)\n"
         "Mouse wheel, drag   zoom and move the stage; 0 resets\n"
         "Ctrl+O / Ctrl+S     open / save a lesson\n"
         "Ctrl+Z / Ctrl+Y     undo / redo an edit (also Ctrl+Shift+Z)\n"
         "Ctrl+Q              quit (unsaved edits are asked about)\n"
         "Hover a cell        see what it depends on; click to pin\n\n"
         "dX = X_grad = ∂L/∂X    dW = W_grad = ∂L/∂W    G = Z_grad = ∂L/∂Z";
}

void popups(const App& app, UiState& ui, Intents& out) {
  file_popups(app, ui, out);
  if (ui.show_help) {
    ImGui::OpenPopup("Keys");
    ui.show_help = false;
  }
  if (ImGui::BeginPopupModal("Keys", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted(keys_help().c_str());
    if (ImGui::Button("Close") || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

void apply_theme(Theme theme) {
  switch (theme) {
    case Theme::Light:
      ImGui::StyleColorsLight();
      break;
    case Theme::HighContrast:
      ImGui::StyleColorsDark();
      ImGui::GetStyle().Colors[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 1);
      ImGui::GetStyle().Colors[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
      break;
    case Theme::Dark:
      ImGui::StyleColorsDark();
      break;
  }
}

// The ImGui ID of a widget path: the window's name, then each label, as ImGui's ID stack
// hashes them. Three names stand for ImGui's own, which a script cannot spell ('#' starts a
// comment): "Menus" is the menu bar ("Menus > File" opens File), "Menu" the open menu, "Popup"
// the popup open last.
ImGuiID widget_id(const std::string& path) {
  ImGuiID id = 0;
  std::size_t at = 0;
  for (bool first = true;; first = false) {
    const std::size_t end = path.find('>', at);
    std::string label = path.substr(at, end == std::string::npos ? std::string::npos : end - at);
    label.erase(0, label.find_first_not_of(' '));
    label.erase(label.find_last_not_of(' ') + 1);
    ImGuiID seed = first ? 0 : id;
    if (first && label == "Menus") seed = ImHashStr("##MainMenuBar"), label = "##menubar";
    if (first && label == "Menu") label = "##Menu_00";
    const ImGuiContext& g = *ImGui::GetCurrentContext();
    if (first && label == "Popup" && !g.OpenPopupStack.empty() && g.OpenPopupStack.back().Window)
      id = g.OpenPopupStack.back().Window->ID;  // the popup open last ("mistakes…")
    else
      id = ImHashStr(label.c_str(), 0, seed);
    if (end == std::string::npos) return id;
    at = end + 1;
  }
}

}  // namespace

// The widget pressed last: a press in a popup closes it, and with it the path's meaning.
ImGuiID& pressed_id() {
  static ImGuiID id = 0;
  return id;
}

void press_widget(const std::string& path) {
  pressed_id() = widget_id(path);
  ImGui::ActivateItem(pressed_id());
}

bool widget_pressed(const std::string& path) {
  return ImGui::GetCurrentContext()->LastActiveId ==
         (pressed_id() != 0 ? pressed_id() : widget_id(path));
}

// Where the side panels go in a small window: tabs `tab` wide at the edges of the body (from
// `top`, `height` high), and an open panel `side` wide over the stage beside its tab.
struct CompactGeometry {
  float top, height, tab, side;
};

// The side panels of a small window: a tab at each edge ("Lesson" down the left one, "Why"
// down the right one, a letter a line) opens its panel over the stage, and closes it again.
void compact_panels(const App& app, UiState& ui, Intents& out, bool left, bool right,
                    const CompactGeometry& at) {
  const float W = ImGui::GetIO().DisplaySize.x;
  const ImGuiWindowFlags strip = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar;
  auto tab = [&](const char* window, const char* letters, float x, int panel) {
    ImGui::SetNextWindowPos(ImVec2(x, at.top));
    ImGui::SetNextWindowSize(ImVec2(at.tab, at.height));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(2, 4));
    if (ImGui::Begin(window, nullptr, strip)) {
      const bool active = ui.open_panel == panel;  // (the click below changes it)
      if (active) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetColorU32(ImGuiCol_ButtonActive));
      if (ImGui::Button(letters, ImVec2(-1, 0))) ui.open_panel = active ? 0 : panel;
      if (active) ImGui::PopStyleColor();
    }
    ImGui::End();
    ImGui::PopStyleVar();
  };
  if (left) tab("##lesson tab", "L\ne\ns\ns\no\nn", 0, 1);
  if (right) tab("##why tab", "W\nh\ny", W - at.tab, 2);
  if ((ui.open_panel == 1 && !left) || (ui.open_panel == 2 && !right)) ui.open_panel = 0;
  if (ui.open_panel == 0) return;
  const bool lesson = ui.open_panel == 1;
  const float side = std::min(at.side, W - 2 * at.tab);
  ImGui::SetNextWindowPos(ImVec2(lesson ? at.tab : W - at.tab - side, at.top));
  ImGui::SetNextWindowSize(ImVec2(side, at.height));
  ImGui::SetNextWindowBgAlpha(1);  // over the stage: the grids must not show through
  bool open = true;
  if (ImGui::Begin(lesson ? "Lesson" : "Why", &open,
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                       ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings)) {
    if (lesson)
      lesson_panel(app, ui, out);
    else
      why_panel(app, ui, out);
  }
  ImGui::End();
  if (!open) ui.open_panel = 0;
}

void draw_ui(App& app, UiState& ui, ScenePainter& painter) {
  if (ui.applied_theme != static_cast<int>(app.settings.theme)) {
    apply_theme(app.settings.theme);
    ui.applied_theme = static_cast<int>(app.settings.theme);
  }
  Intents intents;
  const App& state = app;  // what the panels see: nothing changes it until they are done
  shortcuts(state, ui, intents);
  file_shortcuts(ui, intents);

  const ImGuiIO& io = ImGui::GetIO();
  const bool classroom = state.settings.classroom;
  float top = 0;
  if (!classroom) {
    menu_bar(state, ui, intents);
    top = ImGui::GetFrameHeight();
  }
  const float W = io.DisplaySize.x, H = io.DisplaySize.y;
  // The timeline bar: its controls (on two rows in a small window), the scrubber and the status
  // line.
  const float bar_h =
      ImGui::GetFrameHeightWithSpacing() *
          (1 + bar_rows(state, io.DisplaySize.x - 2 * ImGui::GetStyle().WindowPadding.x)) +
      ImGui::GetStyle().WindowPadding.y * 2 +
      (ui.status.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing());
  const bool left = state.settings.show_lesson_panel && !classroom,
             right = state.settings.show_why_panel && !classroom;
  const float d = ui.display_scale;  // layout pixels: the same panels on any pixel density
  const float side = std::clamp(W * 0.2f, 220.0f * d, 420.0f * d);
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
  const float body_h = std::max(1.0f, H - top - bar_h);
  // A small window keeps its stage: the side panels fold into tabs at its edges, and a tab
  // opens its panel over the stage (compact_layout).
  const bool compact = W < kCompactWidth * d;
  const float tab = compact ? ImGui::GetFrameHeight() * 1.5f : 0;
  const float left_w = !left     ? 0
                       : compact ? tab
                                 : side,
              right_w = !right    ? 0
                        : compact ? tab
                                  : side;
  // The quiz takes the stage's bottom, or in classroom mode its right (0 while it is off).
  const float quiz_w = quiz_column_width(state, W);
  const float quiz_h = std::min(quiz_bar_height(state, W - left_w - right_w), body_h * 0.5f);
  if (left && !compact) {
    ImGui::SetNextWindowPos(ImVec2(0, top));
    ImGui::SetNextWindowSize(ImVec2(side, body_h));
    if (ImGui::Begin("Lesson", nullptr, fixed)) lesson_panel(state, ui, intents);
    ImGui::End();
  }
  if (right && !compact) {
    ImGui::SetNextWindowPos(ImVec2(W - side, top));
    ImGui::SetNextWindowSize(ImVec2(side, body_h));
    if (ImGui::Begin("Why", nullptr, fixed)) why_panel(state, ui, intents);
    ImGui::End();
  }
  ImGui::SetNextWindowPos(ImVec2(left_w, top));
  ImGui::SetNextWindowSize(
      ImVec2(std::max(1.0f, W - left_w - right_w - quiz_w), std::max(1.0f, body_h - quiz_h)));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  // No window background: the painter fills the stage with the scene's own.
  if (ImGui::Begin("Stage", nullptr,
                   fixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar |
                       ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground))
    stage(state, ui, painter, intents);
  ImGui::End();
  ImGui::PopStyleVar();
  if (compact) compact_panels(state, ui, intents, left, right, {top, body_h, tab, side});
  if (quiz_h > 0 || quiz_w > 0) {  // under the stage, or at its right
    ImGui::SetNextWindowPos(quiz_w > 0 ? ImVec2(W - right_w - quiz_w, top)
                                       : ImVec2(left_w, top + body_h - quiz_h));
    ImGui::SetNextWindowSize(quiz_w > 0 ? ImVec2(quiz_w, body_h)
                                        : ImVec2(std::max(1.0f, W - left_w - right_w), quiz_h));
    if (ImGui::Begin("Quiz", nullptr,
                     fixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar))
      quiz_bar(state, ui.quiz, intents);
    ImGui::End();
  }

  ImGui::SetNextWindowPos(ImVec2(0, std::max(0.0f, H - bar_h)));
  ImGui::SetNextWindowSize(ImVec2(std::max(1.0f, W), bar_h));
  if (ImGui::Begin("Timeline", nullptr,
                   fixed | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar)) {
    timeline_bar(state, intents);
    if (!ui.status.empty()) ImGui::TextDisabled("%s", ui.status.c_str());
  }
  ImGui::End();
  popups(state, ui, intents);

  // The frame is drawn: now the user's intents change the app, in the order they were made.
  for (const Intent& intent : intents) intent(app, ui);
}

}  // namespace convstep
