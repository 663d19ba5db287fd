// The app's own files: settings that cannot be read, and the copies of unsaved edits that each
// running app keeps for itself.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "app/app.h"
#include "app/file_browser.h"
#include "app/recovery.h"
#include "core/json.h"

namespace convstep {
namespace {

namespace fs = std::filesystem;

// XDG_CONFIG_HOME and XDG_STATE_HOME in a scratch folder (each test runs in its own process).
struct Home {
  fs::path path;
  Home() {
    std::string t = (fs::temp_directory_path() / "convstep-home-XXXXXX").string();
    path = ::mkdtemp(t.data());
    ::setenv("XDG_CONFIG_HOME", (path / "config").c_str(), 1);
    ::setenv("XDG_STATE_HOME", (path / "state").c_str(), 1);
    fs::create_directories(config_dir());
    fs::create_directories(state_dir());
  }
  ~Home() { fs::remove_all(path); }
};

std::string settings_problem() {
  std::string problem;
  const Settings s = load_settings(&problem);
  EXPECT_EQ(s.to_json(), Settings().to_json()) << "not the defaults";
  return problem;
}

TEST(Settings, MissingSettingsAreTheDefaultsSilently) {
  Home home;
  EXPECT_EQ(settings_problem(), "");
}

TEST(Settings, AFolderGivesTheDefaultsAndOneLine) {
  Home home;
  fs::create_directory(config_dir() + "/settings.json");
  EXPECT_EQ(settings_problem(), config_dir() +
                                    "/settings.json: is a folder, not a file; using "
                                    "the default settings");
}

TEST(Settings, ANamedPipeGivesTheDefaultsWithoutWaiting) {
  Home home;
  ASSERT_EQ(::mkfifo((config_dir() + "/settings.json").c_str(), 0600), 0);
  EXPECT_EQ(settings_problem(), config_dir() +
                                    "/settings.json: is not a regular file; using the "
                                    "default settings");
  // Saving refuses it too, instead of waiting for a reader.
  EXPECT_THROW(save_settings(Settings()), std::runtime_error);
}

TEST(Settings, TextThatIsNotSettingsGivesTheDefaults) {
  Home home;
  std::ofstream(config_dir() + "/settings.json") << "{\"theme\": ";
  EXPECT_EQ(settings_problem(), config_dir() +
                                    "/settings.json: is not valid JSON (at byte 11); "
                                    "using the default settings");
  std::ofstream(config_dir() + "/settings.json") << "{\"speed\": 1e999}";
  EXPECT_EQ(settings_problem(), config_dir() +
                                    "/settings.json: is not valid JSON (a number is "
                                    "out of range); using the default settings");
  std::ofstream(config_dir() + "/settings.json") << "[1, 2]";
  EXPECT_EQ(settings_problem(), config_dir() +
                                    "/settings.json: does not hold settings (a JSON "
                                    "object); using the default settings");
}

TEST(Settings, ALongFolderNameIsCutAtItsStart) {
  Home home;
  // A settings folder 1,200 characters deep: the warning keeps its end and stays one short line.
  const std::string deep = home.path.string() + "/" + std::string(200, 'd') + "/" +
                           std::string(200, 'd') + "/" + std::string(200, 'd') + "/" +
                           std::string(200, 'd') + "/" + std::string(200, 'd') + "/" +
                           std::string(200, 'd');
  fs::create_directories(deep + "/convstep");
  ::setenv("XDG_CONFIG_HOME", deep.c_str(), 1);
  std::ofstream(config_dir() + "/settings.json") << "{";
  const std::string problem = settings_problem();
  EXPECT_LT(problem.size(), 300u) << problem;
  EXPECT_NE(problem.find("ddd/convstep/settings.json: is not valid JSON"), std::string::npos)
      << problem;
}

TEST(Settings, NumbersOutOfRangeAreClamped) {
  const Settings s = parse_settings(
      R"({"speed": 1e300, "stage_scale": -1e300, "window_width": 1e300, "window_height": 12.7,
          "loop": 3, "theme": 4})",
      nullptr);
  EXPECT_EQ(s.speed, 8);
  EXPECT_EQ(s.stage_scale, 1);
  EXPECT_EQ(s.window_width, 16384);
  EXPECT_EQ(s.window_height, 240);
  EXPECT_FALSE(s.loop);  // a value of the wrong kind keeps the default
  EXPECT_EQ(s.theme, Settings().theme);
}

