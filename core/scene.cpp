// scene.cpp — see scene.h: the scene's lookups and the words for its enums.
#include "core/scene.h"

#include "core/conv.h"

namespace convstep {

const SceneGrid* Scene::grid(Grid g, GridCopy copy) const {
  for (const SceneGrid& sg : grids)
    if (sg.grid == g && sg.copy == copy) return &sg;
  return nullptr;
}

std::string grid_id(const SceneGrid& g) {
  switch (g.copy) {
    case GridCopy::Own:
      return grid_name(g.grid);
    case GridCopy::Subtotal:
      return "subtotal";
    case GridCopy::Mistake:
      return std::string(grid_name(g.grid)) + "_" + pitfall_name(g.pitfall);
    case GridCopy::Overview:
      return std::string(grid_name(g.grid)) + "_overview";
  }
  return grid_name(g.grid);
}

const char* frame_role_name(FrameRole r) {
  switch (r) {
    case FrameRole::Window:
      return "window";
    case FrameRole::WindowOther:
      return "window_other";
    case FrameRole::WindowCell:
      return "window_cell";
    case FrameRole::Target:
      return "target";
    case FrameRole::Source:
      return "source";
    case FrameRole::Term:
      return "term";
    case FrameRole::Subtotal:
      return "subtotal";
    case FrameRole::Diff:
      return "diff";
    case FrameRole::Hover:
      return "hover";
    case FrameRole::Corner:
      return "corner";
    case FrameRole::Ghost:
      return "ghost";
    case FrameRole::Overview:
      return "overview";
  }
  return "";
}

const char* line_role_name(LineRole r) {
  switch (r) {
    case LineRole::Link:
      return "link";
    case LineRole::Trace:
      return "trace";
  }
  return "";
}

const char* text_role_name(TextRole r) {
  switch (r) {
    case TextRole::Title:
      return "title";
    case TextRole::Counter:
      return "counter";
    case TextRole::Note:
      return "note";
    case TextRole::Label:
      return "label";
    case TextRole::Slice:
      return "slice";
    case TextRole::Operator:
      return "operator";
    case TextRole::Equation:
      return "equation";
    case TextRole::CurrentTerm:
      return "current_term";
    case TextRole::RunningSum:
      return "running_sum";
    case TextRole::Pitfall:
      return "pitfall";
  }
  return "";
}

}  // namespace convstep
