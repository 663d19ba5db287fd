#include "core/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/user_text.h"

namespace convstep {

namespace fs = std::filesystem;

namespace {

// Closes a descriptor on every path out of a function.
struct Fd {
  int fd = -1;
  Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

// The system's reason in plain words; a full disk and the file size limit read alike.
std::string reason_of(int err) {
  if (err == ENOSPC || err == EDQUOT)
    return "the disk is full (" + std::string(std::strerror(err)) + ")";
  if (err == EFBIG)
    return "the disk is full or the file size limit was reached (" +
           std::string(std::strerror(err)) + ")";
  return std::strerror(err);
}

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string name_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

[[noreturn]] void fail_write(const std::string& path, const std::string& reason) {
  throw IoError("cannot write " + path_excerpt(path) + ": " + reason, path, reason);
}

// Writes all of `text`; 0 or the errno of the failure.
int write_all(int fd, const std::string& text) {
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n > 0)
      done += static_cast<std::size_t>(n);
    else if (n == 0)
      return ENOSPC;
    else if (errno != EINTR)
      return errno;
  }
  return 0;
}

// Best effort: the rename is on disk once its folder is. A failure here cannot be undone, and
// the new file is already in place, so it is not reported.
void sync_folder(const std::string& folder) {
  Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.fd >= 0) ::fsync(fd.fd);
}

// The permissions a new file or folder gets, as the user's umask asks.
mode_t new_mode(mode_t wanted) {
  static const mode_t mask = [] {
    const mode_t m = ::umask(0);
    ::umask(m);
    return m;
  }();
  return wanted & ~mask;
}

// The path a chain of symbolic links ends at (it may not exist yet: a dangling link creates
// its target). The path itself when it is not a link.
std::string follow_links(const std::string& path) {
  std::string p = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::string target(4096, '\0');
    const ssize_t n = ::readlink(p.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<std::size_t>(n) >= target.size())
      fail_write(path, "cannot follow the link: " + reason_of(n < 0 ? errno : ENAMETOOLONG));
    target.resize(static_cast<std::size_t>(n));
    p = target.front() == '/' ? target : folder_of(p) + "/" + target;
  }
  fail_write(path, reason_of(ELOOP));
}

// /dev/stdout, /dev/fd/N, /proc/self/fd/N: the program's own descriptor N, written in place so
// that a shell's `>>` and the position in the file are kept. -1 for any other path.
int own_descriptor(const std::string& path) {
  if (path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    const std::string pre = prefix;
    if (path.size() > pre.size() && path.starts_with(pre) &&
        path.find_first_not_of("0123456789", pre.size()) == std::string::npos &&
        path.size() - pre.size() < 6)
      return std::stoi(path.substr(pre.size()));
  }
  return -1;
}

void write_directly(const std::string& path, const std::string& text) {
  int err = 0;
  const int own = own_descriptor(path);
  if (own >= 0 && ::fcntl(own, F_GETFD) != -1) {
    if (own <= 2) std::fflush(nullptr);  // what stdio holds comes first
    err = write_all(own, text);
  } else {
    Fd fd(::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC));
    if (fd.fd < 0) fail_write(path, reason_of(errno));
    err = write_all(fd.fd, text);
    if (::close(fd.release()) != 0 && !err) err = errno;
  }
  if (err) fail_write(path, reason_of(err));
}

// Replaces `target` (a regular file, or nothing yet) with `text`; `shown` is the path the
// caller gave, named in messages.
void replace_file(const std::string& shown, const std::string& target, const std::string& text) {
  const std::string folder = folder_of(target);
  std::string temp = folder + "/." + name_of(target) + ".tmp-XXXXXX";
  Fd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (fd.fd < 0)
    fail_write(shown, "cannot create a file in " + path_excerpt(folder, kExcerptChars) + ": " +
                          reason_of(errno) + "; nothing was changed");
  struct stat old {};
  if (::stat(target.c_str(), &old) == 0) {
    ::fchmod(fd.fd, old.st_mode & 07777);
    [[maybe_unused]] const int owned = ::fchown(fd.fd, old.st_uid, old.st_gid);  // root only
  } else {
    ::fchmod(fd.fd, new_mode(0666));
  }
  int err = write_all(fd.fd, text);
  if (!err && ::fsync(fd.fd) != 0) err = errno;
  if (::close(fd.release()) != 0 && !err) err = errno;
  if (!err && ::rename(temp.c_str(), target.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(temp.c_str());
    fail_write(shown, reason_of(err) + "; nothing was changed");
  }
  sync_folder(folder);
}

}  // namespace