TEST(Settings, SavedSettingsLoadBack) {
  Home home;
  Settings s;
  s.speed = 2;
  s.last_lesson = "x.json";
  save_settings(s);
  std::string problem;
  EXPECT_EQ(load_settings(&problem).to_json(), s.to_json());
  EXPECT_EQ(problem, "");
}

// ---- Unsaved edits ----

Lesson lesson_with(double w) {
  return parse_lesson(R"({"title": "t", "input": [[1, 2], [3, 4]], "weight": [[)" +
                      std::to_string(w) + "]]}");
}

std::vector<std::string> copies() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(state_dir()))
    if (e.path().extension() == ".json") names.push_back(e.path().string());
  return names;
}

TEST(Recovery, TwoAppsKeepTheirOwnCopies) {
  Home home;
  Recovery a, b;
  ASSERT_TRUE(a.keep(lesson_with(7), "a.json"));
  ASSERT_TRUE(b.keep(lesson_with(5), "b.json"));
  ASSERT_TRUE(a.keep(lesson_with(8), "a.json"));  // a later edit replaces only a's own copy
  const std::vector<std::string> files = copies();
  ASSERT_EQ(files.size(), 2u);
  std::vector<Lesson> kept = {load_lesson(files[0]), load_lesson(files[1])};
  EXPECT_TRUE((kept[0] == lesson_with(8) && kept[1] == lesson_with(5)) ||
              (kept[0] == lesson_with(5) && kept[1] == lesson_with(8)));
  b.forget();
  EXPECT_EQ(copies().size(), 1u);
  EXPECT_EQ(load_lesson(copies()[0]), lesson_with(8));
}

TEST(Recovery, OnlyTheCopiesOfAppsThatAreGoneAreOffered) {
  Home home;
  std::vector<std::string> problems;
  auto running = std::make_unique<Recovery>();
  ASSERT_TRUE(running->keep(lesson_with(7), "mine.json"));
  Recovery starting;
  EXPECT_FALSE(starting.find_orphan(problems)) << "offered the copy of an app that still runs";
  running.reset();  // that app ends without saving
  const auto found = starting.find_orphan(problems);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->lesson, lesson_with(7));
  EXPECT_EQ(found->origin, "mine.json");
  // While this app holds the offer, a third app is not offered the same copy.
  Recovery third;
  EXPECT_FALSE(third.find_orphan(problems));
  starting.drop_orphan();
  EXPECT_TRUE(fs::is_empty(state_dir()));
  EXPECT_TRUE(problems.empty());
}

TEST(Recovery, AnOfferNotAnsweredStaysForTheNextStart) {
  Home home;
  std::vector<std::string> problems;
  {
    Recovery gone;
    gone.keep(lesson_with(7), "");
  }
  {
    Recovery first;
    ASSERT_TRUE(first.find_orphan(problems));
  }  // quits without restoring or discarding
  Recovery second;
  ASSERT_TRUE(second.find_orphan(problems));
}

TEST(Recovery, ABrokenCopyIsMovedAsideAndNeverOfferedAgain) {
  Home home;
  const std::string copy = state_dir() + "/unsaved-lesson.json";
  {
    Recovery good;
    good.keep(lesson_with(3), "good.json");
  }
  std::ofstream(copy) << "{\"input\": [[1]], \"weight\": ";  // newer: looked at first
  fs::last_write_time(copy, fs::file_time_type::clock::now() + std::chrono::seconds(5));
  std::vector<std::string> problems;
  Recovery starting;
  const auto found = starting.find_orphan(problems);
  ASSERT_TRUE(found) << "a broken copy stopped the search";
  EXPECT_EQ(found->lesson, lesson_with(3));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(copy + " cannot be read"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("moved aside as " + copy + ".broken"), std::string::npos);
  EXPECT_FALSE(fs::exists(copy));
  EXPECT_TRUE(fs::exists(copy + ".broken"));
  problems.clear();
  Recovery next;
  EXPECT_FALSE(next.find_orphan(problems));
  EXPECT_TRUE(problems.empty());
}

