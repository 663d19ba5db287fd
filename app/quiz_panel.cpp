#include "app/quiz_panel.h"

#include <GLFW/glfw3.h>  // key codes only: io.KeysDown is indexed by GLFW keys
#include <imgui.h>

#include <algorithm>

#include "core/equation.h"
#include "core/format.h"

namespace convstep {

namespace {

// The bar's text is larger in classroom mode, where it is read from the back of the room.
float bar_scale(const App& app) {
  return app.settings.classroom ? 1.25f : 1.0f;
}

// "Score, right of asked: forward 2/3 (1 skipped) · dW 0/1", the current phase always shown.
std::string score_line(const App& app) {
  std::string s = "Score, right of asked:";
  const char* sep = " ";
  for (Phase p : kAllPhases) {
    const QuizScore& sc = app.quiz().score(p);
    if (sc.asked == 0 && p != app.phase()) continue;
    s += sep + std::string(phase_label(p)) + " " + std::to_string(sc.right) + "/" +
         std::to_string(sc.asked);
    std::string extra;
    if (sc.skipped > 0) extra = std::to_string(sc.skipped) + " skipped";
    if (sc.revealed > 0)
      extra += (extra.empty() ? "" : ", ") + std::to_string(sc.revealed) + " shown by the teacher";
    if (!extra.empty()) s += " (" + extra + ")";
    sep = " · ";
  }
  return s;
}

std::string feedback_line(const Quiz::Feedback& f) {
  const std::string value = f.question.name + " = " + format_number(f.question.answer, kUnicode);
  switch (f.outcome) {
    case Outcome::Right:
      return "Right: " + value;
    case Outcome::Wrong:
      return "Not quite: you typed " + f.typed + ", but " + value;
    case Outcome::Revealed:
      return "The answer, not scored: " + value;
    default:
      return "";
  }
}

// Side by side in the bar; one under the other in the classroom's column.
void beside(bool column, float spacing = -1) {
  if (!column) ImGui::SameLine(0, spacing);
}

// Text that wraps in the column and stays on its row in the bar.
void words(bool column, const char* text) {
  if (column)
    ImGui::TextWrapped("%s", text);
  else
    ImGui::TextUnformatted(text);
}

Intent reveal() {
  return [](App& a, UiState&) { a.quiz_reveal(); };
}

Intent toggle_quiz() {
  return [](App& a, UiState&) { a.set_quiz(!a.quiz().on()); };
}

}  // namespace

// The bar's rows: the question, what the last answer was, the equation that gives it, and the
// score with the quiz's options. Few, so that the stage keeps its room in classroom mode.
constexpr int kBarRows = 4;

namespace {

// The quiz's options after the score: on its row when they fit, else on a row of their own.
float options_width(const App& app) {
  const ImGuiStyle& st = ImGui::GetStyle();
  const float em = ImGui::GetFontSize();
  float w = em * 2 + ImGui::GetFrameHeight() + st.ItemInnerSpacing.x +
            ImGui::CalcTextSize("only the worksheet's cells").x + st.ItemSpacing.x +
            ImGui::CalcTextSize("Start the score over").x + st.FramePadding.x * 2;
  if (app.quiz().worksheet_cells() > 0)
    w += em * 6 + st.ItemInnerSpacing.x + ImGui::CalcTextSize("a phase").x + st.ItemSpacing.x;
  return w;
}

bool options_apart(const App& app, float width) {
  return (ImGui::CalcTextSize(score_line(app).c_str()).x + options_width(app)) * bar_scale(app) >
         width;
}

}  // namespace

float quiz_bar_height(const App& app, float width) {
  if (!app.quiz().on() || app.settings.classroom) return 0;
  const ImGuiStyle& st = ImGui::GetStyle();
  const float inner = width - st.WindowPadding.x * 2;
  // Rows of widgets (the question, the score and its options), and rows of text between them.
  const int widget_rows = 2 + (options_apart(app, inner) ? 1 : 0), text_rows = kBarRows - 2;
  return (ImGui::GetFrameHeightWithSpacing() * widget_rows +
          ImGui::GetTextLineHeightWithSpacing() * text_rows) *
             bar_scale(app) +
         st.WindowPadding.y * 2;
}

namespace {

void question_row(const App& app, QuizInput& input, Intents& out, bool column) {
  const Quiz& quiz = app.quiz();
  const QuizQuestion* q = quiz.question();
  ImGui::AlignTextToFramePadding();
  if (!q) {
    input.refocus = false;
    words(column,
          app.timeline().accumulation_grid(app.phase()) == Grid::None
              ? "Quiz: this phase works out no cell for this lesson. Step on (Right) to the next "
                "phase."
          : app.frame().granularity == Granularity::Phase
              ? "Quiz: it asks at cell and term steps. Choose cell or term in the timeline bar."
          : quiz.feedback() ? "Quiz: step on (Right) to the next cell."
          : quiz.worksheet_cells() > 0
              ? "Quiz: no worksheet cell to answer here. Step on (Right) to the next one."
              : "Quiz: nothing to answer here. Step on (Right) to the next cell.");
    return;
  }
  const std::string id = std::string(phase_name(q->phase)) + " " + q->name;
  const bool fresh = input.asked != id;
  if (fresh) input.asked = id, input.text[0] = '\0', input.problem.clear();
  // dX's cells are computed in dXp: the worksheet names them in dX.
  const std::string also = q->dx_name.empty() ? "" : " (" + q->dx_name + ")";
  ImGui::Text("Quiz: what is %s%s%s?", q->name.c_str(), also.c_str(),
              q->before.empty() ? "" : (", before " + q->before).c_str());
  if (quiz.question_count() > 1) {
    beside(column);
    ImGui::TextDisabled("(cell %d of %d at this step)", quiz.question_number() + 1,
                        quiz.question_count());
  }
  beside(column);
  // The student types at once in the window; in classroom mode the teacher's keys (R, the
  // clicker's Right) keep working until the box is clicked.
  if ((fresh && !app.settings.classroom) || input.refocus) ImGui::SetKeyboardFocusHere();
  input.refocus = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
  const bool entered = ImGui::InputText("##answer", input.text, sizeof input.text,
                                        ImGuiInputTextFlags_EnterReturnsTrue);
  // A clicker's PageDown and PageUp still step while the box has the keys.
  if (ImGui::IsItemActive()) {
    if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_DOWN))
      out.push_back([](App& a, UiState&) { a.step_by(1); });
    if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_UP))
      out.push_back([](App& a, UiState&) { a.step_by(-1); });
  }
  beside(column);
  if (ImGui::Button("Check (Enter)") || entered) {
    const std::string typed = input.text;
    out.push_back([typed](App& a, UiState& ui) {
      ui.quiz.problem =
          a.quiz_answer(typed) == Verdict::NotANumber ? "Type a number, like −2, 0.5 or 1/3." : "";
    });
    input.refocus = entered;  // the next cell of the step, if any, is typed at once
  }
  ImGui::SameLine();
  if (ImGui::Button("Reveal (R)")) out.push_back(reveal());
}

