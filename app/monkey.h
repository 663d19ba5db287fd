// monkey.h — seeded random input for tests (`--monkey N --seed S`), shared by both front ends.
//
// Each frame gets one event — a key (with Ctrl or Shift at times), a click, a drag, a wheel
// move, typed text, a pause, a resize or a screenshot — set on ImGuiIO between the backend's
// NewFrame and ImGui::NewFrame, the path real input takes. Clicks aim at the windows that were
// on screen the frame before (panels, menus, popups, the front one most often), so that the
// stream reaches every panel and popup rather than mostly the stage. The same seed gives the
// same events; at the end report() names what the run reached, for the test to check.
#pragma once

#include <GLFW/glfw3.h>  // key codes: io.KeysDown is indexed by GLFW keys
#include <imgui.h>
#include <imgui_internal.h>  // the windows on screen, to aim at

#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "app/session.h"

namespace convstep {

class Monkey {
 public:
  Monkey(unsigned seed, long long events) : rng_(seed), events_(events) {
    std::error_code ec;
    home_ = std::filesystem::current_path(ec).string();
  }
  bool active() const { return fed_ < events_; }

  // This frame's input. `host` resizes the window or takes a screenshot now and then.
  void feed(ImGuiIO& io, ScriptHost& host) {
    ++fed_;
    for (bool& down : io.KeysDown) down = false;
    io.KeyCtrl = io.KeyShift = io.KeyAlt = false;
    if (release_next_) down_ = release_next_ = false;  // a click lasts one frame
    // Random clicks in the file browser must not save over files outside the test's folder:
    // a browser that has wandered off is closed. So is a dialog that random clicks have kept
    // open for long (the file browser has many places to click that keep it open), so that
    // the stream goes on to reach the rest of the window.
    if (wandered_ || in_dialog_ > kMaxDialogFrames) {
      in_dialog_ = 0;
      io.KeysDown[GLFW_KEY_ESCAPE] = true;
      io.MouseDown[0] = down_ = false;
      return;
    }
    // Right after a click, text often follows: a click on a field, then a value typed in.
    const int r = clicked_ && pick(0, 1) ? 80 : pick(0, 99);
    clicked_ = false;
    if (r < 25) {
      press(io);
    } else if (r < 58) {
      // A click, or a press held for a drag; a press while held lets go instead.
      pos_ = aim(io.DisplaySize);
      clicked_ = !down_;
      release_next_ = !down_ && pick(0, 9) < 7;
      down_ = !down_;
    } else if (r < 70) {
      pos_.x += static_cast<float>(pick(-80, 80));  // a drag when the button is held
      pos_.y += static_cast<float>(pick(-30, 30));
    } else if (r < 78) {
      (pick(0, 3) ? io.MouseWheel : io.MouseWheelH) = static_cast<float>(pick(-3, 3));
    } else if (r < 90) {
      static const char* texts[] = {
          "3", "-1",     "0.5",         "1e9",        "nan",          "x", "12", "",
          "2", "999999", "lesson.json", "saved.json", "missing.json", "/", "é∂"};
      io.AddInputCharactersUTF8(texts[pick(0, static_cast<int>(std::size(texts)) - 1)]);
      if (pick(0, 1)) io.KeysDown[GLFW_KEY_ENTER] = true;
    } else if (r < 96) {
      // Nothing new: hovers settle, tooltips show, animations play.
    } else if (r < 99) {
      static const int sizes[][2] = {{0, 0},       {1, 1},      {320, 240}, {1600, 900},
                                     {1920, 1080}, {800, 1200}, {3000, 200}};
      const auto& s = sizes[pick(0, static_cast<int>(std::size(sizes)) - 1)];
      host.resize(s[0], s[1]);
    } else {
      // A window of 0 pixels a side has no picture: the refusal is the expected answer.
      try {
        host.screenshot("monkey.png");
      } catch (const std::invalid_argument&) {
      }
    }
    io.MousePos = pos_;
    io.MouseDown[0] = down_;
  }

  // After the frame is built: what it showed, and where the next clicks may aim.
  void observe(const Session& s) {
    targets_.clear(), panels_.clear();
    wandered_ = false;
    bool dialog = false;
    front_.reset();
    for (ImGuiWindow* w : GImGui->Windows) {
      if (!w->Active || w->Hidden) continue;
      const ImRect rect(w->Pos, ImVec2(w->Pos.x + w->Size.x, w->Pos.y + w->Size.y));
      targets_.push_back(rect);
      if (std::strcmp(w->Name, "Stage") != 0) panels_.push_back(rect);
      if (w->Flags & (ImGuiWindowFlags_Popup | ImGuiWindowFlags_Modal)) front_ = rect;
      dialog |= (w->Flags & ImGuiWindowFlags_Modal) != 0;
      if (!std::strcmp(w->Name, "Open a lesson") || !std::strcmp(w->Name, "Save the lesson as"))
        wandered_ = !s.ui.browser.folder().starts_with(home_);
      // Menus, combos and tooltips are numbered ("##Menu_00"): keep the kind, not the number.
      std::string name = w->Name;
      if (name.starts_with("##")) name = name.substr(0, name.find('_'));
      reached_.insert(name);
    }
    in_dialog_ = dialog ? in_dialog_ + 1 : 0;
    reached_.insert(std::string("theme ") + theme_name(s.app.settings.theme));
    if (s.app.settings.classroom) reached_.insert("classroom");
    if (s.app.revision() != revision_) {
      revision_ = s.app.revision();
      ++lesson_changes_;
    }
    if (s.app.lesson_path() != path_) path_ = s.app.lesson_path(), ++lessons_opened_;
    if (s.ui.quit_requested) ++quit_requests_;
  }

