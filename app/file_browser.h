// file_browser.h — the in-app file browser behind Open and Save as: a folder's listing, the
// .json filter, recent files and typed paths. GL-free (app/ui_files.cpp draws it), so that the
// tests reach it without a window.
//
//   FileBrowser b;
//   b.start(FileBrowser::Purpose::Open, start_folder(app.lesson_path(), last_folder));
//   for (const FolderEntry& e : b.entries()) ...   // folders first, then .json files
//   b.enter("lessons");                            // or ".." for the parent folder
//   if (auto path = b.choose("sobel-6x5.json")) app.open(*path);
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace convstep {

struct FolderEntry {
  std::string name;
  bool folder = false;
};

class FileBrowser {
 public:
  enum class Purpose { Open, Save };
  static constexpr std::size_t kMaxEntries = 5000;  // a huge folder is listed in part

  // Starts browsing `folder` (the current folder when empty or unreadable), with `name` typed.
  void start(Purpose purpose, const std::string& folder, const std::string& name = "");
  Purpose purpose() const { return purpose_; }
  const std::string& folder() const { return folder_; }
  // Hidden entries left out; folders first, then files (only .json ones while json_only()),
  // each sorted by name without regard to case.
  const std::vector<FolderEntry>& entries() const { return entries_; }
  bool json_only() const { return json_only_; }
  void set_json_only(bool on);
  // Why the folder or the typed path did not work, in one line; empty when all is well.
  const std::string& problem() const { return problem_; }

  bool go(const std::string& folder);   // false, with problem(), when it cannot be listed
  bool enter(const std::string& name);  // a folder of the listing, or ".." for the parent

  // What the user typed or picked: a name in this folder, a relative or absolute path, or ~/.
  // A folder is entered (nullopt). A file is the answer: to open, it must exist; to save, its
  // folder must exist, and a name without an extension gets ".json".
  std::optional<std::string> choose(const std::string& typed);

  std::string typed;  // the path field, shared with the panel that draws it

 private:
  void list();
  std::string resolve(const std::string& typed) const;

  Purpose purpose_ = Purpose::Open;
  std::string folder_;
  std::vector<FolderEntry> entries_;
  bool json_only_ = true;
  std::string problem_;
};

// Where a browser starts: the folder of the lesson's own file unless it is a preset (they are
// read-only: a copy goes elsewhere), else the folder browsed last, else the current folder.
std::string start_folder(const std::string& lesson_path, const std::string& last_folder);

// The recent files that still exist, in order.
std::vector<std::string> existing_files(const std::vector<std::string>& paths);

}  // namespace convstep
