#include "app/export_dialog.h"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "app/app.h"
#include "app/export/pytorch.h"
#include "app/gl/gl_api.h"
#include "app/gl/offscreen_target.h"
#include "app/gl/png.h"
#include "core/names.h"

namespace convstep {

namespace {

struct Kind {
  const char* label;
  const char* format;
  const char* extension;  // "" for a folder
  bool many_steps;
};
constexpr Kind kKinds[] = {
    {"The current step as PNG", "png", ".png", false},
    {"The current step as SVG", "svg", ".svg", false},
    {"Every step as PNG pictures (a folder)", "pngs", "", true},
    {"An animated GIF, with the moves", "gif", ".gif", true},
    {"A video (MP4), with the moves", "mp4", ".mp4", true},
    {"The worksheet (Markdown)", "md", ".md", false},
    {"PyTorch code that checks the numbers (.py)", "py", ".py", false},
};
constexpr const char* kSizes[] = {"1600×900", "1920×1080", "960×540"};
constexpr int kWidths[] = {1600, 1920, 960}, kHeights[] = {900, 1080, 540};
constexpr const char* kScales[] = {"1×", "2×", "4×"};
constexpr int kScaleFactors[] = {1, 2, 4};
constexpr const char* kThemes[] = {"dark", "light", "high contrast"};

std::string seconds_text(double s) {
  char text[32];
  if (s < 90)
    std::snprintf(text, sizeof text, "%.0f s", s);
  else
    std::snprintf(text, sizeof text, "%.0f min", s / 60);
  return text;
}

}  // namespace

ExportDialog::ExportDialog() = default;
ExportDialog::~ExportDialog() {
  if (preview_texture_) glDeleteTextures(1, &preview_texture_);
}

void ExportDialog::preview(const App& app) {
  constexpr int kWidth = 480, kHeight = 270;
  const std::string key = std::to_string(app.shown_revision()) + " " + phase_name(app.phase()) +
                          " " + std::to_string(app.step()) + " " + std::to_string(theme_) + " " +
                          std::to_string(app.settings.stage_scale);
  if (key != preview_key_) {
    preview_key_ = key;
    ExportRequest r = app_export_request(app, "png", "");
    r.width = kWidth, r.height = kHeight, r.theme = kAllThemes[theme_];
    if (!preview_renderer_) preview_renderer_ = std::make_unique<SceneRenderer>(cache_dir());
    const Pixels rgba = preview_renderer_->render(
        export_scene(app.timeline(), r, app.frame(), app.frame(), 1), kWidth, kHeight);
    GLint previous = 0, previous_alignment = 4;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
    glGetIntegerv(GL_UNPACK_ALIGNMENT, &previous_alignment);
    if (!preview_texture_) glGenTextures(1, &preview_texture_);
    glBindTexture(GL_TEXTURE_2D, preview_texture_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, kWidth, kHeight, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                 rgba.data());
    glPixelStorei(GL_UNPACK_ALIGNMENT, previous_alignment);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
  }
  const float w = ImGui::GetFontSize() * 20;
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(preview_texture_)),
               ImVec2(w, w * kHeight / kWidth));
}

void ExportDialog::open(const App& app, bool current_step_png) {
  opening_ = true;
  if (current_step_png) kind_ = 0;
  if (theme_ < 0) theme_ = static_cast<int>(app.settings.theme);
  message_.clear();
  suggest_path(app);
}

void ExportDialog::suggest_path(const App& app) {
  const Kind& k = kKinds[kind_];
  const std::string phase = scope_ == 1 && k.many_steps ? "lesson" : phase_name(app.phase());
  if (k.format == std::string("png") || k.format == std::string("svg"))
    path_ = phase + "-step-" + std::to_string(app.step() + 1) + k.extension;
  else if (k.format == std::string("md") || k.format == std::string("py"))
    path_ = "lesson" + std::string(k.extension);
  else
    path_ = phase + (k.many_steps && *k.extension == 0 ? "-steps" : "") + k.extension;
}

void ExportDialog::start(const App& app) {
  const Kind& k = kKinds[kind_];
  struct stat existing;
  if (!replace_ && ::stat(path_.c_str(), &existing) == 0) {
    message_ = path_ + " already exists: tick \"Replace\" to replace it.";
    return;
  }
  message_.clear();
  if (k.format == std::string("png") && whole_window_) {
    // Taken after the next frame's Render(), without this dialog, which reopens to say how it went.
    window_path_ = path_;
    window_next_frame_ = true;
    window_scale_ = kScaleFactors[scale_];
    ImGui::CloseCurrentPopup();
    return;
  }
  ExportRequest r = app_export_request(app, k.format, path_);
  if (k.many_steps && scope_ == 1) r.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
  r.width = kWidths[size_] * kScaleFactors[scale_];
  r.height = kHeights[size_] * kScaleFactors[scale_];
  r.theme = kAllThemes[theme_];
  // The lesson on screen, whose steps the request names (an edit may still be computing).
  job_ = std::make_unique<ExportJob>(*app.shown_lesson(), std::move(r));
}

