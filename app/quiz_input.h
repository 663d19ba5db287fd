// quiz_input.h — what the quiz bar (app/quiz_panel.h) keeps between frames: the answer being
// typed. Apart from the panel, so that the UI's state (app/ui.h) can hold it.
#pragma once

#include <string>

namespace convstep {

struct QuizInput {
  char text[64] = {};
  std::string asked;     // the question the box was last cleared for
  std::string problem;   // "Type a number…" after text that is not one
  bool refocus = false;  // an answer was entered: the box keeps the keys for the next question
};

}  // namespace convstep
