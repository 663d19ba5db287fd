// temp_dir.h — a folder of a test's own, removed with everything in it when the test ends.
//
//   TempDir dir;
//   save_lesson(lesson, dir / "lesson.json");
//   EXPECT_EQ(dir.names(), std::vector<std::string>{"lesson.json"});
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

namespace convstep {

struct TempDir {
  std::filesystem::path path;

  TempDir() {
    std::string name = (std::filesystem::temp_directory_path() / "convstep-test-XXXXXX").string();
    path = ::mkdtemp(name.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string operator/(const std::string& name) const { return (path / name).string(); }
  // The names of what is in it, in no particular order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(path))
      out.push_back(entry.path().filename().string());
    return out;
  }
};

}  // namespace convstep