void ExportDialog::after_render() {
  if (window_path_.empty() || std::exchange(window_next_frame_, false)) return;
  const std::string path = std::exchange(window_path_, {});
  opening_ = true;
  // The frame's draw data again, into a picture `window_scale_` times the window's pixels: the
  // shapes and the stage are drawn at that size, the panels' text is the window's, enlarged.
  ImDrawData* frame = ImGui::GetDrawData();
  const ImVec2 scale = frame->FramebufferScale;
  frame->FramebufferScale = ImVec2(scale.x * window_scale_, scale.y * window_scale_);
  const int width = static_cast<int>(frame->DisplaySize.x * frame->FramebufferScale.x),
            height = static_cast<int>(frame->DisplaySize.y * frame->FramebufferScale.y);
  GLint framebuffer = 0, viewport[4] = {};
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &framebuffer);
  glGetIntegerv(GL_VIEWPORT, viewport);
  try {
    if (width <= 0 || height <= 0) throw std::runtime_error(no_picture(width, height));
    Pixels rgba;
    {
      OffscreenTarget target(width, height);
      target.bind();
      glClearColor(0.1f, 0.1f, 0.1f, 1);  // as the window clears
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(frame);
      target.read_pixels(rgba);
    }
    write_png(path, width, height, rgba);
    message_ = "Wrote " + path + " (" + std::to_string(width) + "×" + std::to_string(height) + ").";
  } catch (const std::exception& e) {
    message_ = std::string("Nothing was written: ") + e.what();
  }
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(framebuffer));
  glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
  frame->FramebufferScale = scale;
}

void ExportDialog::draw(const App& app) {
  if (job_) {
    job_->serve(0.012);  // a few pictures a frame: the app keeps drawing at a good pace
    if (job_->finished()) {
      message_ = job_->error().empty() ? "Wrote " + job_->request().out + "."
                                       : "Nothing was written: " + job_->error();
      job_.reset();
    }
  }
  if (opening_) ImGui::OpenPopup("Export");
  opening_ = false;
  if (!ImGui::BeginPopupModal("Export", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  const bool running = job_ != nullptr;
  preview(app);
  ImGui::SameLine();
  ImGui::BeginGroup();
  if (running) ImGui::BeginDisabled();
  for (int i = 0; i < static_cast<int>(std::size(kKinds)); ++i)
    if (ImGui::RadioButton(kKinds[i].label, &kind_, i)) suggest_path(app);
  const Kind& k = kKinds[kind_];
  ImGui::Separator();
  if (k.many_steps) {
    ImGui::TextUnformatted("Steps:");
    ImGui::SameLine();
    if (ImGui::RadioButton("this phase", &scope_, 0)) suggest_path(app);
    ImGui::SameLine();
    if (ImGui::RadioButton("the whole lesson", &scope_, 1)) suggest_path(app);
    ImGui::Text("at %s granularity, as on the timeline bar",
                granularity_name(app.settings.granularity));
  }
  const bool window = k.format == std::string("png") && whole_window_;
  if (k.format == std::string("png")) {
    ImGui::TextUnformatted("Picture:");
    ImGui::SameLine();
    if (ImGui::RadioButton("the stage", !whole_window_)) whole_window_ = false;
    ImGui::SameLine();
    if (ImGui::RadioButton("the whole window", whole_window_)) whole_window_ = true;
  }
  if (k.format != std::string("md") && k.format != std::string("py")) {
    if (!window) {  // the window's picture is the window's size, in the app's theme
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
      ImGui::Combo("size", &size_, kSizes, static_cast<int>(std::size(kSizes)));
      ImGui::SameLine();
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
      ImGui::Combo("theme", &theme_, kThemes, static_cast<int>(std::size(kThemes)));
      ImGui::SameLine();
    }
    ImGui::TextUnformatted("scale:");
    for (int i = 0; i < static_cast<int>(std::size(kScales)); ++i) {
      ImGui::SameLine();
      ImGui::RadioButton(kScales[i], &scale_, i);
    }
  }
  char buffer[1024];
  std::snprintf(buffer, sizeof buffer, "%s", path_.c_str());
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 28);
  if (ImGui::InputText(*k.extension ? "file" : "folder", buffer, sizeof buffer)) path_ = buffer;
  ImGui::Checkbox("Replace it if it exists", &replace_);
  if (running) ImGui::EndDisabled();
  ImGui::EndGroup();

  if (running) {
    const ExportProgress p = job_->progress();
    const float done = p.total > 0 ? static_cast<float>(p.done) / p.total : 0.0f;
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "%lld of %lld pictures", p.done, p.total);
    ImGui::ProgressBar(done, ImVec2(ImGui::GetFontSize() * 28, 0), overlay);
    const double left = p.seconds_left();
    ImGui::TextUnformatted(left >= 0 ? ("about " + seconds_text(left) + " left").c_str()
                                     : "starting…");
    if (ImGui::Button("Cancel")) job_->cancel();
  } else {
    if (ImGui::Button("Export")) start(app);
    if (k.format == std::string("py")) {
      ImGui::SameLine();
      if (ImGui::Button("Copy to clipboard"))
        ImGui::SetClipboardText(
            pytorch_code(app.timeline().lesson(), app.timeline().results()).c_str());
    }
    ImGui::SameLine();
    if (ImGui::Button("Close")) ImGui::CloseCurrentPopup();
  }
  if (!message_.empty()) ImGui::TextWrapped("%s", message_.c_str());
  ImGui::EndPopup();
}

}  // namespace convstep
