#include "app/ui_files.h"

#include <GLFW/glfw3.h>  // key codes only: io.KeysDown is indexed by GLFW keys
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "app/platform.h"
#include "app/resource_paths.h"
#include "core/link.h"
#include "core/user_text.h"

namespace convstep {

namespace fs = std::filesystem;

namespace {

using Purpose = FileBrowser::Purpose;

constexpr const char* kQuestion = "Save your edits?";
constexpr const char* kRestore = "Unsaved edits from last time";
constexpr const char* kOpenLink = "Open a link";

std::string file_name(const std::string& path) {
  return fs::path(path).filename().string();
}

bool ctrl_key(int glfw_key) {
  return ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(glfw_key, false);
}

// No dialog or menu is open: a new dialog may open, and a shortcut may act.
bool nothing_open() {
  return !ImGui::IsPopupOpen(nullptr, ImGuiPopupFlags_AnyPopup);
}

// Runs `action` at once when every edit is saved; else asks first (Save, Discard, Cancel).
Intent unless_unsaved(std::string what, Intent action) {
  return [what, action](App& app, UiState& ui) {
    if (!app.dirty()) return action(app, ui);
    ui.question = what;
    ui.after_question = action;
    ui.show_question = true;
  };
}

Intent browse(Purpose purpose) {
  return [purpose](App& app, UiState& ui) {
    std::string name;
    if (purpose == Purpose::Save)
      name = app.lesson_path().empty() ? "lesson.json" : file_name(app.lesson_path());
    ui.browser.start(purpose, start_folder(app.lesson_path(), ui.browsed_folder), name);
    ui.replace_path.clear();
    ui.show_browser = true;
  };
}

// Saves to `path`, then does what waited for the save (a quit, another lesson).
void save_to(App& app, UiState& ui, const std::string& path) {
  try {
    app.save(path);
  } catch (const LessonError& e) {
    ui.after_save = nullptr;
    show_error(ui, "The lesson was not saved", e.what());
    return;
  }
  notify(ui, "Saved to " + path_excerpt(path));
  if (auto then = std::exchange(ui.after_save, nullptr)) then(app, ui);
}

// Save: to the lesson's own file; a preset or a lesson with no file asks where, as Save as. In
// the browser, Save as is a download (app/front_web.cpp), and so is Save.
Intent save() {
  return [](App& app, UiState& ui) {
    if (app.read_only() || !kSaveInPlace) return browse(Purpose::Save)(app, ui);
    const std::string path = app.lesson_path();  // a copy: saving sets the path
    save_to(app, ui, path);
  };
}

Intent request_quit() {
  return unless_unsaved("quit", [](App& app, UiState& ui) {
    ui.quit_requested = true;
    ui.edits_discarded = app.dirty();  // Discard was the answer: the kept copy goes too
  });
}

Intent undo() {
  return [](App& app, UiState& ui) {
    const std::string what = app.undo_name();
    if (app.undo()) notify(ui, "Undone: " + what);
  };
}

Intent redo() {
  return [](App& app, UiState& ui) {
    const std::string what = app.redo_name();
    if (app.redo()) notify(ui, "Redone: " + what);
  };
}

// ---- Links (core/link.h) ----

// The link of the lesson and the step on screen, on the clipboard.
Intent copy_link() {
  return [](App& app, UiState& ui) {
    try {
      const std::string link = link_url(app.link_view(), "");
      ImGui::SetClipboardText(link.c_str());
      notify(ui,
             "Copied the link to this step (" + std::to_string(link.size()) +
                 " characters). Open link… in the File menu opens it; on the web, put the web "
                 "page's address before it.",
             6);
    } catch (const LessonError& e) {
      show_error(ui, "There is no link for this lesson", e.what());
    }
  };
}

// Opens a pasted link, asking first about unsaved edits; a bad link changes nothing.
Intent open_link(std::string text) {
  return [text](App& app, UiState& ui) {
    LinkView view;
    try {
      view = parse_link(text);
    } catch (const LessonError& e) {
      show_error(ui, "This link cannot be opened", e.what());
      return;
    }
    unless_unsaved("open the link", [view](App& a, UiState& u) {
      a.open_link(view);
      notify(u, "Opened the link: " +
                    (a.lesson().title.empty() ? "a lesson" : in_quotes(a.lesson().title, 60)) +
                    ", " + phase_label(a.phase()) + ", step " + std::to_string(a.step() + 1) +
                    " of " + std::to_string(a.step_count()));
    })(app, ui);
  };
}

// The field starts with the clipboard's text when it holds a link.
void start_link_field(UiState& ui) {
  ui.link_field.assign(2 * kMaxLinkBytes + 1, '\0');
  const char* clipboard = ImGui::GetClipboardText();
  if (clipboard && looks_like_link(clipboard))
    std::snprintf(ui.link_field.data(), ui.link_field.size(), "%s", clipboard);
}

void link_popup(UiState& ui, Intents& out) {
  if (ui.show_link && nothing_open()) {
    start_link_field(ui);
    ImGui::OpenPopup(kOpenLink);
    ui.show_link = false;
  }
  if (!ImGui::BeginPopupModal(kOpenLink, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  const float em = ImGui::GetFontSize();
  ImGui::PushTextWrapPos(em * 34);
  ImGui::TextWrapped(
      "Paste a link to a lesson: the address of convstep's web page with \"#lesson=\" and the "
      "lesson after it, or what convstep link prints.");
  ImGui::PopTextWrapPos();
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  ImGui::SetNextItemWidth(em * 34);
  bool open = ImGui::InputText("##link", ui.link_field.data(), ui.link_field.size(),
                               ImGuiInputTextFlags_EnterReturnsTrue);
  open |= ImGui::Button("Open", ImVec2(em * 6, 0));
  ImGui::SameLine();
  if (ImGui::Button("Paste")) {
    const char* clipboard = ImGui::GetClipboardText();
    std::snprintf(ui.link_field.data(), ui.link_field.size(), "%s", clipboard ? clipboard : "");
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel", ImVec2(em * 6, 0)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) {
    ui.link_field.clear();
    ImGui::CloseCurrentPopup();
  } else if (open) {
    out.push_back(open_link(ui.link_field.data()));
    ui.link_field.clear();
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

// ---- The file browser ----

// A path field as an ImGui text box (1.86 has no std::string one built in).
bool path_field(const char* label, std::string* text, float width) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, "%s", text->c_str());
  ImGui::SetNextItemWidth(width);
  const bool enter = ImGui::InputText(label, buf, sizeof buf, ImGuiInputTextFlags_EnterReturnsTrue);
  *text = buf;
  return enter;
}

// Places on the left: home, the current folder, the presets, and the recent files.
void browser_places(const App& app, std::string* go_to, std::string* pick) {
  const float em = ImGui::GetFontSize();
  ImGui::BeginChild("places", ImVec2(em * 13, em * 18), true);
  ImGui::TextDisabled("Places");
  if (const char* home = std::getenv("HOME"); home && *home)
    if (ImGui::Selectable("Home")) *go_to = home;
  if (ImGui::Selectable("Where convstep started")) *go_to = ".";
  if (ImGui::Selectable("Presets (read-only)")) *go_to = assets_dir() + "/lessons";
  ImGui::Spacing();
  ImGui::TextDisabled("Recent files");
  const std::vector<std::string> recent = existing_files(app.settings.recent_files);
  if (recent.empty()) ImGui::TextDisabled("  none yet");
  for (const std::string& path : recent) {
    ImGui::PushID(path.c_str());
    if (ImGui::Selectable(file_name(path).c_str(), false, ImGuiSelectableFlags_AllowDoubleClick))
      *pick = path;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", path.c_str());
    ImGui::PopID();
  }
  ImGui::EndChild();
}

// The folder's listing. A click on a folder enters it; on a file, names it; a double click
// (or Enter in the field) chooses it.
bool browser_listing(UiState& ui, std::string* enter) {
  const float em = ImGui::GetFontSize();
  bool chosen = false;
  ImGui::BeginChild("listing", ImVec2(em * 26, em * 18), true);
  if (ImGui::Selectable("..  (the folder above)")) *enter = "..";
  for (const FolderEntry& e : ui.browser.entries()) {
    const std::string label = e.folder ? e.name + "/" : e.name;
    if (ImGui::Selectable(label.c_str(), !e.folder && ui.browser.typed == e.name,
                          ImGuiSelectableFlags_AllowDoubleClick)) {
      if (e.folder)
        *enter = e.name;
      else {
        ui.browser.typed = e.name;
        chosen = ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left);
      }
    }
  }
  if (ui.browser.entries().size() >= FileBrowser::kMaxEntries)
    ImGui::TextDisabled("(only the first %zu are listed: type a name)", FileBrowser::kMaxEntries);
  if (ui.browser.entries().empty())
    ImGui::TextDisabled(ui.browser.json_only() ? "no lessons (.json) here" : "nothing here");
  ImGui::EndChild();
  return chosen;
}

// What was chosen: a lesson to open, a file to save to (after asking to replace one).
void browser_choose(UiState& ui, const std::string& typed, Intents& out) {
  const std::optional<std::string> path = ui.browser.choose(typed);
  if (!path) return;
  ui.browsed_folder = ui.browser.folder();
  std::error_code ec;
  if (ui.browser.purpose() == Purpose::Save && fs::exists(*path, ec) && ui.replace_path != *path) {
    ui.replace_path = *path;  // asked below the listing before it is replaced
    return;
  }
  if (ui.browser.purpose() == Purpose::Open)
    out.push_back(open_lesson(*path));
  else
    out.push_back([p = *path](App& a, UiState& u) { save_to(a, u, p); });
  ImGui::CloseCurrentPopup();
}

void browser_popup(const App& app, UiState& ui, Intents& out) {
  const bool open = ui.browser.purpose() == Purpose::Open;
  const char* title = open ? "Open a lesson" : "Save the lesson as";
  if (ui.show_browser && nothing_open()) {
    ImGui::OpenPopup(title);
    ui.show_browser = false;
  }
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  const float em = ImGui::GetFontSize();
  ImGui::Text("Folder: %s", path_excerpt(ui.browser.folder(), 70).c_str());
  std::string go_to, enter, pick;
  browser_places(app, &go_to, &pick);
  ImGui::SameLine();
  bool chosen = browser_listing(ui, &enter);
  if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
  if (path_field(open ? "file or path##typed" : "file name##typed", &ui.browser.typed, em * 30)) {
    chosen = true;
    ImGui::SetKeyboardFocusHere(-1);  // Enter on a folder enters it: typing goes on there
  }
  bool json_only = ui.browser.json_only();
  if (ImGui::Checkbox("Only lessons (.json)", &json_only)) ui.browser.set_json_only(json_only);
  if (!ui.browser.problem().empty()) {
    ImGui::PushTextWrapPos(em * 40);
    ImGui::TextColored(ImVec4(0.95f, 0.45f, 0.2f, 1), "%s", ui.browser.problem().c_str());
    ImGui::PopTextWrapPos();
  }
  if (!ui.replace_path.empty()) {
    ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.2f, 1), "%s already exists. Replace it?",
                       file_name(ui.replace_path).c_str());
    if (ImGui::Button("Replace it")) chosen = true;
    ImGui::SameLine();
    if (ImGui::Button("Keep it")) ui.replace_path.clear();
  } else if (ImGui::Button(open ? "Open" : "Save", ImVec2(em * 6, 0))) {
    chosen = true;
  }
  ImGui::SameLine();
  const bool cancel =
      ImGui::Button("Cancel", ImVec2(em * 6, 0)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE);
  // Applied after the listing is drawn: entering a folder replaces the entries drawn from.
  if (!go_to.empty()) ui.browser.go(go_to), ui.replace_path.clear();
  if (!enter.empty()) ui.browser.enter(enter), ui.replace_path.clear();
  if (!pick.empty()) {
    ui.browser.typed = pick;
    chosen = ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) || !open;
  }
  if (cancel) {
    ui.after_save = nullptr;  // a quit that waited for this save is called off too
    ImGui::CloseCurrentPopup();
  } else if (chosen) {
    browser_choose(ui, ui.browser.typed, out);
  }
  ImGui::EndPopup();
}

