#include "session.h"

#include <backends/imgui_impl_opengl3.h>
#include <gif_lib.h>
#include <imgui.h>

#include <iostream>
#include <sstream>

#include "core/io.h"
#include "core/svg.h"
#include "gl/font_set.h"
#include "gl/png.h"
#include "gl/scene_painter.h"
#include "gl/scene_renderer.h"
#include "steps_output.h"

namespace convstep {

Session::Session(const ShellOptions& options) {
  std::vector<std::string> problems(1);
  app.settings = load_settings(&problems[0]);
  app.open_or_default(options.lesson);
  if (!options.script.empty()) script.emplace(load_script(options.script), options.script);
  if (!options.no_restore) {
    if (auto found = recovery_.find_orphan(problems)) {
      ui.restore_lesson = std::move(found->lesson);
      ui.restore_path = std::move(found->origin);
      ui.restore_offer = true;
    }
  }
  // Unreadable settings or copies do not stop the start: one line each, and the status line.
  for (const std::string& p : problems)
    if (!p.empty()) std::cerr << "convstep: " << (ui.status = p) << "\n";
  rebuild_fonts();
}

Session::~Session() {
  painter_.reset();
  try {
    save_settings(app.settings);
  } catch (const std::exception&) {
    // Settings are a convenience: failing to save them must not fail the session.
  }
}

float Session::ui_scale() const {
  return app.settings.classroom ? 1.6f : 1.0f;
}

bool Session::fonts_stale() const {
  return fonts_scale_ != ui_scale();
}

void Session::rebuild_fonts() {
  ImGuiIO& io = ImGui::GetIO();
  painter_.reset();
  io.Fonts->Clear();
  fonts_ = std::make_unique<FontSet>(io.Fonts, ui_scale());
  io.Fonts->Build();
  if (io.BackendRendererUserData) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  painter_ = std::make_unique<ScenePainter>(*fonts_);
  ImGui::GetStyle() = ImGuiStyle();
  ImGui::GetStyle().ScaleAllSizes(ui_scale());
  ui.applied_theme = -1;  // re-apply the colours over the fresh style
  fonts_scale_ = ui_scale();
}

void Session::update(double dt, double now, ScriptHost& host) {
  if (script && !script->finished()) script->update(app, host, now);
  app.advance(dt);
  // Unsaved edits are copied aside as they happen, and the copy goes once they are saved (or
  // another lesson is opened). Only this session's own copy is removed: a copy left by a
  // killed session waits for the user's answer to the offer.
  if (app.dirty() && app.revision() != autosaved_revision_) {
    kept_ = recovery_.keep(app.lesson(), app.lesson_path());
    autosaved_revision_ = app.revision();  // a failed copy is not retried every frame
  } else if (!app.dirty() && autosaved_revision_ >= 0) {
    recovery_.forget();
    autosaved_revision_ = -1;
  }
  // The offered copy goes once discarded, or once restored and kept as this session's own.
  if (ui.restore_answer == RestoreAnswer::Discard ||
      (ui.restore_answer == RestoreAnswer::Restore && kept_)) {
    recovery_.drop_orphan();
    ui.restore_answer = RestoreAnswer::None;
  }
}

void Session::draw() {
  draw_ui(app, ui, *painter_);
}

bool Session::busy() const {
  return app.animating() || app.playing() || (script && !script->finished());
}

// ---------------------------------------------------------------------------------------------
// Exports

namespace {

constexpr int kExportWidth = 1600, kExportHeight = 900;

Scene still_scene(const App& app, const Frame& frame, int width, int height) {
  StageOptions o;
  o.theme = app.settings.theme;
  o.width = 1600;
  o.height = 1600.0f * height / width;
  o.pixels_per_unit = static_cast<float>(width) / o.width;
  return build_stage(app.timeline(), frame, frame, 1, o);
}

// An animated GIF of every step of the current phase (at most kMaxGifFrames, evenly chosen),
// made in memory and then written through core/io like every other file.
std::string encode_gif(const App& app) {
  constexpr int kWidth = 960, kHeight = 540, kMaxGifFrames = 400;
  const Timeline& tl = app.timeline();
  const long long count = app.step_count();
  const long long frames = std::min<long long>(count, kMaxGifFrames);
  SceneRenderer renderer;
  std::string bytes;
  auto append = [](GifFileType* file, const GifByteType* data, int size) {
    static_cast<std::string*>(file->UserData)
        ->append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
    return size;
  };
  int error = 0;
  GifFileType* gif = EGifOpen(&bytes, append, &error);
  if (!gif) throw std::runtime_error(std::string("GIF: ") + GifErrorString(error));
  auto fail = [&](const std::string& what) {
    int close_error = 0;
    EGifCloseFile(gif, &close_error);
    throw std::runtime_error("GIF: " + what);
  };
  EGifSetGifVersion(gif, true);
  // 8 bits of colour resolution; each frame brings its own 256-colour palette.
  if (EGifPutScreenDesc(gif, kWidth, kHeight, 8, 0, nullptr) == GIF_ERROR)
    fail(GifErrorString(gif->Error));
  // Loop forever (the NETSCAPE2.0 application extension).
  const unsigned char loop[] = {1, 0, 0};
  if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
      EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR ||
      EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR || EGifPutExtensionTrailer(gif) == GIF_ERROR)
    fail(GifErrorString(gif->Error));
  std::vector<GifByteType> r(kWidth * kHeight), g(kWidth * kHeight), b(kWidth * kHeight),
      out(kWidth * kHeight);
  for (long long i = 0; i < frames; ++i) {
    const long long k = frames == count ? i : i * (count - 1) / std::max(1LL, frames - 1);
    const Frame f =
        tl.frame(app.phase(), app.settings.granularity, k, app.settings.skip_zero_terms);
    const std::vector<std::uint8_t> rgba =
        renderer.render(still_scene(app, f, kWidth, kHeight), kWidth, kHeight);
    for (int p = 0; p < kWidth * kHeight; ++p)
      r[p] = rgba[p * 4], g[p] = rgba[p * 4 + 1], b[p] = rgba[p * 4 + 2];
    int colors = 256;
    GifColorType palette[256];
    if (GifQuantizeBuffer(kWidth, kHeight, &colors, r.data(), g.data(), b.data(), out.data(),
                          palette) == GIF_ERROR)
      fail("colour quantization failed");
    ColorMapObject* map = GifMakeMapObject(256, palette);
    // 0.7 s per step, the last one held longer.
    const int delay = i + 1 == frames ? 250 : 70;
    const GraphicsControlBlock gcb{DISPOSAL_UNSPECIFIED, false, delay, NO_TRANSPARENT_COLOR};
    GifByteType ext[4];
    const std::size_t ext_len = EGifGCBToExtension(&gcb, ext);
    bool ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(ext_len), ext) !=
                  GIF_ERROR &&
              EGifPutImageDesc(gif, 0, 0, kWidth, kHeight, false, map) != GIF_ERROR;
    for (int y = 0; ok && y < kHeight; ++y)
      ok = EGifPutLine(gif, out.data() + y * kWidth, kWidth) != GIF_ERROR;
    GifFreeMapObject(map);
    if (!ok) fail(GifErrorString(gif->Error));
  }
  if (EGifCloseFile(gif, &error) == GIF_ERROR)
    throw std::runtime_error(std::string("GIF: ") + GifErrorString(error));
  return bytes;
}

