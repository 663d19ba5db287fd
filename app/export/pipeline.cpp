#include "app/export/pipeline.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

namespace convstep {

void run_pipeline(long long count, const std::function<void(long long, Pixels&)>& produce,
                  const std::function<void(long long, Pixels&)>& consume, int workers) {
  workers = std::max(workers, 1);
  std::mutex m;
  std::condition_variable changed;
  std::deque<std::pair<long long, Pixels>> queue;                    // drawn, waiting for a worker
  std::vector<Pixels> spare(static_cast<std::size_t>(workers) + 1);  // free buffers
  bool finished = false;                                             // nothing more will be queued
  long long failed_at = -1;
  std::exception_ptr failure;
  auto fail = [&](long long i, std::exception_ptr e) {
    std::lock_guard lock(m);
    if (failed_at < 0 || i < failed_at) failed_at = i, failure = e;
    changed.notify_all();
  };

  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&] {
      for (;;) {
        std::pair<long long, Pixels> item;
        bool skip;
        {
          std::unique_lock lock(m);
          changed.wait(lock, [&] { return !queue.empty() || finished; });
          if (queue.empty()) return;
          item = std::move(queue.front());
          queue.pop_front();
          skip = failure != nullptr;  // an earlier picture failed: only drain
        }
        if (!skip) try {
            consume(item.first, item.second);
          } catch (...) {
            fail(item.first, std::current_exception());
          }
        std::lock_guard lock(m);
        spare.push_back(std::move(item.second));
        changed.notify_all();
      }
    });

  for (long long i = 0; i < count; ++i) {
    Pixels buffer;
    {
      std::unique_lock lock(m);
      changed.wait(lock, [&] { return !spare.empty() || failure; });
      if (failure) break;
      buffer = std::move(spare.back());
      spare.pop_back();
    }
    try {
      produce(i, buffer);
    } catch (...) {
      fail(i, std::current_exception());
      break;
    }
    std::lock_guard lock(m);
    queue.emplace_back(i, std::move(buffer));
    changed.notify_all();
  }
  {
    std::lock_guard lock(m);
    finished = true;
    changed.notify_all();
  }
  for (std::thread& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace convstep
