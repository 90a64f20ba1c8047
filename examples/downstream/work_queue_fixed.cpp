// The work queue with both bugs fixed: take() hands back the job itself (moved out before the node
// is freed), and the count of jobs done is atomic.
#include <atomic>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "conclab/invariant.hpp"

class WorkQueue {
 public:
  void push(std::string job) {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  std::optional<std::string> take() {  // nullopt once empty
    std::lock_guard lock(mutex_);
    if (jobs_.empty()) return std::nullopt;
    std::string job = std::move(jobs_.front());
    jobs_.pop_front();
    return job;
  }

 private:
  std::mutex mutex_;
  std::list<std::string> jobs_;
};

int main() {
  constexpr int kJobs = 1000;
  WorkQueue queue;
  for (int i = 0; i < kJobs; ++i) queue.push("job number " + std::to_string(i) + " of the work queue example");
  std::atomic<int> done = 0;
  std::atomic<long> bytes = 0;
  auto worker = [&] {
    while (std::optional<std::string> job = queue.take()) {
      bytes += static_cast<long>(job->size()) > 0;
      ++done;
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  return conclab::fixture::expect_eq(done.load(), kJobs, "jobs done");
}
