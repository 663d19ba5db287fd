// Key chords typed by scripts (`key ctrl+q`): each is held down for one frame and let go in the
// next, through io.KeysDown as a keyboard's keys arrive, so that the app's own shortcuts see it.
#include <GLFW/glfw3.h>  // key codes only: io.KeysDown is indexed by GLFW keys
#include <imgui.h>

#include <cctype>
#include <deque>
#include <map>
#include <optional>

#include "app/ui.h"

namespace convstep {

namespace {

struct Chord {
  int key = 0;
  bool ctrl = false, shift = false;
};

std::optional<Chord> parse_chord(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  Chord c;
  for (;;) {
    if (text.starts_with("ctrl+"))
      c.ctrl = true, text.erase(0, 5);
    else if (text.starts_with("shift+"))
      c.shift = true, text.erase(0, 6);
    else
      break;
  }
  static const std::map<std::string, int> named = {
      {"escape", GLFW_KEY_ESCAPE}, {"enter", GLFW_KEY_ENTER},    {"tab", GLFW_KEY_TAB},
      {"space", GLFW_KEY_SPACE},   {"right", GLFW_KEY_RIGHT},    {"left", GLFW_KEY_LEFT},
      {"up", GLFW_KEY_UP},         {"down", GLFW_KEY_DOWN},      {"home", GLFW_KEY_HOME},
      {"end", GLFW_KEY_END},       {"pageup", GLFW_KEY_PAGE_UP}, {"pagedown", GLFW_KEY_PAGE_DOWN},
      {"f1", GLFW_KEY_F1},         {"f11", GLFW_KEY_F11},        {"backspace", GLFW_KEY_BACKSPACE},
  };
  if (text.size() == 1 && std::isalnum(static_cast<unsigned char>(text[0])))
    c.key = std::toupper(static_cast<unsigned char>(text[0]));  // GLFW_KEY_A is 'A', _0 is '0'
  else if (const auto it = named.find(text); it != named.end())
    c.key = it->second;
  else
    return std::nullopt;
  return c;
}

std::deque<Chord> queued;
std::optional<Chord> held;  // down during the last frame: let go in this one

void set(ImGuiIO& io, const Chord& c, bool down) {
  io.KeysDown[c.key] = down;
  if (c.ctrl) io.KeysDown[GLFW_KEY_LEFT_CONTROL] = io.KeyCtrl = down;
  if (c.shift) io.KeysDown[GLFW_KEY_LEFT_SHIFT] = io.KeyShift = down;
}

}  // namespace

bool press_key(const std::string& chord) {
  const std::optional<Chord> c = parse_chord(chord);
  if (c) queued.push_back(*c);
  return c.has_value();
}

void feed_keys(ImGuiIO& io) {
  // One change a frame: a key let go, or the next one pressed, so that the same key twice is
  // seen as two presses.
  if (held) {
    set(io, *held, false);
    held.reset();
  } else if (!queued.empty()) {
    held = queued.front();
    queued.pop_front();
    set(io, *held, true);
  }
}

}  // namespace convstep
