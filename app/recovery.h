// recovery.h — unsaved edits, copied aside while a lesson is dirty and offered back at the next
// start if the app is killed or quits without saving. GL-free.
//
//   Recovery recovery;                          // one per running app; nothing on disk yet
//   recovery.keep(app.lesson(), app.lesson_path());  // after each edit
//   recovery.forget();                          // saved: the copy goes
//   std::vector<std::string> problems;
//   if (auto found = recovery.find_orphan(problems)) ...  // offer found->lesson back
//   recovery.drop_orphan();                     // restored (and kept again) or discarded
//
// Each app keeps its own copy, state_dir()/unsaved-ID.json (ID: the process id and a random
// number) with the lesson's own path in unsaved-ID.origin, and holds an flock on
// unsaved-ID.lock while it runs. A start offers only a copy whose lock it can take, so a copy
// whose owner still runs is never offered, and two apps never touch each other's copy.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "core/lesson.h"

namespace convstep {

struct RecoveredEdits {
  Lesson lesson;
  std::string origin;      // the file the edits were made to; empty for a new lesson
  std::time_t edited = 0;  // when the last of them was made
};

// The restore offer in plain words: which lesson, from which file, when it was last edited, and
// that those edits were not saved. `now` decides "today" and "yesterday" (local time).
std::string describe_unsaved_edits(const RecoveredEdits& found, std::time_t now);

class Recovery {
 public:
  Recovery() = default;
  Recovery(const Recovery&) = delete;
  Recovery& operator=(const Recovery&) = delete;
  ~Recovery();  // lets go of the locks; a copy that was not forgotten stays for the next start

  // Writes this app's copy. Best effort: false if it could not be written (a full disk must not
  // interrupt the lesson).
  bool keep(const Lesson& lesson, const std::string& origin);
  void forget();

  // The newest copy left by an app that is gone, now held by this one until drop_orphan() or
  // the end of this app. A copy that cannot be read is moved aside as NAME.broken, never
  // offered again, and `problems` gets a line about it.
  std::optional<RecoveredEdits> find_orphan(std::vector<std::string>& problems);
  void drop_orphan();

 private:
  std::string id_;  // this app's copy, once it has one
  int lock_ = -1;
  std::string orphan_id_;  // the copy found at the start
  int orphan_lock_ = -1;
};

}  // namespace convstep
