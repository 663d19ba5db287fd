#include "app/recovery.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "app/app.h"
#include "core/io.h"
#include "core/user_text.h"

namespace convstep {

namespace fs = std::filesystem;

namespace {

constexpr long long kMaxRecoveryBytes = 1LL << 30;  // like any lesson file

std::string copy_path(const std::string& id) {
  return state_dir() + "/unsaved-" + id + ".json";
}
std::string origin_path(const std::string& id) {
  return state_dir() + "/unsaved-" + id + ".origin";
}
std::string lock_path(const std::string& id) {
  return state_dir() + "/unsaved-" + id + ".lock";
}

// An exclusive lock on the copy's lock file, or -1 when another app holds it.
int take_lock(const std::string& id, int extra_flags) {
  const int fd = ::open(lock_path(id).c_str(), O_RDWR | O_CREAT | O_CLOEXEC | extra_flags, 0600);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Removes a copy's files; the lock file last, while its lock is still held.
void remove_copy(const std::string& id, int& lock) {
  std::error_code ec;
  fs::remove(copy_path(id), ec);
  fs::remove(origin_path(id), ec);
  fs::remove(lock_path(id), ec);
  if (lock >= 0) ::close(lock);
  lock = -1;
}

}  // namespace

Recovery::~Recovery() {
  if (lock_ >= 0) ::close(lock_);
  if (orphan_lock_ >= 0) ::close(orphan_lock_);
}

bool Recovery::keep(const Lesson& lesson, const std::string& origin) {
  try {
    if (lock_ < 0) {
      std::error_code ec;
      fs::create_directories(state_dir(), ec);
      std::random_device random;
      id_ = std::to_string(::getpid()) + "-" + std::to_string(random());
      lock_ = take_lock(id_, O_EXCL);
      if (lock_ < 0) return false;
    }
    // The origin first: a copy is complete once its lesson is there.
    write_file_atomically(origin_path(id_), origin + "\n", SpecialFiles::Refuse);
    write_file_atomically(copy_path(id_), lesson_to_json(lesson), SpecialFiles::Refuse);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void Recovery::forget() {
  if (lock_ >= 0) remove_copy(id_, lock_);
}

std::optional<RecoveredEdits> Recovery::find_orphan(std::vector<std::string>& problems) {
  // Every copy, newest first.
  std::vector<std::pair<fs::file_time_type, std::string>> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(state_dir(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("unsaved-") && name.ends_with(".json") && name.size() > 13)
      ids.emplace_back(entry.last_write_time(ec), name.substr(8, name.size() - 13));
  }
  std::sort(ids.rbegin(), ids.rend());
  for (const auto& [time, id] : ids) {
    if (id == id_ || id == orphan_id_) continue;
    int lock = take_lock(id, 0);
    if (lock < 0) continue;  // its app still runs
    const std::string path = copy_path(id);
    if (!fs::exists(fs::symlink_status(path, ec))) {  // forgotten since the listing
      remove_copy(id, lock);
      continue;
    }
    std::string problem;
    try {
      RecoveredEdits found{parse_lesson(read_file(path, kMaxRecoveryBytes)), "", 0};
      if (struct stat st; ::stat(path.c_str(), &st) == 0) found.edited = st.st_mtime;
      try {
        const std::string origin = read_file(origin_path(id), 1 << 16);
        found.origin = origin.substr(0, origin.find('\n'));
      } catch (const IoError&) {
        // The lesson alone is still worth offering.
      }
      if (orphan_lock_ >= 0) ::close(orphan_lock_);
      orphan_id_ = id;
      orphan_lock_ = lock;
      return found;
    } catch (const IoError& e) {
      problem = e.reason();
    } catch (const std::exception& e) {  // a bad lesson, or one too large to hold
      problem = e.what();
    }
    // Never offered again: a copy that cannot be read must not stop every start.
    fs::rename(path, path + ".broken", ec);
    if (ec) fs::remove(path, ec);
    problems.push_back("the unsaved edits in " + path + " cannot be read (" + problem +
                       "); moved aside as " + path + ".broken");
    remove_copy(id, lock);  // its origin and lock go with it
  }
  return std::nullopt;
}

std::string describe_unsaved_edits(const RecoveredEdits& found, std::time_t now) {
  std::string what = found.lesson.title.empty() ? "A lesson" : in_quotes(found.lesson.title, 80);
  what += found.origin.empty() ? " (never saved to a file)"
                               : " (" + fs::path(found.origin).filename().string() + ")";
  std::string when;
  std::tm at{}, today{};
  if (found.edited > 0 && ::localtime_r(&found.edited, &at) && ::localtime_r(&now, &today)) {
    char clock[8], date[16];
    std::strftime(clock, sizeof clock, "%H:%M", &at);
    std::strftime(date, sizeof date, "%Y-%m-%d", &at);
    // The day before today, whatever the month: yesterday's date one day after `found.edited`.
    const std::time_t next_day = found.edited + 24 * 3600;
    std::tm after{};
    const bool yesterday = ::localtime_r(&next_day, &after) && after.tm_year == today.tm_year &&
                           after.tm_yday == today.tm_yday;
    if (at.tm_year == today.tm_year && at.tm_yday == today.tm_yday)
      when = " today at " + std::string(clock);
    else if (yesterday)
      when = " yesterday at " + std::string(clock);
    else
      when = " on " + std::string(date) + " at " + clock;
  }
  return what + " was edited" + when +
         ", and those edits were not saved. convstep kept a copy of them. Restore them to go on "
         "where you left off, or discard the copy.";
}

void Recovery::drop_orphan() {
  if (orphan_lock_ >= 0) remove_copy(orphan_id_, orphan_lock_);
  orphan_id_.clear();
}

}  // namespace convstep
