// Bug: main returns while a detached worker still prices an order from the global price list.
//   Returning from main runs exit(), which destroys the globals: ~vector frees the list's buffer
//   while the worker is still reading it.
// Symptom: the worker reads freed memory and gets a wrong total (every run: gates let the worker
//   read just after the destructor ran).
// Fix: main owns the worker as a std::jthread, which joins it before main returns.
// Tools: ASan and TSan report heap-use-after-free in price_order(); release prints the wrong total
//   (malloc has written its own bookkeeping over the freed prices).
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
