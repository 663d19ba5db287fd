// Frames per second of the whole app (panels and stage), rendered through EGL with no vsync
// at 1600×900 under Mesa's software renderer, while the playback animates: the default lesson
// and 64×64, 128×128, 256×256 and 1024×1024 inputs with a 3×3 kernel. And the frames drawn
// while a 1024×1024 lesson is recomputed (recompute_frames): an edit of X whenever the last
// one is on screen, so that a rebuild is always under way.
// Run: build/tests/bench_render --benchmark_min_time=3   (figures go in docs/PERFORMANCE.md,
// never in assertions; ctest runs it once as a smoke test)
#include <backends/imgui_impl_opengl3.h>
#include <benchmark/benchmark.h>
#include <imgui.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/gl/egl_context.h"
#include "app/gl/gl_api.h"
#include "app/gl/offscreen_target.h"
#include "app/session.h"
#include "tests/bench/big_lesson.h"

namespace convstep {
namespace {

class NullHost : public ScriptHost {
  void screenshot(const std::string&) override {}
  void export_file(const std::string&, const std::string&) override {}
  void resize(int, int) override {}
  void quit() override {}
};

std::string big_lesson_file(int size) {
  const std::string path =
      std::filesystem::temp_directory_path() / ("convstep-bench-" + std::to_string(size) + ".json");
  save_lesson(big_lesson(size), path);
  return path;
}

// CPU seconds used so far by this process's threads, by role: the UI (this thread), Mesa's
// llvmpipe rendering threads, and the rest (the background rebuild and its compute threads).
struct ThreadCpu {
  double ui = 0, renderer = 0, background = 0;
  static ThreadCpu now() {
    ThreadCpu t;
    const double tick = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
    const std::string self = std::to_string(gettid());
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm"), stat(task.path() / "stat");
      std::string name, line;
      std::getline(comm, name);
      std::getline(stat, line);
      // utime and stime: the 14th and 15th fields, counted after the ")" that ends the name.
      std::istringstream rest(line.substr(line.rfind(')') + 2));
      std::string field;
      double utime = 0, stime = 0;
      for (int i = 3; i <= 15 && rest >> field; ++i)
        if (i == 14)
          utime = std::stod(field);
        else if (i == 15)
          stime = std::stod(field);
      const double cpu = (utime + stime) * tick;
      if (task.path().filename() == self)
        t.ui += cpu;
      else if (name.rfind("llvmpipe", 0) == 0)
        t.renderer += cpu;
      else
        t.background += cpu;
    }
    return t;
  }
};

// The frame loop of the app, as the window runs it, without vsync. `between` runs before each.
// Besides frames/s: the CPU milliseconds a frame costs the UI thread, the renderer's threads
// and the background work (what a quiet machine's two cores must give each frame).
template <class Between>
void frame_loop(benchmark::State& state, Session& session, Between between) {
  OffscreenTarget target(1600, 900);
  NullHost host;
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(1600, 900);
  double now = 0;
  const ThreadCpu start = ThreadCpu::now();
  for (auto _ : state) {
    between();
    io.DeltaTime = 1.0f / 60;
    session.update(1.0 / 60, now += 1.0 / 60, host);
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    session.draw();
    ImGui::Render();
    target.bind();
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glFinish();  // count the rendering itself, not only its submission
  }
  state.counters["fps"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  const ThreadCpu end = ThreadCpu::now();
  const double per_frame = 1000.0 / static_cast<double>(std::max<long long>(state.iterations(), 1));
  state.counters["ui_ms"] = (end.ui - start.ui) * per_frame;
  state.counters["render_ms"] = (end.renderer - start.renderer) * per_frame;
  state.counters["background_ms"] = (end.background - start.background) * per_frame;
}

void frames(benchmark::State& state, const std::string& lesson, Phase phase) {
  setenv("XDG_CONFIG_HOME",
         (std::filesystem::temp_directory_path() / "convstep-bench-config").c_str(), 1);
  setenv("XDG_STATE_HOME",
         (std::filesystem::temp_directory_path() / "convstep-bench-state").c_str(), 1);
  EglContext gl;
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplOpenGL3_Init("#version 330 core");
  {
    ShellOptions options;
    options.lesson = lesson;
    options.no_restore = true;
    Session session(options);
    session.app.settings = Settings{};
    session.app.set_phase(phase);
    session.app.settings.loop = true;
    session.app.settings.speed = 8;  // a move every frame or two: the worst case
    session.app.set_playing(true);
    frame_loop(state, session, [] {});
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext();
}

// Frames while the lesson is recomputed in the background, as in the window. `edits` counts
// the rebuilds that landed; `computing` is the share of frames drawn with one under way.
void recompute_frames(benchmark::State& state) {
  setenv("XDG_CONFIG_HOME",
         (std::filesystem::temp_directory_path() / "convstep-bench-config").c_str(), 1);
  setenv("XDG_STATE_HOME",
         (std::filesystem::temp_directory_path() / "convstep-bench-state").c_str(), 1);
  EglContext gl;
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplOpenGL3_Init("#version 330 core");
  {
    ShellOptions options;  // not headless: the app rebuilds in the background, as the window
    options.lesson = big_lesson_file(1024);
    options.no_restore = true;
    Session session(options);
    session.app.settings = Settings{};
    double value = 0, edits = 0, computing = 0;
    frame_loop(state, session, [&] {
      if (!session.app.computing()) {
        session.app.edit_value("X", {0, 0}, ++value);
        ++edits;
      }
      computing += session.app.computing();
    });
    state.counters["edits"] = edits;
    state.counters["computing"] = computing / static_cast<double>(state.iterations());
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext();
}

void seed_lesson(benchmark::State& state) {
  frames(state, std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json",
         Phase::DxGather);
}
void big_input(benchmark::State& state) {
  frames(state, big_lesson_file(static_cast<int>(state.range(0))), Phase::Forward);
}

BENCHMARK(recompute_frames)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(seed_lesson)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(big_input)
    ->Arg(64)
    ->Arg(128)
    ->Arg(256)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace convstep
