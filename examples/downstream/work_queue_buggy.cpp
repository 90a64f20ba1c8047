// A work queue two workers drain. Two bugs a test suite would not see, and the tools do:
// take() hands back a pointer to a job it has already freed (ASan: heap_use_after_free; TSan too,
// when the other worker's take() ran in between), and the count of jobs done is a plain int every
// worker bumps (TSan: data_race, on every run: nothing orders the two workers' increments).
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "conclab/invariant.hpp"

class WorkQueue {
 public:
  void push(std::string job) {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  const std::string* take() {  // nullptr once empty
    std::lock_guard lock(mutex_);
    if (jobs_.empty()) return nullptr;
    const std::string* job = &jobs_.front();
    jobs_.pop_front();  // frees the node `job` points into
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
  int done = 0;
  long bytes = 0;
  auto worker = [&] {
    while (const std::string* job = queue.take()) {
      bytes += static_cast<long>(job->size()) > 0;  // reads the freed node
      ++done;                                       // unguarded, from both workers
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  return conclab::fixture::expect_eq(done, kJobs, "jobs done");
}
