// A program for the stress tests (stress_test.cpp): threads A and B each add their letter to a
// log after one scheduling point (a gate). Under CONCLAB_STRESS_SEED with depth 1 (no change
// points) the log is in the order of their seeded priorities: "BA" exactly when B's is higher,
// reported as a wrong result. `--never` puts A's letter first whatever ran first: a "bug" no seed
// can hit. The log has a mutex: the order is what this program is about, not a race.
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

std::mutex log_mutex;
std::string order;
Gate go;

void write(char who, bool first) {
  std::lock_guard lock(log_mutex);
  if (first) order.insert(order.begin(), who);
  else order += who;
}

int main(int argc, char** argv) {
  const bool never = argc == 2 && std::string_view(argv[1]) == "--never";
  std::thread a([never] {
    go.wait(std::chrono::milliseconds(0));  // A's point
    write('A', never);
  });
  std::thread b([] {
    go.wait(std::chrono::milliseconds(0));  // B's point (another call site: another priority)
    write('B', false);
  });
  a.join();
  b.join();
  return conclab::fixture::expect_eq(order == "AB" ? 0 : 1, 0, "B wrote before A (order " + order + ")");
}
