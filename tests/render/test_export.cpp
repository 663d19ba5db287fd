// The exports as files, drawn through EGL and read back with independent decoders: stb_image for
// PNG, giflib for GIF, libavcodec for MP4. Sizes, step counts, probe pixels, determinism, a
// cancel halfway and a full disk.
#include <gif_lib.h>
#include <gtest/gtest.h>
#include <stb_image.h>
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/export/export.h"
#include "app/export/job.h"
#include "app/export/motion.h"
#include "app/gl/egl_context.h"
#include "core/colormap.h"
#include "core/io.h"
#include "core/lesson.h"
#include "core/stage.h"
#include "tests/temp_dir.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

const Timeline& default_lesson() {
  static const Timeline timeline(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json"));
  return timeline;
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Decoded {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  Color at(float x, float y) const {
    const std::size_t p = (static_cast<std::size_t>(y) * width + static_cast<std::size_t>(x)) * 3;
    return Color{rgb[p] / 255.0f, rgb[p + 1] / 255.0f, rgb[p + 2] / 255.0f, 1};
  }
};

Decoded decode_png(const std::string& path) {
  const std::string bytes = bytes_of(path);
  Decoded d;
  int channels = 0;
  unsigned char* pixels =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), &d.width, &d.height, &channels, 3);
  if (!pixels) return d;
  d.rgb.assign(pixels, pixels + static_cast<std::size_t>(d.width) * d.height * 3);
  stbi_image_free(pixels);
  return d;
}

::testing::AssertionResult close_to(Color got, Color want, int tolerance = 4) {
  auto q = [](float v) { return static_cast<int>(std::lround(v * 255)); };
  const int d = std::max({std::abs(q(got.r) - q(want.r)), std::abs(q(got.g) - q(want.g)),
                          std::abs(q(got.b) - q(want.b))});
  if (d <= tolerance) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "pixel (" << q(got.r) << "," << q(got.g) << "," << q(got.b) << ") is " << d
         << "/255 from (" << q(want.r) << "," << q(want.g) << "," << q(want.b) << ")";
}

ExportRequest request(const std::string& format, const std::string& out, Phase phase,
                      Granularity g) {
  ExportRequest r;
  r.format = format, r.out = out, r.phases = {phase}, r.granularity = g;
  return r;
}

// The seventh term of dX[2,3] (test_stage_pixels' step), at 1600×900: one layout unit is one
// pixel, so the scene's rectangles are the picture's.
TEST(ExportPng, SizeProbesAndSameBytesTwice) {
  EglContext gl;
  TempDir dir;
  const Timeline& tl = default_lesson();
  const long long k = 4 + 13 * 9 + 6;
  ExportRequest r = request("png", dir / "a.png", Phase::DxGather, Granularity::Term);
  r.from = k, r.to = k + 1;
  export_pictures(tl, r, nullptr);
  r.out = dir / "b.png";
  export_pictures(tl, r, nullptr);
  EXPECT_EQ(bytes_of(dir / "a.png"), bytes_of(dir / "b.png")) << "the same step, other bytes";

  const Decoded png = decode_png(dir / "a.png");
  ASSERT_EQ(png.width, 1600);
  ASSERT_EQ(png.height, 900);
  const Frame f = tl.frame(Phase::DxGather, Granularity::Term, k);
  const Scene scene = export_scene(tl, r, f, f, 1);
  EXPECT_TRUE(close_to(png.at(2, 2), scene.background)) << "the corner is the background";
  const SceneFrame* window = nullptr;
  for (const SceneFrame& fr : scene.frames)
    if (fr.role == FrameRole::Window) window = &fr;
  ASSERT_NE(window, nullptr);
  EXPECT_TRUE(close_to(png.at(window->rect.x + window->rect.w / 2, window->rect.y), kRoleWindow))
      << "the window's frame";
  const SceneGrid* gp = scene.grid(Grid::Gp);
  ASSERT_NE(gp, nullptr);
  const SceneCell& one = gp->cells[5 * gp->cols + 2];  // Gp[5,2] = 1, the largest: red
  ASSERT_EQ(one.value, 1);
  EXPECT_TRUE(close_to(png.at(one.rect.x + one.rect.w * 0.15f, one.rect.y + one.rect.h * 0.2f),
                       diverging_color(1.0f)));

  // Another size and the light theme: the picture is that size and light.
  r.width = 640, r.height = 360, r.theme = Theme::Light, r.out = dir / "small.png";
  export_pictures(tl, r, nullptr);
  const Decoded small = decode_png(dir / "small.png");
  EXPECT_EQ(small.width, 640);
  EXPECT_EQ(small.height, 360);
  EXPECT_GT(small.at(2, 2).r, 0.8f) << "the light theme's background";
}

