// Bug (fixed here): main returned while a detached worker still priced an order from the global
//   price list, so exit() destroyed the list under the worker, which read freed memory.
// Symptom was a wrong order total; now the worker prices the order before any global is gone.
// Fix: main owns the worker as a std::jthread, whose destructor joins it when main's scope ends,
//   before main returns and exit() starts destroying globals.
// Tools: release, ASan and TSan all report nothing.
#include <chrono>
#include <initializer_list>
#include <thread>
#include <vector>

#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

Gate prices_destroyed;  // static destruction has destroyed kPriceCents
Gate order_priced;      // the worker is done with the price list

// The schedule. Globals are destroyed in the reverse order of their construction, so this one,
// defined just before the price list, is destroyed just after it: it lets the worker go on, and
// holds the exit back until the worker is done (at most 1 s).
struct ResumeWorkerAfterPriceList {
  ~ResumeWorkerAfterPriceList() {
    prices_destroyed.open();
    order_priced.wait(std::chrono::seconds(1));
  }
} resume_worker_after_price_list;

const std::vector<long> kPriceCents = {1250, 399, 5000, 75};  // by item number

long price_order(std::initializer_list<int> items) {
  long total = 0;
  for (int item : items) total += kPriceCents[item];
  return total;
}

int main() {
  std::jthread worker([] {
    // Waits out its 1 s soft limit: the prices are destroyed only after main joins this thread.
    prices_destroyed.wait(std::chrono::seconds(1));
    conclab::fixture::expect_eq(price_order({0, 2, 3}), 1250 + 5000 + 75, "order total");
    order_priced.open();
  });
  return 0;  // ~jthread joins the worker first; only then does exit(0) destroy kPriceCents
}
