// io.h — every file the program writes goes through here, and the files it reads with limits.
//
//   write_file_atomically("step.svg", text);      // throws IoError naming the path and the reason
//   std::string text = read_file("lesson.json", 1 << 20);  // regular files only, at most 1 MiB
//   write_folder_atomically("steps", [&](const std::string& dir) { /* write into dir */ },
//                           [](const std::string& name) { return name.ends_with(".png"); });
//
// What a write does depends on what the path names:
// - a regular file, or nothing yet: replaced atomically (a temporary file in the same folder,
//   fsync, rename, fsync of the folder). If anything fails the old file is intact and the
//   temporary file is gone.
// - a symbolic link: written through. Its target is replaced atomically in the target's folder,
//   and the link stays a link.
// - a device or a named pipe (/dev/stdout, a FIFO): written directly, never replaced.
// - a folder: an error.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace convstep {

// A file that cannot be read or written. what() is the whole message ("cannot write PATH:
// the disk is full; nothing was changed"); reason() is the part after the path.
class IoError : public std::runtime_error {
 public:
  IoError(const std::string& message, std::string path, std::string reason)
      : std::runtime_error(message), path_(std::move(path)), reason_(std::move(reason)) {}
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string path_, reason_;
};

// Call once at program start. A write past the file size limit (`ulimit -f`) then fails with
// "file too large" and is reported like a full disk, instead of the signal killing the program.
void ignore_file_size_signal();

enum class SpecialFiles {
  WriteDirectly,  // a device or a named pipe is written as it is (exports: --out /dev/stdout)
  Refuse,         // only regular files (settings, recovery: a FIFO must never block the app)
};

// Writes `text` to `path` as described above. Throws IoError.
void write_file_atomically(const std::string& path, const std::string& text,
                           SpecialFiles special = SpecialFiles::WriteDirectly);

// Reads a whole regular file of at most `max_bytes`. A folder, a named pipe or a device is
// refused without blocking. Throws IoError whose reason() is "cannot open: ...",
// "is a folder, not a file", "is not a regular file", "is larger than ..." or "cannot read: ...".
std::string read_file(const std::string& path, long long max_bytes);

// A folder of files, made whole or not at all. `fill` writes into a new temporary folder beside
// `path`; only when it returns is that folder renamed to `path`. If `path` already exists it is
// replaced, but only when every name in it passes `replaceable` (a previous export), so that
// a user's own files are never removed. If `fill` throws, the temporary folder is removed and
// the exception goes on. Throws IoError.
void write_folder_atomically(const std::string& path,
                             const std::function<void(const std::string& folder)>& fill,
                             const std::function<bool(const std::string& name)>& replaceable);

}  // namespace convstep
