// What an export asks for, GL-free: the steps it covers, its refusals, and a convstep without
// the app's renderer saying plainly that pictures need it.
#include <gtest/gtest.h>

#include <filesystem>

#include "app/export/request.h"
#include "core/lesson.h"
#include "core/names.h"

namespace convstep {
namespace {

const Timeline& default_lesson() {
  static const Timeline timeline(
      load_lesson(std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json"));
  return timeline;
}

TEST(ExportRequest, RangesAreTheTimelinesHalfOpenSteps) {
  ExportRequest r;
  r.phases = {Phase::DxGather};
  r.granularity = Granularity::Term;
  const long long count = default_lesson().count(Phase::DxGather, Granularity::Term);
  std::vector<ExportRange> all = export_ranges(default_lesson(), r);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].from, 0);
  EXPECT_EQ(all[0].to, count);
  r.from = 10, r.to = 20;
  all = export_ranges(default_lesson(), r);
  EXPECT_EQ(all[0].to - all[0].from, 10);
  r.from = count - 1, r.to = count + 1;
  try {
    export_ranges(default_lesson(), r);
    ADD_FAILURE() << "a range past the end was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("past the end: dx_gather has " + std::to_string(count) +
                                         " term steps"),
              std::string::npos)
        << e.what();
  }
  r.from = 5, r.to = 5;
  EXPECT_THROW(export_ranges(default_lesson(), r), std::invalid_argument);
}

// Without the app (the sanitizer build's GL-free parts, or a build with CONVSTEP_GUI off), a
// picture export is refused with a message that says why, and no file is written.
TEST(ExportRequest, PicturesWithoutTheAppSaySo) {
  set_picture_exporter(nullptr);
  const std::string out =
      (std::filesystem::temp_directory_path() / "convstep-no-renderer.png").string();
  ExportRequest r;
  r.format = "png", r.out = out;
  try {
    run_export(default_lesson(), r);
    ADD_FAILURE() << "a picture was exported without a renderer";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("need the app's renderer"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(ExportRequest, UnknownFormatIsBadInput) {
  ExportRequest r;
  r.format = "docx", r.out = "x.docx";
  EXPECT_THROW(run_export(default_lesson(), r), std::invalid_argument);
}

}  // namespace
}  // namespace convstep