  // "windows: Lesson, Why, ...; lesson changes 12; ..." on one line.
  std::string report() const {
    std::string out = "reached:";
    for (const std::string& r : reached_) out += " [" + r + "]";
    out += "; lesson changes " + std::to_string(lesson_changes_) + ", lessons opened " +
           std::to_string(lessons_opened_) + ", quit requests " + std::to_string(quit_requests_);
    return out;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // Mostly keys that move through the lesson; now and then one that opens a dialog or changes
  // the mode (Escape more often than the rest, so that dialogs and classroom mode are left).
  void press(ImGuiIO& io) {
    static const int moves[] = {
        GLFW_KEY_RIGHT, GLFW_KEY_LEFT,      GLFW_KEY_PAGE_DOWN, GLFW_KEY_PAGE_UP, GLFW_KEY_HOME,
        GLFW_KEY_END,   GLFW_KEY_SPACE,     GLFW_KEY_ENTER,     GLFW_KEY_TAB,     GLFW_KEY_1,
        GLFW_KEY_2,     GLFW_KEY_3,         GLFW_KEY_4,         GLFW_KEY_5,       GLFW_KEY_UP,
        GLFW_KEY_DOWN,  GLFW_KEY_BACKSPACE, GLFW_KEY_DELETE};
    static const int modes[] = {GLFW_KEY_ESCAPE, GLFW_KEY_ESCAPE, GLFW_KEY_ESCAPE, GLFW_KEY_F1,
                                GLFW_KEY_F11,    GLFW_KEY_O,      GLFW_KEY_S,      GLFW_KEY_Q};
    if (pick(0, 99) < 80) {
      io.KeysDown[moves[pick(0, static_cast<int>(std::size(moves)) - 1)]] = true;
      io.KeyShift = pick(0, 99) < 20;
      return;
    }
    const int key = modes[pick(0, static_cast<int>(std::size(modes)) - 1)];
    io.KeysDown[key] = true;
    io.KeyCtrl = key == GLFW_KEY_O || key == GLFW_KEY_S || key == GLFW_KEY_Q;  // Ctrl+O, ...
    io.KeyShift = pick(0, 1);                                                  // Ctrl+Shift+S
  }

  // A point in a window shown last frame — in an open menu, combo or dialog more often than not,
  // else the front window a quarter of the time, a panel (not the stage) most of the rest, in its
  // left part more often, where the widgets are and their labels are not — or in the menu bar, or
  // anywhere.
  ImVec2 aim(ImVec2 display) {
    auto in = [&](const ImRect& b) {
      auto between = [&](float lo, float hi) {
        return std::uniform_real_distribution<float>(lo, std::max(lo, hi))(rng_);
      };
      return ImVec2(between(b.Min.x, b.Max.x), between(b.Min.y, b.Max.y));
    };
    const int r = pick(0, 99);
    if (front_ && r < 55) return in(*front_);
    if (!targets_.empty() && r < 25) return in(targets_.back());
    if (!panels_.empty() && r < 62) {
      ImRect b = panels_[pick(0, static_cast<int>(panels_.size()) - 1)];
      if (pick(0, 9) < 7) b.Max.x = b.Min.x + b.GetWidth() * 0.55f;
      return in(b);
    }
    if (r < 80) return in(ImRect(0, 0, std::min(display.x, 220.0f), 20));  // the menus
    return in(ImRect(0, 0, display.x, display.y));
  }

  std::mt19937 rng_;
  long long events_, fed_ = 0;
  ImVec2 pos_{100, 100};
  bool down_ = false, clicked_ = false, release_next_ = false;
  std::vector<ImRect> targets_, panels_;  // every window shown; those but the stage
  std::optional<ImRect> front_;           // an open menu, combo or dialog
  std::set<std::string> reached_;
  long long revision_ = -1, lesson_changes_ = -1, lessons_opened_ = -1, quit_requests_ = 0;
  std::string path_ = "\n";
  std::string home_;       // the folder the run started in: the browser stays inside it
  bool wandered_ = false;  // the browser shows a folder outside it
  static constexpr int kMaxDialogFrames = 40;
  int in_dialog_ = 0;  // frames in a row with a dialog open
};

}  // namespace convstep
