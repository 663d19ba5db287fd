// Files: what a write does to a regular file, a link, a device, a named pipe, a folder and a
// full disk; reads that refuse what is not a regular file; folders made whole or not at all.
#include "core/io.h"
#include "tests/temp_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

namespace convstep {
namespace {

namespace fs = std::filesystem;

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void put(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string write_error(const std::string& path, const std::string& text,
                        SpecialFiles special = SpecialFiles::WriteDirectly) {
  try {
    write_file_atomically(path, text, special);
  } catch (const IoError& e) {
    return e.what();
  }
  return "no error";
}

// The file size limit (`ulimit -f`) of a few KiB while `body` runs, as on a full disk.
template <class F>
void with_file_size_limit(F body) {
  ignore_file_size_signal();
  rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  rlimit tiny = old;
  tiny.rlim_cur = 4096;
  ::setrlimit(RLIMIT_FSIZE, &tiny);
  body();
  ::setrlimit(RLIMIT_FSIZE, &old);
}

TEST(Io, ReplacesARegularFileAndLeavesNoTemporary) {
  TempDir dir;
  put(dir / "a.txt", "old");
  ::chmod((dir / "a.txt").c_str(), 0640);
  write_file_atomically(dir / "a.txt", "new");
  EXPECT_EQ(contents(dir / "a.txt"), "new");
  EXPECT_EQ(fs::status(dir / "a.txt").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_EQ(names_in(dir.path), std::vector<std::string>{"a.txt"});
}

TEST(Io, ASymlinkIsWrittenThroughToItsTarget) {
  TempDir dir;
  fs::create_directory(dir.path / "real");
  put(dir / "real/target.svg", "old");
  fs::create_symlink("real/target.svg", dir.path / "link.svg");
  write_file_atomically(dir / "link.svg", "new");
  EXPECT_TRUE(fs::is_symlink(dir.path / "link.svg")) << "the link was replaced by a file";
  EXPECT_EQ(contents(dir / "real/target.svg"), "new");
  // The temporary file was made beside the target, and is gone.
  EXPECT_EQ(names_in(dir.path / "real"), std::vector<std::string>{"target.svg"});
  EXPECT_EQ(names_in(dir.path), (std::vector<std::string>{"link.svg", "real"}));
}

TEST(Io, AChainOfLinksAndADanglingLinkAreFollowed) {
  TempDir dir;
  fs::create_symlink(dir / "second", dir.path / "first");
  fs::create_symlink("missing.txt", dir.path / "second");  // dangling: the target is created
  write_file_atomically(dir / "first", "made");
  EXPECT_TRUE(fs::is_symlink(dir.path / "first"));
  EXPECT_TRUE(fs::is_symlink(dir.path / "second"));
  EXPECT_EQ(contents(dir / "missing.txt"), "made");
}

TEST(Io, ANamedPipeIsWrittenDirectly) {
  TempDir dir;
  const std::string fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto reader = std::async(std::launch::async, [&] { return contents(fifo); });
  write_file_atomically(fifo, "through the pipe");
  EXPECT_EQ(reader.get(), "through the pipe");
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the pipe was replaced";
  EXPECT_EQ(names_in(dir.path), std::vector<std::string>{"pipe"});
}

TEST(Io, ADeviceIsWrittenDirectlyAndNeverReplaced) {
  struct stat before {};
  ASSERT_EQ(::stat("/dev/null", &before), 0);
  write_file_atomically("/dev/null", "nothing");
  struct stat after {};
  ASSERT_EQ(::lstat("/dev/null", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode));
  EXPECT_EQ(after.st_ino, before.st_ino);
}

TEST(Io, OnlyRegularFilesWhenAsked) {
  TempDir dir;
  const std::string fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Returns at once: nobody reads the pipe, and nothing waits for a reader.
  EXPECT_EQ(write_error(fifo, "x", SpecialFiles::Refuse),
            "cannot write " + fifo + ": it is not a regular file");
}

TEST(Io, AFolderIsAClearError) {
  TempDir dir;
  fs::create_directory(dir.path / "out.svg");
  EXPECT_EQ(write_error(dir / "out.svg", "x"),
            "cannot write " + dir / "out.svg" + ": it is a folder, not a file");
  EXPECT_TRUE(fs::is_empty(dir.path / "out.svg"));
  EXPECT_EQ(names_in(dir.path), std::vector<std::string>{"out.svg"});
}

TEST(Io, AFullDiskKeepsTheOldFileAndLeavesNoTemporary) {
  TempDir dir;
  put(dir / "a.txt", "old");
  std::string message;
  with_file_size_limit([&] { message = write_error(dir / "a.txt", std::string(100000, 'x')); });
  EXPECT_EQ(message, "cannot write " + dir / "a.txt" +
                         ": the disk is full or the file size limit was reached (File too "
                         "large); nothing was changed");
  EXPECT_EQ(contents(dir / "a.txt"), "old");
  EXPECT_EQ(names_in(dir.path), std::vector<std::string>{"a.txt"});
}

TEST(Io, AMissingFolderIsNamed) {
  const std::string message = write_error("/nonexistent-folder/x.txt", "x");
  EXPECT_NE(message.find("cannot write /nonexistent-folder/x.txt: cannot create a file in "
                         "/nonexistent-folder: No such file or directory"),
            std::string::npos)
      << message;
}

std::string read_error(const std::string& path, long long limit) {
  try {
    read_file(path, limit);
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": " + e.reason());
    return e.reason();
  }
  return "no error";
}

TEST(Io, ReadsRegularFilesWithinALimit) {
  TempDir dir;
  put(dir / "a.json", "{}");
  EXPECT_EQ(read_file(dir / "a.json", 10), "{}");
  put(dir / "big.json", std::string(3000, ' '));
  EXPECT_EQ(read_error(dir / "big.json", 2048), "is larger than 2 KiB");
  EXPECT_EQ(read_error(dir / "missing.json", 10), "cannot open: No such file or directory");
  EXPECT_EQ(read_error(dir.path.string(), 10), "is a folder, not a file");
}

TEST(Io, ReadingANamedPipeIsRefusedWithoutWaiting) {
  TempDir dir;
  const std::string fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(read_error(fifo, 1000), "is not a regular file");
}

// ---- Folders ----

void write_two(const std::string& folder) {
  write_file_atomically(folder + "/a-0001.png", "one");
  write_file_atomically(folder + "/a-0002.png", "two");
}

bool is_export(const std::string& name) {
  return name.starts_with("a-");
}

TEST(Io, AFolderAppearsOnlyWhenComplete) {
  TempDir dir;
  write_folder_atomically(
      dir / "steps",
      [&](const std::string& temp) {
        write_two(temp);
        EXPECT_FALSE(fs::exists(dir.path / "steps")) << "the folder is there before it is whole";
      },
      is_export);
  EXPECT_EQ(names_in(dir.path), std::vector<std::string>{"steps"});
  EXPECT_EQ(names_in(dir.path / "steps"), (std::vector<std::string>{"a-0001.png", "a-0002.png"}));
  EXPECT_EQ(contents(dir / "steps/a-0002.png"), "two");
}

TEST(Io, AFailedFolderLeavesNothing) {
  TempDir dir;
  std::string message;
  with_file_size_limit([&] {
    try {
      write_folder_atomically(
          dir / "steps",
          [&](const std::string& temp) {
            write_two(temp);
            write_file_atomically(temp + "/a-0003.png", std::string(100000, 'x'));
          },
          is_export);
    } catch (const IoError& e) {
      message = e.what();
    }
  });
  EXPECT_EQ(message, "cannot write " + dir / "steps/a-0003.png" +
                         ": the disk is full or the file size limit was reached (File too "
                         "large); nothing was changed");
  EXPECT_TRUE(fs::is_empty(dir.path)) << "a half folder or a temporary was left";
}

TEST(Io, AnEarlierExportIsReplacedWhole) {
  TempDir dir;
  fs::create_directory(dir.path / "steps");
  put(dir / "steps/a-0009.png", "stale");
  write_folder_atomically(dir / "steps", write_two, is_export);
  EXPECT_EQ(names_in(dir.path / "steps"), (std::vector<std::string>{"a-0001.png", "a-0002.png"}));
  EXPECT_EQ(names_in(dir.path), std::vector<std::string>{"steps"});
}

TEST(Io, AFolderWithOtherFilesIsLeftAlone) {
  TempDir dir;
  fs::create_directory(dir.path / "photos");
  put(dir / "photos/holiday.jpg", "mine");
  std::string message;
  try {
    write_folder_atomically(dir / "photos", write_two, is_export);
  } catch (const IoError& e) {
    message = e.what();
  }
  EXPECT_EQ(message, "cannot write " + dir / "photos" +
                         ": the folder already holds other files (holiday.jpg); choose a new or "
                         "empty folder");
  EXPECT_EQ(names_in(dir.path / "photos"), std::vector<std::string>{"holiday.jpg"});
  EXPECT_EQ(names_in(dir.path), std::vector<std::string>{"photos"});
}

TEST(Io, ALinkToAFolderStaysALink) {
  TempDir dir;
  fs::create_directory(dir.path / "real");
  fs::create_symlink("real", dir.path / "steps");
  write_folder_atomically(dir / "steps", write_two, is_export);
  EXPECT_TRUE(fs::is_symlink(dir.path / "steps"));
  EXPECT_EQ(names_in(dir.path / "real"), (std::vector<std::string>{"a-0001.png", "a-0002.png"}));
  EXPECT_EQ(names_in(dir.path), (std::vector<std::string>{"real", "steps"}));
}

}  // namespace
}  // namespace convstep
