// latest_job.h — work off the UI thread where only the latest request matters: the timeline
// of the lesson as last edited, the methods check of the lesson on screen. A new request
// calls off the one running (its cancel flag is set: the work gives up at its next check, see
// core/cancel.h) and replaces one not yet started. The caller never waits for stale work;
// only wait() waits, for the latest result (scripts and tests).
//
//   LatestJob<Timeline> job;
//   job.start([lesson](const CancelFlag& cancel) { return Timeline(lesson, &cancel); });
//   ... each frame: if (std::optional<Timeline> t = job.take()) show(std::move(*t));
//
// One worker thread, at a lower priority than the UI's, started with the first request and
// joined by the destructor (which cancels the work in hand first). Where there are no worker
// threads (the browser, app/platform.h) start() does the work at once, and take() has it.
#pragma once

#include <sys/resource.h>

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "app/platform.h"
#include "core/cancel.h"

namespace convstep {

template <class Result>
class LatestJob {
 public:
  using Work = std::function<Result(const CancelFlag& cancel)>;

  LatestJob() = default;
  LatestJob(const LatestJob&) = delete;
  LatestJob& operator=(const LatestJob&) = delete;
  ~LatestJob() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      if (running_) running_->store(true);
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  // Starts `work` as soon as the worker is free; the work in hand becomes stale.
  void start(Work work) {
    if constexpr (!kWorkerThreads) {
      run_here(std::move(work));
      return;
    }
    std::lock_guard lock(mutex_);
    if (running_) running_->store(true);
    next_ = std::move(work);
    ++requested_;
    result_.reset();
    error_ = nullptr;
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    wake_.notify_all();
  }

  // Calls off the work in hand and any waiting: nothing they make is ever taken.
  void cancel() {
    std::lock_guard lock(mutex_);
    if (running_) running_->store(true);
    next_ = nullptr;
    finished_ = ++requested_;
    result_.reset();
    error_ = nullptr;
    wake_.notify_all();
  }

  // The latest request's result, once, when it is ready; its exception, rethrown, if it threw.
  std::optional<Result> take() {
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    return std::exchange(result_, std::nullopt);
  }

  // Blocks until the latest request is done (scripts, tests): never on the UI's frame path.
  void wait() {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [&] { return finished_ == requested_; });
  }

 private:
  void run_here(Work work) {
    result_.reset();
    error_ = nullptr;
    finished_ = ++requested_;
    const CancelFlag never(false);
    try {
      result_.emplace(work(never));
    } catch (const Cancelled&) {
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  void loop() {
    // Below the UI and the renderer's threads: on a busy machine the frames come first, and
    // the work takes what is left. (On Linux a thread has its own nice value.)
    setpriority(PRIO_PROCESS, 0, kNice);
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || next_; });
      if (stop_) return;
      Work work = std::exchange(next_, nullptr);
      const long long id = requested_;
      auto cancel = std::make_shared<CancelFlag>(false);
      running_ = cancel;
      lock.unlock();
      std::optional<Result> result;
      std::exception_ptr error;
      try {
        result.emplace(work(*cancel));
      } catch (const Cancelled&) {
      } catch (...) {
        error = std::current_exception();
      }
      work = nullptr;  // what it holds (a lesson) goes here, off the UI thread
      lock.lock();
      running_.reset();
      if (id == requested_) {
        result_ = std::move(result), error_ = error;
        finished_ = id;
        wake_.notify_all();
      } else if (result) {
        lock.unlock();  // a stale result is freed here, without holding up take()
        result.reset();
        lock.lock();
      }
    }
  }

  static constexpr int kNice = 10;
  std::mutex mutex_;
  std::condition_variable wake_;
  Work next_;
  std::shared_ptr<CancelFlag> running_;  // the flag of the work in hand
  long long requested_ = 0, finished_ = 0;
  std::optional<Result> result_;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread thread_;  // last: started after every member it reads
};

}  // namespace convstep