// Every phase and granularity: one PNG per step of the timeline.
// Issue 11, statement 12: a pitfall is exported like any step. Issue 10, item 8: each one's PNG
// of a dX gather step shows its wrong result beside the right one, filled as far, with the
// differing cells framed in vermillion on the picture and its line naming the mistake.
TEST(ExportPng, ShowsEveryPitfall) {
  EglContext gl;
  TempDir dir;
  const Timeline tl(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/rotation-2x2.json"));
  ExportRequest plain = request("png", dir / "plain.png", Phase::DxGather, Granularity::Cell);
  const long long last = tl.count(Phase::DxGather, Granularity::Cell) - 1;
  plain.from = last, plain.to = last + 1;  // the crop: every cell computed
  export_pictures(tl, plain, nullptr);
  for (Pitfall p : kAllPitfalls) {
    ExportRequest r = plain;
    r.out = dir / (std::string(pitfall_name(p)) + ".png");
    r.pitfalls = {p};
    export_pictures(tl, r, nullptr);
    EXPECT_NE(bytes_of(r.out), bytes_of(plain.out)) << pitfall_name(p);
    const Decoded png = decode_png(r.out);
    ASSERT_EQ(png.width, 1600);
    const Frame f = tl.frame(Phase::DxGather, Granularity::Cell, last);
    const Scene scene = export_scene(tl, r, f, f, 1);
    bool titled = false;
    for (const SceneText& t : scene.texts)
      titled |= t.role == TextRole::Pitfall && t.text.rfind(pitfall_title(p), 0) == 0;
    EXPECT_TRUE(titled) << pitfall_name(p);
    int framed = 0;
    for (const SceneFrame& fr : scene.frames) {
      if (fr.role != FrameRole::Diff) continue;
      ++framed;
      EXPECT_TRUE(close_to(png.at(fr.rect.x + fr.rect.w / 2, fr.rect.y + 0.5f), kRoleDiff))
          << pitfall_name(p) << ": a differing cell's frame";
    }
    // dX (3×3) cannot stand in for G (2×2): no grid, nothing to frame.
    EXPECT_EQ(framed > 0, p != Pitfall::InputGradientAsGradient) << pitfall_name(p);
  }
}

TEST(ExportPngs, OnePicturePerStep) {
  EglContext gl;
  TempDir dir;
  const Timeline& tl = default_lesson();
  for (Granularity g : kAllGranularities) {
    ExportRequest r = request("pngs", dir / granularity_name(g), Phase::Forward, g);
    r.phases.assign(std::begin(kAllPhases), std::end(kAllPhases));
    r.width = 32, r.height = 18;  // the count is the point here, not the pictures
    long long calls = 0, total = 0, last_done = 0;
    export_pictures(tl, r, [&](const ExportProgress& p) {
      ++calls, total = p.total;
      EXPECT_EQ(p.done, last_done + 1) << "progress counts every picture once";
      last_done = p.done;
      return true;
    });
    EXPECT_EQ(calls, total);
    for (Phase p : kAllPhases) {
      long long files = 0;
      for (const auto& e : fs::directory_iterator(dir / granularity_name(g)))
        files += e.path().filename().string().starts_with(std::string(phase_name(p)) + "-");
      EXPECT_EQ(files, tl.count(p, g)) << phase_name(p) << " at " << granularity_name(g);
    }
  }
}

TEST(ExportGif, DecodesWithTheFramesAndDuration) {
  EglContext gl;
  TempDir dir;
  const Timeline& tl = default_lesson();
  ExportRequest r = request("gif", dir / "db.gif", Phase::Db, Granularity::Term);
  r.width = 480, r.height = 270;
  export_pictures(tl, r, nullptr);
  int error = 0;
  GifFileType* gif = DGifOpenFileName(r.out.c_str(), &error);
  ASSERT_NE(gif, nullptr) << GifErrorString(error);
  ASSERT_EQ(DGifSlurp(gif), GIF_OK) << GifErrorString(gif->Error);
  EXPECT_EQ(gif->SWidth, 480);
  EXPECT_EQ(gif->SHeight, 270);
  ASSERT_NE(gif->SColorMap, nullptr) << "one palette for every frame";
  double seconds = 0;
  for (const MotionPicture& m : motion(tl, r, 20)) seconds += m.seconds;
  const long long steps = tl.count(Phase::Db, Granularity::Term);
  // Every step is a frame at least, and pictures that change nothing are merged.
  EXPECT_GE(gif->ImageCount, steps);
  EXPECT_LE(gif->ImageCount, static_cast<int>(motion(tl, r, 20).size()));
  int centiseconds = 0;
  for (int i = 0; i < gif->ImageCount; ++i) {
    GraphicsControlBlock gcb;
    ASSERT_EQ(DGifSavedExtensionToGCB(gif, i, &gcb), GIF_OK);
    centiseconds += gcb.DelayTime;
    EXPECT_EQ(gif->SavedImages[i].ImageDesc.ColorMap, nullptr) << "frame " << i;
  }
  EXPECT_NEAR(centiseconds, seconds * 100, 2 * gif->ImageCount);
  DGifCloseFile(gif, &error);
}

TEST(ExportMp4, DecodesWithTheFramesSizeAndDuration) {
  EglContext gl;
  TempDir dir;
  const Timeline& tl = default_lesson();
  ExportRequest r = request("mp4", dir / "db.mp4", Phase::Db, Granularity::Cell);
  r.width = 480, r.height = 270;
  export_pictures(tl, r, nullptr);
  double seconds = 0;
  for (const MotionPicture& m : motion(tl, r, r.fps)) seconds += m.seconds;

  AVFormatContext* format = nullptr;
  ASSERT_EQ(avformat_open_input(&format, r.out.c_str(), nullptr, nullptr), 0);
  ASSERT_GE(avformat_find_stream_info(format, nullptr), 0);
  const int stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  ASSERT_GE(stream, 0);
  const AVCodecParameters* par = format->streams[stream]->codecpar;
  EXPECT_EQ(par->codec_id, AV_CODEC_ID_H264);
  EXPECT_EQ(par->width, 480);
  EXPECT_EQ(par->height, 270);
  AVCodecContext* codec = avcodec_alloc_context3(avcodec_find_decoder(par->codec_id));
  avcodec_parameters_to_context(codec, par);
  ASSERT_EQ(avcodec_open2(codec, codec->codec, nullptr), 0);
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  long long frames = 0;
  auto receive = [&] {
    while (avcodec_receive_frame(codec, frame) == 0) ++frames;
  };
  while (av_read_frame(format, packet) >= 0) {
    if (packet->stream_index == stream) avcodec_send_packet(codec, packet);
    av_packet_unref(packet);
    receive();
  }
  avcodec_send_packet(codec, nullptr);
  receive();
  EXPECT_EQ(frames, std::llround(seconds * r.fps));
  const AVStream* s = format->streams[stream];
  EXPECT_NEAR(static_cast<double>(s->duration) * av_q2d(s->time_base), seconds, 0.05);
  av_frame_free(&frame);
  av_packet_free(&packet);
  avcodec_free_context(&codec);
  avformat_close_input(&format);
}

// A cancel halfway leaves nothing: no file, no folder, no temporary.
TEST(ExportCancel, LeavesNothing) {
  EglContext gl;
  TempDir dir;
  const Timeline& tl = default_lesson();
  for (const char* format : {"pngs", "gif", "mp4"}) {
    ExportRequest r = request(format, dir / "out", Phase::Db, Granularity::Term);
    r.width = 160, r.height = 90;
    long long seen = 0;
    EXPECT_THROW(export_pictures(tl, r,
                                 [&](const ExportProgress& p) {
                                   seen = p.total;
                                   return p.done < p.total / 2;
                                 }),
                 ExportCancelled)
        << format;
    EXPECT_GT(seen, 2);
    EXPECT_TRUE(dir.names().empty()) << format << " left " << dir.names().front();
  }
}

// More than 20,000 steps: a batch of 4096 samples, whose forward phase has 20,481 term steps. A
// folder of PNGs is written picture by picture, so it is not refused (cancelled here after a
// few); an animation, made whole in memory, is refused with a message that says how to split it.
TEST(ExportLong, PngsAreNotRefusedAnimationsSayHowToSplit) {
  EglContext gl;
  TempDir dir;
  {
    std::ofstream lesson(dir / "batch.json");
    lesson << "{\"weight\": [[[[1, 0, 1, 0, 1]]]], \"input\": [";
    for (int n = 0; n < 4096; ++n) lesson << (n ? "," : "") << "[[[1, 2, 3, 4, 5]]]";
    lesson << "]}";
  }
  const Timeline tl(load_lesson(dir / "batch.json"));
  ExportRequest r = request("pngs", dir / "steps", Phase::Forward, Granularity::Term);
  r.width = 32, r.height = 18;
  long long total = 0;
  EXPECT_THROW(export_pictures(tl, r,
                               [&](const ExportProgress& p) {
                                 total = p.total;
                                 return p.done < 20;
                               }),
               ExportCancelled);
  EXPECT_GT(total, kMaxExportSteps);
  EXPECT_EQ(total, tl.count(Phase::Forward, Granularity::Term));
  r.format = "gif", r.out = dir / "long.gif";
  try {
    export_pictures(tl, r, nullptr);
    ADD_FAILURE() << "an animation of 20,481 steps was made";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--steps 0:20000"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dir.names(), std::vector<std::string>{"batch.json"});
}

// A full disk: the error names the file, and nothing is left.
TEST(ExportFullDisk, ClearErrorNoFile) {
  EglContext gl;
  const Timeline& tl = default_lesson();
  for (const char* format : {"png", "gif", "mp4"}) {
    ExportRequest r = request(format, "/dev/full", Phase::Db, Granularity::Cell);
    r.width = 160, r.height = 90;
    try {
      export_pictures(tl, r, nullptr);
      ADD_FAILURE() << format << " wrote to a full disk";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace convstep

namespace convstep {
namespace {

// File › Export's background export: the UI thread keeps drawing frames of its own (here, the
// stage at another step) while the job asks it for pictures between them; a cancel halfway
// leaves nothing.
TEST(ExportJob, TheAppKeepsDrawingAndCancelLeavesNothing) {
  EglContext gl;
  TempDir dir;
  const Timeline& tl = default_lesson();
  SceneRenderer app_renderer;  // the app's own drawing
  const Frame still = tl.frame(Phase::Forward, Granularity::Cell, 3);
  const Scene app_scene = build_stage(tl, still, still, 1, {});
  ExportRequest r = request("gif", dir / "job.gif", Phase::Db, Granularity::Term);
  r.width = 320, r.height = 180;
  const long long pictures = static_cast<long long>(motion(tl, r, 20).size());
  long long frames = 0;
  {
    ExportJob job(tl.lesson(), r);
    while (!job.finished() && frames < 100000) {
      job.serve(0.005);
      app_renderer.render(app_scene, 160, 90);
      ++frames;
    }
    EXPECT_EQ(job.error(), "");
    EXPECT_EQ(job.progress().done, pictures);
  }
  EXPECT_GT(frames, 1) << "the app drew frames while the export ran";
  int error = 0;
  GifFileType* gif = DGifOpenFileName(r.out.c_str(), &error);
  ASSERT_NE(gif, nullptr);
  EXPECT_EQ(DGifSlurp(gif), GIF_OK);
  DGifCloseFile(gif, &error);

  fs::remove(r.out);
  r.format = "pngs", r.out = dir / "steps";
  {
    ExportJob job(tl.lesson(), r);
    // One picture a call at most, so the cancel comes long before the twelfth: a longer serve
    // could draw them all in one call and finish first.
    while (!job.finished()) {
      job.serve(0);
      if (job.progress().done >= 3) job.cancel();
    }
    EXPECT_NE(job.error().find("cancelled"), std::string::npos) << job.error();
  }
  EXPECT_TRUE(dir.names().empty()) << "a cancel left " << dir.names().front();
}

// A cancel while the export waits for a picture: the UI thread must not begin that picture, whose
// scene and buffer the export frees as it stops. (Drawing it anyway read and wrote freed memory:
// the Release crash of 2026-11-29, which needed the cancel to fall in that instant.)
TEST(ExportJob, CancelWhileAPictureIsWantedDrawsNothingFreed) {
  EglContext gl;
  TempDir dir;
  const Timeline& tl = default_lesson();
  for (const char* format : {"gif", "pngs"}) {
    ExportRequest r = request(format, dir / "out", Phase::Db, Granularity::Term);
    r.width = 320, r.height = 180;
    ExportJob job(tl.lesson(), r);
    while (!job.waiting_for_picture() && !job.finished())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_FALSE(job.finished()) << format << ": " << job.error();
    job.cancel();
    while (!job.finished()) job.serve(0.005);
    EXPECT_NE(job.error().find("cancelled"), std::string::npos) << format << ": " << job.error();
    EXPECT_TRUE(dir.names().empty()) << format << " left " << dir.names().front();
  }
}

// A picture the UI thread cannot draw (here: 0 pixels wide) fails the export with the reason,
// and the app's frame goes on: serve() does not throw it at the app.
TEST(ExportJob, APictureThatCannotBeDrawnFailsTheExportNotTheApp) {
  EglContext gl;
  TempDir dir;
  ExportRequest r = request("gif", dir / "none.gif", Phase::Db, Granularity::Term);
  r.width = 0, r.height = 180;
  ExportJob job(default_lesson().lesson(), r);
  while (!job.finished()) EXPECT_NO_THROW(job.serve(0.005));
  EXPECT_NE(job.error().find("nothing in it"), std::string::npos) << job.error();
  EXPECT_TRUE(dir.names().empty()) << "left " << dir.names().front();
}

}  // namespace
}  // namespace convstep
