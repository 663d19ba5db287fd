// ui_files.h — the window's File and Edit side: the file browser of Open and Save as, the
// question before unsaved edits are discarded, the offer of edits left unsaved last time,
// undo and redo, errors in a modal and news in a toast. Drawn with Dear ImGui; the logic they
// rest on is GL-free (app/app.h, app/file_browser.h, app/recovery.h).
//
// Like every panel, these read a const App and return intents, which draw_ui applies once the
// frame is drawn.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/ui.h"

namespace convstep {

using Intent = std::function<void(App&, UiState&)>;
using Intents = std::vector<Intent>;

// Opens a lesson file (a preset picked, a file browsed), asking first about unsaved edits.
Intent open_lesson(std::string path);

// News in a toast that fades after a few seconds; an error in a modal that waits for OK. Both
// stay in the status line.
void notify(UiState& ui, std::string message, double seconds = 3.5);
void show_error(UiState& ui, std::string title, std::string message);

void file_shortcuts(UiState& ui, Intents& out);               // Ctrl+O, S, Q, Z, Y
void file_menu(const App& app, Intents& out);                 // the File menu's items
void edit_menu(const App& app, Intents& out);                 // the Edit menu's items
void file_popups(const App& app, UiState& ui, Intents& out);  // dialogs and the toast

}  // namespace convstep
