// Bug: two threads run `if (!cache.count(path)) cache[path] = render(path);` on one std::map;
//   nothing keeps the other thread out of the gap between the check and the insert.
// Symptom: both find the page missing and both render it: renders: expected 1, got 2 (gates
//   force it every run); with other timings the two inserts overlap and can corrupt the tree.
// Fix: one mutex, held from the check through the insert.
// Tools: release and ASan print CONCLAB_WRONG_RESULT; TSan reports a data race in page_for().
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

std::mutex page_cache_mutex;
std::map<std::string, std::string> page_cache CONCLAB_GUARDED_BY(page_cache_mutex);  // path -> page
std::atomic<int> renders{0};

// Expensive: the cache exists so that each page is rendered once.
std::string render(const std::string& path) {
  renders.fetch_add(1, std::memory_order_relaxed);
  return "<html><body>" + path + "</body></html>";
}

// Returns the rendered page, rendering it on first use. Given gates, it pauses between finding
// the page missing and inserting it; the other thread is blocked on the mutex meanwhile, so the
// gate it would open stays shut and the wait ends at its 1 s soft limit.
std::string page_for(const std::string& path, Gate* opened_after_miss, Gate* awaited_before_write) {
  std::lock_guard lock(page_cache_mutex);  // the check and the insert are one step now
  if (page_cache.count(path) == 0) {
    if (opened_after_miss != nullptr) {
      opened_after_miss->open();
      awaited_before_write->wait(std::chrono::seconds(1));
    }
    page_cache[path] = render(path);
  }
  return page_cache[path];
}

int main() {
  Gate a_missed, b_cached;
  std::thread a([&] { page_for("/index.html", &a_missed, &b_cached); });
  std::thread b([&] {
    a_missed.wait();
    page_for("/index.html", nullptr, nullptr);
    b_cached.open();
  });
  a.join();
  b.join();
  return conclab::fixture::expect_eq(renders.load(), 1, "renders of /index.html");
}
