// Bug: a recorder thread push_back()s onto a std::vector while a reporter thread iterates it.
//   The vector is full, so push_back moves the elements to a bigger buffer and frees the old one,
//   under the reporter's iterators. Symptom: the report's total is garbage read from freed memory.
// Fix: one std::mutex, held for the whole push_back and for the reporter's whole pass.
// Tools: ASan reports heap-use-after-free in total_latency(); ThreadSanitizer a data race between
//   the free inside record()'s push_back and the reporter's read; release prints a wrong total.
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

std::mutex latencies_mutex;
// Request latencies in microseconds, exactly full: the next push_back reallocates.
std::vector<long> latencies_us CONCLAB_GUARDED_BY(latencies_mutex){120, 95, 310, 87};

Gate report_started;  // the reporter has read the first latency and holds iterators to the next
Gate recorded;        // the recorder's push_back has returned

void record(long latency_us) {
  std::lock_guard lock(latencies_mutex);
  latencies_us.push_back(latency_us);
}

// Sums the latencies, as a periodic report does; pauses after the first one. The recorder now
// waits for the lock, so `recorded` cannot open during the pass: the wait gives up after 1 s.
long total_latency() {
  std::lock_guard lock(latencies_mutex);  // for the whole pass: iterators stay valid until it ends
  long total = 0;
  int seen = 0;
  for (const long latency : latencies_us) {
    total += latency;
    if (++seen == 1) {
      report_started.open();
      recorded.wait(std::chrono::seconds(1));
    }
  }
  return total;
}

int main() {
  long total = 0;
  std::thread reporter([&] { total = total_latency(); });
  std::thread recorder([] {
    report_started.wait();
    record(205);  // blocks until the report is done, then reallocates safely
    recorded.open();
  });
  reporter.join();
  recorder.join();
  // The report adds up the list as it was before 205 was recorded (the order the gates force) or,
  // if the recorder went first (a stress schedule), after it: never anything else.
  const long first_four = 120 + 95 + 310 + 87;
  return conclab::fixture::expect_eq(total == first_four + 205 ? first_four : total, first_four,
                                     "total latency in the report");
}