// What the last answer was, and the equation that gives the right value, its long sums elided.
void feedback_rows(const App& app, const QuizInput& input, bool column) {
  const Quiz& quiz = app.quiz();
  // Green and orange that read on the theme's background (darker on the light one).
  const bool light = app.settings.theme == Theme::Light;
  const ImVec4 good = light ? ImVec4(0.05f, 0.45f, 0.2f, 1) : ImVec4(0.35f, 0.85f, 0.45f, 1);
  const ImVec4 bad = light ? ImVec4(0.7f, 0.3f, 0, 1) : ImVec4(0.95f, 0.6f, 0.2f, 1);
  int rows = 0;
  if (!input.problem.empty() && quiz.question()) {
    ImGui::PushStyleColor(ImGuiCol_Text, bad);
    words(column, input.problem.c_str());
    ImGui::PopStyleColor();
    rows = 1;
  } else if (const auto& fb = quiz.feedback()) {
    ImGui::PushStyleColor(ImGuiCol_Text, fb->outcome == Outcome::Right ? good : bad);
    words(column, feedback_line(*fb).c_str());
    ImGui::PopStyleColor();
    if (column) {  // its numbers, wrapped (the stage shows the symbols beside the grids)
      Equation values = fb->question.formula;
      for (EquationTerm& t : values.terms) t.symbols.clear();
      ImGui::TextWrapped("%s", values.text().c_str());
      return;
    }
    // On one row: the values alone when symbols and values do not fit together, a long sum's
    // middle elided ("…").
    const float em = ImGui::CalcTextSize("0").x;
    const auto columns =
        std::max<std::size_t>(static_cast<std::size_t>(ImGui::GetContentRegionAvail().x / em), 20);
    std::vector<EquationLine> lines = equation_lines(fb->question.formula, columns);
    if (lines.size() > 1) {
      Equation values = fb->question.formula;
      for (EquationTerm& t : values.terms) t.symbols.clear();
      lines = equation_lines(values, columns);
    }
    ImGui::TextUnformatted(lines.empty() ? "" : lines.front().text.c_str());
    rows = 2;
  } else if (quiz.question()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    const std::string hint = "Type the value of the cell marked ? on the stage (" +
                             precision_words(quiz.question()->answer) + "), then press Enter.";
    words(column, hint.c_str());
    ImGui::PopStyleColor();
    rows = 1;
  }
  for (; rows < 2 && !column; ++rows) ImGui::NewLine();
}

