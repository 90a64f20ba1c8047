// Bug: PriceCache::price() looks the item up under a std::shared_lock and, on a miss, takes a
//   std::unique_lock on the same std::shared_mutex while still a reader. The exclusive lock waits
//   until every reader has left, this thread included: it waits forever. There is no upgrade.
// Symptom: the first cache miss hangs, every run (gates make both threads miss the same item).
// Fix: leave as a reader (read.unlock()), take the exclusive lock, and look again before loading.
// Tools: no detector says a word: TSan checks a lock once it is granted, and this one never is.
//   conclab reports a hang: glibc records no readers, so no owner and no cycle can be named.
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "conclab/annotations.hpp"
#include "conclab/gate.hpp"
#include "conclab/invariant.hpp"

using conclab::fixture::Gate;

Gate missed[2];  // reader `i` looked the item up and did not find it

class PriceCache {
 public:
  // The price of `item` in cents, loaded from the price list on first use.
  long price(const std::string& item, int reader) {
    std::shared_lock read(m_);  // many readers at once: lookups don't block each other
    if (const auto found = prices_.find(item); found != prices_.end()) return found->second;
    missed[reader].open();
    missed[1 - reader].wait();  // schedule: both readers miss before either loads
    read.unlock();  // a std::shared_mutex cannot be upgraded: leave as a reader first
    std::unique_lock write(m_);
    auto found = prices_.find(item);  // the other reader may have loaded it meanwhile
    if (found == prices_.end()) found = prices_.emplace(item, load_price(item)).first;
    return found->second;
  }

  int loads() {
    std::shared_lock read(m_);
    return loads_;
  }

 private:
  long load_price(const std::string& item) {  // slow, in real life: a database query
    ++loads_;
    return static_cast<long>(item.size()) * 100;
  }

  std::shared_mutex m_;
  // Guarded by m_; no CONCLAB_GUARDED_BY: libc++ 14's std::shared_mutex is not a capability tsa can check.
  std::map<std::string, long> prices_;
  int loads_ = 0;
};

int main() {
  PriceCache cache;
  long seen[2] = {};
  std::thread first([&] { seen[0] = cache.price("espresso", 0); });
  std::thread second([&] { seen[1] = cache.price("espresso", 1); });
  first.join();
  second.join();
  if (int failed = conclab::fixture::expect_eq(seen[0], seen[1], "the two prices")) return failed;
  return conclab::fixture::expect_eq(cache.loads(), 1, "price list queries");
}
