// A bare Dear ImGui window: the yardstick for convstep's start-up and memory (issue 13). It is
// built as convstep is (the same compiler flags, Debian's libimgui.a with its backends, GLFW,
// the same EGL context), draws one frame of one small window with ImGui's default font, and
// exits. scripts/startup runs it beside `convstep --script` (a script that quits at once).
//
//   bare_window              a GLFW window (needs a display: Xvfb)
//   bare_window --headless   EGL surfaceless, into a framebuffer object, as convstep --headless
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "app/gl/egl_context.h"
#include "app/gl/gl_api.h"
#include "app/gl/offscreen_target.h"

namespace {

constexpr int kWidth = 1600, kHeight = 900;

void draw_frame() {
  ImGui::NewFrame();
  ImGui::SetNextWindowSize(ImVec2(400, 200));
  ImGui::Begin("bare");
  ImGui::Text("Hello");
  ImGui::End();
  ImGui::Render();
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  glFinish();
}

void headless() {
  convstep::EglContext gl;
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplOpenGL3_Init("#version 330 core");
  {
    convstep::OffscreenTarget target(kWidth, kHeight);
    target.bind();
    ImGui::GetIO().DisplaySize = ImVec2(kWidth, kHeight);
    ImGui::GetIO().DeltaTime = 1.0f / 60;
    ImGui_ImplOpenGL3_NewFrame();
    draw_frame();
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext();
}

int window() {
  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  GLFWwindow* w = glfwCreateWindow(kWidth, kHeight, "bare", nullptr, nullptr);
  if (!w) return 1;
  glfwMakeContextCurrent(w);
  glfwSwapInterval(1);
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(w, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  draw_frame();
  glfwSwapBuffers(w);
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(w);
  glfwTerminate();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  const bool egl = argc > 1 && std::strcmp(argv[1], "--headless") == 0;
  const int status = egl ? (headless(), 0) : window();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("bare_window: one frame and out in %.1f ms\n", ms);
  return status;
}