void score_row(const App& app, bool apart, Intents& out, bool column) {
  const Quiz& quiz = app.quiz();
  if (column) ImGui::Separator();
  ImGui::AlignTextToFramePadding();
  words(column, score_line(app).c_str());
  if (!apart) ImGui::SameLine(0, ImGui::GetFontSize() * 2);
  bool worksheet = quiz.worksheet_cells() > 0;
  if (ImGui::Checkbox("only the worksheet's cells", &worksheet))
    out.push_back([worksheet](App& a, UiState&) { a.set_quiz_worksheet_cells(worksheet ? 3 : 0); });
  if (worksheet) {
    ImGui::SameLine();
    int n = quiz.worksheet_cells();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    if (ImGui::InputInt("a phase", &n, 1, 1))
      out.push_back([n](App& a, UiState&) { a.set_quiz_worksheet_cells(std::clamp(n, 1, 100)); });
  }
  beside(column);
  if (ImGui::Button("Start the score over"))
    out.push_back([](App& a, UiState&) { a.quiz_reset(); });
}

}  // namespace

void quiz_bar(const App& app, QuizInput& input, Intents& out) {
  // In classroom mode the quiz is a column beside the stage, which keeps its height (and its
  // numbers their size); in the window, a bar under it.
  const bool column = app.settings.classroom;
  // Measured as quiz_bar_height measures it: before the bar's text is scaled.
  const bool apart = column || options_apart(app, ImGui::GetContentRegionAvail().x);
  ImGui::SetWindowFontScale(bar_scale(app));
  question_row(app, input, out, column);
  feedback_rows(app, input, column);
  score_row(app, apart, out, column);
  ImGui::SetWindowFontScale(1);
}

float quiz_column_width(const App& app, float window_width) {
  if (!app.quiz().on() || !app.settings.classroom) return 0;
  return std::clamp(window_width * 0.25f, 300.0f, 520.0f);
}

void quiz_shortcuts(const App& app, Intents& out) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || io.KeyCtrl) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_Q, false)) out.push_back(toggle_quiz());
  if (ImGui::IsKeyPressed(GLFW_KEY_R, false) && app.quiz().question()) out.push_back(reveal());
}

void quiz_menu_items(const App& app, Intents& out) {
  if (ImGui::MenuItem("Quiz mode", "Q", app.quiz().on())) out.push_back(toggle_quiz());
  if (ImGui::MenuItem("Reveal the answer", "R", false, app.quiz().question() != nullptr))
    out.push_back(reveal());
}

}  // namespace convstep
