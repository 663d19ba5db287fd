// cancel.h — long work that another thread may call off: the app recomputes a lesson in the
// background, and an edit made meanwhile makes that work stale. The work checks the flag
// between its parts and gives up by throwing Cancelled; the thread that set the flag never
// waits for it.
//
//   std::atomic<bool> cancel = false;          // set to true from another thread
//   Timeline tl(lesson, &cancel);              // throws Cancelled once it sees it set
#pragma once

#include <atomic>
#include <exception>

namespace convstep {

using CancelFlag = std::atomic<bool>;

struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled: the work was stale"; }
};

// Throws Cancelled when `flag` is set; a null flag never cancels.
inline void check_cancel(const CancelFlag* flag) {
  if (flag && flag->load(std::memory_order_relaxed)) throw Cancelled();
}

}  // namespace convstep