void ignore_file_size_signal() {
  std::signal(SIGXFSZ, SIG_IGN);
}

void write_file_atomically(const std::string& path, const std::string& text, SpecialFiles special) {
  if (path.empty()) fail_write("\"\"", "no file name was given");
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;  // follows links
  if (exists && S_ISDIR(st.st_mode)) fail_write(path, "it is a folder, not a file");
  const bool special_file = exists && !S_ISREG(st.st_mode);
  if (special_file || own_descriptor(path) >= 0 || path.starts_with("/proc/")) {
    if (special == SpecialFiles::Refuse) fail_write(path, "it is not a regular file");
    write_directly(path, text);
    return;
  }
  replace_file(path, follow_links(path), text);
}

std::string read_file(const std::string& path, long long max_bytes) {
  auto fail = [&](const std::string& reason) -> std::string {
    throw IoError(path_excerpt(path) + ": " + reason, path, reason);
  };
  // O_NONBLOCK: opening a named pipe must not wait for a writer.
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.fd < 0) return fail("cannot open: " + std::string(std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return fail("cannot open: " + std::string(std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) return fail("is a folder, not a file");
  if (!S_ISREG(st.st_mode)) return fail("is not a regular file");
  const std::string limit = max_bytes >= (1LL << 30)   ? std::to_string(max_bytes >> 30) + " GiB"
                            : max_bytes >= (1LL << 20) ? std::to_string(max_bytes >> 20) + " MiB"
                            : max_bytes >= (1LL << 10) ? std::to_string(max_bytes >> 10) + " KiB"
                                                       : std::to_string(max_bytes) + " bytes";
  if (st.st_size > max_bytes) return fail("is larger than " + limit);
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot read: " + std::string(std::strerror(errno)));
    }
    text.append(buf, static_cast<std::size_t>(n));
    if (static_cast<long long>(text.size()) > max_bytes) return fail("is larger than " + limit);
  }
  return text;
}

void write_folder_atomically(const std::string& path,
                             const std::function<void(const std::string& folder)>& fill,
                             const std::function<bool(const std::string& name)>& replaceable) {
  if (path.empty()) fail_write("\"\"", "no folder name was given");
  std::string named = path;
  while (named.size() > 1 && named.back() == '/') named.pop_back();  // "steps/" is "steps"
  const std::string target = follow_links(named);
  struct stat st {};
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && !S_ISDIR(st.st_mode)) fail_write(path, "it is a file, not a folder");
  if (exists) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(target, ec)) {
      const std::string name = entry.path().filename().string();
      if (!replaceable(name))
        fail_write(path, "the folder already holds other files (" + excerpt(name) +
                             "); choose a new or empty folder");
    }
    if (ec) fail_write(path, ec.message());
  }

  const std::string parent = folder_of(target);
  std::string temp = parent + "/." + name_of(target) + ".tmp-XXXXXX";
  if (!::mkdtemp(temp.data()))
    fail_write(path, "cannot create a folder in " + path_excerpt(parent, kExcerptChars) + ": " +
                         reason_of(errno) + "; nothing was changed");
  ::chmod(temp.c_str(), new_mode(0777));
  auto discard = [&] {
    std::error_code ec;
    fs::remove_all(temp, ec);
  };
  try {
    fill(temp);
  } catch (const IoError& e) {
    discard();
    // Name the file as the user will know it, not inside the hidden temporary folder.
    if (!e.path().starts_with(temp + "/")) throw;
    fail_write(named + e.path().substr(temp.size()), e.reason());
  } catch (...) {
    discard();
    throw;
  }
  sync_folder(temp);
  int err = 0;
  if (!exists) {
    if (::rename(temp.c_str(), target.c_str()) != 0) err = errno;
  } else if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
    err = errno;
    if (err == EINVAL) {
      // No exchange on this file system: the old folder goes aside first, for a moment.
      const std::string aside = temp + ".old";
      err = ::rename(target.c_str(), aside.c_str()) != 0 ? errno : 0;
      if (!err && ::rename(temp.c_str(), target.c_str()) != 0) {
        err = errno;
        ::rename(aside.c_str(), target.c_str());
      }
      std::error_code ec;
      if (!err) fs::remove_all(aside, ec);
    }
  }
  // After an exchange `temp` holds the old folder; either way it goes.
  discard();
  if (err) fail_write(path, reason_of(err) + "; nothing was changed");
  sync_folder(parent);
}

}  // namespace convstep
