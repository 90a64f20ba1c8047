// Bug (fixed here): attempts and priority were adjacent bit-fields, one memory location, so the
//   two threads' writes were read-modify-writes of the same byte: a race that can undo one.
// Fix: ordinary members are separate memory locations ([intro.memory]): each thread writes only
//   its own byte, and the two writes need no synchronisation. Costs one byte.
// Tools: release, ASan and ThreadSanitizer all report nothing.
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

struct Job {
  unsigned char attempts = 0;  // written by the worker: how often it has tried to run the job
  unsigned char priority = 0;  // written by the scheduler: raised when the job has waited too long
};

Job job{};

void record_attempts(int attempts) {
  for (int i = 0; i < attempts; ++i) ++job.attempts;
}

void boost_priority() { job.priority = 7; }

int main() {
  conclab::fixture::Gate attempts_recorded;
  std::thread worker([&] {
    record_attempts(3);
    attempts_recorded.open();
  });
  std::thread scheduler([&] {
    attempts_recorded.wait();
    boost_priority();
  });
  worker.join();
  scheduler.join();
  if (int failed = conclab::fixture::expect_eq(job.attempts, 3, "attempts")) return failed;
  return conclab::fixture::expect_eq(job.priority, 7, "priority");
}