TEST(Recovery, TheOfferSaysWhichLessonWhenAndThatItWasNotSaved) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  RecoveredEdits found{lesson_with(7), "/home/t/lessons/ramp.json", 0};
  found.lesson.title = "Sobel on a ramp";
  const std::time_t now = 1'795'000'000;  // 2026-11-18 11:06:40 UTC
  found.edited = now - 3600;
  EXPECT_EQ(describe_unsaved_edits(found, now),
            "\"Sobel on a ramp\" (ramp.json) was edited today at 10:06, and those edits were "
            "not saved. convstep kept a copy of them. Restore them to go on where you left off, "
            "or discard the copy.");
  found.edited = now - 86400;
  EXPECT_NE(describe_unsaved_edits(found, now).find("was edited yesterday at 11:06"),
            std::string::npos);
  found.edited = now - 5 * 86400;
  found.origin.clear();
  EXPECT_NE(describe_unsaved_edits(found, now)
                .find("(never saved to a file) was edited on 2026-11-13 at 11:06"),
            std::string::npos)
      << describe_unsaved_edits(found, now);
  const std::string text = describe_unsaved_edits(found, now);
  EXPECT_EQ(text.find("crash"), std::string::npos);
  EXPECT_EQ(text.find("closed"), std::string::npos);
}

TEST(Recovery, TheCopyKnowsWhenItWasLastEdited) {
  Home home;
  {
    Recovery gone;
    gone.keep(lesson_with(7), "a.json");
  }
  std::vector<std::string> problems;
  Recovery starting;
  const auto found = starting.find_orphan(problems);
  ASSERT_TRUE(found);
  EXPECT_LE(std::abs(found->edited - std::time(nullptr)), 60);
}

// ---- The file browser and recent files ----

struct Folder {
  fs::path path;
  Folder() {
    std::string t = (fs::temp_directory_path() / "convstep-browse-XXXXXX").string();
    path = ::mkdtemp(t.data());
    fs::create_directories(path / "Lessons");
    fs::create_directories(path / "archive");
    fs::create_directories(path / ".hidden");
    for (const char* f : {"b.json", "A.JSON", "notes.txt", ".secret.json", "Lessons/x.json"})
      std::ofstream(path / f) << "{}";
  }
  ~Folder() { fs::remove_all(path); }
};

std::vector<std::string> listing(const FileBrowser& b) {
  std::vector<std::string> out;
  for (const FolderEntry& e : b.entries()) out.push_back(e.name + (e.folder ? "/" : ""));
  return out;
}

TEST(FileBrowser, ListsFoldersFirstThenLessonsAndHidesTheRest) {
  Folder f;
  FileBrowser b;
  b.start(FileBrowser::Purpose::Open, f.path.string());
  EXPECT_EQ(b.folder(), f.path.string());
  EXPECT_EQ(listing(b), (std::vector<std::string>{"archive/", "Lessons/", "A.JSON", "b.json"}));
  b.set_json_only(false);
  EXPECT_EQ(listing(b),
            (std::vector<std::string>{"archive/", "Lessons/", "A.JSON", "b.json", "notes.txt"}));
  EXPECT_TRUE(b.enter("Lessons"));
  EXPECT_EQ(listing(b), (std::vector<std::string>{"x.json"}));
  EXPECT_TRUE(b.enter(".."));
  EXPECT_EQ(b.folder(), f.path.string());
}