// Names that convstep's own folder exports hold, which a new export may replace.
bool is_step_png(const std::string& name) {
  for (Phase p : kAllPhases) {
    const std::string prefix = std::string(phase_name(p)) + "-";
    if (name.starts_with(prefix) && name.ends_with(".png") && name.size() > prefix.size() + 4 &&
        name.find_first_not_of("0123456789", prefix.size()) == name.size() - 4)
      return true;
  }
  return false;
}

bool is_phase_picture(const std::string& name) {
  for (Phase p : kAllPhases)
    if (name == std::string(phase_name(p)) + ".png" || name == std::string(phase_name(p)) + ".svg")
      return true;
  return false;
}

}  // namespace

void export_current(const App& app, const std::string& kind, const std::string& path) {
  if (kind == "svg") {
    write_file_atomically(path,
                          scene_to_svg(still_scene(app, app.frame(), kExportWidth, kExportHeight)));
  } else if (kind == "png") {
    SceneRenderer renderer;
    write_png(path, kExportWidth, kExportHeight,
              renderer.render(still_scene(app, app.frame(), kExportWidth, kExportHeight),
                              kExportWidth, kExportHeight));
  } else if (kind == "md") {
    std::ostringstream out;
    StepsRequest request;
    request.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
    request.format = StepsFormat::Markdown;
    write_steps(out, app.timeline(), request);
    write_file_atomically(path, out.str());
  } else if (kind == "gif") {
    write_file_atomically(path, encode_gif(app));
  } else if (kind == "pngs") {
    // Into a temporary folder first: a full disk leaves no half folder behind.
    write_folder_atomically(
        path,
        [&](const std::string& folder) {
          SceneRenderer renderer;
          const long long count = std::min(app.step_count(), 2000LL);
          for (long long k = 0; k < count; ++k) {
            const Frame f = app.timeline().frame(app.phase(), app.settings.granularity, k,
                                                 app.settings.skip_zero_terms);
            char name[64];
            std::snprintf(name, sizeof name, "/%s-%04lld.png", phase_name(app.phase()), k + 1);
            write_png(folder + name, kExportWidth, kExportHeight,
                      renderer.render(still_scene(app, f, kExportWidth, kExportHeight),
                                      kExportWidth, kExportHeight));
          }
        },
        is_step_png);
  } else {
    throw std::invalid_argument("unknown export \"" + kind + "\": png, svg, gif, md or pngs");
  }
}

std::string no_picture(int width, int height) {
  return "the window is " + std::to_string(width) + "×" + std::to_string(height) +
         " pixels: there is no picture to take";
}

void render_all_phases(const App& app, const std::string& folder) {
  write_folder_atomically(
      folder,
      [&](const std::string& temp) {
        SceneRenderer renderer;
        const Timeline& tl = app.timeline();
        for (Phase p : kAllPhases) {
          // Halfway through the phase's cells, so the picture shows a computation under way.
          const long long count = tl.count(p, Granularity::Cell);
          long long k = count / 2;
          while (k + 1 < count &&
                 tl.frame(p, Granularity::Cell, k, false, false).kind == StepKind::Stage)
            ++k;
          const Frame f = tl.frame(p, Granularity::Cell, k);
          const Scene scene = still_scene(app, f, kExportWidth, kExportHeight);
          write_png(temp + "/" + phase_name(p) + ".png", kExportWidth, kExportHeight,
                    renderer.render(scene, kExportWidth, kExportHeight));
          write_file_atomically(temp + "/" + phase_name(p) + ".svg", scene_to_svg(scene));
        }
      },
      is_phase_picture);
}

}  // namespace convstep
