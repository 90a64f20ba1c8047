// Bug: the worker writes job.attempts while the scheduler writes job.priority. Adjacent bit-fields
//   are one memory location: each write rewrites the whole byte, so the two writes race.
// Symptom: none here, the gate runs the writes one after the other. Without it a write landing
//   inside the other's read-modify-write is undone, a window no gate can reach into.
// Fix: ordinary members instead of bit-fields: separate memory locations.
// Tools: release and ASan see nothing wrong; TSan reports a data race in boost_priority().
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