// ---- The question before unsaved edits are discarded ----

void question_popup(const App& app, UiState& ui, Intents& out) {
  if (ui.show_question && nothing_open()) {
    ImGui::OpenPopup(kQuestion);
    ui.show_question = false;
  }
  if (!ImGui::BeginPopupModal(kQuestion, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  const float em = ImGui::GetFontSize();
  ImGui::PushTextWrapPos(em * 30);
  const std::string title =
      app.lesson().title.empty() ? "This lesson" : in_quotes(app.lesson().title, 80);
  ImGui::TextWrapped("%s has edits that are not saved.", title.c_str());
  ImGui::TextWrapped("Save them before you %s?", ui.question.c_str());
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  // Save asks where when the lesson is a preset: the question's action waits for that save.
  if (ImGui::Button(app.read_only() ? "Save as…" : "Save", ImVec2(em * 7, 0))) {
    out.push_back([](App& a, UiState& u) {
      u.after_save = std::exchange(u.after_question, nullptr);
      save()(a, u);
    });
    ImGui::CloseCurrentPopup();
  }
  if (ImGui::IsWindowAppearing()) ImGui::SetItemDefaultFocus();
  ImGui::SameLine();
  if (ImGui::Button("Discard the edits")) {
    out.push_back([](App& a, UiState& u) {
      if (auto then = std::exchange(u.after_question, nullptr)) then(a, u);
    });
    ImGui::CloseCurrentPopup();
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel", ImVec2(em * 6, 0)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) {
    ui.after_question = nullptr;
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

// ---- The edits left unsaved last time ----

void restore_popup(UiState& ui, Intents& out) {
  if (ui.restore_offer && nothing_open()) {
    ImGui::OpenPopup(kRestore);
    ui.restore_offer = false;
  }
  if (!ImGui::BeginPopupModal(kRestore, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
  ImGui::TextWrapped("%s", ui.restore_message.c_str());
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  if (ImGui::Button("Restore the edits")) {
    out.push_back([](App& a, UiState& u) {
      a.set_lesson(u.restore_lesson, u.restore_path, /*unsaved=*/true, "restore unsaved edits");
      u.restore_answer = RestoreAnswer::Restore;
      notify(u, "Restored the unsaved edits: save them to keep them");
    });
    ImGui::CloseCurrentPopup();
  }
  if (ImGui::IsWindowAppearing()) ImGui::SetItemDefaultFocus();
  ImGui::SameLine();
  if (ImGui::Button("Discard the copy")) {
    out.push_back([](App&, UiState& u) { u.restore_answer = RestoreAnswer::Discard; });
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

// ---- Errors and news ----

void error_popup(UiState& ui) {
  const std::string title = ui.error_title + "###error";
  if (ui.show_error && nothing_open()) {
    ImGui::OpenPopup(title.c_str());
    ui.show_error = false;
  }
  if (!ImGui::BeginPopupModal(title.c_str(), nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
  ImGui::TextWrapped("%s", ui.error.c_str());
  ImGui::PopTextWrapPos();
  if (ImGui::Button("OK", ImVec2(ImGui::GetFontSize() * 6, 0)) ||
      ImGui::IsKeyPressed(GLFW_KEY_ESCAPE) || ImGui::IsKeyPressed(GLFW_KEY_ENTER))
    ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

void toast(const UiState& ui) {
  if (ui.toast.empty() || ImGui::GetTime() >= ui.toast_until) return;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, ImGui::GetFontSize() * 3), ImGuiCond_Always,
                          ImVec2(0.5f, 0));
  ImGui::SetNextWindowBgAlpha(0.92f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoInputs |
                                 ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoNav |
                                 ImGuiWindowFlags_NoFocusOnAppearing |
                                 ImGuiWindowFlags_NoSavedSettings;
  if (ImGui::Begin("##toast", nullptr, flags)) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 36);
    ImGui::TextUnformatted(ui.toast.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::End();
}

}  // namespace

Intent open_lesson(std::string path) {
  return unless_unsaved("open " + file_name(path), [path](App& app, UiState& ui) {
    try {
      app.open(path);
      notify(ui,
             "Opened " + path_excerpt(path) + (app.read_only() ? " (a preset: read-only)" : ""));
    } catch (const LessonError& e) {
      show_error(ui, "This lesson cannot be opened", e.what());
    }
  });
}

void notify(UiState& ui, std::string message, double seconds) {
  ui.status = message;
  ui.toast = std::move(message);
  ui.toast_until = ImGui::GetTime() + seconds;
}

void show_error(UiState& ui, std::string title, std::string message) {
  ui.status = message;
  ui.error_title = std::move(title);
  ui.error = std::move(message);
  ui.show_error = true;
}

void file_shortcuts(UiState& ui, Intents& out) {
  // The close button again while the question is up changes nothing: it is already asked.
  if (std::exchange(ui.close_asked, false) && !ImGui::IsPopupOpen(kQuestion))
    out.push_back(request_quit());
  if (ImGui::GetIO().WantTextInput || !nothing_open()) return;
  if (ctrl_key(GLFW_KEY_O)) out.push_back(browse(Purpose::Open));
  if (ctrl_key(GLFW_KEY_S)) out.push_back(ImGui::GetIO().KeyShift ? browse(Purpose::Save) : save());
  if (ctrl_key(GLFW_KEY_Q)) out.push_back(request_quit());
  if (ctrl_key(GLFW_KEY_Z)) out.push_back(ImGui::GetIO().KeyShift ? redo() : undo());
  if (ctrl_key(GLFW_KEY_Y)) out.push_back(redo());
}

void file_menu(const App& app, Intents& out) {
  if (ImGui::MenuItem("Open…", "Ctrl+O")) out.push_back(browse(Purpose::Open));
  if (ImGui::BeginMenu("Open recent")) {
    const std::vector<std::string> recent = existing_files(app.settings.recent_files);
    if (recent.empty()) ImGui::TextDisabled("no recent files");
    for (const std::string& path : recent) {
      if (ImGui::MenuItem(file_name(path).c_str(), nullptr)) out.push_back(open_lesson(path));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", path.c_str());  // which folder
    }
    ImGui::EndMenu();
  }
  if (ImGui::MenuItem("Open link…")) out.push_back([](App&, UiState& u) { u.show_link = true; });
  ImGui::Separator();
  // One Save. A preset (read-only) or a lesson with no file has only Save as, on Ctrl+S too;
  // a lesson of the user's own says which file Save writes, and Save as names another.
  if (app.read_only()) {
    if (ImGui::MenuItem("Save as…", "Ctrl+S")) out.push_back(browse(Purpose::Save));
    if (!app.lesson_path().empty()) ImGui::TextDisabled("  presets are read-only: save a copy");
  } else {
    const std::string save_label = "Save to " + file_name(app.lesson_path()) + "###Save";
    if (ImGui::MenuItem(save_label.c_str(), "Ctrl+S", false, app.dirty())) out.push_back(save());
    if (ImGui::MenuItem("Save to another file…", "Ctrl+Shift+S"))
      out.push_back(browse(Purpose::Save));
  }
  if (ImGui::MenuItem("Export…", "Ctrl+E"))
    out.push_back([](App&, UiState& u) { u.show_export = 1; });
  if (ImGui::MenuItem("Copy link")) out.push_back(copy_link());
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("A link that opens this lesson at this step, to paste anywhere");
  ImGui::Separator();
  if (ImGui::MenuItem("Quit", "Ctrl+Q")) out.push_back(request_quit());
}

void edit_menu(const App& app, Intents& out) {
  const std::string u = (app.can_undo() ? "Undo " + app.undo_name() : "Undo") + "###Undo";
  const std::string r = (app.can_redo() ? "Redo " + app.redo_name() : "Redo") + "###Redo";
  if (ImGui::MenuItem(u.c_str(), "Ctrl+Z", false, app.can_undo())) out.push_back(undo());
  if (ImGui::MenuItem(r.c_str(), "Ctrl+Shift+Z", false, app.can_redo())) out.push_back(redo());
}

void file_popups(const App& app, UiState& ui, Intents& out) {
  restore_popup(ui, out);
  browser_popup(app, ui, out);
  link_popup(ui, out);
  question_popup(app, ui, out);
  error_popup(ui);
  toast(ui);
}

}  // namespace convstep
