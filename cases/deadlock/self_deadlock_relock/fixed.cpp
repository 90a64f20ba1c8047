// Bug: Inventory::restock() locks the inventory's std::mutex and, for each line of the delivery,
//   calls the public adjust(), which locks the same mutex again. std::mutex is not recursive: a
//   thread that locks it twice waits forever for itself (the standard calls it undefined).
// Symptom: the first restock() hangs, every run; no schedule is needed, only one thread.
// Fix: a private adjust_locked() that expects the lock held; every public method locks once.
// Tools: TSan is silent (it checks for a double lock once the lock call returns; it never does);
//   conclab's hang explainer names the cycle of one; tsa: adjust(), CONCLAB_EXCLUDES(m_), called holding m_.
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "conclab/annotations.hpp"
#include "conclab/invariant.hpp"

class Inventory {
 public:
  // Adds `delta` (negative for a sale) to the stock of `item`.
  void adjust(const std::string& item, int delta) CONCLAB_EXCLUDES(m_) {
    std::lock_guard lock(m_);
    adjust_locked(item, delta);
  }

  // Books a whole delivery at once, so no reader ever sees half of it.
  void restock(const std::vector<std::pair<std::string, int>>& delivery) {
    std::lock_guard lock(m_);
    for (const auto& [item, count] : delivery) adjust_locked(item, count);
  }

  int in_stock(const std::string& item) {
    std::lock_guard lock(m_);
    const auto found = stock_.find(item);
    return found == stock_.end() ? 0 : found->second;
  }

 private:
  // The caller holds m_. Public methods lock; private *_locked ones never do.
  void adjust_locked(const std::string& item, int delta) CONCLAB_REQUIRES(m_) { stock_[item] += delta; }

  std::mutex m_;
  std::map<std::string, int> stock_ CONCLAB_GUARDED_BY(m_);
};

int main() {
  Inventory inventory;
  inventory.adjust("apples", 10);
  std::thread till([&] { inventory.adjust("apples", -3); });
  std::thread loading_dock([&] { inventory.restock({{"apples", 20}, {"pears", 5}}); });
  till.join();
  loading_dock.join();
  return conclab::fixture::expect_eq(inventory.in_stock("apples"), 27, "apples in stock");
}
