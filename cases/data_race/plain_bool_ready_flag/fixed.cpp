// Bug: the loader fills in `report`, then sets a plain `bool report_ready`; the viewer busy-waits
//   on it, then reads the report. That is a data race on both, so the compiler may assume that no
//   other thread changes report_ready: g++ and clang -O2 delete the wait loop altogether.
// Symptom: --schedule=viewer-first reads an empty report: rows: expected 1200, got 0.
// Fix: std::atomic<bool> report_ready, stored with memory_order_release, loaded with acquire.
// Tools: release shows the wrong result, ASan nothing; TSan data races in wait_for_report().
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
