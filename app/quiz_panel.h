// quiz_panel.h — the quiz bar under the stage (in the window and in classroom mode), its keys
// and its menu items. It only draws the quiz: which cell is asked, checking and the score are
// core/quiz.h's, run by the app (app/app.h).
#pragma once

#include "app/quiz_input.h"
#include "app/ui_files.h"

namespace convstep {

// The bar's height: 0 while the quiz is off.
float quiz_bar_height(const App& app, float width);  // its width in pixels
void quiz_bar(const App& app, QuizInput& input, Intents& out);
// Q turns the quiz on and off, R reveals the answer (for the teacher), when no text is typed.
void quiz_shortcuts(const App& app, Intents& out);
void quiz_menu_items(const App& app, Intents& out);  // View › Quiz mode, Reveal the answer

}  // namespace convstep