TEST(FileBrowser, ATypedPathOpensAFileOrEntersAFolder) {
  Folder f;
  FileBrowser b;
  b.start(FileBrowser::Purpose::Open, f.path.string(), "typed before");
  EXPECT_EQ(b.typed, "typed before");
  EXPECT_EQ(b.choose("b.json"), (f.path / "b.json").string());
  EXPECT_EQ(b.choose((f.path / "Lessons/x.json").string()), (f.path / "Lessons/x.json").string());
  b.typed = "Lessons";
  EXPECT_EQ(b.choose(b.typed), std::nullopt);
  EXPECT_EQ(b.folder(), (f.path / "Lessons").string()) << "a folder typed is entered";
  EXPECT_EQ(b.typed, "");
  EXPECT_EQ(b.choose("../archive/"), std::nullopt);
  EXPECT_EQ(b.folder(), (f.path / "archive").string());
  EXPECT_EQ(b.choose("missing.json"), std::nullopt);
  EXPECT_NE(b.problem().find("missing.json: there is no such file"), std::string::npos)
      << b.problem();
  EXPECT_EQ(b.choose("  "), std::nullopt);
  EXPECT_FALSE(b.problem().empty());
  EXPECT_FALSE(b.go((f.path / "nowhere").string()));
  EXPECT_NE(b.problem().find("nowhere: no such folder"), std::string::npos) << b.problem();
  EXPECT_EQ(b.folder(), (f.path / "archive").string()) << "a bad folder keeps the listing";
}

TEST(FileBrowser, SavingNamesANewFileInAFolderThatExists) {
  Folder f;
  FileBrowser b;
  b.start(FileBrowser::Purpose::Save, f.path.string(), "sobel-6x5.json");
  EXPECT_EQ(b.choose("mine"), (f.path / "mine.json").string()) << ".json is added";
  EXPECT_EQ(b.choose("b.json"), (f.path / "b.json").string()) << "the panel asks to replace it";
  EXPECT_EQ(b.choose("no/such/mine.json"), std::nullopt);
  EXPECT_NE(b.problem().find("no such folder"), std::string::npos);
}

TEST(FileBrowser, AnUnreadableStartFolderFallsBackToTheCurrentOne) {
  FileBrowser b;
  b.start(FileBrowser::Purpose::Open, "/nowhere/at/all");
  EXPECT_EQ(b.folder(), fs::current_path().string());
  EXPECT_NE(b.problem().find("no such folder"), std::string::npos);
}

TEST(FileBrowser, StartsBesideTheLessonUnlessItIsAPreset) {
  Folder f;
  EXPECT_EQ(start_folder((f.path / "b.json").string(), ""), f.path.string());
  const std::string preset = std::string(CONVSTEP_SOURCE_DIR) + "/assets/lessons/sobel-6x5.json";
  EXPECT_EQ(start_folder(preset, (f.path / "archive").string()), (f.path / "archive").string());
  EXPECT_EQ(start_folder(preset, ""), ".");
  EXPECT_EQ(start_folder("", "/nowhere"), ".");
}

TEST(RecentFiles, OpenedAndSavedLessonsComeFirstOnceAndPresetsStayOut) {
  Home home;
  Folder f;
  const std::string a = (f.path / "a.json").string(), b = (f.path / "b.json").string();
  App app;
  app.save(a);
  app.save(b);
  app.open(a);
  EXPECT_EQ(app.settings.recent_files, (std::vector<std::string>{a, b}));
  app.open_preset("stride2");
  EXPECT_EQ(app.settings.recent_files, (std::vector<std::string>{a, b}));
  for (int i = 0; i < 15; ++i) remember_recent(app.settings, "l" + std::to_string(i) + ".json");
  EXPECT_EQ(app.settings.recent_files.size(), kMaxRecentFiles);
  EXPECT_EQ(app.settings.recent_files[0], (fs::current_path() / "l14.json").string());
  // Kept in the settings, across starts; a file that has gone is not offered.
  save_settings(app.settings);
  const Settings back = load_settings();
  EXPECT_EQ(back.recent_files, app.settings.recent_files);
  fs::remove(b);
  EXPECT_EQ(existing_files({a, b, "l1.json"}), (std::vector<std::string>{a}));
}

}  // namespace
}  // namespace convstep
