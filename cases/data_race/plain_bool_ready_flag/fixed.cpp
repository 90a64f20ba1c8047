// Bug (fixed here): the report was published through a plain `bool report_ready`, so g++ -O2
//   deleted the viewer's wait loop, and under --schedule=viewer-first it read an empty report.
// Fix: std::atomic<bool>: the release store orders the report's writes before it, the acquire
//   load that reads true orders the reads after it, and atomic loads count as progress
//   ([intro.progress]), so the wait loop stays.
// Tools: release, ASan and ThreadSanitizer all report nothing, with either schedule.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string_view>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

struct Report {
  long rows = 0;
  long total_cents = 0;
};

Report report;                          // written by the loader, then only read
std::atomic<bool> report_ready{false};  // the loader's "report is complete" signal

void publish_report() {
  report.rows = 1200;
  report.total_cents = 4999900;
  report_ready.store(true, std::memory_order_release);  // publishes the writes above
}

Report wait_for_report() {
  while (!report_ready.load(std::memory_order_acquire)) {  // sees the writes before the store
  }
  return report;
}

int main(int argc, char** argv) {
  const bool viewer_first = argc == 2 && std::string_view(argv[1]) == "--schedule=viewer-first";
  if (argc > 1 && !viewer_first) {
    std::fprintf(stderr, "usage: %s [--schedule=viewer-first]\n", argv[0]);
    return 2;
  }
  Gate published, viewer_done;
  Report seen;
  std::thread loader([&] {
    // viewer-first: publish only once the viewer is done. A viewer that really waits spins until
    // then, never done first: so this wait ends after 1 s of wall-clock time, busy viewer or not.
    if (viewer_first) viewer_done.wait_at_most(std::chrono::seconds(1));
    publish_report();
    published.open();
  });
  std::thread viewer([&] {
    if (!viewer_first) published.wait();  // default: look only after the loader has published
    seen = wait_for_report();
    viewer_done.open();
  });
  loader.join();
  viewer.join();
  if (int failed = conclab::fixture::expect_eq(seen.rows, 1200, "rows seen by the viewer")) {
    return failed;
  }
  return conclab::fixture::expect_eq(seen.total_cents, 4999900, "total seen by the viewer");
}
