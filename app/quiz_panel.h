// quiz_panel.h — the quiz bar under the stage (in the window and in classroom mode), its keys
// and its menu items. It only draws the quiz: which cell is asked, checking and the score are
// core/quiz.h's, run by the app (app/app.h).
#pragma once

#include "app/quiz_input.h"
#include "app/ui_files.h"

namespace convstep {

// In the window the quiz is a bar under the stage, in classroom mode a column at its right (so
// that the stage keeps its height). Each is 0 when not shown: the quiz off, or the other mode.
float quiz_bar_height(const App& app, float width);  // its width in pixels
float quiz_column_width(const App& app, float window_width);
void quiz_bar(const App& app, QuizInput& input, Intents& out);
// Q turns the quiz on and off, R reveals the answer (for the teacher), when no text is typed.
void quiz_shortcuts(const App& app, Intents& out);
void quiz_menu_items(const App& app, Intents& out);  // View › Quiz mode, Reveal the answer

}  // namespace convstep
