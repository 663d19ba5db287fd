#include "app/file_browser.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "app/app.h"
#include "core/user_text.h"

namespace convstep {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

bool is_json(const fs::path& p) {
  return lower(p.extension().string()) == ".json";
}

bool is_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);  // follows a symbolic link to a folder
}

}  // namespace

void FileBrowser::start(Purpose purpose, const std::string& folder, const std::string& name) {
  purpose_ = purpose;
  typed = name;
  problem_.clear();
  if (folder.empty() || !go(folder)) {
    const std::string why = problem_;
    std::error_code ec;
    go(fs::current_path(ec).string());
    if (!why.empty()) problem_ = why;
  }
}

void FileBrowser::set_json_only(bool on) {
  json_only_ = on;
  list();
}

bool FileBrowser::go(const std::string& folder) {
  std::error_code ec;
  const fs::path full = fs::absolute(folder, ec).lexically_normal();
  // "/a/b/" normalizes to "/a/b/": drop the empty last part, but keep the root "/".
  fs::path clean = full.has_filename() || full == full.root_path() ? full : full.parent_path();
  if (ec || !is_folder(clean)) {
    problem_ = path_excerpt(folder) + ": no such folder";
    return false;
  }
  fs::directory_iterator probe(clean, ec);
  if (ec) {
    problem_ = path_excerpt(clean.string()) + ": this folder cannot be read (" + ec.message() + ")";
    return false;
  }
  folder_ = clean.string();
  problem_.clear();
  list();
  return true;
}

bool FileBrowser::enter(const std::string& name) {
  if (name == "..") return go(fs::path(folder_).parent_path().string());
  return go((fs::path(folder_) / name).string());
}

void FileBrowser::list() {
  entries_.clear();
  std::error_code ec;
  for (fs::directory_iterator it(folder_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(".")) continue;
    const bool folder = is_folder(it->path());
    if (!folder && json_only_ && !is_json(it->path())) continue;
    entries_.push_back({name, folder});
    if (entries_.size() >= kMaxEntries) break;
  }
  std::sort(entries_.begin(), entries_.end(), [](const FolderEntry& a, const FolderEntry& b) {
    if (a.folder != b.folder) return a.folder;
    const std::string la = lower(a.name), lb = lower(b.name);
    return la != lb ? la < lb : a.name < b.name;
  });
}

std::string FileBrowser::resolve(const std::string& text) const {
  std::string t = text;
  t.erase(0, t.find_first_not_of(" \t"));
  t.erase(t.find_last_not_of(" \t") + 1);
  if (t == "~" || t.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    if (home && *home) t = std::string(home) + t.substr(1);
  }
  if (t.empty()) return "";
  const fs::path p(t);
  return (p.is_absolute() ? p : fs::path(folder_) / p).lexically_normal().string();
}

std::optional<std::string> FileBrowser::choose(const std::string& text) {
  const std::string path = resolve(text);
  if (path.empty()) {
    problem_ = purpose_ == Purpose::Open ? "pick a lesson, or type its name"
                                         : "type a name for the lesson's file";
    return std::nullopt;
  }
  if (is_folder(path)) {
    if (go(path)) typed.clear();
    return std::nullopt;
  }
  std::error_code ec;
  if (purpose_ == Purpose::Open) {
    if (!fs::exists(path, ec)) {
      problem_ = path_excerpt(path) + ": there is no such file";
      return std::nullopt;
    }
    problem_.clear();
    return path;
  }
  fs::path file(path);
  if (!file.has_extension()) file += ".json";
  if (!is_folder(file.parent_path())) {
    problem_ = path_excerpt(file.parent_path().string()) + ": no such folder";
    return std::nullopt;
  }
  problem_.clear();
  return file.string();
}

std::string start_folder(const std::string& lesson_path, const std::string& last_folder) {
  if (!lesson_path.empty() && !is_preset_path(lesson_path)) {
    const fs::path folder = fs::path(lesson_path).parent_path();
    if (folder.empty()) return ".";
    if (is_folder(folder)) return folder.string();
  }
  if (!last_folder.empty() && is_folder(last_folder)) return last_folder;
  return ".";
}

std::vector<std::string> existing_files(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const std::string& p : paths)
    if (fs::is_regular_file(p, ec)) out.push_back(p);
  return out;
}

}  // namespace convstep
